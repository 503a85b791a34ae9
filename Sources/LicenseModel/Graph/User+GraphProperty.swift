import Foundation

extension User {
    /// One property as the user's Graph JSON carries it, without writing the whole user: what
    /// a `$select` of a few properties over a 999-user page needs. `.null` where the user has
    /// no value; nil for a name this does not answer (the caller writes the whole user then:
    /// licences and plans, custom extensions, names Graph has and the model keeps in `extra`).
    public func graphProperty(_ name: String) -> JSONValue? {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        func flag(_ value: Bool?) -> JSONValue { value.map(JSONValue.bool) ?? .null }
        guard let field = Self.fields[name] else { return nil }
        switch field {
        case .id: return .string(id)
        case .userPrincipalName: return .string(userPrincipalName)
        case .displayName: return .string(displayName)
        case .accountEnabled: return flag(accountEnabled)
        case .onPremisesSyncEnabled: return flag(onPremisesSyncEnabled)
        case .onPremisesImmutableId: return text(onPremisesImmutableId)
        case .onPremisesSamAccountName: return text(onPremisesSamAccountName)
        case .string(let slot): return text(strings[slot])
        case .businessPhones: return .array(strings[GraphUserField.telephoneSlot].map { [.string($0)] } ?? [])
        case .extensionAttributes:
            var attributes: [String: JSONValue] = [:]
            for (slot, name) in GraphUserField.extensionSlots { attributes[name] = text(strings[slot]) }
            return .object(attributes)
        case .otherMails: return .array(otherMails.map(JSONValue.string))
        case .proxyAddresses: return .array(proxyAddresses.map(JSONValue.string))
        case .assignedLicenses:
            // AssignedLicense's synthesized Codable shape: skuId and disabledPlans.
            return .array(assignedLicenses.map { .object(["skuId": .string($0.skuId), "disabledPlans": .array($0.disabledPlans.map(JSONValue.string))]) })
        case .employeeHireDate, .manager, .licenseAssignmentStates, .assignedPlans: return nil
        }
    }
}
