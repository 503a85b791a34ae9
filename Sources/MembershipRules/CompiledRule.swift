import Foundation

/// A rule compiled for fast evaluation: property slots resolved, constants folded, regular
/// expressions built, `-in` lists hashed. Compile once, evaluate many times.
struct CompiledNode: Sendable {
    indirect enum Kind: Sendable {
        case or([CompiledNode])
        case and([CompiledNode])
        case not(CompiledNode)
        case text(TextSource, TextTest)
        case textCollection(RuleCollectionProperty, TextTest)
        case boolean(RuleBooleanProperty, expected: Bool?, negate: Bool)
        case hireDate(DateTest)
        case anyItem(RuleCollectionProperty, CompiledNode)
        case allItems(RuleCollectionProperty, CompiledNode)
        case anyPlan(CompiledNode)
        case allPlans(CompiledNode)
        case memberOf(Set<String>)
        case directReports(String)
    }
    let kind: Kind
    /// Canonical text of this sub-expression, for explanations.
    let source: String
}

enum TextSource: Sendable {
    case slot(Int)
    case customExtension(String)
    case item
    case planField(AssignedPlanField)
}

/// A string test in positive form, and whether to negate it (`specs/rules.md` §7).
struct TextTest: @unchecked Sendable {
    enum Test {
        case isNull
        case equals(String)
        case startsWith(String)
        case endsWith(String)
        case contains([UInt8])
        case matches(BoundedRegex)
        case oneOf(Set<String>)
    }
    let test: Test
    let negate: Bool

    @inline(__always)
    func holds(for value: String?) -> Bool {
        let positive: Bool
        if let value, !value.isEmpty {
            switch test {
            case .isNull: positive = false
            case .equals(let constant): positive = value == constant
            case .startsWith(let constant): positive = value.hasPrefix(constant)
            case .endsWith(let constant): positive = value.hasSuffix(constant)
            case .contains(let bytes): positive = Self.contains(value, bytes)
            case .matches(let regex): positive = regex.matches(value)
            case .oneOf(let set): positive = set.contains(value)
            }
        } else {
            if case .isNull = test { positive = true } else { positive = false }
        }
        return positive != negate
    }

    /// Substring search on UTF-8 bytes of folded text.
    @inline(__always)
    static func contains(_ value: String, _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        var value = value
        return value.withUTF8 { haystack in
            needle.withUnsafeBufferPointer { pattern in
                guard haystack.count >= pattern.count else { return false }
                let first = pattern[0]
                var start = 0
                let last = haystack.count - pattern.count
                while start <= last {
                    if haystack[start] == first {
                        var offset = 1
                        while offset < pattern.count, haystack[start + offset] == pattern[offset] { offset += 1 }
                        if offset == pattern.count { return true }
                    }
                    start += 1
                }
                return false
            }
        }
    }
}

struct DateTest: Sendable {
    enum Bound: Sendable {
        case instant(Date)
        case now(offsetDays: Int)
        case null
    }
    let op: RuleOperator
    let bound: Bound

    func holds(for value: Date?, context: RuleContext) -> Bool {
        let constant: Date?
        switch bound {
        case .instant(let date): constant = date
        case .now(let days): constant = context.now.addingTimeInterval(Double(days) * 86_400)
        case .null: constant = nil
        }
        guard let constant else { return op == .eq ? value == nil : value != nil }
        guard let value else { return op == .ne }
        switch op {
        case .eq: return value == constant
        case .ne: return value != constant
        case .le: return value <= constant
        case .ge: return value >= constant
        default: return false
        }
    }
}
