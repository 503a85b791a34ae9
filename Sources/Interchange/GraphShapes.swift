import Foundation
import LicenseModel

/// Turns the Graph JSON admins actually save into the one shape the reader takes: a list
/// response (`{"@odata.context": "…#users", "value": [...]}`) with Graph's camelCase names.
///
/// What it takes:
/// - single objects (`@odata.context` ending in `/$entity`, or none), bare arrays;
/// - Graph PowerShell's `ConvertTo-Json` output: PascalCase names, the `AdditionalProperties`
///   block, `null` for every property that was not selected (left out here: a null from
///   PowerShell means "not asked for", not "cleared"), Windows PowerShell's `/Date(ms)/` dates;
///   nested data cut off by ConvertTo-Json's depth limit is reported with the `-Depth` to use;
/// - legacy Azure AD Graph names (`odata.metadata`, `odata.type`, `objectId`, `objectType`,
///   `odata.nextLink`, `dirSyncEnabled`, `immutableId`, the singular `licenseAssignmentState`);
/// - upper-case GUIDs and stray spaces in enum values (`" Active "`);
/// - `licenseDetails` responses, read as the user's `assignedLicenses` (a plan whose
///   `provisioningStatus` is `Disabled` is a disabled plan).
enum GraphShapes {
    struct Normalised {
        var data: Data
        var notes: [String] = []
        var problems: [ImportProblem] = []
    }

    /// Names whose values are object ids or SKU/plan ids: GUIDs, compared in lower case.
    static let guidKeys: Set<String> = ["id", "skuId", "servicePlanId", "assignedByGroup", "disabledPlans", "removeLicenses", "members", "subscriptionIds"]
    /// Names whose values are Graph enum members, which never carry spaces.
    static let enumKeys: Set<String> = [
        "capabilityStatus", "state", "error", "membershipRuleProcessingState", "provisioningStatus", "appliesTo", "processingState", "userType",
        "status",
    ]
    /// Azure AD Graph (graph.windows.net) names → Microsoft Graph's.
    static let legacyNames: [String: String] = [
        "odata.metadata": "@odata.context", "odata.nextLink": "@odata.nextLink", "odata.type": "@odata.type", "objectId": "id",
        "dirSyncEnabled": "onPremisesSyncEnabled", "immutableId": "onPremisesImmutableId", "lastDirSyncTime": "onPremisesLastSyncDateTime",
        "licenseAssignmentState": "licenseAssignmentStates", "assignedTimestamp": "assignedDateTime",
    ]
    /// Strings ConvertTo-Json writes where it stopped descending (its default `-Depth` is 2).
    static func isCutOff(_ text: String) -> Bool {
        text == "System.Collections.Hashtable" || text == "System.Object[]" || text.hasPrefix("Microsoft.Graph.PowerShell.Models.")
            || text.hasPrefix("Microsoft.Graph.Beta.PowerShell.Models.") || text == "System.Collections.Generic.Dictionary`2[System.String,System.Object]"
    }

    /// The file as a list response, or nil when it is one already and needs nothing (the big
    /// files of `export graph` and the state go straight to the fast reader).
    static func normalise(_ data: Data, file: String) -> Normalised? {
        guard needsWork(data) else { return nil }
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: data) } catch { return nil }
        var work = Work(file: file)
        let list = work.list(from: root)
        guard let encoded = try? JSONEncoder().encode(list) else { return nil }
        return Normalised(data: encoded, notes: work.notes, problems: work.problems)
    }

    /// Whether anything here could apply. A file of Graph's own shape up to 64 MiB is always
    /// looked at (upper-case GUIDs and stray spaces hide in values); a bigger one only when its
    /// first bytes show another shape, so a million-user `export graph` page is not parsed twice.
    static func needsWork(_ data: Data) -> Bool {
        if data.count <= 64 << 20 { return true }
        let head = String(decoding: data.prefix(4096), as: UTF8.self)
        let first = head.first { !$0.isWhitespace }
        if first == "[" { return true }
        for marker in ["\"odata.", "\"AdditionalProperties\"", "\"Id\"", "\"UserPrincipalName\"", "\"DisplayName\"", "\"objectId\"", "/$entity"]
        where head.contains(marker) { return true }
        return false
    }

    /// One file's walk: what it found worth saying.
    struct Work {
        let file: String
        var notes: [String] = []
        var problems: [ImportProblem] = []
        /// PowerShell's output: its nulls are unselected properties, not values.
        var fromPowerShell = false
        private var cutOffReported = false

        init(file: String) { self.file = file }

        mutating func list(from root: JSONValue) -> JSONValue {
            var records: [JSONValue]
            var context: String?
            var nextLink: String?
            switch root {
            case .array(let items):
                records = items
            case .object(var fields):
                for (legacy, name) in [("odata.metadata", "@odata.context"), ("odata.nextLink", "@odata.nextLink")] {
                    if let value = fields.removeValue(forKey: legacy), fields[name] == nil { fields[name] = value }
                }
                context = fields["@odata.context"]?.stringValue
                nextLink = fields["@odata.nextLink"]?.stringValue
                if case .array(let items)? = fields["value"] {
                    records = items
                } else if case .object(let old)? = fields["d"], case .array(let items)? = old["results"] {
                    records = items
                } else {
                    // One object (`…/$entity`, or saved without any context).
                    records = [.object(fields)]
                    context = context.map { Self.entitySet(of: $0) }
                }
            default:
                return root
            }
            fromPowerShell = records.contains { record in
                guard case .object(let fields) = record else { return false }
                return fields.keys.contains { $0.first?.isUppercase == true }
            }
            if fromPowerShell {
                notes.append(
                    "\(file): Graph PowerShell output (PascalCase names); its nulls, empty lists and all-null objects are read as not selected, so they change nothing (to clear a value, import a Graph response)"
                )
            }
            var normalised = records.enumerated().map { offset, record in value(record, key: "", path: [], record: offset + 1) }
            if context == nil || context!.contains("Microsoft.DirectoryServices.") || context!.hasSuffix("#directoryObjects") {
                context = Self.context(from: normalised) ?? context
            }
            if let context, let userID = Self.licenseDetailsUser(context) {
                normalised = [Self.licences(of: userID, from: normalised)]
                notes.append("\(file): licenseDetails of user \(userID), read as their assignedLicenses")
                return .object(["@odata.context": .string("https://graph.microsoft.com/v1.0/$metadata#users"), "value": .array(normalised)])
            }
            var out: [String: JSONValue] = ["value": .array(normalised)]
            if let context { out["@odata.context"] = .string(Self.modern(context)) }
            if let nextLink { out["@odata.nextLink"] = .string(nextLink) }
            return .object(out)
        }

        private mutating func value(_ value: JSONValue, key: String, path: [String], record: Int) -> JSONValue {
            switch value {
            case .object(let fields): return .object(object(fields, path: path, record: record))
            case .array(let items):
                return .array(items.enumerated().map { index, item in self.value(item, key: key, path: path + ["[\(index)]"], record: record) })
            case .string(let text):
                if GraphShapes.isCutOff(text) {
                    reportCutOff(text, path: path, record: record)
                    return .null
                }
                if let date = Self.microsoftDate(text) { return .string(date) }
                if GraphShapes.guidKeys.contains(key), Self.isGUID(text) { return .string(text.lowercased()) }
                if GraphShapes.enumKeys.contains(key) { return .string(text.trimmingCharacters(in: .whitespaces)) }
                return value
            default: return value
            }
        }

        private mutating func object(_ input: [String: JSONValue], path: [String], record: Int) -> [String: JSONValue] {
            var fields = input
            // Graph PowerShell keeps what its model does not know (and @odata.type) here.
            for name in ["AdditionalProperties", "additionalProperties"] {
                if case .object(let extra)? = fields.removeValue(forKey: name) {
                    for (key, value) in extra where fields[key] == nil { fields[key] = value }
                }
            }
            var out: [String: JSONValue] = [:]
            for (key, raw) in fields {
                let name = Self.graphName(key)
                if name == "objectType" {
                    // Azure AD Graph's type name, for telling the kind of a file without context.
                    if fields["odata.type"] == nil, fields["@odata.type"] == nil, let type = raw.stringValue {
                        out["@odata.type"] = .string("#microsoft.graph.\(type.prefix(1).lowercased() + type.dropFirst())")
                    }
                    continue
                }
                let value = self.value(raw, key: name, path: path + [name], record: record)
                // PowerShell writes what was not selected as null, [] or an object of nulls: it
                // can't say "none", so none of them clears what the state has.
                if fromPowerShell, Self.isUnset(value) { continue }
                out[name] = value
            }
            // Azure AD Graph kept the fifteen extension attributes on the user itself.
            let loose = out.keys.filter { $0.hasPrefix("extensionAttribute") && Int($0.dropFirst("extensionAttribute".count)) != nil }
            if !loose.isEmpty, path.isEmpty {
                var attributes: [String: JSONValue] = [:]
                if case .object(let present)? = out["onPremisesExtensionAttributes"] { attributes = present }
                for name in loose { attributes[name] = out.removeValue(forKey: name) }
                out["onPremisesExtensionAttributes"] = .object(attributes)
            }
            return out
        }

        private mutating func reportCutOff(_ text: String, path: [String], record: Int) {
            guard !cutOffReported else { return }
            cutOffReported = true
            // The value sat `path.count` levels under the record (names and list items alike);
            // ConvertTo-Json needs a Depth past it (the list itself is one more level).
            let depth = max(5, path.count + 3)
            let place = path.reduce("") { $0 + ($1.hasPrefix("[") ? $1 : ($0.isEmpty ? "" : ".") + $1) }
            problems.append(
                ImportProblem(
                    file: file, record: record,
                    reason:
                        "\(place) is \"\(text)\": ConvertTo-Json stopped at its depth limit (2 by default) and wrote the type's name instead of the data; export again with ConvertTo-Json -Depth \(depth)"
                ))
        }

        static func isUnset(_ value: JSONValue) -> Bool {
            switch value {
            case .null: return true
            case .array(let items): return items.isEmpty
            case .object(let fields): return fields.values.allSatisfy { $0 == .null }
            default: return false
            }
        }

        static func graphName(_ key: String) -> String {
            if let modern = GraphShapes.legacyNames[key] { return modern }
            guard let first = key.first, first.isUppercase else { return key }
            // `ID`, `URL`: all capitals are one word.
            if key.allSatisfy({ $0.isUppercase || $0.isNumber }) { return key.lowercased() }
            return first.lowercased() + key.dropFirst()
        }

        /// `/Date(1700000000000)/` or `/Date(1700000000000+0100)/` (Windows PowerShell's
        /// ConvertTo-Json) as ISO 8601.
        static func microsoftDate(_ text: String) -> String? {
            guard text.hasPrefix("/Date("), text.hasSuffix(")/") else { return nil }
            let inner = text.dropFirst(6).dropLast(2)
            let sign = inner.hasPrefix("-") ? 1 : 0
            let digits = inner.prefix(sign) + inner.dropFirst(sign).prefix { $0.isNumber }
            let offset = inner.dropFirst(digits.count)
            guard let milliseconds = Int64(digits), offset.isEmpty || (offset.count == 5 && "+-".contains(offset.first!)) else { return nil }
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
        }

        static func isGUID(_ text: String) -> Bool { text.count == 36 && UUID(uuidString: text) != nil }

        /// `…$metadata#users(id,displayName)/$entity` → `…$metadata#users`.
        static func entitySet(of context: String) -> String {
            var text = context
            if text.hasSuffix("/$entity") { text.removeLast("/$entity".count) }
            if let open = text.lastIndex(of: "("), text.hasSuffix(")"), !text[open...].contains("'") { text = String(text[..<open]) }
            return text
        }

        /// Azure AD Graph's `…#directoryObjects/Microsoft.DirectoryServices.User` → `…#users`.
        static func modern(_ context: String) -> String {
            for (legacy, set) in [("Microsoft.DirectoryServices.User", "users"), ("Microsoft.DirectoryServices.Group", "groups")]
            where context.contains(legacy) {
                return "https://graph.microsoft.com/v1.0/$metadata#\(set)"
            }
            return context
        }

        /// A context from what the records say they are (`@odata.type`, Azure AD Graph's
        /// `objectType` was read before it was dropped: `@odata.type` stands in for it).
        static func context(from records: [JSONValue]) -> String? {
            guard case .object(let first)? = records.first, let type = first["@odata.type"]?.stringValue?.lowercased() else { return nil }
            let sets = ["user": "users", "group": "groups", "subscribedsku": "subscribedSkus", "organization": "organization"]
            guard let set = sets.first(where: { type.hasSuffix(".\($0.key)") })?.value else { return nil }
            return "https://graph.microsoft.com/v1.0/$metadata#\(set)"
        }

        /// `…$metadata#users('48d3…')/licenseDetails` → the user's id (or UPN).
        static func licenseDetailsUser(_ context: String) -> String? {
            guard context.hasSuffix("/licenseDetails"), let open = context.range(of: "users('"), let close = context.range(of: "')/licenseDetails")
            else { return nil }
            let id = String(context[open.upperBound..<close.lowerBound])
            return isGUID(id) ? id.lowercased() : id
        }

        /// A licenseDetails list as the user's partial record: `{id, assignedLicenses}`.
        static func licences(of userID: String, from details: [JSONValue]) -> JSONValue {
            let licences: [JSONValue] = details.compactMap { detail in
                guard case .object(let fields) = detail, let skuId = fields["skuId"] else { return nil }
                var disabled: [JSONValue] = []
                if case .array(let plans)? = fields["servicePlans"] {
                    for case .object(let plan) in plans where plan["provisioningStatus"]?.stringValue == "Disabled" {
                        if let id = plan["servicePlanId"] { disabled.append(id) }
                    }
                }
                return .object(["skuId": skuId, "disabledPlans": .array(disabled)])
            }
            return .object(["id": .string(userID), "assignedLicenses": .array(licences)])
        }
    }
}
