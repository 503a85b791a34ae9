import Foundation
import LicenseModel

/// Users and groups as snapshot-cache records: every field, in a fixed order. A field added to
/// `User` or `Group` must be added here too; `SnapshotCacheTests` compares a cached load with a
/// JSON load of the same state, field by field through `==`, to catch one that is not.
enum CachedRecords {
    static func write(_ user: User, to writer: inout BinaryWriter) throws(CacheProblem) {
        writer.string(user.id)
        writer.string(user.userPrincipalName)
        writer.string(user.displayName)
        writer.optionalBool(user.accountEnabled)
        writer.optionalBool(user.onPremisesSyncEnabled)
        writer.optionalString(user.onPremisesImmutableId)
        writer.optionalString(user.onPremisesSamAccountName)
        let strings = user.strings.all
        writer.count(strings.count)
        for (slot, value) in strings {
            writer.u8(UInt8(slot))
            writer.string(value)
        }
        writer.strings(user.otherMails)
        writer.strings(user.proxyAddresses)
        writer.optionalDate(user.employeeHireDate)
        writer.optionalString(user.manager)
        let extensions = user.customExtensions.sorted { $0.key < $1.key }
        writer.count(extensions.count)
        for (name, value) in extensions {
            writer.string(name)
            writer.string(value)
        }
        write(user.assignedLicenses, to: &writer)
        writer.count(user.licenseAssignmentStates.count)
        for path in user.licenseAssignmentStates {
            writer.string(path.skuId)
            writer.strings(path.disabledPlans)
            writer.optionalString(path.assignedByGroup)
            writer.u8(UInt8(LicenseAssignmentStatus.allCases.firstIndex(of: path.state)!))
            writer.u8(UInt8(LicenseError.allCases.firstIndex(of: path.error)!))
            writer.date(path.lastUpdatedDateTime)
        }
        writer.count(user.assignedPlans.count)
        for row in user.assignedPlans {
            writer.date(row.assignedDateTime)
            writer.string(row.capabilityStatus)
            writer.string(row.service)
            writer.string(row.servicePlanId)
        }
        try writeExtra(user.extra, to: &writer)
    }

    static func readUser(_ reader: inout BinaryReader) throws(CacheProblem) -> User {
        var user = User(id: try reader.string(), userPrincipalName: try reader.string(), displayName: try reader.string())
        user.accountEnabled = try reader.optionalBool()
        user.onPremisesSyncEnabled = try reader.optionalBool()
        user.onPremisesImmutableId = try reader.optionalString()
        user.onPremisesSamAccountName = try reader.optionalString()
        var strings = UserStrings()
        for _ in 0..<(try reader.count()) {
            let slot = Int(try reader.u8())
            strings[slot] = try reader.string()
        }
        user.strings = strings
        user.otherMails = try reader.strings()
        user.proxyAddresses = try reader.strings()
        user.employeeHireDate = try reader.optionalDate()
        user.manager = try reader.optionalString()
        for _ in 0..<(try reader.count()) {
            let name = try reader.string()
            user.customExtensions[name] = try reader.string()
        }
        user.assignedLicenses = try readLicenses(&reader)
        let pathCount = try reader.count()
        user.licenseAssignmentStates.reserveCapacity(pathCount)
        for _ in 0..<pathCount {
            let skuId = try reader.string()
            let disabled = try reader.strings()
            let group = try reader.optionalString()
            let state = Int(try reader.u8())
            let error = Int(try reader.u8())
            guard state < LicenseAssignmentStatus.allCases.count, error < LicenseError.allCases.count else {
                throw CacheProblem(reason: "bad path state")
            }
            user.licenseAssignmentStates.append(
                LicenseAssignmentState(
                    skuId: skuId, disabledPlans: disabled, assignedByGroup: group, state: LicenseAssignmentStatus.allCases[state],
                    error: LicenseError.allCases[error], lastUpdatedDateTime: try reader.date()))
        }
        let rowCount = try reader.count()
        user.assignedPlans.reserveCapacity(rowCount)
        for _ in 0..<rowCount {
            let date = try reader.date()
            user.assignedPlans.append(
                AssignedPlan(
                    assignedDateTime: date, capabilityStatus: try reader.string(), service: try reader.string(),
                    servicePlanId: try reader.string()))
        }
        user.extra = try readExtra(&reader)
        return user
    }

    static func write(_ group: Group, to writer: inout BinaryWriter) throws(CacheProblem) {
        writer.string(group.id)
        writer.string(group.displayName)
        writer.optionalString(group.description)
        writer.optionalBool(group.securityEnabled)
        writer.optionalBool(group.mailEnabled)
        writer.strings(group.groupTypes)
        writer.optionalString(group.membershipRule)
        writer.optionalString(group.membershipRuleProcessingState)
        writer.optionalString(group.membershipProcessingStatus?.rawValue)
        writer.optionalDate(group.lastMembershipUpdated)
        write(group.assignedLicenses, to: &writer)
        writer.optionalString(group.licenseProcessingState?.rawValue)
        writer.strings(group.members)
        try writeExtra(group.extra, to: &writer)
    }

    static func readGroup(_ reader: inout BinaryReader) throws(CacheProblem) -> Group {
        var group = Group(id: try reader.string(), displayName: try reader.string())
        group.description = try reader.optionalString()
        guard let security = try reader.optionalBool(), let mail = try reader.optionalBool() else {
            throw CacheProblem(reason: "bad group flags")
        }
        group.securityEnabled = security
        group.mailEnabled = mail
        group.groupTypes = try reader.strings()
        group.membershipRule = try reader.optionalString()
        group.membershipRuleProcessingState = try reader.optionalString()
        if let status = try reader.optionalString() {
            guard let value = MembershipProcessingStatus(rawValue: status) else { throw CacheProblem(reason: "bad status") }
            group.membershipProcessingStatus = value
        }
        group.lastMembershipUpdated = try reader.optionalDate()
        group.assignedLicenses = try readLicenses(&reader)
        if let state = try reader.optionalString() {
            guard let value = LicenseProcessingState(rawValue: state) else { throw CacheProblem(reason: "bad state") }
            group.licenseProcessingState = value
        }
        group.members = try reader.strings()
        group.extra = try readExtra(&reader)
        return group
    }

    private static func write(_ licenses: [AssignedLicense], to writer: inout BinaryWriter) {
        writer.count(licenses.count)
        for license in licenses {
            writer.string(license.skuId)
            writer.strings(license.disabledPlans)
        }
    }

    private static func readLicenses(_ reader: inout BinaryReader) throws(CacheProblem) -> [AssignedLicense] {
        var licenses: [AssignedLicense] = []
        for _ in 0..<(try reader.count()) {
            licenses.append(AssignedLicense(skuId: try reader.string(), disabledPlans: try reader.strings()))
        }
        return licenses
    }

    /// Fields LicenseDesk does not model are rare: kept as their JSON text.
    static func writeExtra(_ extra: [String: JSONValue], to writer: inout BinaryWriter) throws(CacheProblem) {
        guard !extra.isEmpty else { return writer.optionalString(nil) }
        guard let data = try? StateJSON.line(extra) else { throw CacheProblem(reason: "unknown fields do not encode") }
        writer.optionalString(String(decoding: data, as: UTF8.self))
    }

    static func readExtra(_ reader: inout BinaryReader) throws(CacheProblem) -> [String: JSONValue] {
        guard let text = try reader.optionalString() else { return [:] }
        guard let extra = try? JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8)) else {
            throw CacheProblem(reason: "bad extra fields")
        }
        return extra
    }
}
