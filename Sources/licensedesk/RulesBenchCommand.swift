import ArgumentParser
import Foundation
import LicenseModel
import MembershipRules

/// `rules bench`: compiled-rule evaluations per second over synthetic users, next to a
/// hand-written Swift loop doing the same comparison on the same user values.
struct RulesBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure compiled-rule evaluations per second (prints figures; no pass/fail).")

    @Option(help: "How many synthetic users.") var users = 1_000_000
    @Option(help: "Repetitions; the best is reported.") var repeats = 3

    func run() throws {
        let start = Date()
        let population = SyntheticUsers.make(count: users)
        print("generated \(users) users in \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        let views = population.map { RuleView($0) }
        let ext10 = StringSlot.extensionAttribute(10)
        let cases: [(String, String, (RuleView) -> Bool)] = [
            ("simple", #"user.extensionAttribute10 -eq "E3 All""#, { $0.user.strings.folded(ext10) == "e3 all" }),
            (
                "five clauses",
                #"(user.department -eq "Sales" -or user.department -eq "Marketing") -and user.city -startsWith "sea" -and user.accountEnabled -eq true -and user.usageLocation -in ["US", "GB"] -and user.jobTitle -ne null"#,
                { view in
                    let department = view.user.strings.folded(6)
                    guard department == "sales" || department == "marketing" else { return false }
                    guard view.user.strings.folded(3)?.hasPrefix("sea") ?? false else { return false }
                    guard view.user.accountEnabled == true else { return false }
                    guard let location = view.user.strings.folded(StringSlot.usageLocation), location == "us" || location == "gb"
                    else { return false }
                    return view.user.strings.folded(10) != nil
                }
            ),
            ("match", #"user.mail -match "^a.*@contoso\.com$""#, { view in
                guard let mail = view.user.strings.folded(11) else { return false }
                return mail.hasPrefix("a") && mail.hasSuffix("@contoso.com")
            }),
            ("any", #"user.proxyAddresses -any (_ -startsWith "smtp:a")"#, { view in
                view.user.proxyAddresses.contains { $0.lowercased().hasPrefix("smtp:a") }
            }),
        ]
        let context = RuleContext()
        print("rule            compiled/s     hand loop/s    ratio   matches")
        for (name, text, handWritten) in cases {
            let rule = try MembershipRule(text)
            var bestRule = Double.infinity
            var bestHand = Double.infinity
            var ruleMatches = 0
            var handMatches = 0
            for _ in 0..<max(1, repeats) {
                var t = Date()
                ruleMatches = 0
                for view in views where rule.matches(view, context: context) { ruleMatches += 1 }
                bestRule = min(bestRule, Date().timeIntervalSince(t))
                t = Date()
                handMatches = 0
                for view in views where handWritten(view) { handMatches += 1 }
                bestHand = min(bestHand, Date().timeIntervalSince(t))
            }
            let ruleRate = Double(users) / bestRule
            let handRate = Double(users) / bestHand
            print(
                name.padding(toLength: 16, withPad: " ", startingAt: 0)
                    + String(format: "%12.0f   %12.0f   %5.2f   %d", ruleRate, handRate, ruleRate / handRate, ruleMatches)
                    + (ruleMatches == handMatches ? "" : "  (hand loop matched \(handMatches): the two disagree)"))
        }
    }
}

/// Deterministic synthetic users with realistic attribute spreads, for benchmarks.
enum SyntheticUsers {
    static func make(count: Int, seed: UInt64 = 42) -> [User] {
        var generator = SplitMix(seed: seed)
        let departments = ["Sales", "Marketing", "IT", "Finance", "HR", "R&D", "Support", "Legal", "Operations", "Retail"]
        let cities = ["Seattle", "London", "Paris", "Berlin", "Tokyo", "Sydney", "Toronto", "Zürich", "Madrid", "Seoul"]
        let locations = ["US", "GB", "FR", "DE", "JP", "AU", "CA", "CH", "ES", "KR"]
        let tiers = ["E3 All", "E3 with Selected Services", "E5", "F3", nil]
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        return (0..<count).map { index in
            let first = String(letters[Int(generator.next() % 26)]) + "user\(index)"
            var user = User(
                id: String(format: "%08x-0000-4000-8000-%012x", index, index), userPrincipalName: "\(first)@contoso.com",
                displayName: "User \(index)")
            user.accountEnabled = generator.next() % 10 != 0
            let place = Int(generator.next() % 10)
            user.strings[3] = cities[place]
            user.usageLocation = locations[place]
            user.strings[6] = departments[Int(generator.next() % 10)]
            if generator.next() % 4 != 0 { user.strings[10] = "Specialist" }
            user.strings[11] = "\(first)@contoso.com"
            user.setExtensionAttribute(10, tiers[Int(generator.next() % 5)])
            user.proxyAddresses = ["SMTP:\(first)@contoso.com", "smtp:\(first)@contoso.onmicrosoft.com"]
            return user
        }
    }
}

/// A small seeded generator so synthetic tenants are the same every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
