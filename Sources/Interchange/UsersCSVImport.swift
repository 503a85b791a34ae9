import Foundation
import LicenseModel
import MembershipRules

/// Reads the Entra admin center's "Download users" CSV (columns named by Graph property, such
/// as `userPrincipalName`, `objectId`, `department`, or by the older display headings such as
/// "User principal name"). A user the tenant already has (by object id, else by UPN) keeps its
/// licences and gets the file's attributes; others are added without licences.
public enum UsersCSVImport {
    /// Columns read into users: folded heading → Graph property (rule name).
    static let columns: [String: String] = {
        var map: [String: String] = [:]
        for name in StringSlot.names { map[fold(name)] = name }
        map["id"] = "objectId"
        map["mobilephone"] = "mobile"
        map["officelocation"] = "physicalDeliveryOfficeName"
        map["accountenabled"] = "accountEnabled"
        map["directorysynced"] = "onPremisesSyncEnabled"
        map["blocksignin"] = "blockSignIn"
        return map
    }()

    /// "User principal name" → "userprincipalname".
    static func fold(_ heading: String) -> String {
        heading.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    public static func read(_ file: String, against tenant: Tenant, skipBad: Bool) -> ImportOutcome<DirectoryImport> {
        var problems: [ImportProblem] = []
        var notes: [String] = []
        let table: CSVTable
        do { table = try CSVTable(text: try InputText.string(of: file), file: file) } catch {
            return ImportOutcome(payload: DirectoryImport(), problems: [error], notes: [])
        }
        var rows = table.rows[...]
        // The old bulk format starts with a "version:v1.0" line.
        if let first = rows.first, first.fields.first?.lowercased().hasPrefix("version:") == true { rows = rows.dropFirst() }
        guard let header = rows.popFirst() else {
            return ImportOutcome(payload: DirectoryImport(), problems: [ImportProblem(file: file, reason: "is empty: expected a heading row")], notes: [])
        }
        let properties = header.fields.map { columns[fold($0)] }
        guard let upnColumn = properties.firstIndex(of: "userPrincipalName") else {
            return ImportOutcome(
                payload: DirectoryImport(),
                problems: [
                    ImportProblem(file: file, line: header.line, reason: "no userPrincipalName column (headings: \(header.fields.joined(separator: ", ")))")
                ],
                notes: [])
        }
        let ignored = zip(header.fields, properties).filter { $0.1 == nil }.map(\.0)
        if !ignored.isEmpty { notes.append("columns not read (LicenseDesk does not model them): \(ignored.joined(separator: ", "))") }

        var users: [User] = []
        var seen: [String: Int] = [:]
        var newIDs = 0
        for row in rows {
            guard row.fields.count == header.fields.count else {
                problems.append(ImportProblem(file: file, line: row.line, reason: "has \(row.fields.count) fields; the heading has \(header.fields.count)"))
                continue
            }
            let upn = row.fields[upnColumn].trimmingCharacters(in: .whitespaces)
            guard !upn.isEmpty else {
                problems.append(ImportProblem(file: file, line: row.line, reason: "no userPrincipalName"))
                continue
            }
            let objectID = properties.firstIndex(of: "objectId").map { row.fields[$0].lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
            var user: User
            if let existing = objectID.flatMap({ tenant.user(id: $0) }) ?? (try? tenant.findUser(upn)) {
                user = existing
            } else {
                if objectID == nil { newIDs += 1 }
                user = User(id: objectID ?? UUID().uuidString.lowercased(), userPrincipalName: upn, displayName: upn)
            }
            if let line = seen[user.id] ?? seen[upn.lowercased()] {
                problems.append(ImportProblem(file: file, line: row.line, reason: "\(upn) appears twice (first on line \(line))"))
                continue
            }
            do throws(ModelError) {
                try apply(row.fields, properties, to: &user)
                // Entra's limits, and a UPN held once, on every row as on every other path.
                try DirectoryLimits.check(imported: user)
                if let holder = try? tenant.findUser(user.userPrincipalName), holder.id != user.id {
                    throw ModelError.invalidInput("UPN \(user.userPrincipalName) is held by another user of the tenant (\(holder.id))")
                }
            } catch {
                problems.append(ImportProblem(file: file, line: row.line, reason: "\(upn): \(error.description)"))
                if skipBad { continue }
            }
            seen[user.id] = row.line
            seen[upn.lowercased()] = row.line
            users.append(user)
        }
        if newIDs > 0 { notes.append("\(newIDs) new users had no objectId and were given new ids") }
        return ImportOutcome(payload: DirectoryImport(users: users), problems: problems, notes: notes)
    }

    private static func apply(_ fields: [String], _ properties: [String?], to user: inout User) throws(ModelError) {
        for (value, property) in zip(fields, properties) {
            guard let property, property != "objectId" else { continue }
            let text = value.trimmingCharacters(in: .whitespaces)
            switch property {
            case "accountEnabled", "onPremisesSyncEnabled":
                try UserAttributeWriter.set(property, to: try boolean(text, property), on: &user)
            case "blockSignIn":
                try UserAttributeWriter.set("accountEnabled", to: try boolean(text, "Block sign in").map { $0 == "true" ? "false" : "true" }, on: &user)
            case "displayName":
                if !text.isEmpty { user.displayName = text }
            default:
                try UserAttributeWriter.set(property, to: text, on: &user)
            }
        }
    }

    /// The admin center writes True/False; older files Yes/No.
    private static func boolean(_ text: String, _ name: String) throws(ModelError) -> String? {
        switch text.lowercased() {
        case "": return nil
        case "true", "yes": return "true"
        case "false", "no": return "false"
        default: throw .invalidInput("\(name) is True or False, not \(text)")
        }
    }
}
