/// Operands and token descriptions: what a word before an operator refers to.
extension RuleParser {
    mutating func resolveOperand(_ token: RuleToken) -> RuleOperand {
        guard case .word(let word) = token.kind else { return .item }
        let range = token.start..<token.end
        let folded = word.lowercased()
        if folded == "_" {
            if lambdaKind != .stringCollection {
                problems.append(
                    RuleDiagnostic(
                        .queryCompilationError, at: range,
                        detail: "_ stands for an item only inside -any or -all over otherMails or proxyAddresses"))
            }
            return .item
        }
        if folded.hasPrefix("assignedplan.") {
            let name = String(word.dropFirst("assignedPlan.".count))
            if lambdaKind != .assignedPlans {
                problems.append(
                    RuleDiagnostic(
                        .queryCompilationError, at: range,
                        detail: "\(word) can be used only inside user.assignedPlans -any (...) or -all (...)"))
            }
            guard let field = AssignedPlanField.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() })
            else {
                problems.append(
                    RuleDiagnostic(
                        .attributeNotSupported, at: range, detail: "\(word) is not a field of an assigned plan",
                        hint: "use assignedPlan.servicePlanId, assignedPlan.service or assignedPlan.capabilityStatus"))
                return .assignedPlanField(.servicePlanId)
            }
            return .assignedPlanField(field)
        }
        if folded == "group.objectid" {
            if lambdaKind != .memberOf {
                problems.append(
                    RuleDiagnostic(
                        .queryCompilationError, at: range,
                        detail: "group.objectId can be used only inside user.memberOf -any (...)"))
            }
            return .groupObjectId
        }
        let parts = word.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].lowercased() == "user" else {
            let detail: String
            if parts.count == 2, parts[0].lowercased() == "device" {
                detail = "\(word) is a device property; LicenseDesk rules select users"
            } else {
                detail = "\(word) is not a user property"
            }
            problems.append(
                RuleDiagnostic(.attributeNotSupported, at: range, detail: detail, hint: "write user.<property>"))
            return .property(RuleProperty(word, .string))
        }
        let name = String(parts[1])
        if let property = RulePropertyTable.property(named: name) { return .property(property) }
        let suggestions = RulePropertyTable.suggestions(for: name)
        problems.append(
            RuleDiagnostic(
                .attributeNotSupported, at: range, detail: "user.\(name) is not a user property",
                hint: suggestions.isEmpty ? nil : "did you mean user.\(suggestions[0])?"))
        return .property(RuleProperty(name, .string))
    }

    func text(of token: RuleToken) -> String {
        if case .word(let w) = token.kind { return w }
        return describe(token)
    }

    func describe(_ token: RuleToken) -> String {
        switch token.kind {
        case .openParen: "("
        case .closeParen: ")"
        case .openBracket: "["
        case .closeBracket: "]"
        case .comma: ","
        case .string(let s): "\"\(s)\""
        case .dashWord(let w): "-\(w)"
        case .word(let w), .literal(let w): "'\(w)'"
        case .end: "the end of the rule"
        }
    }
}
