import Foundation
import HTTPTypes
import Hummingbird
import LicenseModel
import LicenseStore

/// Groups as scripts make and change them: POST (static or dynamic, 201), PATCH (rule and
/// processing state, 204), DELETE (204; refused while licences are assigned), and members by
/// `$ref` (204; refused on dynamic groups, as Graph does).
extension GraphRoutes {
    func registerGroupWrites(on router: Router<BasicRequestContext>) {
        for version in ["v1.0", "beta"] {
            router.post("\(version)/groups") { request, _ in
                // Set only by UniqueNameAddressing, for an upsert's create.
                let upsertName = request.headers[UniqueNameAddressing.createHeader]
                return await answer(request, version, readsBody: true) { try await createGroup($0.body, upsertName: upsertName, $0, version) }
            }
            router.patch("\(version)/groups/:id") { request, context in
                let id = context.parameters.get("id") ?? ""
                return await answer(request, version, readsBody: true) { try await updateGroup(id, $0.body, $0) }
            }
            router.delete("\(version)/groups/:id") { request, context in
                let id = context.parameters.get("id") ?? ""
                return await answer(request, version) { try await deleteGroup(id, $0) }
            }
            router.post("\(version)/groups/:id/members/$ref") { request, context in
                let id = context.parameters.get("id") ?? ""
                return await answer(request, version, readsBody: true) { try await addMember(id, $0.body, $0) }
            }
            router.delete("\(version)/groups/:id/members/:member/$ref") { request, context in
                let id = context.parameters.get("id") ?? ""
                let member = context.parameters.get("member") ?? ""
                return await answer(request, version) { try await removeMember(id, member, $0) }
            }
            router.get("\(version)/subscribedSkus/:id") { request, context in
                let id = context.parameters.get("id") ?? ""
                return await answer(request, version) { call in
                    let tenant = try call.state.tenant
                    let skuID = id.split(separator: "_").last.map(String.init) ?? id
                    guard let sku = tenant.sku(id: skuID.lowercased()) else { throw GraphError.notFound(id) }
                    var body = GraphObjects.sku(sku, in: tenant)
                    body["@odata.context"] = "\(base)/\(version)/$metadata#subscribedSkus/$entity"
                    return (body, [])
                }
            }
        }
    }

    static let noContent: [(String, String)] = [(statusHeader, "204")]

    /// The same JSON value (a string, a Bool, a list of strings, or nothing).
    static func same(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case (let x as String, let y as String): x == y
        case (let x as [String], let y as [String]): x == y
        case (is NSNull, is NSNull): true
        case (let x as Bool, let y as Bool): x == y && !(b is String)
        default: false
        }
    }

    private func createGroup(_ body: Result<[String: Any], GraphError>, upsertName: String?, _ call: Call, _ version: String) async throws -> (
        Any, [(String, String)]
    ) {
        let object = try body.get()
        if let given = object["uniqueName"], !(given is String) {
            throw GraphError.badRequest("Invalid value specified for property 'uniqueName' of resource 'Group'.")
        }
        let uniqueName = upsertName ?? object["uniqueName"] as? String
        let missing = ["displayName", "mailEnabled", "mailNickname", "securityEnabled"].filter { object[$0] == nil }
        guard missing.isEmpty else {
            throw GraphError.badRequest("Invalid value specified for property '\(missing[0])' of resource 'Group'.")
        }
        guard let name = object["displayName"] as? String, !name.isEmpty else { throw GraphError.badRequest("displayName must be a non-empty string.") }
        let types = object["groupTypes"] as? [String] ?? []
        let dynamic = types.contains { $0.lowercased() == "dynamicmembership" }
        let rule = object["membershipRule"] as? String
        if dynamic != (rule != nil) {
            throw GraphError.badRequest(
                dynamic ? "A dynamic group needs a membershipRule." : "membershipRule is only for groups with groupTypes [\"DynamicMembership\"].")
        }
        let id = UUID().uuidString.lowercased()
        try await call.commit(
            .createGroup(id: id, displayName: name, description: object["description"] as? String, membershipRule: rule, uniqueName: uniqueName))
        if (object["membershipRuleProcessingState"] as? String)?.lowercased() == "paused" {
            try await call.commit(.setGroupPaused(groupID: id.lowercased(), paused: true))
        }
        scheduleProcessing()
        let latest = try await state.current()
        guard let group = latest.tenant.group(id: id.lowercased()) else { throw GraphError.notFound(id) }
        var reply = GraphObjects.group(group, select: nil)
        reply["@odata.context"] = "\(base)/\(version)/$metadata#groups/$entity"
        return (reply, [(Self.statusHeader, "201")])
    }

    private func updateGroup(_ id: String, _ body: Result<[String: Any], GraphError>, _ call: Call) async throws -> (Any, [(String, String)]) {
        let object = try body.get()
        guard let group = try call.state.tenant.group(id: id.lowercased()) else { throw GraphError.notFound(id) }
        let known: Set<String> = ["membershipRule", "membershipRuleProcessingState", "@odata.type"]
        // An upsert that finds its group sends the whole create body again: what it repeats
        // unchanged is fine; changing it is not built here.
        var current: [String: Any] = [
            "displayName": group.displayName, "mailEnabled": group.mailEnabled, "securityEnabled": group.securityEnabled, "groupTypes": group.groupTypes,
            "description": NSNull(),
        ]
        if let description = group.description { current["description"] = description }
        var ignored: [String] = []
        for (name, value) in object where !known.contains(name) {
            if name == "mailNickname" {
                ignored.append("mailNickname is not kept here")
                continue
            }
            guard let now = current[name], Self.same(now, value) else {
                throw GraphError.badRequest("Updating '\(name)' of a group is not supported here yet; membershipRule and membershipRuleProcessingState are.")
            }
        }
        if let rule = object["membershipRule"] as? String, rule != group.membershipRule {
            guard group.isDynamic else { throw GraphError.badRequest("\(group.displayName) is not a dynamic group: it has no membershipRule.") }
            try await call.commit(.setGroupRule(groupID: group.id, rule: rule))
        }
        if let processing = object["membershipRuleProcessingState"] as? String {
            guard ["on", "paused"].contains(processing.lowercased()) else {
                throw GraphError.badRequest("membershipRuleProcessingState is On or Paused, not \(processing).")
            }
            let paused = processing.lowercased() == "paused"
            if paused != group.isPaused { try await call.commit(.setGroupPaused(groupID: group.id, paused: paused)) }
        }
        scheduleProcessing()
        return ([:], Self.noContent + (ignored.isEmpty ? [] : [("x-licensedesk-ignored", ignored.joined(separator: "; "))]))
    }

    private func deleteGroup(_ id: String, _ call: Call) async throws -> (Any, [(String, String)]) {
        guard try call.state.tenant.group(id: id.lowercased()) != nil else { throw GraphError.notFound(id) }
        try await call.commit(.deleteGroup(groupID: id.lowercased()))
        scheduleProcessing()
        return ([:], Self.noContent)
    }

    /// `{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}`: the id is its
    /// last path segment, whatever the host (scripts write graph.microsoft.com).
    private func addMember(_ id: String, _ body: Result<[String: Any], GraphError>, _ call: Call) async throws -> (Any, [(String, String)]) {
        let object = try body.get()
        guard let reference = object["@odata.id"] as? String, let memberID = reference.split(separator: "/").last.map({ $0.lowercased() }) else {
            throw GraphError.badRequest("The body needs \"@odata.id\": \"https://graph.microsoft.com/v1.0/directoryObjects/{id}\".")
        }
        let tenant = try call.state.tenant
        guard let group = tenant.group(id: id.lowercased()) else { throw GraphError.notFound(id) }
        guard tenant.user(id: memberID) != nil else { throw GraphError.notFound(memberID) }
        guard !group.isDynamic else { throw GraphError.badRequest("You can't manually add or remove a member of a dynamic group.") }
        guard !group.members.contains(memberID) else {
            throw GraphError.badRequest("One or more added object references already exist for the following modified properties: 'members'.")
        }
        try await call.commit(.addGroupMember(groupID: id.lowercased(), userID: memberID))
        scheduleProcessing()
        return ([:], Self.noContent)
    }

    private func removeMember(_ id: String, _ memberID: String, _ call: Call) async throws -> (Any, [(String, String)]) {
        let tenant = try call.state.tenant
        guard let group = tenant.group(id: id.lowercased()) else { throw GraphError.notFound(id) }
        guard !group.isDynamic else { throw GraphError.badRequest("You can't manually add or remove a member of a dynamic group.") }
        guard group.members.contains(memberID) else {
            throw GraphError.badRequest("One or more removed object references do not exist for the following modified properties: 'members'.")
        }
        try await call.commit(.removeGroupMember(groupID: id.lowercased(), userID: memberID))
        scheduleProcessing()
        return ([:], Self.noContent)
    }
}
