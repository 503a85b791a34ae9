import Foundation
import Testing

@testable import MembershipRules

/// `-match` patterns of literal text and `.*`, answered without ICU, must answer as ICU does.
@Suite("Literal -match patterns")
struct LiteralPatternTests {
    /// ICU's answer, as the rule engine asks it (`RuleRegex`: case-insensitive, a search).
    func icu(_ pattern: String, _ value: String) -> Bool? {
        guard let regex = RuleRegex.make(pattern) else { return nil }
        return regex.firstMatch(in: value, range: NSRange(location: 0, length: value.utf16.count)) != nil
    }

    @Test("which patterns are literal enough, and which are left to ICU")
    func recognised() {
        for pattern in ["^a.*@contoso\\.com$", "contoso", "^E3 All$", ".*", "^$", "^smtp:", "\\.com$", "a.*b.*c", "\\$100", "x\\\\$", "\\$"] {
            #expect(LiteralPattern(pattern) != nil, "\(pattern)")
        }
        for pattern in ["^a+", "[ab]", "a|b", "a?", "\\d", "\\w+", "(x)", "a.b", "a.+b", "\\Qa\\E", "a{2}", "^a$b", "#x", "a\\", ""] {
            #expect(LiteralPattern(pattern) == nil, "\(pattern)")
        }
    }

    @Test("awkward values: case, anchors, overlap, the end; a value not printable ASCII is left to ICU")
    func awkward() {
        let cases: [(String, String, Bool?)] = [
            ("^a.*@contoso\\.com$", "Adele.Vance@Contoso.com", true),
            ("^a.*@contoso\\.com$", "adele@contoso.co", false),
            ("^a.*@contoso\\.com$", "a@contoso.com", true),
            ("^ab.*ba$", "aba", false),  // prefix and suffix may not overlap
            ("^ab.*ba$", "abba", true),
            ("^e3 all$", "E3 ALL", true),
            ("^e3 all$", "E3 ALL ", false),
            ("com$", "x.com", true),
            ("^$", "", true),
            ("^$", " ", false),
            ("a.*a.*a", "aa", false),
            ("a.*a.*a", "banana", true),
            ("\\$100", "costs $100", true),
            ("x\\\\$", "x\\", true),
            ("^k", "\u{212A}elvin", nil),  // the Kelvin sign folds to k in ICU
            ("^a.*b$", "a\nb", nil),  // `.` stops at a line end
            ("b$", "ab\n", nil),  // `$` matches before a final line end
        ]
        for (pattern, value, expected) in cases {
            let literal = LiteralPattern(pattern)!
            #expect(literal.matches(value) == expected, "\(pattern) on \(value.debugDescription)")
            if let expected { #expect(icu(pattern, value) == expected, "ICU disagrees on \(pattern) / \(value.debugDescription)") }
        }
    }

    @Test("20,000 generated patterns and values: wherever the literal answers, ICU answers the same")
    func agreesWithICU() {
        var seed: UInt64 = 0x5eed
        func next(_ bound: Int) -> Int {
            // A fixed sequence (xorshift), so a failure repeats.
            seed ^= seed << 13
            seed ^= seed >> 7
            seed ^= seed << 17
            return Int(seed % UInt64(bound))
        }
        let pieces = ["a", "B", "ab", "@", "\\.", "co", "M", "-", " ", "\\$", "\\*", "x_", "'", ":"]
        let valueCharacters = Array("aAbBcCoOmM@.-_ $*x:'\u{212A}\n\u{e9}")
        var answered = 0
        var refused: [String] = []
        for _ in 0..<20_000 {
            var pattern = next(2) == 0 ? "^" : ""
            for position in 0..<(1 + next(3)) {
                if position > 0 || next(4) == 0 { pattern += ".*" }
                for _ in 0..<next(3) { pattern += pieces[next(pieces.count)] }
            }
            if next(2) == 0 { pattern += "$" }
            if pattern.isEmpty { continue }  // refused by ICU and by `LiteralPattern` alike
            guard let literal = LiteralPattern(pattern) else {
                Issue.record("not taken as literal: \(pattern)")
                continue
            }
            let value = String((0..<next(9)).map { _ in valueCharacters[next(valueCharacters.count)] })
            guard let answer = literal.matches(value) else {
                #expect(value.unicodeScalars.contains { $0.value < 0x20 || $0.value > 0x7E })
                continue
            }
            // A pattern ICU refuses never reaches a rule (`BoundedRegex` is made from ICU's).
            guard let expected = icu(pattern, value) else {
                refused.append(pattern)
                continue
            }
            answered += 1
            #expect(answer == expected, "\(pattern) on \(value.debugDescription)")
        }
        #expect(answered > 5_000)
        #expect(refused.isEmpty, "ICU refused \(Set(refused).sorted().prefix(5))")
    }
}
