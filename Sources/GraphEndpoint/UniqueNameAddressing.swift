import Foundation
import HTTPTypes
import Hummingbird
import LicenseModel

/// Graph's alternate key for groups: `/groups(uniqueName='…')` and what hangs under it
/// (`/members/$ref`, `/assignLicense`, …) address the group whose `uniqueName` it is, and
/// `PATCH /groups(uniqueName='…')` with `Prefer: create-if-missing` makes the group when there is
/// none (an upsert: 201 with the group, else 204). The path is turned into the group's own
/// `/groups/{id}…` before routing, so the request meets the same routes, token check and commit
/// path as any other; an unknown name becomes a path the routes answer 404 for after checking
/// the token (the name's existence is not told to a caller without one). It wraps the router
/// rather than sitting in it: a router's middleware runs after the route is matched.
struct UniqueNameAddressing: HTTPResponder {
    typealias Context = BasicRequestContext
    let router: RouterResponder<BasicRequestContext>
    let state: StateHolder
    /// The header that carries the name to `POST /groups` for an upsert's create; one a caller
    /// sends is dropped (only this responder sets it).
    static var createHeader: HTTPField.Name { HTTPField.Name("x-licensedesk-upsert-unique-name")! }

    func respond(to request: Request, context: Context) async throws -> Response {
        try await handle(request, context: context) { try await router.respond(to: $0, context: $1) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var head = request.head
        head.headerFields[Self.createHeader] = nil
        guard let path = head.path, let address = Self.parse(path) else {
            return try await next(Request(head: head, body: request.body), context)
        }
        let tenant = try? await state.current().tenant
        let group = tenant?.groups.first { $0.uniqueName?.lowercased() == address.name.lowercased() }
        let upsert =
            head.method == .patch && address.rest.isEmpty
            && (head.headerFields[HTTPField.Name("Prefer")!] ?? "").lowercased().contains("create-if-missing")
        if let group {
            head.path = "/\(address.version)/groups/\(group.id)\(address.rest)\(address.query)"
        } else if upsert {
            head.method = .post
            head.path = "/\(address.version)/groups\(address.query)"
            head.headerFields[Self.createHeader] = address.name
        } else {
            // No such group: a path segment the routes know nothing by, so they say 404.
            head.path = "/\(address.version)/groups/uniqueName=\(Self.encoded(address.name))\(address.rest)\(address.query)"
        }
        return try await next(Request(head: head, body: request.body), context)
    }

    struct Address: Equatable {
        var version: String
        var name: String
        /// What follows the key: "" or "/members/$ref" and the like.
        var rest: String
        /// "" or "?…".
        var query: String
    }

    /// `/v1.0/groups(uniqueName='x')/rest?query`: the name percent-decoded and its doubled
    /// quotes undone (OData's escape), or nil for any other path.
    static func parse(_ path: String) -> Address? {
        let (raw, query) = path.firstIndex(of: "?").map { (String(path[..<$0]), String(path[$0...])) } ?? (path, "")
        // Clients send the parentheses and quotes as they are or percent-encoded (%28, %27).
        guard raw.contains("("), let route = raw.removingPercentEncoding else {
            guard raw.lowercased().contains("%28"), let decoded = raw.removingPercentEncoding else { return nil }
            return parse(decoded + query)
        }
        for version in ["v1.0", "beta"] {
            let prefix = "/\(version)/groups(uniqueName="
            guard route.lowercased().hasPrefix(prefix.lowercased()) else { continue }
            let afterPrefix = route.dropFirst(prefix.count)
            guard let close = afterPrefix.range(of: ")", options: .backwards) else { return nil }
            let quoted = String(afterPrefix[..<close.lowerBound])
            guard quoted.count >= 2, quoted.hasPrefix("'"), quoted.hasSuffix("'") else { return nil }
            let name = String(quoted.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
            let rest = String(afterPrefix[close.upperBound...])
            guard rest.isEmpty || rest.hasPrefix("/") else { return nil }
            return Address(version: version, name: name, rest: rest, query: query)
        }
        return nil
    }

    private static func encoded(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "x"
    }
}
