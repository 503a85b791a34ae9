/// What kind of value a user property holds; it decides which operators suit it.
public enum RulePropertyKind: String, Sendable {
    case string
    case boolean
    case dateTime
    case stringCollection
    case assignedPlans
    case memberOf
}

/// A user property that rules may test, with its canonical spelling and where its value lives.
///
/// String properties have a `slot`: a small integer the model uses to store the value, so a
/// compiled rule reads it without hashing the property name for every user.
public struct RuleProperty: Hashable, Sendable {
    public let name: String
    public let kind: RulePropertyKind
    /// Index into the subject's string slots (strings only), else -1.
    public let slot: Int
    /// For `extension_<hex32>_<name>` properties: the property name as written (no slot).
    public let customExtension: String?

    init(_ name: String, _ kind: RulePropertyKind, slot: Int = -1, customExtension: String? = nil) {
        self.name = name
        self.kind = kind
        self.slot = slot
        self.customExtension = customExtension
    }
}

/// The string properties of `specs/rules.md` §2, in slot order. The model stores user
/// strings by these indices.
public enum StringSlot {
    /// Canonical names of the slotted string properties; the index is the slot.
    public static let names: [String] =
        [
            "objectId", "userPrincipalName", "displayName", "city", "country", "companyName",
            "department", "employeeId", "facsimileTelephoneNumber", "givenName", "jobTitle", "mail",
            "mailNickName", "mobile", "onPremisesDistinguishedName", "onPremisesSecurityIdentifier",
            "passwordPolicies", "physicalDeliveryOfficeName", "postalCode", "preferredLanguage",
            "sipProxyAddress", "state", "streetAddress", "surname", "telephoneNumber",
            "usageLocation", "userType",
        ] + (1...15).map { "extensionAttribute\($0)" }

    public static let count = names.count
    public static let objectId = 0
    public static let userPrincipalName = 1
    public static let displayName = 2
    public static let usageLocation = names.firstIndex(of: "usageLocation")!
    /// Slot of `extensionAttribute<n>`, n in 1...15.
    public static func extensionAttribute(_ number: Int) -> Int {
        names.firstIndex(of: "extensionAttribute\(number)")!
    }
    public static func slot(named name: String) -> Int? {
        slotByFoldedName[name.lowercased()]
    }
    private static let slotByFoldedName: [String: Int] = Dictionary(
        uniqueKeysWithValues: names.enumerated().map { ($0.element.lowercased(), $0.offset) })
}

/// The property table: every `user.` property a rule may name.
public enum RulePropertyTable {
    public static let all: [RuleProperty] = {
        var table = StringSlot.names.enumerated().map { RuleProperty($0.element, .string, slot: $0.offset) }
        table += [
            RuleProperty("accountEnabled", .boolean),
            RuleProperty("dirSyncEnabled", .boolean),
            RuleProperty("employeeHireDate", .dateTime),
            RuleProperty("otherMails", .stringCollection),
            RuleProperty("proxyAddresses", .stringCollection),
            RuleProperty("assignedPlans", .assignedPlans),
            RuleProperty("memberOf", .memberOf),
        ]
        return table
    }()

    private static let byFoldedName: [String: RuleProperty] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.name.lowercased(), $0) })

    /// Looks a property up by name, ignoring case (`specs/rules.md` §7).
    public static func property(named name: String) -> RuleProperty? {
        if let known = byFoldedName[name.lowercased()] { return known }
        if isCustomExtension(name) { return RuleProperty(name, .string, customExtension: name) }
        return nil
    }

    /// `extension_<32 hex digits>_<name>`: a directory extension property.
    static func isCustomExtension(_ name: String) -> Bool {
        let parts = name.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].lowercased() == "extension", parts[1].count == 32,
            parts[1].allSatisfy(\.isHexDigit), !parts[2].isEmpty
        else { return false }
        return parts[2].allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    /// The known names closest to `name`, for "did you mean" hints.
    public static func suggestions(for name: String) -> [String] {
        let folded = name.lowercased()
        let scored = all.map { ($0.name, EditDistance.between(folded, $0.name.lowercased())) }
        let best = scored.filter { $0.1 <= max(2, folded.count / 4) }.sorted { $0.1 < $1.1 }
        return best.prefix(3).map(\.0)
    }
}

/// Levenshtein distance, small and plain: used only for hints on error paths.
enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
