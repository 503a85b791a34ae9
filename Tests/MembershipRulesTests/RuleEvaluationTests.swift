import Foundation
import MembershipRules
import Testing

/// A user made from a JSON object, as `rules test --user` takes it.
func user(_ json: String) -> RuleUserRecord {
    try! RuleUserRecord(json: Data(json.utf8))
}

func evaluate(_ rule: String, _ json: String, now: Date = Date(timeIntervalSince1970: 1_800_000_000)) throws -> Bool {
    try MembershipRule(rule).matches(user(json), context: RuleContext(now: now))
}

@Suite("Rule evaluation")
struct RuleEvaluationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let rule: String
        let user: String
        let expected: Bool
        var testDescription: String { "\(rule) on \(user) is \(expected)" }
        init(_ rule: String, _ user: String, _ expected: Bool) {
            self.rule = rule
            self.user = user
            self.expected = expected
        }
    }

    static let operators: [Case] = [
        Case(#"user.department -eq "Sales""#, #"{"department":"sales"}"#, true),
        Case(#"user.department -eq "Sales""#, #"{"department":"Sales "}"#, false),
        Case(#"user.department -ne "Sales""#, #"{"department":"IT"}"#, true),
        Case(#"user.department -startsWith "Sa""#, #"{"department":"SALES"}"#, true),
        Case(#"user.department -notStartsWith "Sa""#, #"{"department":"Sales"}"#, false),
        Case(#"user.mail -endsWith "@CONTOSO.com""#, #"{"mail":"a@contoso.com"}"#, true),
        Case(#"user.mail -notEndsWith "@contoso.com""#, #"{"mail":"a@fabrikam.com"}"#, true),
        Case(#"user.city -contains "ago""#, #"{"city":"Lagos"}"#, true),
        Case(#"user.city -notContains "ago""#, #"{"city":"Lagos"}"#, false),
        Case(#"user.displayName -match "^Da.*""#, #"{"displayName":"David"}"#, true),
        Case(#"user.displayName -match "^Da.*""#, #"{"displayName":"aDa"}"#, false),
        Case(#"user.mail -match "@domain\.ext$""#, #"{"mail":"x@DOMAIN.ext"}"#, true),
        Case(#"user.employeeId -match "\d{3}""#, #"{"employeeId":"ab123"}"#, true),
        Case(#"user.displayName -notMatch "on""#, #"{"displayName":"Ron"}"#, false),
        Case(#"user.country -in ["US", "GB"]"#, #"{"country":"gb"}"#, true),
        Case(#"user.country -notIn ["US", "GB"]"#, #"{"country":"FR"}"#, true),
        Case(#"user.accountEnabled -eq true"#, #"{"accountEnabled":true}"#, true),
        Case(#"user.accountEnabled -ne true"#, #"{"accountEnabled":true}"#, false),
        Case(#"user.employeeHireDate -le 2020-06-10T18:13:20Z"#, #"{"employeeHireDate":"2019-01-01T00:00:00Z"}"#, true),
        Case(#"user.employeeHireDate -ge system.now -minus p30d"#, #"{"employeeHireDate":"2027-01-10T00:00:00Z"}"#, true),
        Case(#"user.employeeHireDate -ge system.now -minus p30d"#, #"{"employeeHireDate":"2020-01-10T00:00:00Z"}"#, false),
        Case(#"user.extension_0123456789abcdef0123456789abcdef_costCentre -eq "42""#, #"{"extension_0123456789abcdef0123456789abcdef_costCentre":"42"}"#, true),
    ]

    @Test("each operator", arguments: operators)
    func eachOperator(_ c: Case) throws {
        #expect(try evaluate(c.rule, c.user) == c.expected)
    }

    static let nulls: [Case] = [
        Case(#"user.department -eq null"#, #"{}"#, true),
        Case(#"user.department -eq $NULL"#, #"{"department":""}"#, true),
        Case(#"user.department -ne null"#, #"{"department":"x"}"#, true),
        Case(#"user.department -eq "null""#, #"{}"#, false),
        Case(#"user.department -eq "Sales""#, #"{}"#, false),
        Case(#"user.department -ne "Sales""#, #"{}"#, true),
        Case(#"user.department -startsWith "S""#, #"{}"#, false),
        Case(#"user.department -notStartsWith "S""#, #"{}"#, true),
        Case(#"user.department -notContains "S""#, #"{}"#, true),
        Case(#"user.department -match ".*""#, #"{}"#, false),
        Case(#"user.department -notMatch ".*""#, #"{}"#, true),
        Case(#"user.department -in ["a"]"#, #"{}"#, false),
        Case(#"user.department -notIn ["a"]"#, #"{}"#, true),
        Case(#"user.department -eq """#, #"{}"#, true),
    ]

    @Test("null and missing attributes (specs/rules.md §7)", arguments: nulls)
    func nullHandling(_ c: Case) throws {
        #expect(try evaluate(c.rule, c.user) == c.expected)
    }

    static let precedence: [Case] = [
        Case(
            #"user.a1 -eq "x" -or user.city -eq "b" -and user.state -eq "c""#.replacingOccurrences(of: "a1", with: "department"), #"{"department":"x"}"#, true),
        Case(#"(user.department -eq "x" -or user.city -eq "b") -and user.state -eq "c""#, #"{"department":"x"}"#, false),
        Case(#"-not user.department -eq "x""#, #"{"department":"x"}"#, false),
        Case(#"-not -not user.department -eq "x""#, #"{"department":"x"}"#, true),
        Case(#"user.department -eq "x" and not (user.city -eq "y")"#, #"{"department":"x","city":"z"}"#, true),
        Case(#"(user.department -eq "x")-or(user.city -eq "y")"#, #"{"city":"Y"}"#, true),
        Case("user.department –eq \"x\"", #"{"department":"x"}"#, true),
        Case("USER.DEPARTMENT -EQ \"X\" -OR user.city -Eq NULL", #"{"department":"q"}"#, true),
    ]

    @Test("precedence, keyword case and hyphens", arguments: precedence)
    func precedenceCases(_ c: Case) throws {
        #expect(try evaluate(c.rule, c.user) == c.expected)
    }

    static let quoting: [Case] = [
        Case(#"user.department -eq 'Sales'"#, #"{"department":"Sales"}"#, true),
        Case(#"user.department -eq 'O''Brien'"#, #"{"department":"O'Brien"}"#, true),
        Case(#"user.department -eq "say `"hi`"""#, #"{"department":"say \"hi\""}"#, true),
        Case(#"user.department -eq "back``tick""#, #"{"department":"back`tick"}"#, true),
        Case(#"user.department -eq `"Sales`""#, #"{"department":"\"Sales\""}"#, true),
        Case(#"user.city -eq "ZÜRICH""#, #"{"city":"Zürich"}"#, true),
        Case(#"user.city -eq " Sales""#, #"{"city":"Sales"}"#, false),
    ]

    @Test("quoting, escapes and case folding", arguments: quoting)
    func quotingCases(_ c: Case) throws {
        #expect(try evaluate(c.rule, c.user) == c.expected)
    }

    static let collections: [Case] = [
        Case(#"user.proxyAddresses -any (_ -startsWith "smtp:a")"#, #"{"proxyAddresses":["SMTP:b@x","smtp:a@x"]}"#, true),
        Case(#"user.proxyAddresses -all (_ -endsWith "@x")"#, #"{"proxyAddresses":["a@x","b@y"]}"#, false),
        Case(#"user.proxyAddresses -all (_ -endsWith "@x")"#, #"{}"#, true),
        Case(#"user.proxyAddresses -any (_ -endsWith "@x")"#, #"{}"#, false),
        Case(#"user.otherMails -contains "alt""#, #"{"otherMails":["x@alt.com"]}"#, true),
        Case(#"user.otherMails -notContains "alt""#, #"{"otherMails":["x@alt.com","y@b.com"]}"#, false),
        Case(
            #"user.assignedPlans -any (assignedPlan.servicePlanId -eq "efb87545-963c-4e0d-99df-69c6916d9eb0" -and assignedPlan.capabilityStatus -eq "Enabled")"#,
            #"{"assignedPlans":[{"servicePlanId":"efb87545-963c-4e0d-99df-69c6916d9eb0","service":"exchange","capabilityStatus":"Enabled"}]}"#, true),
        Case(
            #"user.assignedPlans -any (assignedPlan.servicePlanId -eq "efb87545-963c-4e0d-99df-69c6916d9eb0" -and assignedPlan.capabilityStatus -eq "Enabled")"#,
            #"{"assignedPlans":[{"servicePlanId":"efb87545-963c-4e0d-99df-69c6916d9eb0","capabilityStatus":"Deleted"},{"servicePlanId":"x","capabilityStatus":"Enabled"}]}"#,
            false),
        Case(#"user.assignedPlans -all (assignedPlan.servicePlanId -eq null)"#, #"{}"#, true),
        Case(#"user.memberOf -any (group.objectId -in ['g1', 'G2'])"#, #"{"memberOf":["g2"]}"#, true),
        Case(#"user.memberOf -any (group.objectId -in ["g1"])"#, #"{"memberOf":["g3"]}"#, false),
        Case(#"Direct Reports for "M1""#, #"{"manager":"m1"}"#, true),
        Case(#"Direct Reports for "m1""#, #"{"manager":"m2"}"#, false),
    ]

    @Test("-any, -all and the special rules", arguments: collections)
    func collectionCases(_ c: Case) throws {
        #expect(try evaluate(c.rule, c.user) == c.expected)
    }

    @Test("explain gives the value of every sub-expression")
    func explain() throws {
        let rule = try MembershipRule(#"user.department -eq "Sales" -and user.city -eq "Paris""#)
        let explanation = rule.explain(user(#"{"department":"Sales","city":"Lyon"}"#))
        #expect(explanation.result == false)
        #expect(explanation.children.map(\.result) == [true, false])
        #expect(explanation.children[1].actual == "\"lyon\"")
    }
}
