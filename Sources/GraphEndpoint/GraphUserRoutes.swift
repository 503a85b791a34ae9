import Foundation
import HTTPTypes
import Hummingbird
import LicenseModel
import LicenseStore

/// A user's own changes and relationships: PATCH (cloud attributes, 204; attributes synced from
/// on-premises AD are refused as the command line refuses them) and `memberOf`.
extension GraphRoutes {
    func registerUserWrites(on router: Router<BasicRequestContext>) {
        for version in ["v1.0", "beta"] {
            router.patch("\(version)/users/:id") { request, context in
                let id = context.parameters.get("id") ?? ""
                return await answer(request, version, readsBody: true) { try await updateUser(id, $0.body, $0) }
            }
            router.get("\(version)/users/:id/memberOf") { request, context in
                let id = context.parameters.get("id") ?? ""
                return await answer(request, version) { try await memberOf(id, $0, version) }
            }
        }
    }

    /// `{"usageLocation": "GB", "onPremisesExtensionAttributes": {"extensionAttribute10": "E3 All"}}`:
    /// each property as the model's attribute writer takes it, `null` clearing it.
    private func updateUser(_ id: String, _ body: Result<[String: Any], GraphError>, _ call: Call) async throws -> (Any, [(String, String)]) {
        let object = try body.get()
        let tenant = call.state.tenant
        let user = try self.user(id, in: tenant)
        // Re-read as typed JSON, so true stays a boolean and 1 a number.
        guard let data = try? JSONSerialization.data(withJSONObject: object), let typed = try? JSONDecoder().decode([String: JSONValue].self, from: data) else {
            throw GraphError.badRequest("The request body is not a JSON object.")
        }
        func text(_ value: JSONValue) throws(GraphError) -> String? {
            switch value {
            case .null: return nil
            case .bool(let flag): return flag ? "true" : "false"
            case .int(let number): return String(number)
            case .double(let number): return String(number)
            case .string(let string): return string
            case .array, .object: throw GraphError.badRequest("a list or an object can't be set here")
            }
        }
        var values: [String: String?] = [:]
        for (name, value) in typed where name != "@odata.type" {
            if name == "onPremisesExtensionAttributes", case .object(let attributes) = value {
                for (attribute, setting) in attributes { values[attribute] = try text(setting) }
            } else {
                values[name] = try text(value)
            }
        }
        guard !values.isEmpty else { return ([:], Self.noContent) }
        _ = try await state.commit(.setUserAttributes(userID: user.id, values: values), admin: call.admin)
        scheduleProcessing()
        return ([:], Self.noContent)
    }

    private func memberOf(_ id: String, _ call: Call, _ version: String) async throws -> (Any, [(String, String)]) {
        let query = try GraphQuery(url: call.url, advanced: call.advanced, orderable: [])
        let tenant = call.state.tenant
        let user = try self.user(id, in: tenant)
        let rows: [[String: Any]] = tenant.groups(of: user.id).map { group in
            var row = GraphObjects.group(group, select: query.select)
            row["@odata.type"] = "#microsoft.graph.group"
            return row
        }
        return page(rows, query: query, call: call, version: version, path: "users/\(user.id)/memberOf", entity: "directoryObjects")
    }
}
