/// A `$filter` expression as Microsoft Graph takes it on directory objects (`specs/graph.md` §3):
/// comparisons (`eq ne gt ge lt le`), `in`, `startswith`/`endswith`, `and`/`or`/`not`, and
/// `any()` over a collection (`assignedLicenses/any(s:s/skuId eq <guid>)`,
/// `proxyAddresses/any(p:startswith(p,'smtp:'))`). Parsed once, evaluated per object by
/// `ODataFilterEvaluator`.
public indirect enum ODataFilter: Equatable, Sendable {
    case compare(path: [String], op: ComparisonOperator, value: ODataLiteral)
    case isIn(path: [String], values: [ODataLiteral])
    case function(name: StringFunction, path: [String], value: String)
    case any(collection: [String], variable: String, body: ODataFilter)
    case and(ODataFilter, ODataFilter)
    case or(ODataFilter, ODataFilter)
    case not(ODataFilter)

    public enum ComparisonOperator: String, Sendable, CaseIterable {
        case eq, ne, gt, ge, lt, le
    }

    public enum StringFunction: String, Sendable {
        case startswith, endswith
    }

    /// Operators Graph takes on directory objects only as an advanced query
    /// (`ConsistencyLevel: eventual` and `$count=true`), by the name Graph's error uses.
    public var advancedOperators: [String] {
        switch self {
        case .compare(let path, let op, _):
            var found = op == .ne ? ["ne"] : []
            if path.first?.lowercased() == "onpremisesextensionattributes" { found.append("onPremisesExtensionAttributes") }
            return found
        case .isIn(let path, _):
            return path.first?.lowercased() == "onpremisesextensionattributes" ? ["onPremisesExtensionAttributes"] : []
        case .function(let name, _, _): return name == .endswith ? ["endsWith"] : []
        case .any(_, _, let body): return body.advancedOperators
        case .and(let a, let b), .or(let a, let b): return a.advancedOperators + b.advancedOperators
        case .not(let inner): return ["not"] + inner.advancedOperators
        }
    }
}

/// A literal in a filter: `'text'` (a quote doubled inside), a GUID or date unquoted, a number,
/// `true`, `false`, `null`.
public enum ODataLiteral: Equatable, Sendable {
    case string(String)
    case number(Double)
    case boolean(Bool)
    case null

    /// The value compared as text (GUIDs are compared case-insensitively by the evaluator).
    var text: String? {
        switch self {
        case .string(let value): value
        case .number(let value): value == value.rounded() ? String(Int(value)) : String(value)
        case .boolean(let value): value ? "true" : "false"
        case .null: nil
        }
    }
}

/// Why a filter does not parse, with the character it was found at (Graph answers
/// `Request_BadRequest` "Invalid filter clause").
public struct ODataFilterError: Error, Equatable, Sendable, CustomStringConvertible {
    public var position: Int
    public var reason: String
    public var description: String { "Invalid filter clause: \(reason) (at character \(position + 1))" }
}
