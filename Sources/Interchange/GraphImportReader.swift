import Foundation
import LicenseModel
import LicenseStore

/// The work of `GraphImport.read`: file by file, then the references between objects.
struct GraphImportReader {
    let tenant: Tenant
    let skipBad: Bool
    var batch = DirectoryImport()
    var problems: [ImportProblem] = []
    var notes: [String] = []
    /// Where each accepted object came from, for messages: id → (file, record).
    private var origin: [String: (file: String, record: Int)] = [:]
    /// UPN (lower-cased) → the id of the record that brought it, for clashes within the import.
    private var upnsSeen: [String: String] = [:]
    /// User id → its place in `batch.users`: a tenant's pull brings every user, and looking
    /// each one up by a scan made a 100,000-user pull take minutes.
    private var batchUserPositions: [String: Int] = [:]
    private var pages: [GraphImport.Kind: Int] = [:]
    private var pagesWithNextLink: [GraphImport.Kind: Int] = [:]

    /// Whether files may be in the other shapes admins save (`GraphShapes`).
    var lookForShapes = true

    init(tenant: Tenant, skipBad: Bool) {
        self.tenant = tenant
        self.skipBad = skipBad
    }

    mutating func read(_ file: String) {
        var data: Data
        do { data = try InputText.data(of: file) } catch {
            problems.append(error)
            return
        }
        if let syntax = JSONSyntaxLocator.firstError(in: data) {
            problems.append(ImportProblem(file: file, line: syntax.line, column: syntax.column, reason: "not valid JSON: \(syntax.message)"))
            return
        }
        // PowerShell output, single objects, legacy names and the like, as a list response.
        if lookForShapes, let normalised = GraphShapes.normalise(data, file: file) {
            data = normalised.data
            notes += normalised.notes
            problems += normalised.problems
        }
        // The state files' decoder: its times (`ISO8601Instant`) take Graph's fractional seconds too.
        let decoder = StateJSON.decoder()
        guard let envelope = try? decoder.decode(Envelope.self, from: data), let keys = envelope.recordKeys else {
            problems.append(ImportProblem(file: file, reason: "not a Graph list response: expected an object with a \"value\" array"))
            return
        }
        guard let kind = Self.kind(context: envelope.context, keys: keys, file: file) else {
            problems.append(
                ImportProblem(
                    file: file,
                    reason: "can't tell whether it holds users, groups, subscribedSkus or organization: no @odata.context and no telling fields"))
            return
        }
        pages[kind, default: 0] += 1
        if envelope.nextLink != nil { pagesWithNextLink[kind, default: 0] += 1 }
        let tenant = self.tenant
        switch kind {
        case .users:
            // Users replaced in the batch by their place (`batchUserPositions`), not a closure's scan.
            accept(file, decoder, data, as: User.self, required: ["userPrincipalName", "displayName"], existing: { tenant.user(id: $0) }) {
                $0.users.append($1)
            }
        case .groups:
            accept(file, decoder, data, as: Group.self, required: ["displayName"], existing: { tenant.group(id: $0) }) {
                $0.groups.append($1)
            } replace: { batch, group in
                if let index = batch.groups.firstIndex(where: { $0.id == group.id }) { batch.groups[index] = group }
            }
        case .subscribedSkus: accept(file, decoder, data, as: SubscribedSku.self) { $0.subscribedSkus.append($1) }
        case .organization: accept(file, decoder, data, as: Organization.self) { $0.organization = $1 }
        }
    }

    /// Records of `T`. A record whose id is already in the tenant (or earlier in this import,
    /// when it carries only some properties) changes just the properties it carries, as from a
    /// `$select`; one that would make a new object names what it lacks and the `$select` that
    /// would bring it.
    private mutating func accept<T: Codable & Identifiable>(
        _ file: String, _ decoder: JSONDecoder, _ data: Data, as type: T.Type, required: [String] = [], existing: (String) -> T? = { _ in nil },
        add: (inout DirectoryImport, T) -> Void, replace: (inout DirectoryImport, T) -> Void = { _, _ in }
    ) where T.ID == String {
        let list: RecordList<T>
        do { list = try decoder.decode(RecordList<T>.self, from: data) } catch {
            problems.append(ImportProblem(file: file, reason: DecodingProblem.describe(error)))
            return
        }
        var raw: [JSONValue]?
        for (offset, slot) in list.value.enumerated() {
            let record = offset + 1
            var result = slot.result
            var merged = false
            if slot.id == nil, case .failure = result, !required.isEmpty {
                // Graph returns id only when it is selected, and nothing can be matched without it.
                let select = (["id"] + required.filter { !slot.keys.contains($0) } + slot.keys.sorted().filter { !$0.hasPrefix("@") }).joined(separator: ",")
                let who = slot.label.map { "\($0): " } ?? ""
                problems.append(
                    ImportProblem(
                        file: file, record: record,
                        reason:
                            "\(who)the record has no id (Graph returns it only when selected), so it can't be matched or made: export with $select=\(select)"))
                continue
            }
            if let id = slot.id {
                let keys = slot.keys
                let partial = required.contains { !keys.contains($0) }
                let earlier = origin[id] != nil && partial ? batchObject(T.self, id) : nil
                if let base = earlier ?? existing(id) {
                    if raw == nil { raw = (try? decoder.decode(RawList.self, from: data))?.value ?? [] }
                    var carried = raw?[offset]
                    if T.self == User.self { carried = Self.withoutNullLicences(carried) }
                    result = Self.overlay(carried, on: base, decoder: decoder)
                    merged = earlier != nil
                    // Licences without their paths: the paths are made to give them, or refused.
                    if let user = try? result.get() as? User, let before = base as? User, case .object(let fields)? = carried,
                        fields["assignedLicenses"] != nil, fields["licenseAssignmentStates"] == nil
                    {
                        switch ImportedLicences.reconcile(user, over: before, skus: knownSkus, now: Date()) {
                        case .success(let reconciled): result = .success(reconciled as! T)
                        case .failure(let refusal):
                            problems.append(ImportProblem(file: file, record: record, reason: refusal.reason))
                            continue
                        }
                    }
                } else if partial, case .failure = result {
                    let missing = required.filter { !keys.contains($0) }
                    let select = (["id"] + missing + keys.sorted().filter { $0 != "id" && !$0.hasPrefix("@") }).joined(separator: ",")
                    problems.append(
                        ImportProblem(
                            file: file, record: record,
                            reason:
                                "\(id) is not in the tenant, and a new \(Self.noun(T.self)) needs \(missing.joined(separator: " and ")): export with $select=\(select)"
                        ))
                    continue
                }
            }
            switch result {
            case .failure(let error):
                let who = slot.label.map { "\($0): " } ?? ""
                problems.append(ImportProblem(file: file, record: record, reason: who + DecodingProblem.describe(error)))
            case .success(let decoded):
                let object = Self.withoutAnnotations(decoded)
                if let reason = check(object) ?? clash(object) {
                    problems.append(ImportProblem(file: file, record: record, reason: reason))
                    if skipBad { continue }
                }
                if merged {
                    if let user = object as? User, let position = batchUserPositions[user.id] {
                        batch.users[position] = user
                    } else {
                        replace(&batch, object)
                    }
                    continue
                }
                if let first = origin[object.id] {
                    problems.append(
                        ImportProblem(file: file, record: record, reason: "duplicate id \(object.id) (first in \(first.file) record \(first.record))"))
                    continue
                }
                origin[object.id] = (file, record)
                add(&batch, object)
                if let user = object as? User { batchUserPositions[user.id] = batch.users.count - 1 }
            }
        }
    }

    private func batchObject<T>(_ type: T.Type, _ id: String) -> T? {
        if T.self == User.self { return batchUserPositions[id].map { batch.users[$0] } as? T }
        if T.self == Group.self { return batch.groups.first { $0.id == id } as? T }
        return nil
    }

    private static func noun<T>(_ type: T.Type) -> String { T.self == Group.self ? "group" : "user" }

    /// The SKUs known so far: the tenant's, and this import's.
    private var knownSkus: [SubscribedSku] {
        tenant.subscribedSkus.filter { sku in !batch.subscribedSkus.contains { $0.skuId == sku.skuId } } + batch.subscribedSkus
    }

    /// A UPN another user holds, in the tenant or earlier in this import: Entra holds each once.
    private mutating func clash<T>(_ object: T) -> String? {
        guard let user = object as? User else { return nil }
        let key = user.userPrincipalName.lowercased()
        if let holder = upnsSeen[key], holder != user.id { return "UPN \(user.userPrincipalName) is also user \(holder)'s in this import" }
        if let existing = tenant.user(upn: user.userPrincipalName), existing.id != user.id,
            batchUserPositions[existing.id] == nil
        {
            return "UPN \(user.userPrincipalName) is held by another user of the tenant (\(existing.id))"
        }
        upnsSeen[key] = user.id
        return nil
    }

    /// Checks that need only the record itself: Entra's own limits (`DirectoryLimits`), so
    /// nothing imported can be what Entra would never have stored.
    private func check<T>(_ object: T) -> String? {
        if let sku = object as? SubscribedSku, SKUCatalog.shared.sku(id: sku.skuId) == nil {
            return "unknown SKU \(sku.skuId) (\(sku.skuPartNumber)): not in Microsoft's product table that LicenseDesk carries"
        }
        if let user = object as? User, user.userPrincipalName.isEmpty { return "user \(user.id) has no userPrincipalName" }
        if let user = object as? User, let type = UserProperties.value(of: "userType", on: user), !type.isEmpty,
            !["member", "guest"].contains(type.lowercased())
        {
            return "\(user.userPrincipalName): userType is Member or Guest in Entra, not \"\(type)\""
        }
        do {
            try DirectoryLimits.check(imported: object)
        } catch {
            return error.description
        }
        return nil
    }

    static func kind(context: String?, keys: [Set<String>], file: String) -> GraphImport.Kind? {
        if let context, let hash = context.range(of: "$metadata#") {
            let entity = context[hash.upperBound...].prefix { $0.isLetter }
            if let kind = GraphImport.Kind(rawValue: String(entity)) { return kind }
        }
        let fields = keys.first ?? []
        if fields.contains("userPrincipalName") { return .users }
        if fields.contains("skuPartNumber") || fields.contains("prepaidUnits") { return .subscribedSkus }
        if fields.contains("groupTypes") || fields.contains("membershipRule") || fields.contains("securityEnabled") { return .groups }
        if fields.contains("countryLetterCode") || fields.contains("verifiedDomains") { return .organization }
        // An empty page: fall back on the file's name.
        let name = (file as NSString).lastPathComponent.lowercased()
        return GraphImport.Kind.allCases.first { name.hasPrefix($0.rawValue.lowercased()) }
    }

    // MARK: - References between objects

    /// Every SKU, group and user an object names must exist, in the import or the tenant. With
    /// `skipBad`, what is bad is left out at the smallest scale that keeps the rest whole: a user
    /// whose own licences name an unknown SKU is left out; a group keeps its other members
    /// when one is left out, and loses only a licence of an unknown SKU; a user keeps their
    /// other licences when a path's group is missing (left out whole, three bad users once took
    /// 36 records with them). Seats are then counted over the users imported.
    mutating func checkReferences() {
        for (kind, count) in pages.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            if count > 1 { notes.append("\(count) pages of \(kind.rawValue)") }
            if count > 0, pagesWithNextLink[kind, default: 0] == count {
                notes.append("every page of \(kind.rawValue) has an @odata.nextLink: the last page may be missing")
            }
        }
        var changed = true
        while changed {
            changed = false
            let skus = Set(tenant.subscribedSkus.map(\.skuId)).union(batch.subscribedSkus.map(\.skuId))
            let groupIDs = Set(tenant.groups.map(\.id)).union(batch.groups.map(\.id))
            let userIDs = Set(tenant.users.map(\.id)).union(batch.users.map(\.id))
            var badUsers = Set<String>()
            for user in batch.users {
                let named = Set(user.assignedLicenses.map(\.skuId)).union(user.licenseAssignmentStates.map(\.skuId))
                for sku in named.sorted() where !skus.contains(sku) { report(user.id, Self.missingSku(sku)); badUsers.insert(user.id) }
                for group in Set(user.licenseAssignmentStates.compactMap(\.assignedByGroup)).sorted() where !groupIDs.contains(group) {
                    report(user.id, "licence path from group \(group), which is neither imported nor in the tenant")
                    badUsers.insert(user.id)
                }
            }
            var badGroups = Set<String>()
            for group in batch.groups {
                for sku in group.assignedLicenses.map(\.skuId) where !skus.contains(sku) { report(group.id, Self.missingSku(sku)); badGroups.insert(group.id) }
                let missing = group.members.filter { !userIDs.contains($0) }
                if !missing.isEmpty {
                    report(group.id, "\(missing.count) member(s) not imported and not in the tenant, first \(missing[0]): import /users too")
                    badGroups.insert(group.id)
                }
            }
            if skipBad && (!badUsers.isEmpty || !badGroups.isEmpty) {
                leaveOut(users: badUsers, groups: badGroups, skus: skus, groupIDs: groupIDs, userIDs: userIDs)
                changed = true
            }
        }
        // Whatever was refused was left out: its seats are not the state's.
        if skipBad && !problems.isEmpty { recountSeats() }
    }

    /// Removes the bad parts found in one pass of `checkReferences`.
    private mutating func leaveOut(users badUsers: Set<String>, groups badGroups: Set<String>, skus: Set<String>, groupIDs: Set<String>, userIDs: Set<String>) {
        // A user is left out whole only for their own unknown SKUs; a missing group's path goes.
        var dropped = Set<String>()
        for index in batch.users.indices where badUsers.contains(batch.users[index].id) {
            var user = batch.users[index]
            let named = Set(user.assignedLicenses.map(\.skuId)).union(user.licenseAssignmentStates.map(\.skuId))
            if !named.isSubset(of: skus) {
                dropped.insert(user.id)
                continue
            }
            user.licenseAssignmentStates.removeAll { $0.assignedByGroup.map { !groupIDs.contains($0) } ?? false }
            batch.users[index] = LicenseDerivation.refreshed(user, skus: knownSkus, now: Date())
        }
        batch.users.removeAll { dropped.contains($0.id) }
        let remaining = userIDs.subtracting(dropped)
        for index in batch.groups.indices where badGroups.contains(batch.groups[index].id) {
            batch.groups[index].members.removeAll { !remaining.contains($0) }
            batch.groups[index].assignedLicenses.removeAll { !skus.contains($0.skuId) }
        }
    }

    /// Each SKU imported counts the seats of the users the state will hold: with users left
    /// out, the tenant's own count would not match them (and `doctor` would say so).
    private mutating func recountSeats() {
        let batchIDs = Set(batch.users.map(\.id))
        let held = tenant.users.filter { !batchIDs.contains($0.id) } + batch.users
        for index in batch.subscribedSkus.indices {
            let skuID = batch.subscribedSkus[index].skuId
            let count = held.filter { $0.consumesSeat(of: skuID) }.count
            if count != batch.subscribedSkus[index].consumedUnits {
                notes.append(
                    "\(batch.subscribedSkus[index].skuPartNumber): \(count) seats in use counted over the users imported (the tenant counts \(batch.subscribedSkus[index].consumedUnits), with those left out)"
                )
                batch.subscribedSkus[index].consumedUnits = count
            }
        }
    }

    private mutating func report(_ id: String, _ reason: String) {
        let place = origin[id]
        let problem = ImportProblem(file: place?.file ?? "import", record: place?.record, reason: reason)
        if !problems.contains(problem) { problems.append(problem) }
    }

    static func missingSku(_ skuId: String) -> String {
        if let known = SKUCatalog.shared.sku(id: skuId) {
            return "SKU \(known.skuPartNumber) (\(skuId)) is not among the tenant's subscriptions: import /subscribedSkus too"
        }
        return "unknown SKU \(skuId): not in the tenant and not in Microsoft's product table"
    }
}

/// Decoding errors in words an admin can act on: the field path and what was wrong.
enum DecodingProblem {
    static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath, key.stringValue)): missing required field"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(name(of: type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(name(of: type)), found null"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(decoding)"
        }
    }

    static func path(_ codingPath: [any CodingKey], _ last: String? = nil) -> String {
        var text = ""
        // The record's own position is reported separately: drop "value[n]".
        var keys = codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
        if keys.first == "value", keys.count > 1, keys[1].hasPrefix("[") { keys.removeFirst(2) }
        if let last { keys.append(last) }
        for key in keys { text += key.hasPrefix("[") ? key : (text.isEmpty ? "" : ".") + key }
        return text.isEmpty ? "the record" : text
    }

    static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Double.Type: "a number"
        default: "\(type)".contains("Array") ? "a list" : "an object"
        }
    }
}
