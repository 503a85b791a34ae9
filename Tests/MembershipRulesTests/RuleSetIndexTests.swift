import Foundation
import Testing

@testable import MembershipRules

/// `RuleSetIndex` only filters which rules are tried; these tests hold it to trying every rule.
@Suite("Rule set index")
struct RuleSetIndexTests {
    /// Rule shapes the index files (equality, lists, prefixes, anchored patterns, lambdas) and
    /// shapes it must leave unconditional (negations, -or, nulls, unanchored patterns).
    static let rules: [String] = [
        #"user.department -eq "Sales""#,
        #"user.department -eq "Säles""#,
        #"user.department -in ["IT", "HR", "sales"]"#,
        #"user.department -in []"#,
        #"user.department -ne "Sales""#,
        #"user.department -eq null"#,
        #"user.city -startsWith "Se""#,
        #"user.city -startsWith "S""#,
        #"user.city -startsWith "K" -and user.accountEnabled -eq true"#,
        #"user.city -startsWith "é""#,
        #"user.city -notStartsWith "Se""#,
        #"user.mail -match "^s.*@contoso\.com$""#,
        #"user.mail -match "^ab*c""#,
        #"user.mail -match "^k""#,
        #"user.mail -match "^i""#,
        #"user.mail -match "^a|^b""#,
        #"user.mail -match "s.*""#,
        #"user.mail -match "^(?i)S""#,
        #"user.proxyAddresses -any (_ -startsWith "smtp:s")"#,
        #"user.proxyAddresses -any (_ -eq "smtp:ks@contoso.com")"#,
        #"user.proxyAddresses -all (_ -startsWith "smtp:")"#,
        #"user.proxyAddresses -contains "contoso""#,
        #"user.department -eq "Sales" -and user.city -eq "Seattle" -and (user.jobTitle -eq "x" -or user.jobTitle -ne null)"#,
        #"user.department -eq "Sales" -or user.city -startsWith "Se""#,
        #"user.city -eq "Seattle" -and user.department -in ["IT", "Sales"]"#,
    ]

    /// Values chosen to catch a byte comparison passing for Unicode: case, a precomposed and a
    /// decomposed é, the long s and Kelvin sign that ICU folds to s and k, a dotted capital I,
    /// CR LF, and emptiness.
    static let values: [String?] = [
        nil, "", "Sales", "sales", "SALES", "Säles", "Sa\u{0308}les", "IT", "Seattle", "Se", "S", "se\u{0301}attle",
        "ſeattle", "\u{212A}yoto", "Kyoto", "İstanbul", "istanbul", "é", "e\u{0301}", "abc", "ac", "abbbc", "S\r\nx",
        "s@contoso.com", "ſ@contoso.com", "\u{212A}s@contoso.com", "kS@contoso.com", "x",
    ]

    func record(_ generator: inout SystemRandomNumberGenerator) throws -> RuleUserRecord {
        func pick() -> String? { Self.values.randomElement(using: &generator)! }
        var fields: [String: Any] = [:]
        for name in ["department", "city", "mail", "jobTitle"] { if let value = pick() { fields[name] = value } }
        fields["accountEnabled"] = Bool.random(using: &generator)
        fields["proxyAddresses"] = (0..<Int.random(in: 0...3, using: &generator)).map { _ in "smtp:" + (pick() ?? "") }
        return try RuleUserRecord(fields: fields)
    }

    @Test("matches exactly the rules a full evaluation matches, over tricky Unicode values")
    func sameAsEveryRule() throws {
        let rules = try Self.rules.map { try MembershipRule($0) }
        let index = RuleSetIndex(rules)
        let context = RuleContext(now: Date(timeIntervalSince1970: 1_800_000_000))
        var generator = SystemRandomNumberGenerator()
        var scratch: [Int] = []
        var matched = Set<Int>()
        for _ in 0..<20_000 {
            let user = try record(&generator)
            let expected = rules.indices.filter { rules[$0].matches(user, context: context) }
            let found = index.matches(user, context: context, scratch: &scratch)
            #expect(found == expected, "\(user)")
            if found != expected { return }
            matched.formUnion(found)
        }
        // The random users reached almost every rule (the empty list matches nobody).
        #expect(matched.count >= rules.count - 2)
    }

    @Test("an anchored pattern's literal start, and none when a quantifier or alternation spoils it")
    func literalPrefixes() {
        #expect(RuleSetIndex.literalPrefix(ofPattern: "^Ab1.*") == "ab1")
        #expect(RuleSetIndex.literalPrefix(ofPattern: "^abc*") == "ab")
        #expect(RuleSetIndex.literalPrefix(ofPattern: "^ab?c") == "a")
        #expect(RuleSetIndex.literalPrefix(ofPattern: "^a{0,2}") == nil)
        #expect(RuleSetIndex.literalPrefix(ofPattern: "^ab+") == "ab")
        #expect(RuleSetIndex.literalPrefix(ofPattern: "^a|^b") == nil)
        #expect(RuleSetIndex.literalPrefix(ofPattern: "a.*") == nil)
        #expect(RuleSetIndex.literalPrefix(ofPattern: "^\\d") == nil)
        #expect(RuleSetIndex.literalPrefix(ofPattern: "^(?i)a") == nil)
    }
}
