import Foundation
import HTTPTypes
import Hummingbird
import LicenseModel
import LicenseStore

/// The read side of Graph v1.0 that licensing scripts use, under `/v1.0` and `/beta` alike:
/// users, groups, subscribed SKUs, the organization. Every request is authenticated first.
struct GraphRoutes: Sendable {
    let state: StateHolder
    let tokens: TokenBook
    let throttle: Throttle?
    /// The router itself, for `$batch` items.
    let dispatcher: BatchDispatcher
    /// Where this endpoint is reached (`http://127.0.0.1:8443`, known once it listens):
    /// absolute `@odata.nextLink`s and `@odata.context`s are built on it (the Python SDK follows
    /// only absolute links).
    let address: BaseAddress
    let log: @Sendable (String) -> Void

    var base: String { address.base }

    /// What a handler puts among its headers to answer with another status (202 Accepted).
    static let statusHeader = "x-licensedesk-status"

    func register(on router: Router<BasicRequestContext>) {
        for version in ["v1.0", "beta"] {
            router.get("\(version)/users") { request, _ in await answer(request, version) { try await listUsers($0, version) } }
            router.get("\(version)/users/:id") { request, context in
                let id = context.parameters.get("id") ?? ""
                return await answer(request, version) { try await getUser(id, $0, version) }
            }
            router.get("\(version)/groups") { request, _ in await answer(request, version) { try await listGroups($0, version) } }
            router.get("\(version)/groups/:id") { request, context in
                let id = context.parameters.get("id") ?? ""
                return await answer(request, version) { try await getGroup(id, $0, version) }
            }
            router.get("\(version)/subscribedSkus") { request, _ in await answer(request, version) { try await listSkus($0, version) } }
            router.get("\(version)/organization") { request, _ in await answer(request, version) { try await organization($0, version) } }
        }
        registerLicensing(on: router)
        registerGroupWrites(on: router)
        registerBatch(on: router)
        registerUserWrites(on: router)
    }

    /// What a handler gets: who is calling, the query, the request's ids, and the state as it
    /// was when the request came in.
    struct Call {
        var admin: String
        var url: URLComponents
        var advanced: Bool
        var requestID: String
        var clientRequestID: String
        let view: StateView
        let holder: StateHolder
        /// The request's JSON body, for routes that read one (read only once the caller is known).
        var body: Result<[String: Any], GraphError> = .success([:])

        /// The state the request reads, until it commits (then `StateHolder.current()` again).
        var state: LoadedState {
            get throws(GraphError) {
                guard let loaded = view.loaded else {
                    throw GraphError(status: .internalServerError, code: "generalException", message: "The request read its state after changing it.")
                }
                return loaded
            }
        }

        /// Commits a change as the caller's admin. The request's own view of the state is let go
        /// first: a copy still held while the holder changes its state in place would make that
        /// change copy every user (100,000 of them, 35 ms, at each write).
        @discardableResult
        func commit(_ change: TenantChange) async throws -> ChangeEffects {
            view.release()
            return try await holder.commit(change, admin: admin)
        }
    }

    /// A request's view of the state, which it lets go of before it commits.
    final class StateView: @unchecked Sendable {
        private(set) var loaded: LoadedState?
        init(_ loaded: LoadedState) { self.loaded = loaded }
        func release() { loaded = nil }
    }

    /// Authenticates, loads the current state, runs the handler, and turns any failure into
    /// Graph's error shape. Never lets an error out as a bare 500 without a body.
    func answer(_ request: Request, _ version: String, readsBody: Bool = false, _ handler: (Call) async throws -> (Any, [(String, String)])) async -> Response {
        let requestID = UUID().uuidString.lowercased()
        let clientRequestID = request.headers[HTTPField.Name("client-request-id")!] ?? requestID
        switch tokens.admin(forAuthorization: request.headers[.authorization]) {
        case .failure(let error):
            log("\(request.method) \(request.uri.path) 401 (\(error.message))")
            return GraphReply.error(error, requestID: requestID, clientRequestID: clientRequestID)
        case .success(let admin):
            let write = request.method != .get && request.method != .head
            if let throttle, let wait = throttle.admit(token: request.headers[.authorization] ?? "", write: write) {
                log("\(request.method) \(request.uri.path) 429 \(admin): throttled for \(wait) s")
                var error = GraphError(
                    status: .tooManyRequests, code: "TooManyRequests",
                    message: "Too many requests from Identifier:\(admin) under Tenant. Please try again later.")
                error.headers = [
                    ("Retry-After", "\(wait)"), ("x-ms-throttle-scope", "Tenant_Application/\(write ? "Write" : "Read")/licensedesk/local"),
                    ("x-ms-throttle-information", write ? "WriteLimitExceeded" : "ResourceUnitLimitExceeded"),
                ]
                return GraphReply.error(error, requestID: requestID, clientRequestID: clientRequestID)
            }
            do {
                let url = URLComponents(string: "http://localhost" + request.uri.description) ?? URLComponents()
                let advanced = request.headers[HTTPField.Name("ConsistencyLevel")!]?.lowercased() == "eventual"
                var call = Call(
                    admin: admin, url: url, advanced: advanced, requestID: requestID, clientRequestID: clientRequestID,
                    view: StateView(try await state.current()), holder: state)
                if readsBody {
                    var request = request
                    call.body = await Self.body(&request)
                }
                var (body, extra) = try await handler(call)
                // A handler asks for another status than 200 through this one pseudo-header.
                var status = HTTPResponse.Status.ok
                if let asked = extra.first(where: { $0.0 == Self.statusHeader }), let code = Int(asked.1) {
                    status = HTTPResponse.Status(code: code)
                    extra.removeAll { $0.0 == Self.statusHeader }
                }
                // Directory objects carry no ETag in Graph v1.0 and a write with If-Match is not
                // checked there; a script that relies on it must learn so here, not in production.
                if request.headers[.ifMatch] != nil || request.headers[.ifNoneMatch] != nil {
                    let note = "If-Match/If-None-Match are not checked on directory objects (Graph ignores them too)"
                    log("ignored, as Graph would: \(note)")
                    if let index = extra.firstIndex(where: { $0.0 == "x-licensedesk-ignored" }) {
                        extra[index].1 += "; " + note
                    } else {
                        extra.append(("x-licensedesk-ignored", note))
                    }
                }
                log("\(request.method) \(request.uri.path) \(status.code) \(admin)")
                if status == .noContent { return GraphReply.empty(requestID: requestID, clientRequestID: clientRequestID, extra: extra) }
                return GraphReply.json(body, status: status, requestID: requestID, clientRequestID: clientRequestID, extra: extra)
            } catch let error as GraphError {
                log("\(request.method) \(request.uri.path) \(error.status.code) \(admin): \(error.code)")
                return GraphReply.error(error, requestID: requestID, clientRequestID: clientRequestID)
            } catch {
                log("\(request.method) \(request.uri.path) 503 \(admin): \(error)")
                var failure = GraphError(status: .serviceUnavailable, code: "serviceNotAvailable", message: "The state could not be read: \(error)")
                failure.headers = [("Retry-After", "5")]
                return GraphReply.error(failure, requestID: requestID, clientRequestID: clientRequestID)
            }
        }
    }

    private func context(_ version: String, _ entity: String) -> String { "\(base)/\(version)/$metadata#\(entity)" }

    /// A page of a collection: `$top` (default 100), the `$skiptoken` this endpoint made, an
    /// absolute `@odata.nextLink` carrying every original option, `@odata.count` on the first page.
    func page(_ rows: [[String: Any]], query: GraphQuery, call: Call, version: String, path: String, entity: String) -> (Any, [(String, String)]) {
        page(count: rows.count, query: query, version: version, path: path, entity: entity, id: { rows[$0]["id"] as? String }) { rows[$0] }
    }

    /// The same for a long collection: only the page's rows are made (a page of 999 users out
    /// of a million costs its 999, not the million).
    func page(
        count: Int, query: GraphQuery, version: String, path: String, entity: String, id: (Int) -> String? = { _ in nil }, row: (Int) -> [String: Any]
    ) -> (Any, [(String, String)]) {
        let size = query.top ?? 100
        var start = min(query.offset, count)
        // The last object of the page before, where it is now: a delete or an addition before
        // it (a script unlicensing as it pages) must not make the next page skip or repeat.
        if let after = query.afterID {
            let nearest =
                stride(from: min(query.offset, count) - 1, through: 0, by: -1).first { id($0) == after }
                ?? (min(query.offset, count)..<count).first { id($0) == after }
            if let nearest { start = nearest + 1 }
        }
        let end = min(count, start + size)
        var body: [String: Any] = ["@odata.context": context(version, entity), "value": (start..<end).map(row)]
        if query.count && query.offset == 0 { body["@odata.count"] = count }
        if end < count {
            var next = URLComponents(string: "\(base)/\(version)/\(path)")!
            next.queryItems =
                query.items.filter { $0.name.lowercased() != "$skiptoken" } + [
                    URLQueryItem(name: "$skiptoken", value: GraphQuery.skipToken(end, after: id(end - 1)))
                ]
            body["@odata.nextLink"] = next.string
        }
        return (body, ignoredHeader(query))
    }

    private func ignoredHeader(_ query: GraphQuery) -> [(String, String)] {
        guard !query.ignored.isEmpty else { return [] }
        log("ignored, as Graph would: " + query.ignored.joined(separator: "; "))
        return [("x-licensedesk-ignored", query.ignored.joined(separator: "; "))]
    }

    private func entity(_ name: String, _ select: [String]?) -> String {
        select.map { "\(name)(\($0.joined(separator: ",")))" } ?? name
    }

    // MARK: - Users

    private func listUsers(_ call: Call, _ version: String) async throws -> (Any, [(String, String)]) {
        let query = try GraphQuery(url: call.url, advanced: call.advanced, orderable: ["displayname", "userprincipalname"])
        var users = try call.state.tenant.users
        if let filter = query.filter {
            let evaluator = ODataFilterEvaluator(filter)
            users = users.filter(evaluator.matches)
        }
        if let order = query.orderBy {
            let byName = order.property.lowercased() == "displayname"
            users.sort { a, b in
                let (x, y) = byName ? (a.displayName, b.displayName) : (a.userPrincipalName, b.userPrincipalName)
                let ascending = x.compare(y, options: [.caseInsensitive]) == .orderedAscending
                return order.descending ? !ascending && x.lowercased() != y.lowercased() : ascending
            }
        }
        return page(count: users.count, query: query, version: version, path: "users", entity: entity("users", query.select), id: { users[$0].id }) {
            GraphObjects.user(users[$0], select: query.select)
        }
    }

    private func getUser(_ id: String, _ call: Call, _ version: String) async throws -> (Any, [(String, String)]) {
        let query = try GraphQuery(url: call.url, advanced: call.advanced, orderable: [], collection: false)
        let tenant = try call.state.tenant
        let user = try self.user(id, in: tenant)
        var body = GraphObjects.user(user, select: query.select)
        body["@odata.context"] = context(version, entity("users", query.select) + "/$entity")
        return (body, ignoredHeader(query))
    }

    // MARK: - Groups, SKUs, organization

    private func listGroups(_ call: Call, _ version: String) async throws -> (Any, [(String, String)]) {
        let query = try GraphQuery(url: call.url, advanced: call.advanced, orderable: ["displayname"], resource: .group)
        let tenant = try call.state.tenant
        var groups = tenant.groups
        if let filter = query.filter {
            let evaluator = ODataFilterEvaluator(filter)
            groups = groups.filter { evaluator.matches($0, in: tenant) }
        }
        if let order = query.orderBy {
            groups.sort { a, b in
                let ascending = a.displayName.compare(b.displayName, options: [.caseInsensitive]) == .orderedAscending
                return order.descending ? !ascending : ascending
            }
        }
        let rows = groups.map { GraphObjects.group($0, select: query.select, list: true) }
        return page(rows, query: query, call: call, version: version, path: "groups", entity: entity("groups", query.select))
    }

    private func getGroup(_ id: String, _ call: Call, _ version: String) async throws -> (Any, [(String, String)]) {
        let query = try GraphQuery(url: call.url, advanced: call.advanced, orderable: [], resource: .group, collection: false)
        guard let group = try call.state.tenant.group(id: id.lowercased()) else { throw GraphError.notFound(id) }
        var body = GraphObjects.group(group, select: query.select)
        body["@odata.context"] = context(version, entity("groups", query.select) + "/$entity")
        return (body, ignoredHeader(query))
    }

    private func listSkus(_ call: Call, _ version: String) async throws -> (Any, [(String, String)]) {
        let ignored = try plainCollectionOptions(call)
        let tenant = try call.state.tenant
        let rows = tenant.subscribedSkus.map { GraphObjects.sku($0, in: tenant) }
        return (["@odata.context": context(version, "subscribedSkus"), "value": rows], ignored)
    }

    private func organization(_ call: Call, _ version: String) async throws -> (Any, [(String, String)]) {
        let ignored = try plainCollectionOptions(call)
        return (["@odata.context": context(version, "organization"), "value": [GraphObjects.organization(try call.state.tenant)]], ignored)
    }

    /// The query options of a collection this endpoint serves whole (subscribedSkus,
    /// organization, licenseDetails): one that would pick or order items is refused, since a
    /// script that trusted it (`value[0]` after a `$filter`) would act on the wrong item; any
    /// other is ignored, and said so.
    func plainCollectionOptions(_ call: Call) throws(GraphError) -> [(String, String)] {
        let options = (call.url.queryItems ?? []).map(\.name).filter { $0.hasPrefix("$") }
        if let refused = options.first(where: { ["$filter", "$orderby", "$top", "$skip", "$search", "$count"].contains($0.lowercased()) }) {
            throw .unsupportedQuery("Unsupported Query: \(refused) is not supported on this collection here; filter the items in the script.")
        }
        guard !options.isEmpty else { return [] }
        let note = options.joined(separator: ", ") + " ignored: this collection is answered whole"
        log("ignored: " + note)
        return [("x-licensedesk-ignored", note)]
    }
}
