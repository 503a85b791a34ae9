import Foundation
import LicenseModel
import LicenseStore

/// What an import would change in the state, property by property: the dry run of `import
/// graph` and `pull` shows it, so a refresh from the live tenant says what moved there since.
public struct ImportDifferences: Sendable {
    public var newUsers = 0
    public var changedUsers = 0
    public var unchangedUsers = 0
    /// Property → how many users it changes for.
    public var userProperties: [String: Int] = [:]
    public var newGroups = 0
    public var changedGroups = 0
    public var groupProperties: [String: Int] = [:]
    /// A few changes in words ("adele.vance@contoso.com: usageLocation "US" → "NO"").
    public var examples: [String] = []

    static let exampleLimit = 10

    public static func between(_ batch: DirectoryImport, and tenant: Tenant) -> ImportDifferences {
        var result = ImportDifferences()
        for user in batch.users {
            guard let current = tenant.user(id: user.id) else {
                result.newUsers += 1
                continue
            }
            let changed = fields(current).changes(to: fields(user))
            if changed.isEmpty {
                result.unchangedUsers += 1
                continue
            }
            result.changedUsers += 1
            for change in changed { result.userProperties[change.name, default: 0] += 1 }
            result.example(user.userPrincipalName, changed)
        }
        for group in batch.groups {
            guard let current = tenant.group(id: group.id) else {
                result.newGroups += 1
                continue
            }
            let changed = fields(current).changes(to: fields(group))
            guard !changed.isEmpty else { continue }
            result.changedGroups += 1
            for change in changed { result.groupProperties[change.name, default: 0] += 1 }
            result.example(group.displayName, changed)
        }
        return result
    }

    /// The lines a dry run prints.
    public var lines: [String] {
        var lines: [String] = []
        func counts(_ properties: [String: Int]) -> String {
            properties.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(8).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        if changedUsers + newUsers + unchangedUsers > 0 {
            var line = "Users: \(newUsers) new, \(changedUsers) changed, \(unchangedUsers) unchanged"
            if !userProperties.isEmpty { line += " (\(counts(userProperties)))" }
            lines.append(line)
        }
        if newGroups + changedGroups > 0 || !groupProperties.isEmpty {
            var line = "Groups: \(newGroups) new, \(changedGroups) changed"
            if !groupProperties.isEmpty { line += " (\(counts(groupProperties)))" }
            lines.append(line)
        }
        return lines + examples.map { "  " + $0 }
    }

    private mutating func example(_ name: String, _ changes: [Change]) {
        guard examples.count < Self.exampleLimit else { return }
        let shown = changes.prefix(3).map { "\($0.name) \($0.before) → \($0.after)" }.joined(separator: "; ")
        examples.append("\(TextLimit.clip(name)): \(shown)\(changes.count > 3 ? "; and \(changes.count - 3) more" : "")")
    }

    struct Change {
        var name: String
        var before: String
        var after: String
    }

    /// An object's Graph properties, as the state writes them.
    struct Fields {
        var values: [String: JSONValue]

        func changes(to other: Fields) -> [Change] {
            Set(values.keys).union(other.values.keys).sorted().compactMap { key in
                let (a, b) = (values[key] ?? .null, other.values[key] ?? .null)
                // A property Graph answered with null or [] is no change from one the state lacks.
                guard a.isEmptyValue != b.isEmptyValue || (!a.isEmptyValue && a != b) else { return nil }
                return Change(name: key, before: a.brief, after: b.brief)
            }
        }
    }

    static func fields<T: Encodable>(_ object: T) -> Fields {
        guard let data = try? StateJSON.encoder().encode(object), case .object(let values)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            return Fields(values: [:])
        }
        return Fields(values: values)
    }
}

extension JSONValue {
    fileprivate var isEmptyValue: Bool {
        switch self {
        case .null: true
        case .array(let items): items.isEmpty
        case .object(let fields): fields.isEmpty || fields.values.allSatisfy(\.isEmptyValue)
        default: false
        }
    }

    /// A short form for a line: strings quoted, lists and objects by size.
    fileprivate var brief: String {
        switch self {
        case .null: "null"
        case .bool(let flag): "\(flag)"
        case .int(let number): "\(number)"
        case .double(let number): "\(number)"
        case .string(let text): "\"\(TextLimit.clip(text))\""
        case .array(let items): "[\(items.count)]"
        case .object(let fields): "{\(fields.count)}"
        }
    }
}

/// Keeps a value printable on one line.
enum TextLimit {
    static func clip(_ text: String, to limit: Int = 60) -> String {
        let flat = String(text.map { $0.isNewline || $0.unicodeScalars.contains { CharacterSet.controlCharacters.contains($0) } ? " " : $0 })
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }
}
