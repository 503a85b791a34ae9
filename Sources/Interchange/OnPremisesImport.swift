import Foundation
import LicenseModel

/// Reads an on-premises AD export, LDIF (`ldifde -f`) or CSV (`csvde -f`), into on-premises
/// users. Only user objects are read (computers, groups and OUs are counted and skipped), and
/// only the attributes sync carries (`SyncMapping`); `userAccountControl` gives the enabled flag.
public enum OnPremisesImport {
    public static func read(_ file: String, skipBad: Bool) -> ImportOutcome<[OnPremisesUser]> {
        var problems: [ImportProblem] = []
        let entries: [DirectoryEntry]
        do {
            let text = try InputText.string(of: file)
            entries = try isLDIF(text, file: file) ? LDIFReader.entries(text, file: file) : CSVDirectoryReader.entries(text, file: file)
        } catch {
            return ImportOutcome(payload: [], problems: [error], notes: [])
        }
        var users: [OnPremisesUser] = []
        var skipped: [String: Int] = [:]
        var seen: [String: Int] = [:]
        for entry in entries {
            let classes = entry.values("objectClass").map { $0.lowercased() }
            guard classes.contains("user"), !classes.contains("computer") else {
                skipped[classes.last ?? "object without objectClass", default: 0] += 1
                continue
            }
            guard let sam = entry.value("sAMAccountName"), !sam.isEmpty else {
                problems.append(ImportProblem(file: file, line: entry.line, reason: "user \(entry.value("dn") ?? "") has no sAMAccountName"))
                continue
            }
            if let first = seen[sam.lowercased()] {
                problems.append(ImportProblem(file: file, line: entry.line, reason: "sAMAccountName \(sam) appears twice (first on line \(first))"))
                continue
            }
            do {
                let user = try user(from: entry, sam: sam)
                try check(user)
                users.append(user)
                seen[sam.lowercased()] = entry.line
            } catch {
                problems.append(ImportProblem(file: file, line: entry.line, reason: "\(sam): \(error.reason)"))
            }
        }
        var notes: [String] = []
        if !skipped.isEmpty {
            notes.append("skipped objects that are not users: " + skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        }
        return ImportOutcome(payload: users, problems: problems, notes: notes)
    }

    /// What Entra Connect would refuse to export: the objectGUID becomes the cloud user's
    /// immutable id (a GUID), and the UPN and display name must be ones Entra accepts.
    static func check(_ user: OnPremisesUser) throws(ImportProblem) {
        func problem(_ error: ModelError) -> ImportProblem { ImportProblem(file: "", reason: error.description) }
        do throws(ModelError) {
            try DirectoryLimits.checkGUID(user.objectGUID, of: "objectGUID")
            if user.samAccountName.count > 64 {
                throw ModelError.invalidInput("sAMAccountName has \(user.samAccountName.count) characters; at most 64 are read")
            }
            if let upn = user.attributes["userPrincipalName"] { try DirectoryLimits.checkUPN(upn) }
            if let name = user.attributes["displayName"] { try DirectoryLimits.checkDisplayName(name, of: "user") }
        } catch {
            throw problem(error)
        }
    }

    static func isLDIF(_ text: String, file: String) -> Bool {
        let ext = (file as NSString).pathExtension.lowercased()
        if ext == "ldf" || ext == "ldif" { return true }
        if ext == "csv" { return false }
        let first = text.split(whereSeparator: \.isNewline).first { !$0.hasPrefix("#") }?.lowercased() ?? ""
        return first.hasPrefix("dn:") || first.hasPrefix("version:")
    }

    private static func user(from entry: DirectoryEntry, sam: String) throws(ImportProblem) -> OnPremisesUser {
        var attributes: [String: String] = [:]
        for name in SyncMapping.adNames where name != "sAMAccountName" && name != "enabled" {
            if let value = entry.value(name), !value.isEmpty { attributes[name] = value }
        }
        if let dn = entry.value("dn") { attributes["distinguishedName"] = dn }
        var enabled = true
        if let control = entry.value("userAccountControl") {
            guard let flags = Int(control) else { throw ImportProblem(file: "", reason: "userAccountControl is a number, not \(control)") }
            enabled = flags & 0x2 == 0  // ACCOUNTDISABLE
        }
        let guid = try entry.value("objectGUID").map { value throws(ImportProblem) in try objectGUID(value) } ?? derivedGUID(sam)
        return OnPremisesUser(samAccountName: sam, objectGUID: guid, attributes: attributes, enabled: enabled)
    }

    /// AD's objectGUID: 16 bytes (`X'…'` from either tool), the first three fields little-endian;
    /// or already a GUID string.
    static func objectGUID(_ value: String) throws(ImportProblem) -> String {
        if UUID(uuidString: value) != nil { return value.lowercased() }
        let hex = value.hasPrefix("X'") && value.hasSuffix("'") ? String(value.dropFirst(2).dropLast()) : value
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let end = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            guard let byte = UInt8(hex[index..<end], radix: 16) else { break }
            bytes.append(byte)
            index = end
        }
        guard bytes.count == 16 else { throw ImportProblem(file: "", reason: "objectGUID \(value) is not 16 bytes") }
        let order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15]
        let text = order.map { String(format: "%02x", bytes[$0]) }.joined()
        return [text.prefix(8), text.dropFirst(8).prefix(4), text.dropFirst(12).prefix(4), text.dropFirst(16).prefix(4), text.dropFirst(20)]
            .map(String.init).joined(separator: "-")
    }

    /// An export without objectGUID (filtered out with -l): a stable id from the account name,
    /// so importing the same file twice gives the same anchors.
    static func derivedGUID(_ sam: String) -> String {
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in sam.lowercased().utf8 {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            second = (second ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 &+ 0x9E37
        }
        let text = String(format: "%016llx%016llx", first, second)
        return [text.prefix(8), text.dropFirst(8).prefix(4), text.dropFirst(12).prefix(4), text.dropFirst(16).prefix(4), text.dropFirst(20)]
            .map(String.init).joined(separator: "-")
    }
}
