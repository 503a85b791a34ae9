import Foundation
import MembershipRules

/// Entra's limits on what the directory stores, applied on every path that stores an object
/// (commands, the console, sync, imports), so nothing stored can become a time bomb for every
/// later command: a UPN as Entra validates it, display names of at most 256 characters, ids
/// that are safe in a URL path, rules of at most 3,072 characters, seat counts that can't
/// overflow.
public enum DirectoryLimits {
    public static let displayNameLength = 256
    /// Entra: 113 characters, at most 64 before the @ and 48 after.
    public static let upnLength = 113
    public static let upnAliasLength = 64
    public static let upnDomainLength = 48
    /// More seats than any tenant buys, and far from overflowing when counted.
    public static let maximumSeats = 10_000_000

    /// Characters Entra allows before the @ of a UPN besides letters and digits.
    static let aliasSymbols = Set("'.-_!#^~")

    public static func checkUPN(_ upn: String) throws(ModelError) {
        let parts = upn.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .invalidInput("userPrincipalName \(quoted(upn)) must be alias@domain, with exactly one @")
        }
        let alias = parts[0]
        let domain = parts[1]
        guard upn.count <= upnLength, alias.count <= upnAliasLength, domain.count <= upnDomainLength else {
            throw .invalidInput(
                "userPrincipalName \(quoted(upn)) is too long: Entra allows \(upnLength) characters, "
                    + "\(upnAliasLength) before the @ and \(upnDomainLength) after")
        }
        guard alias.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || aliasSymbols.contains($0) }) else {
            throw .invalidInput(
                "userPrincipalName \(quoted(upn)): before the @ Entra allows letters, digits and ' . - _ ! # ^ ~ only")
        }
        guard !alias.hasPrefix("."), !alias.hasSuffix("."), !alias.contains("..") else {
            throw .invalidInput("userPrincipalName \(quoted(upn)): a period can't start or end the alias or follow another")
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2,
            labels.allSatisfy({ label in
                !label.isEmpty && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            })
        else {
            throw .invalidInput("userPrincipalName \(quoted(upn)): \(quoted(String(domain))) is not a domain such as contoso.com")
        }
    }

    public static func checkDisplayName(_ name: String, of kind: String) throws(ModelError) {
        guard !name.isEmpty else { throw .invalidInput("a \(kind) needs a display name") }
        guard name.count <= displayNameLength else {
            throw .invalidInput("the \(kind)'s display name has \(name.count) characters; Entra allows \(displayNameLength)")
        }
    }

    /// A group's `uniqueName`: it travels in URL paths (`/groups(uniqueName='…')`) and onto
    /// screens, so it is printable and of a sane length.
    public static func checkUniqueName(_ name: String) throws(ModelError) {
        guard !name.isEmpty, name.count <= 256, name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw .invalidInput("a group's uniqueName is 1 to 256 printable characters")
        }
    }

    /// An object id that is safe wherever it goes (URL paths, file names, terminals): letters,
    /// digits, `-`, `_` and `.` (not `..`), at most 64 characters.
    public static func checkSafeID(_ id: String, of kind: String) throws(ModelError) {
        guard !id.isEmpty, id.count <= 64, id != ".", id != "..", !id.contains(".."),
            id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") })
        else {
            throw .invalidInput("\(kind) id \(quoted(id)) is not an object id: use letters, digits and - only (a GUID)")
        }
    }

    /// Graph's object ids are GUIDs: what an import must carry.
    public static func checkGUID(_ id: String, of kind: String) throws(ModelError) {
        guard isGUID(id) else { throw .invalidInput("\(kind) id \(quoted(id)) is not a GUID such as 5f2c8f3e-1b2a-4c3d-9e8f-0a1b2c3d4e5f") }
        // Documentation's and templates' stand-ins, never a real object's id.
        guard id.contains(where: { $0 != "0" && $0 != "-" }) else {
            throw .invalidInput("\(kind) id \(id) is the all-zero placeholder GUID, not an object's id: the export was made from a template or example")
        }
    }

    public static func isGUID(_ id: String) -> Bool {
        let groups = id.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    public static func checkRule(_ rule: String) throws(ModelError) {
        guard rule.count <= RuleLimits.maximumLength else {
            throw .invalidInput("the membership rule has \(rule.count) characters; Entra allows \(RuleLimits.maximumLength)")
        }
        // Parentheses outside strings: a rule nested deeper than the parser reads is refused
        // here too, whatever path it comes by (imports keep rules they can't evaluate).
        var depth = 0
        var deepest = 0
        var inString = false
        for character in rule {
            if character == "\"" { inString.toggle() }
            guard !inString else { continue }
            if character == "(" { depth += 1 } else if character == ")" { depth -= 1 }
            deepest = max(deepest, depth)
        }
        guard deepest <= RuleLimits.maximumNesting else {
            throw .invalidInput("the membership rule is nested \(deepest) levels deep; LicenseDesk reads \(RuleLimits.maximumNesting)")
        }
    }

    public static func checkSeats(_ seats: Int) throws(ModelError) {
        guard seats >= 0 else { throw .invalidInput("seats can't be negative") }
        guard seats <= maximumSeats else { throw .invalidInput("\(seats) seats is more than LicenseDesk counts (\(maximumSeats))") }
    }

    /// Quoted, and short enough to read in an error.
    static func quoted(_ text: String) -> String {
        "\"\(text.count > 80 ? String(text.prefix(80)) + "…" : text)\""
    }
}

extension Tenant {
    /// The one way a stored user is replaced by an edited copy: every path that changes a UPN,
    /// a display name or addresses (a command, the console, a sync cycle) comes through here,
    /// so the checks and the UPN and address indexes can't drift apart.
    mutating func replaceUser(at index: Int, with user: User) throws(ModelError) {
        if user.userPrincipalName != users[index].userPrincipalName { try DirectoryLimits.checkUPN(user.userPrincipalName) }
        if user.displayName != users[index].displayName { try DirectoryLimits.checkDisplayName(user.displayName, of: "user") }
        let newKey = user.userPrincipalName.lowercased()
        let oldKey = users[index].userPrincipalName.lowercased()
        if newKey != oldKey {
            if let holder = upnIndex[newKey], holder != user.id {
                let name = self.user(id: holder)?.displayName ?? holder
                throw .invalidInput("a user with UPN \(user.userPrincipalName) already exists (\(name))")
            }
            upnIndex[oldKey] = nil
            upnIndex[newKey] = user.id
        }
        indexProxies(of: users[index], adding: false)
        users[index] = user
        indexProxies(of: user, adding: true)
    }
}

extension DirectoryLimits {
    /// What an imported object must be to be stored: ids that are GUIDs (Graph's), a UPN and
    /// display name Entra would accept, a rule within Entra's length, seat counts in range.
    public static func check(imported object: Any) throws(ModelError) {
        switch object {
        case let user as User:
            try checkGUID(user.id, of: "user")
            try checkUPN(user.userPrincipalName)
            if user.displayName.count > displayNameLength { try checkDisplayName(user.displayName, of: "user") }
            if let manager = user.manager { try checkGUID(manager, of: "manager") }
            if let location = user.usageLocation, !CountryCodes.iso3166.contains(location.uppercased()) {
                throw .invalidInput("user \(user.userPrincipalName): usageLocation \(quoted(location)) is not an ISO 3166 country code")
            }
        case let group as Group:
            try checkGUID(group.id, of: "group")
            try checkDisplayName(group.displayName, of: "group")
            if let rule = group.membershipRule { try checkRule(rule) }
            for member in group.members { try checkGUID(member, of: "member") }
        case let sku as SubscribedSku:
            try checkGUID(sku.skuId, of: "SKU")
            for (name, count) in [("consumedUnits", sku.consumedUnits), ("prepaidUnits.enabled", sku.prepaidUnits.enabled)] {
                guard (0...maximumSeats).contains(count) else {
                    throw .invalidInput("\(sku.skuPartNumber): \(name) is \(count); it must be between 0 and \(maximumSeats)")
                }
            }
        case let organization as Organization:
            try checkGUID(organization.id, of: "organization")
        default:
            break
        }
    }
}
