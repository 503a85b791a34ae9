import Foundation

/// Turns a checked syntax tree into `CompiledNode`s. Every `-match` pattern of one rule shares
/// the rule's `MatchBudget`.
struct RuleCompiler {
    let budget: MatchBudget

    func compile(_ expression: RuleExpression) -> CompiledNode {
        let source = RulePrinter.print(expression)
        switch expression {
        case .or(let terms): return CompiledNode(kind: .or(terms.map(compile)), source: source)
        case .and(let terms): return CompiledNode(kind: .and(terms.map(compile)), source: source)
        case .not(let inner): return CompiledNode(kind: .not(compile(inner)), source: source)
        case .directReports(let id): return CompiledNode(kind: .directReports(RuleText.fold(id)), source: source)
        case .quantified(let property, let quantifier, let body):
            let compiledBody = compile(body)
            switch property.kind {
            case .assignedPlans:
                return CompiledNode(kind: quantifier == .any ? .anyPlan(compiledBody) : .allPlans(compiledBody), source: source)
            case .memberOf:
                return CompiledNode(kind: .memberOf(Self.groupIDs(in: body)), source: source)
            default:
                let collection = RuleCollectionProperty(rawValue: property.name)!
                return CompiledNode(
                    kind: quantifier == .any ? .anyItem(collection, compiledBody) : .allItems(collection, compiledBody),
                    source: source)
            }
        case .comparison(let operand, let op, let value):
            return CompiledNode(kind: comparison(operand, op, value), source: source)
        }
    }

    private func comparison(_ operand: RuleOperand, _ op: RuleOperator, _ value: RuleValue) -> CompiledNode.Kind {
        switch operand {
        case .item: return .text(.item, textTest(op, value))
        case .assignedPlanField(let field): return .text(.planField(field), textTest(op, value))
        case .groupObjectId: return .memberOf([])
        case .property(let property):
            switch property.kind {
            case .string:
                if let name = property.customExtension {
                    return .text(.customExtension(name.lowercased()), textTest(op, value))
                }
                return .text(.slot(property.slot), textTest(op, value))
            case .stringCollection:
                return .textCollection(RuleCollectionProperty(rawValue: property.name)!, textTest(op, value))
            case .boolean:
                let expected: Bool?
                switch value {
                case .boolean(let flag): expected = flag
                case .string(let text): expected = text.lowercased() == "true"
                default: expected = nil
                }
                return .boolean(RuleBooleanProperty(rawValue: property.name)!, expected: expected, negate: op == .ne)
            case .dateTime:
                let bound: DateTest.Bound
                switch value {
                case .date(let date, _): bound = .instant(date)
                case .now(let days): bound = .now(offsetDays: days)
                case .string(let text): bound = RuleDates.parse(text).map { .instant($0) } ?? .null
                default: bound = .null
                }
                return .hireDate(DateTest(op: op, bound: bound))
            case .assignedPlans, .memberOf:
                return .memberOf([])  // rejected by the checker; never compiled
            }
        }
    }

    private func textTest(_ op: RuleOperator, _ value: RuleValue) -> TextTest {
        let negate = op.isNegative
        let constant: String?
        switch value {
        case .string(let text): constant = RuleText.foldOrNull(text)
        default: constant = nil
        }
        let test: TextTest.Test
        switch op.positive {
        case .eq: test = constant.map { .equals($0) } ?? .isNull
        case .startsWith: test = .startsWith(constant ?? "")
        case .endsWith: test = .endsWith(constant ?? "")
        case .contains: test = .contains(Array((constant ?? "").utf8))
        case .match:
            let pattern: String = if case .string(let p) = value { p } else { "" }
            test = BoundedRegex(pattern, budget: budget).map { .matches($0) } ?? .isNull
        case .in:
            let items: [String] = if case .list(let list) = value { list } else { [] }
            test = .oneOf(Set(items.compactMap(RuleText.foldOrNull)))
        default: test = .isNull
        }
        return TextTest(test: test, negate: negate)
    }

    private static func groupIDs(in body: RuleExpression) -> Set<String> {
        var ids: Set<String> = []
        func walk(_ expression: RuleExpression) {
            switch expression {
            case .comparison(.groupObjectId, _, .list(let items)): ids.formUnion(items.map(RuleText.fold))
            case .or(let terms), .and(let terms): terms.forEach(walk)
            case .not(let inner): walk(inner)
            default: break
            }
        }
        walk(body)
        return ids
    }
}
