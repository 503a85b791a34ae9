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
        let population = SyntheticTenant.users(count: users)
        print("generated \(users) users in \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        let views = population.map { RuleView($0) }
        let ext10 = StringSlot.extensionAttribute(10)
        let cases: [(String, String, (RuleView) -> Bool)] = [
            ("simple", BenchRules.simple, { $0.user.strings.folded(ext10) == "e3 all" }),
            (
                "five clauses", BenchRules.fiveClauses,
                { view in
                    let department = view.user.strings.folded(Slots.department)
                    guard department == "sales" || department == "marketing" else { return false }
                    guard view.user.strings.folded(Slots.city)?.hasPrefix("sea") ?? false else { return false }
                    guard view.user.accountEnabled == true else { return false }
                    guard let location = view.user.strings.folded(StringSlot.usageLocation), location == "us" || location == "gb"
                    else { return false }
                    return view.user.strings.folded(Slots.jobTitle) != nil
                }
            ),
            (
                "match", BenchRules.match,
                { view in
                    guard let mail = view.user.strings.folded(Slots.mail) else { return false }
                    return mail.hasPrefix("a") && mail.hasSuffix("@contoso.com")
                }
            ),
            (
                "any", BenchRules.any,
                { view in
                    view.user.proxyAddresses.contains { $0.lowercased().hasPrefix("smtp:a") }
                }
            ),
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

/// Slots the hand-written loops read directly.
enum Slots {
    static let city = StringSlot.slot(named: "city")!
    static let department = StringSlot.slot(named: "department")!
    static let jobTitle = StringSlot.slot(named: "jobTitle")!
    static let mail = StringSlot.slot(named: "mail")!
}
