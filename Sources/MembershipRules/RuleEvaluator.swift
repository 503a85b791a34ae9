import Foundation

/// The item a lambda body is looking at.
enum LambdaItem {
    case none
    case text(String)
    case plan(RuleAssignedPlan)
}

extension CompiledNode {
    @inline(__always)
    func evaluate<Subject: RuleSubject>(_ subject: Subject, _ context: RuleContext, _ item: LambdaItem = .none) -> Bool {
        switch kind {
        case .text(let source, let test):
            return test.holds(for: Self.value(source, subject, item))
        case .and(let terms):
            for term in terms where !term.evaluate(subject, context, item) { return false }
            return true
        case .or(let terms):
            for term in terms where term.evaluate(subject, context, item) { return true }
            return false
        case .not(let inner):
            return !inner.evaluate(subject, context, item)
        case .textCollection(let collection, let test):
            // A positive operator holds when some element satisfies it; a negative one when
            // no element satisfies its positive form (specs/rules.md §7).
            let elements = subject.foldedStrings(collection)
            if test.negate {
                let positive = TextTest(test: test.test, negate: false)
                return !elements.contains { positive.holds(for: $0) }
            }
            return elements.contains { test.holds(for: $0) }
        case .boolean(let property, let expected, let negate):
            return (subject.boolean(property) == expected) != negate
        case .hireDate(let test):
            return test.holds(for: subject.employeeHireDate, context: context)
        case .anyItem(let collection, let body):
            return subject.foldedStrings(collection).contains { body.evaluate(subject, context, .text($0)) }
        case .allItems(let collection, let body):
            return subject.foldedStrings(collection).allSatisfy { body.evaluate(subject, context, .text($0)) }
        case .anyPlan(let body):
            return subject.rulePlans.contains { body.evaluate(subject, context, .plan($0)) }
        case .allPlans(let body):
            return subject.rulePlans.allSatisfy { body.evaluate(subject, context, .plan($0)) }
        case .memberOf(let groups):
            return groups.contains { subject.isMember(ofGroup: $0) }
        case .directReports(let managerID):
            return subject.foldedManagerID == managerID
        }
    }

    @inline(__always)
    static func value<Subject: RuleSubject>(_ source: TextSource, _ subject: Subject, _ item: LambdaItem) -> String? {
        switch source {
        case .slot(let slot): return subject.foldedString(slot: slot)
        case .customExtension(let name): return subject.foldedCustomExtension(named: name)
        case .item:
            if case .text(let text) = item { return text }
            return nil
        case .planField(let field):
            guard case .plan(let plan) = item else { return nil }
            switch field {
            case .servicePlanId: return plan.servicePlanId
            case .service: return plan.service
            case .capabilityStatus: return plan.capabilityStatus
            }
        }
    }
}
