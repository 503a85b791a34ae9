import Foundation

/// Many rules evaluated over one user at once, without trying every rule.
///
/// Each rule is filed under a condition it cannot hold without, taken from its top-level
/// `-and` terms: a property equal to a constant or in a list (`-eq`, `-in`), or a property
/// starting with an ASCII prefix (`-startsWith`, or a `-match` pattern that begins `^literal`),
/// also for an element of proxyAddresses/otherMails (`-any (_ -startsWith …)`). A user's values
/// are looked up in those tables; only the rules found, and the rules with no such condition,
/// are evaluated. A rule never found can't match, so the result is exactly what evaluating
/// every rule gives: this is a filter in front of the evaluator, not a second evaluator.
///
/// Exactness at the edges: prefixes are compared as bytes only when the start of the user's
/// value is ASCII (where byte equality is Unicode equivalence and ICU's case-insensitive match
/// is ASCII case); any other value is checked against every prefix rule of that property.
public struct RuleSetIndex: Sendable {
    private enum Source: Hashable {
        case slot(Int)
        case collection(RuleCollectionProperty)
    }
    private enum Condition {
        case values(Set<String>)
        case prefix(String)
    }

    private let rules: [MembershipRule]
    /// Rules with no indexable condition: always evaluated.
    private var unconditional: [Int] = []
    /// The tables by property, as arrays: walked for every user, so no dictionary of tables.
    private var slotTables: [(slot: Int, values: [String: [Int]], prefixes: PrefixTable?)] = []
    private var collectionTables: [(collection: RuleCollectionProperty, values: [String: [Int]], prefixes: PrefixTable?)] = []

    public init(_ rules: [MembershipRule]) {
        self.rules = rules
        var equalityTables: [Source: [String: [Int]]] = [:]
        var prefixTables: [Source: PrefixTable] = [:]
        for (index, rule) in rules.enumerated() {
            guard let (source, condition) = Self.condition(of: rule.root, item: nil) else {
                unconditional.append(index)
                continue
            }
            switch condition {
            case .values(let values):
                // An empty list can't hold for anyone: the rule is filed nowhere, never found.
                for value in values { equalityTables[source, default: [:]][value, default: []].append(index) }
            case .prefix(let prefix):
                prefixTables[source, default: PrefixTable()].add(prefix, rule: index)
            }
        }
        for source in Set(equalityTables.keys).union(prefixTables.keys) {
            let values = equalityTables[source] ?? [:]
            switch source {
            case .slot(let slot): slotTables.append((slot, values, prefixTables[source]))
            case .collection(let collection): collectionTables.append((collection, values, prefixTables[source]))
            }
        }
    }

    public var count: Int { rules.count }

    /// Indices of the rules the subject matches, ascending. `scratch` is reused between calls
    /// to save allocations.
    public func matches<Subject: RuleSubject>(
        _ subject: Subject, context: RuleContext, scratch: inout [Int]
    ) -> [Int] {
        scratch.removeAll(keepingCapacity: true)
        for i in slotTables.indices {
            guard let value = subject.foldedString(slot: slotTables[i].slot) else { continue }
            if let found = slotTables[i].values[value] { scratch += found }
            slotTables[i].prefixes?.collect(value, into: &scratch)
        }
        for i in collectionTables.indices {
            for value in subject.foldedStrings(collectionTables[i].collection) {
                if let found = collectionTables[i].values[value] { scratch += found }
                collectionTables[i].prefixes?.collect(value, into: &scratch)
            }
        }
        scratch += unconditional
        scratch.sort()
        var matched: [Int] = []
        var previous = -1
        for index in scratch where index != previous {
            previous = index
            if rules[index].matches(subject, context: context) { matched.append(index) }
        }
        return matched
    }

    /// A condition the node can't hold without, on one property (or on the elements of the
    /// collection a lambda walks, when `item` is set).
    private static func condition(of node: CompiledNode, item: RuleCollectionProperty?) -> (Source, Condition)? {
        switch node.kind {
        case .text(let source, let test):
            let indexed: Source
            switch source {
            case .slot(let slot): indexed = .slot(slot)
            case .item:
                guard let item else { return nil }
                indexed = .collection(item)
            default: return nil
            }
            return condition(of: test).map { (indexed, $0) }
        case .textCollection(let collection, let test):
            return condition(of: test).map { (.collection(collection), $0) }
        case .anyItem(let collection, let body):
            return condition(of: body, item: collection)
        case .and(let terms):
            // Prefer a set of values (one look-up) to a prefix.
            let found = terms.compactMap { condition(of: $0, item: item) }
            return found.first { if case .values = $0.1 { true } else { false } } ?? found.first
        default:
            return nil
        }
    }

    private static func condition(of test: TextTest) -> Condition? {
        guard !test.negate else { return nil }
        switch test.test {
        case .equals(let constant): return .values([constant])
        case .oneOf(let values): return .values(values)
        case .startsWith(let prefix): return PrefixTable.isIndexable(prefix) ? .prefix(prefix) : nil
        case .matches(let regex): return literalPrefix(ofPattern: regex.pattern).map { .prefix($0) }
        default: return nil
        }
    }

    /// The text every match must begin with, for a pattern anchored at the start: `^abc.*` →
    /// "abc", `^ab*` → "a". Letters and digits only (folded to lower case, as the pattern is
    /// matched case-insensitively); any alternation gives none.
    static func literalPrefix(ofPattern pattern: String) -> String? {
        guard pattern.hasPrefix("^"), !pattern.contains("|") else { return nil }
        var literal = ""
        var rest = pattern.dropFirst()
        while let character = rest.first, character.isASCII, character.isLetter || character.isNumber {
            literal.append(character)
            rest = rest.dropFirst()
        }
        // A quantifier that allows zero repeats makes the last letter optional.
        if let next = rest.first, "*?{".contains(next), !literal.isEmpty { literal.removeLast() }
        return literal.isEmpty ? nil : literal.lowercased()
    }
}

/// Rules filed by an ASCII prefix of a property's value, several prefix lengths at once.
private struct PrefixTable: Sendable {
    var byPrefix: [String: [Int]] = [:]
    /// Distinct prefix lengths in bytes, ascending.
    var lengths: [Int] = []
    var all: [Int] = []

    static func isIndexable(_ prefix: String) -> Bool { !prefix.isEmpty && prefix.utf8.allSatisfy { $0 < 0x80 } }

    mutating func add(_ prefix: String, rule: Int) {
        byPrefix[prefix, default: []].append(rule)
        if !lengths.contains(prefix.utf8.count) {
            lengths.append(prefix.utf8.count)
            lengths.sort()
        }
        all.append(rule)
    }

    func collect(_ value: String, into found: inout [Int]) {
        let longest = lengths[lengths.count - 1]
        let bytes = value.utf8
        // The start must be ASCII one byte past the longest prefix (so no combining mark can
        // join the last compared character); otherwise every rule here is a candidate.
        var clean = 0
        for byte in bytes.prefix(longest + 1) {
            if byte >= 0x80 { break }
            clean += 1
        }
        guard clean == min(bytes.count, longest + 1) else {
            found += all
            return
        }
        for length in lengths {
            if length > bytes.count { break }
            let key = String(decoding: bytes.prefix(length), as: UTF8.self)
            if let rules = byPrefix[key] { found += rules }
        }
    }
}
