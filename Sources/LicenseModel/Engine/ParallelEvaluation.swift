import Dispatch
import Foundation
import MembershipRules

/// Evaluates several dynamic groups over every user on all cores: the users are cut into
/// chunks, each chunk is evaluated against every rule by one worker (a user's data is read
/// once for all rules), and each worker writes only its own slot of the result. Nothing is
/// shared but immutable inputs, so there is nothing to lock.
enum ParallelEvaluation {
    /// For each rule, the indices (into `users`) of the users it matches, ascending.
    static func matches(
        rules: [MembershipRule], users: [User], memberships: [String: Set<String>], now: Date,
        progress: (@Sendable (Int) -> Void)? = nil
    ) -> [[Int]] {
        guard !rules.isEmpty else { return [] }
        let context = RuleContext(now: now)
        let chunkSize = 4_096
        let chunkCount = (users.count + chunkSize - 1) / chunkSize
        let results = ChunkResults(chunks: chunkCount)
        let done = Counter()
        DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
            let start = chunk * chunkSize
            let end = min(users.count, start + chunkSize)
            var found = [[Int]](repeating: [], count: rules.count)
            for index in start..<end {
                let user = users[index]
                let view = RuleView(user, memberOf: memberships[user.id] ?? [])
                for (ruleIndex, rule) in rules.enumerated() where rule.matches(view, context: context) {
                    found[ruleIndex].append(index)
                }
            }
            results.store(found, at: chunk)
            progress?(done.add(end - start))
        }
        return results.merged(rules: rules.count)
    }
}

/// One slot per chunk; each worker writes its own slot once, and the slots are read after
/// `concurrentPerform` returns (which orders the writes before the reads).
private final class ChunkResults: @unchecked Sendable {
    private var slots: [[[Int]]]
    private let lock = NSLock()

    init(chunks: Int) { slots = Array(repeating: [], count: chunks) }

    func store(_ found: [[Int]], at chunk: Int) {
        lock.lock()
        slots[chunk] = found
        lock.unlock()
    }

    func merged(rules: Int) -> [[Int]] {
        (0..<rules).map { rule in slots.flatMap { $0.isEmpty ? [] : $0[rule] } }
    }
}

/// A count several workers add to.
private final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func add(_ amount: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += amount
        return value
    }
}
