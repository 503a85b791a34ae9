import Foundation

/// The OData options of one list or read request, checked as Graph checks them: `$top` 1–999,
/// `$select` a comma list, `$filter` parsed (advanced operators need `ConsistencyLevel: eventual`
/// and `$count=true`), `$orderby` on what the resource sorts by, `$count=true` honoured only with
/// the header (silently ignored otherwise, as Graph does — said in a response header instead).
struct GraphQuery {
    var select: [String]?
    var top: Int?
    var filter: ODataFilter?
    var orderBy: (property: String, descending: Bool)?
    var count = false
    /// Where the page starts (`$skiptoken`, made by this endpoint): after the object with
    /// `afterID` where it still is (objects deleted or added before it don't shift the page),
    /// else at `offset`.
    var offset = 0
    var afterID: String?
    /// What was ignored, as Graph would, for the `x-licensedesk-ignored` header and the log.
    var ignored: [String] = []
    /// Every option as sent, for the next page's link.
    var items: [URLQueryItem] = []

    static let maximumTop = 999

    /// Parses the query of `url`; `advanced` is whether the request carried
    /// `ConsistencyLevel: eventual`; `resource` is what `$select` names properties of, on a
    /// collection or a single object.
    init(url: URLComponents, advanced: Bool, orderable: Set<String>, resource: GraphResource = .user, collection: Bool = true) throws(GraphError) {
        items = url.queryItems ?? []
        let countAsked = items.contains { $0.name.lowercased() == "$count" && $0.value?.lowercased() == "true" }
        for item in items {
            let value = item.value ?? ""
            switch item.name.lowercased() {
            case "$select":
                let names = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                try resource.check(select: names, collection: collection)
                select = names
            case "$top":
                guard let number = Int(value), (1...Self.maximumTop).contains(number) else {
                    throw .badRequest("Invalid page size specified: '\(value)'. Must be between 1 and \(Self.maximumTop) inclusive.")
                }
                top = number
            case "$filter":
                do { filter = try ODataFilterParser.parse(value) } catch { throw .badRequest(error.description) }
                if let advancedOperator = filter?.advancedOperators.first, !(advanced && countAsked) {
                    throw .unsupportedQuery(
                        "Operator '\(advancedOperator)' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more details"
                    )
                }
            case "$orderby":
                let parts = value.split(separator: " ").map(String.init)
                guard let property = parts.first, orderable.contains(property.lowercased()),
                    parts.count == 1 || (parts.count == 2 && ["asc", "desc"].contains(parts[1].lowercased()))
                else { throw .unsupportedQuery("Sorting not supported for '\(value)'.") }
                orderBy = (property, parts.count == 2 && parts[1].lowercased() == "desc")
            case "$count":
                if value.lowercased() == "true" {
                    if advanced { count = true } else { ignored.append("$count=true needs the header ConsistencyLevel: eventual (Graph ignores it without)") }
                }
            case "$skiptoken":
                let parts = Data(base64Encoded: value).flatMap { String(data: $0, encoding: .utf8) }?.split(separator: ":", maxSplits: 2).map(String.init) ?? []
                guard parts.count >= 2, parts[0] == "ld-offset", let start = Int(parts[1]), start >= 0 else {
                    throw .badRequest("Invalid $skiptoken: it was not made by this endpoint, or it was changed.")
                }
                offset = start
                afterID = parts.count == 3 ? parts[2] : nil
            case "$skip":
                throw .badRequest("'$skip' is not supported by the service.")
            default:
                if item.name.hasPrefix("$") { ignored.append("\(item.name) is not supported here and was ignored") }
            }
        }
        if filter != nil, orderBy != nil, !(advanced && countAsked) {
            throw .unsupportedQuery(
                "Sorting and filtering together on directory objects need the header ConsistencyLevel: eventual and $count=true.")
        }
    }

    /// The `$skiptoken` of the page that starts at `offset`.
    static func skipToken(_ offset: Int, after id: String? = nil) -> String {
        Data("ld-offset:\(offset)\(id.map { ":" + $0 } ?? "")".utf8).base64EncodedString()
    }
}
