import MembershipRules
import Testing

@Suite("Rule diagnostics")
struct RuleDiagnosticTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let rule: String
        let message: RuleMessage
        let column: Int
        let fragment: String?
        var testDescription: String { rule }
        init(_ rule: String, _ message: RuleMessage, _ column: Int, _ fragment: String? = nil) {
            self.rule = rule
            self.message = message
            self.column = column
            self.fragment = fragment
        }
    }

    static let cases: [Case] = [
        Case(#"user.departmnet -eq "Sales""#, .attributeNotSupported, 1, "did you mean user.department?"),
        Case(#"user.officeLocation -eq "x""#, .attributeNotSupported, 1),
        Case(#"user.extensionAttribute16 -eq "x""#, .attributeNotSupported, 1),
        Case(#"device.deviceOSType -eq "x""#, .attributeNotSupported, 1),
        Case(#"user.department -equals "Sales""#, .operatorNotSupported, 17, "did you mean -eq?"),
        Case(#"user.department -like "S*""#, .operatorNotSupported, 17, "-match"),
        Case(#"user.department -gt "a""#, .operatorNotSupported, 17),
        Case(#"user.accountEnabled -contains true"#, .operatorNotSupported, 21),
        Case(#"user.city -le "x""#, .operatorNotSupported, 11),
        Case(#"user.city -any (_ -eq "x")"#, .operatorNotSupported, 11),
        Case(#"user.assignedPlans -eq "x""#, .operatorNotSupported, 20),
        Case(#"user.memberOf -all (group.objectId -in ["a"])"#, .operatorNotSupported, 15),
        Case(#"user.department -eq "a" user.city -eq "b""#, .queryCompilationError, 25, "-and or -or"),
        Case(#"user.mail -match "*@domain.ext""#, .queryCompilationError, 18, #"".*@domain.ext""#),
        Case(#"(user.department -eq "a""#, .queryCompilationError, 1),
        Case(#"user.department -eq "a"#, .queryCompilationError, 21),
        Case(#"user.department -in ["a", "b""#, .queryCompilationError, 21),
        Case(#"user.department -in ["a",]"#, .queryCompilationError, 26),
        Case(#"user.department -eq "a" -and"#, .queryCompilationError, 29),
        Case(#"_ -eq "x""#, .queryCompilationError, 1),
        Case(#"Direct Reports for m1"#, .queryCompilationError, 20, "quote"),
        Case(#"user.memberOf -any (group.objectId -in ["a"]) -and user.city -eq "x""#, .queryCompilationError, 1),
        Case(#"user.department -match ["a"]"#, .valueNotApplicable, 24),
        Case(#"user.department -eq ["a"]"#, .valueNotApplicable, 21),
        Case(#"user.department -in "x""#, .valueNotApplicable, 21),
        Case(#"user.accountEnabled -eq "yes""#, .valueNotApplicable, 25),
        Case(#"user.department -eq null -and -not null"#, .invalidNotOperands, 31),
        Case(#"user.mail -not null"#, .invalidNotOperands, 11, "user.mail -ne null"),
        Case(String(repeating: " ", count: 3073) + #"user.city -eq "a""#, .ruleTooLong, 3073),
    ]

    @Test("each error class with its column", arguments: cases)
    func errorClass(_ c: Case) {
        do {
            _ = try MembershipRule(c.rule)
            Issue.record("accepted: \(c.rule)")
        } catch {
            let problem = error.problems.first { $0.message == c.message }
            #expect(problem != nil, "got \(error.problems.map(\.text))")
            #expect(problem?.column == c.column, "got \(error.problems.map(\.description))")
            if let fragment = c.fragment { #expect(problem?.text.contains(fragment) == true, "got \(problem?.text ?? "")") }
        }
    }

    @Test("every problem is reported, not only the first")
    func collectsAll() {
        do {
            _ = try MembershipRule(#"user.departmnet -eq "a" -and user.accountEnabled -contains true -and user.citty -eq "b""#)
            Issue.record("accepted")
        } catch {
            #expect(error.problems.count == 3)
        }
    }

    @Test("the caret line sits under the problem")
    func caret() throws {
        let rule = #"user.department -equals "Sales""#
        do {
            _ = try MembershipRule(rule)
        } catch {
            #expect(error.first.caretLines(for: rule) == [rule, "                ^^^^^^^"])
        }
    }
}

@Suite("Canonical form")
struct CanonicalFormTests {
    static let rules = [
        #"user.extensionAttribute10 -eq "E3 All""#,
        #"user.department -eq 'O''Brien' and (user.city -startswith "a" or not user.state -eq null)"#,
        #"-not (user.a -eq "x" -or user.b -eq "y")"#.replacingOccurrences(of: "user.a", with: "user.city").replacingOccurrences(
            of: "user.b", with: "user.state"),
        #"user.proxyAddresses -any (_ -contains "contoso") -and user.accountEnabled -eq True"#,
        #"user.employeeHireDate -ge system.now -minus P30D"#,
        #"user.memberOf -any (group.objectId -in ['a', "b"])"#,
        #"Direct Reports for "abc""#,
        #"user.department -eq "quote `" and tick ``""#,
    ]

    @Test("print → parse → print is a fixed point", arguments: rules)
    func fixedPoint(_ text: String) throws {
        let first = try MembershipRule(text).canonicalText
        let second = try MembershipRule(first).canonicalText
        #expect(first == second)
        #expect(try MembershipRule(first).expression == MembershipRule(text).expression)
    }

    @Test("canonical text spells keywords and properties canonically")
    func spelling() throws {
        #expect(
            try MembershipRule(#"USER.DEPARTMENT -EQ "x" and user.city -startswith 'y'"#).canonicalText
                == #"user.department -eq "x" -and user.city -startsWith "y""#)
    }
}
