import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A rule's `-match` patterns with a bound on every evaluation, as Entra's engine has (a
/// regular expression timeout): `(a+)+$` against forty `a`s and a `!` backtracks for days,
/// and one admin's rule must not hold every other admin's state for that long.
///
/// ICU (under NSRegularExpression) calls back periodically while it matches
/// (`.reportProgress`); the callback stops the match once `timeLimit` has passed. A match
/// stopped so counts as no match, and the rule's `MatchBudget` records it: from then on the
/// rule's patterns answer at once without running, and the engine fails that group's
/// processing with the reason instead of changing its members.
final class BoundedRegex: @unchecked Sendable {
    let regex: NSRegularExpression
    let pattern: String
    let budget: MatchBudget
    /// The pattern answered without ICU when it is literal text and `.*` (`LiteralPattern`).
    let literal: LiteralPattern?

    init?(_ pattern: String, budget: MatchBudget) {
        guard let regex = RuleRegex.make(pattern) else { return nil }
        self.regex = regex
        literal = LiteralPattern(pattern)
        self.pattern = pattern
        self.budget = budget
    }

    /// Whether the pattern occurs in `value`; false (and the budget spent) when it can't tell
    /// within the time limit.
    func matches(_ value: String) -> Bool {
        let mode = budget.mode
        if mode == .spent { return false }
        // Linear in the value: no time limit to keep.
        if let literal, let answer = literal.matches(value) { return answer }
        switch mode {
        case .spent: return false
        case .unlimited: return regex.firstMatch(in: value, range: NSRange(location: 0, length: value.utf16.count)) != nil
        case .timed: break
        }
        var found = false
        var callbacks = 0
        let started = MatchBudget.clock()
        defer { budget.account(MatchBudget.clock() - started, pattern: pattern) }
        regex.enumerateMatches(in: value, options: [.reportProgress], range: NSRange(location: 0, length: value.utf16.count)) {
            result, _, stop in
            if result != nil {
                found = true
                stop.pointee = true
                return
            }
            // ICU calls back for each start position and every few thousand steps: the clock
            // is read only now and then.
            callbacks += 1
            guard callbacks & 63 == 0 else { return }
            if MatchBudget.clock() - started > MatchBudget.timeLimit || self.budget.isSpent {
                self.budget.spend(pattern: self.pattern, length: value.count)
                stop.pointee = true
            }
        }
        return found && !budget.isSpent
    }
}

/// Whether a rule's regular expressions ran out of time; shared by every copy of the rule and
/// every thread evaluating it.
public final class MatchBudget: @unchecked Sendable {
    /// How long one `-match` evaluation may run, in nanoseconds (50 ms; Entra does not publish
    /// its own, .NET's engine takes a timeout).
    public static let timeLimit: UInt64 = 50_000_000
    /// What all of one rule's `-match` evaluations in one run may take: 2 s, plus 20 µs for
    /// every evaluation (a real tenant's patterns take about 1 µs), so a rule of many slow
    /// clauses can't hold the state for minutes while each stays under `timeLimit`.
    public static let totalAllowance: UInt64 = 2_000_000_000
    public static let allowancePerEvaluation: UInt64 = 20_000
    private let lock = NSLock()
    private var spentOn: String?
    private var spent: UInt64 = 0
    private var evaluations: UInt64 = 0
    private var unlimited = false

    init() {}

    enum Mode { case timed, unlimited, spent }

    /// One look under the lock per evaluation (this is the hot path of a `-match` rule).
    var mode: Mode {
        lock.lock()
        defer { lock.unlock() }
        return spentOn != nil ? .spent : (unlimited ? .unlimited : .timed)
    }

    var isSpent: Bool {
        lock.lock()
        defer { lock.unlock() }
        return spentOn != nil
    }

    /// Why the rule could not be evaluated, or nil when every match finished in time.
    public var exceeded: String? {
        lock.lock()
        defer { lock.unlock() }
        return spentOn
    }

    func spend(pattern: String, length: Int) {
        lock.lock()
        defer { lock.unlock() }
        if spentOn == nil {
            spentOn =
                "the regular expression \"\(pattern)\" took longer than \(Self.timeLimit / 1_000_000) ms on a value of "
                + "\(length) characters (catastrophic backtracking); rewrite it without nested repetition such as (a+)+"
        }
    }

    /// A new processing run tries again (the value that took too long may have changed).
    public func reset() {
        lock.lock()
        spentOn = nil
        spent = 0
        evaluations = 0
        lock.unlock()
    }

    /// No time limit while `body` runs: replaying a journaled run that finished in time must
    /// give the same members whatever the machine's speed today (what timed out then is
    /// recorded in the journal and not evaluated again).
    public func withoutLimit<T>(_ body: () -> T) -> T {
        lock.lock()
        unlimited = true
        lock.unlock()
        defer {
            lock.lock()
            unlimited = false
            lock.unlock()
        }
        return body()
    }

    /// `withoutLimit` for several budgets at once.
    public static func withoutLimits<T>(_ budgets: [MatchBudget], _ body: () -> T) -> T {
        replaying(budgets.map { ($0, nil) }, body)
    }

    /// A journaled run replayed: the budgets whose rule timed out then are spent with the
    /// recorded reason (their patterns are not run at all), the others have no time limit.
    public static func replaying<T>(_ budgets: [(MatchBudget, timedOut: String?)], _ body: () -> T) -> T {
        for (budget, reason) in budgets {
            budget.lock.lock()
            if let reason { budget.spentOn = reason } else { budget.unlimited = true }
            budget.lock.unlock()
        }
        defer {
            for (budget, _) in budgets {
                budget.lock.lock()
                budget.unlimited = false
                budget.spentOn = nil
                budget.spent = 0
                budget.evaluations = 0
                budget.lock.unlock()
            }
        }
        return body()
    }

    func account(_ elapsed: UInt64, pattern: String) {
        lock.lock()
        defer { lock.unlock() }
        spent += elapsed
        evaluations += 1
        if spentOn == nil, spent > Self.totalAllowance + Self.allowancePerEvaluation * evaluations {
            spentOn =
                "the rule's regular expressions took \(spent / 1_000_000) ms over \(evaluations) evaluations (\"\(pattern)\" among them); "
                + "simplify them or match fewer values with -match"
        }
    }

    static func clock() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
