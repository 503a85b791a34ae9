import Foundation
import HTTPTypes
import Hummingbird
import LicenseModel
import LicenseStore

/// A user's own life and relationships: POST (201), PATCH (cloud attributes, 204; attributes
/// synced from on-premises AD are refused as the command line refuses them), DELETE (204) and
/// `memberOf`.
extension GraphRoutes {
    func registerUserWrites(on router: Router<BasicRequestContext>) {
        for version in ["v1.0", "beta"] {
            router.post("\(version)/users") { request, _ in
                return await answer(request, version, readsBody: true) { try await createUser($0.body, $0, version) }
            }
            router.patch("\(version)/users/:id") { request, context in
                let id = context.parameters.get("id") ?? ""
                return await answer(request, version, readsBody: true) { try await updateUser(id, $0.body, $0) }
            }
            router.delete("\(version)/users/:id") { request, context in
                let id = context.parameters.get("id") ?? ""
                return await answer(request, version) { try await deleteUser(id, $0) }
            }
            router.get("\(version)/users/:id/memberOf") { request, context in
                let id = context.parameters.get("id") ?? ""
                return await answer(request, version) { try await memberOf(id, $0, version) }
            }
        }
    }

    /// Graph's required properties of a new user (U3); `passwordProfile` is checked and not kept
    /// (nobody signs in here).
    static let requiredForNewUser = ["accountEnabled", "displayName", "mailNickname", "passwordProfile", "userPrincipalName"]

    private func createUser(_ body: Result<[String: Any], GraphError>, _ call: Call, _ version: String) async throws -> (Any, [(String, String)]) {
        let object = try body.get()
        if let missing = Self.requiredForNewUser.first(where: { object[$0] == nil || object[$0] is NSNull }) {
            throw GraphError.badRequest("Invalid value specified for property '\(missing)' of resource 'User'.")
        }
        guard let upn = object["userPrincipalName"] as? String, let name = object["displayName"] as? String, !name.isEmpty else {
            throw GraphError.badRequest("userPrincipalName and displayName must be non-empty strings.")
        }
        guard let password = object["passwordProfile"] as? [String: Any], password["password"] is String else {
            throw GraphError.badRequest("Invalid value specified for property 'passwordProfile' of resource 'User': it needs a password.")
        }
        try Self.checkNewUPN(upn, for: nil, in: try call.state.tenant)
        guard let enabled = object["accountEnabled"] as? Bool else { throw GraphError.badRequest("accountEnabled is true or false.") }
        let values = try Self.attributeValues(object, besides: ["userPrincipalName", "displayName", "accountEnabled", "passwordProfile"])
        let attributes = values.compactMapValues { $0 }
        let draft = UserDraft(id: UUID().uuidString.lowercased(), userPrincipalName: upn, displayName: name, accountEnabled: enabled, attributes: attributes)
        try await call.commit(.createUser(draft))
        scheduleProcessing()
        let latest = try await state.current()
        guard let user = latest.tenant.user(id: draft.id) else { throw GraphError.notFound(draft.id) }
        var reply = GraphObjects.user(user, select: nil)
        reply["@odata.context"] = "\(base)/\(version)/$metadata#users/$entity"
        return (reply, [(Self.statusHeader, "201"), ("Location", "\(base)/\(version)/users/\(user.id)")])
    }

    /// A UPN a user may take: in one of the organization's domains, held by no other user.
    static func checkNewUPN(_ upn: String, for userID: String?, in tenant: Tenant) throws(GraphError) {
        let domain = upn.split(separator: "@", omittingEmptySubsequences: false).last.map { String($0).lowercased() } ?? ""
        let domains = tenant.verifiedDomains
        guard upn.contains("@"), domains.isEmpty || domains.contains(domain) else {
            throw GraphError.badRequest(
                "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization."
                    + (domains.isEmpty ? "" : " (\(domains.sorted().joined(separator: ", ")))"))
        }
        if let holder = tenant.user(upn: upn), holder.id != userID {
            throw GraphError.badRequest("Another object with the same value for property userPrincipalName already exists.")
        }
    }

    /// `{"usageLocation": "GB", "onPremisesExtensionAttributes": {"extensionAttribute10": "E3 All"}}`:
    /// each property as the model's attribute writer takes it, `null` clearing it.
    private func updateUser(_ id: String, _ body: Result<[String: Any], GraphError>, _ call: Call) async throws -> (Any, [(String, String)]) {
        let object = try body.get()
        let user = try self.user(id, in: try call.state.tenant)
        let values = try Self.attributeValues(object, besides: [])
        guard !values.isEmpty else { return ([:], Self.noContent) }
        if let upn = values.first(where: { $0.key.lowercased() == "userprincipalname" })?.value.flatMap({ $0 }) {
            try Self.checkNewUPN(upn, for: user.id, in: try call.state.tenant)
        }
        try await call.commit(.setUserAttributes(userID: user.id, values: values))
        scheduleProcessing()
        return ([:], Self.noContent)
    }

    /// A user's properties from a request body, by the names the model's attribute writer takes
    /// (`onPremisesExtensionAttributes` flattened to its `extensionAttributeN`); `null` is nil.
    static func attributeValues(_ object: [String: Any], besides skipped: Set<String>) throws(GraphError) -> [String: String?] {
        // Re-read as typed JSON, so true stays a boolean and 1 a number.
        guard let data = try? JSONSerialization.data(withJSONObject: object), let typed = try? JSONDecoder().decode([String: JSONValue].self, from: data) else {
            throw GraphError.badRequest("The request body is not a JSON object.")
        }
        func text(_ value: JSONValue, _ name: String) throws(GraphError) -> String? {
            switch value {
            case .null: return nil
            case .bool(let flag): return flag ? "true" : "false"
            case .int(let number): return String(number)
            case .double(let number): return String(number)
            case .string(let string): return string
            case .array(let items):
                // Graph's string collections (proxyAddresses, otherMails); the writer takes a comma list.
                var strings: [String] = []
                for item in items {
                    guard case .string(let string) = item, !string.contains(",") else {
                        throw GraphError.badRequest("\(name) is a list of strings without commas.")
                    }
                    strings.append(string)
                }
                return strings.joined(separator: ",")
            case .object: throw GraphError.badRequest("\(name) can't be set to an object here.")
            }
        }
        var values: [String: String?] = [:]
        for (name, value) in typed where name != "@odata.type" && !skipped.contains(name) {
            if name == "onPremisesExtensionAttributes", case .object(let attributes) = value {
                for (attribute, setting) in attributes { values[attribute] = try text(setting, attribute) }
            } else {
                values[name] = try text(value, name)
            }
        }
        return values
    }

    private func deleteUser(_ id: String, _ call: Call) async throws -> (Any, [(String, String)]) {
        let user = try self.user(id, in: try call.state.tenant)
        try await call.commit(.removeUser(userID: user.id))
        scheduleProcessing()
        return ([:], Self.noContent)
    }

    private func memberOf(_ id: String, _ call: Call, _ version: String) async throws -> (Any, [(String, String)]) {
        let query = try GraphQuery(url: call.url, advanced: call.advanced, orderable: [], resource: .group)
        let tenant = try call.state.tenant
        let user = try self.user(id, in: tenant)
        let rows: [[String: Any]] = tenant.groups(of: user.id).map { group in
            var row = GraphObjects.group(group, select: query.select, list: true)
            row["@odata.type"] = "#microsoft.graph.group"
            return row
        }
        return page(rows, query: query, call: call, version: version, path: "users/\(user.id)/memberOf", entity: "directoryObjects")
    }
}
