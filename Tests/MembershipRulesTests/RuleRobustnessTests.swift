import MembershipRules
import Testing

/// Random input never crashes the parser: it gives a tree or diagnostics, nothing else.
@Suite("Rule robustness")
struct RuleRobustnessTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let seeds = [
        #"user.extensionAttribute10 -eq "E3 All""#,
        #"(user.department -eq "Sales" -or user.city -in ["a", 'b']) -and -not user.mail -match "^x.*$""#,
        #"user.proxyAddresses -any (_ -startsWith "smtp:") -and user.employeeHireDate -ge system.now -minus p30d"#,
        #"user.assignedPlans -any (assignedPlan.capabilityStatus -eq "Enabled")"#,
        #"Direct Reports for "m""#,
    ]

    @Test("random byte strings give a tree or diagnostics")
    func randomBytes() {
        var generator = Generator(state: 7)
        let alphabet = Array("user.-eqandor()[]\"'`,_ $nulltrue 0123456789 –\u{1b}\n\tÜ") + ["\u{0}"]
        var parsed = 0
        for _ in 0..<3000 {
            let length = generator.below(60)
            let text = String((0..<length).map { _ in alphabet[generator.below(alphabet.count)] })
            if (try? MembershipRule(text)) != nil { parsed += 1 }
        }
        #expect(parsed < 3000)
    }

    @Test("random mutations of valid rules give a tree or diagnostics, and parsed ones print to a fixed point")
    func mutations() throws {
        var generator = Generator(state: 11)
        let pieces = [" ", "(", ")", "\"", "'", "-", "-and ", " -or ", "-not ", "[", "]", ",", "`", "null", "_", "."]
        var checked = 0
        for _ in 0..<3000 {
            var characters = Array(Self.seeds[generator.below(Self.seeds.count)])
            for _ in 0..<(1 + generator.below(3)) {
                let position = generator.below(characters.count + 1)
                switch generator.below(3) {
                case 0: characters.insert(contentsOf: pieces[generator.below(pieces.count)], at: position)
                case 1: if position < characters.count { characters.remove(at: position) }
                default: if position < characters.count { characters[position] = Array(pieces[generator.below(pieces.count)])[0] }
                }
            }
            if let rule = try? MembershipRule(String(characters)) {
                let again = try MembershipRule(rule.canonicalText)
                #expect(again.canonicalText == rule.canonicalText)
                checked += 1
            }
        }
        #expect(checked > 0)
    }
}
