import Foundation
import HTTPTypes
import Hummingbird
import LicenseModel
import LicenseStore

/// The licence actions scripts call: `assignLicense` on users (synchronous, Entra's refusal
/// texts) and on groups (202: the work is queued and processed in the background),
/// `reprocessLicenseAssignment`, and the reads that go with them (`licenseDetails`, a group's
/// `members` and `membersWithLicenseErrors`).
extension GraphRoutes {
    /// Bodies are JSON objects of at most 1 MB.
    static let bodyLimit = 1 << 20

    func registerLicensing(on router: Router<BasicRequestContext>) {
        for version in ["v1.0", "beta"] {
            router.post("\(version)/users/:id/assignLicense") { request, context in
                let id = context.parameters.get("id") ?? ""
                return await answer(request, version, readsBody: true) { try await assignUserLicense(id, $0.body, $0, version) }
            }
            router.post("\(version)/users/:id/reprocessLicenseAssignment") { request, context in
                let id = context.parameters.get("id") ?? ""
                return await answer(request, version) { try await reprocessUser(id, $0, version) }
            }
            router.post("\(version)/groups/:id/assignLicense") { request, context in
                let id = context.parameters.get("id") ?? ""
                return await answer(request, version, readsBody: true) { try await assignGroupLicense(id, $0.body, $0, version) }
            }
            router.get("\(version)/users/:id/licenseDetails") { request, context in
                let id = context.parameters.get("id") ?? ""
                return await answer(request, version) { try await licenseDetails(id, $0, version) }
            }
            router.get("\(version)/groups/:id/members") { request, context in
                let id = context.parameters.get("id") ?? ""
                return await answer(request, version) { try await members(id, errorsOnly: false, $0, version) }
            }
            router.get("\(version)/groups/:id/membersWithLicenseErrors") { request, context in
                let id = context.parameters.get("id") ?? ""
                return await answer(request, version) { try await members(id, errorsOnly: true, $0, version) }
            }
        }
    }

    /// The body as a JSON object, or why not (too large, not JSON, not an object).
    static func body(_ request: inout Request) async -> Result<[String: Any], GraphError> {
        let data: ByteBuffer
        do { data = try await request.body.collect(upTo: bodyLimit) } catch {
            return .failure(GraphError(status: .contentTooLarge, code: "Request_BadRequest", message: "The request body is larger than \(bodyLimit) bytes."))
        }
        let bytes = Data(data.readableBytesView)
        guard let object = (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any] else {
            return .failure(.badRequest("The request body is not a JSON object."))
        }
        return .success(object)
    }

    /// A user by id or UPN, as a path names them (percent-decoded: the SDKs send `%40`).
    func user(_ id: String, in tenant: Tenant) throws(GraphError) -> User {
        let key = id.removingPercentEncoding ?? id
        // Graph's ids are case-insensitive GUIDs; this state keeps them in lower case.
        guard let user = tenant.user(id: key) ?? tenant.user(id: key.lowercased()) ?? tenant.user(upn: key) else {
            throw GraphError.notFound(key)
        }
        return user
    }

    /// `{"addLicenses": [{"skuId", "disabledPlans"}], "removeLicenses": ["<skuId>"]}`, both
    /// required as in Graph; checked whole before anything is changed.
    private func assignUserLicense(_ id: String, _ body: Result<[String: Any], GraphError>, _ call: Call, _ version: String) async throws
        -> (Any, [(String, String)])
    {
        let object = try body.get()
        let missing = ["addLicenses", "removeLicenses"].filter { object[$0] == nil }
        guard missing.isEmpty else {
            throw GraphError.badRequest(
                "One or more parameters of the operation 'assignLicense' are missing from the request payload. The missing parameters are: \(missing.joined(separator: ","))."
            )
        }
        guard let adds = object["addLicenses"] as? [[String: Any]], let removes = object["removeLicenses"] as? [String] else {
            throw GraphError.badRequest("addLicenses must be a list of {skuId, disabledPlans} and removeLicenses a list of skuIds.")
        }
        let tenant = try call.state.tenant
        let target = try user(id, in: tenant)
        var changes: [TenantChange] = []
        for add in adds {
            guard let skuId = (add["skuId"] as? String)?.lowercased() else { throw GraphError.badRequest("an addLicenses item has no skuId") }
            guard tenant.sku(id: skuId) != nil else { throw GraphError.badRequest("License \(skuId) does not correspond to a valid company License.") }
            let disabled = (add["disabledPlans"] as? [String] ?? []).map { $0.lowercased() }
            changes.append(.addUserLicense(userID: target.id, skuId: skuId, disabledPlans: disabled))
        }
        for skuId in removes.map({ $0.lowercased() }) {
            guard tenant.sku(id: skuId) != nil else { throw GraphError.badRequest("License \(skuId) does not correspond to a valid company License.") }
            changes.append(.removeUserLicense(userID: target.id, skuId: skuId))
        }
        // Each licence is its own change through the one commit path; the whole request was
        // checked above, so a refusal here is the model's (Entra's text) on the first change.
        for change in changes { try await call.commit(change) }
        var reply = GraphObjects.user(try user(target.id, in: try await state.current().tenant), select: nil)
        reply["@odata.context"] = "\(base)/\(version)/$metadata#users/$entity"
        return (reply, [])
    }

    private func reprocessUser(_ id: String, _ call: Call, _ version: String) async throws -> (Any, [(String, String)]) {
        let target = try user(id, in: try call.state.tenant)
        try await call.commit(.reprocessUser(userID: target.id))
        scheduleProcessing()
        var reply = GraphObjects.user(try user(target.id, in: try await state.current().tenant), select: nil)
        reply["@odata.context"] = "\(base)/\(version)/$metadata#users/$entity"
        return (reply, [])
    }

    /// 202 Accepted: the group's licences change now, its members' when the queue is processed.
    private func assignGroupLicense(_ id: String, _ body: Result<[String: Any], GraphError>, _ call: Call, _ version: String) async throws
        -> (Any, [(String, String)])
    {
        let object = try body.get()
        guard let group = try call.state.tenant.group(id: id.lowercased()) else { throw GraphError.notFound(id) }
        guard let adds = object["addLicenses"] as? [[String: Any]], let removes = object["removeLicenses"] as? [String] else {
            throw GraphError.badRequest(
                "One or more parameters of the operation 'assignLicense' are missing from the request payload. The missing parameters are: addLicenses,removeLicenses."
            )
        }
        var licences: [AssignedLicense] = []
        for add in adds {
            guard let skuId = (add["skuId"] as? String)?.lowercased(), try call.state.tenant.sku(id: skuId) != nil else {
                throw GraphError.badRequest("License \((add["skuId"] as? String) ?? "") does not correspond to a valid company License.")
            }
            licences.append(AssignedLicense(skuId: skuId, disabledPlans: (add["disabledPlans"] as? [String] ?? []).map { $0.lowercased() }))
        }
        try await call.commit(.replaceGroupLicenses(groupID: group.id, add: licences, remove: removes.map { $0.lowercased() }))
        scheduleProcessing()
        // The body is the group, as Graph's example shows.
        let latest = try await state.current().tenant
        var reply = GraphObjects.group(latest.group(id: group.id) ?? group, select: nil)
        reply["@odata.context"] = "\(base)/\(version)/$metadata#groups/$entity"
        // Where the work is tracked, in the form Graph's example gives (its internal v2 address;
        // nothing follows it, scripts poll the group's licenseProcessingState).
        let location = "\(base)/v2/\(latest.organization.id)/directoryObjects/\(group.id)/Microsoft.DirectoryServices.Group"
        return (reply, [(Self.statusHeader, "202"), ("location", location)])
    }

    private func licenseDetails(_ id: String, _ call: Call, _ version: String) async throws -> (Any, [(String, String)]) {
        let ignored = try plainCollectionOptions(call)
        let tenant = try call.state.tenant
        let target = try user(id, in: tenant)
        let rows: [[String: Any]] = target.assignedLicenses.compactMap { licence in
            guard let sku = tenant.sku(id: licence.skuId) else { return nil }
            return [
                "id": "\(tenant.organization.id)_\(sku.skuId)", "skuId": sku.skuId, "skuPartNumber": sku.skuPartNumber,
                "servicePlans": sku.servicePlans.map { plan in
                    [
                        "servicePlanId": plan.servicePlanId, "servicePlanName": plan.servicePlanName,
                        "provisioningStatus": licence.disabledPlans.contains(plan.servicePlanId) ? "Disabled" : "Success", "appliesTo": "User",
                    ]
                },
            ]
        }
        return (["@odata.context": "\(base)/\(version)/$metadata#users('\(target.id)')/licenseDetails", "value": rows], ignored)
    }

    private func members(_ id: String, errorsOnly: Bool, _ call: Call, _ version: String) async throws -> (Any, [(String, String)]) {
        let query = try GraphQuery(url: call.url, advanced: call.advanced, orderable: [], resource: .user)
        let tenant = try call.state.tenant
        guard let group = tenant.group(id: id.lowercased()) else { throw GraphError.notFound(id) }
        var members = tenant.memberUserIndices(of: group.id)
        if errorsOnly { members = members.filter { tenant.licenseError(of: tenant.users[$0], from: group.id) != nil } }
        let path = "groups/\(group.id)/\(errorsOnly ? "membersWithLicenseErrors" : "members")"
        // Only the page's rows are made: a 50,000-member group read 999 at a time costs each
        // page its 999, not the 50,000.
        return page(count: members.count, query: query, version: version, path: path, entity: "directoryObjects", id: { tenant.users[members[$0]].id }) {
            var row = GraphObjects.user(tenant.users[members[$0]], select: query.select)
            row["@odata.type"] = "#microsoft.graph.user"
            return row
        }
    }

    /// Queued work is processed soon after it is queued, in the background.
    func scheduleProcessing() {
        let state = self.state
        Task.detached {
            try? await Task.sleep(nanoseconds: 200_000_000)
            await state.processPending()
        }
    }
}
