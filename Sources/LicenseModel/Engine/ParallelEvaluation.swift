import Dispatch
import Foundation
import MembershipRules

/// Evaluates several dynamic groups over every user on all cores: the users are cut into
/// chunks, each chunk is evaluated against every rule (through a `RuleSetIndex`) by one worker (a user's data is read
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
        // Each user is tried only against the rules its values could satisfy.
        let ruleSet = RuleSetIndex(rules)
        let chunkSize = 4_096
        let chunkCount = (users.count + chunkSize - 1) / chunkSize
        let results = ChunkSlots<[[Int]]>(chunks: chunkCount)
        let done = Counter()
        DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
            let start = chunk * chunkSize
            let end = min(users.count, start + chunkSize)
            var found = [[Int]](repeating: [], count: rules.count)
            var scratch: [Int] = []
            for index in start..<end {
                let user = users[index]
                let view = RuleView(user, memberOf: memberships[user.id] ?? [])
                for ruleIndex in ruleSet.matches(view, context: context, scratch: &scratch) {
                    found[ruleIndex].append(index)
                }
            }
            results.store(found, at: chunk)
            progress?(done.add(end - start))
        }
        return (0..<rules.count).map { rule in results.slots.flatMap { $0?[rule] ?? [] } }
    }
}

/// One slot per chunk; each worker writes its own slot once, and the slots are read after
/// `concurrentPerform` returns (which orders the writes before the reads).
final class ChunkSlots<Value>: @unchecked Sendable {
    private(set) var slots: [Value?]
    private let lock = NSLock()

    init(chunks: Int) { slots = Array(repeating: nil, count: chunks) }

    func store(_ value: Value, at chunk: Int) {
        lock.lock()
        slots[chunk] = value
        lock.unlock()
    }
}

/// A value worked out on another thread while the caller goes on; `value` waits for it (the
/// group's wait orders the worker's write before the read).
final class BackgroundWork<Value: Sendable>: @unchecked Sendable {
    private var result: Value?
    private let done = DispatchGroup()

    init(_ work: @escaping @Sendable () -> Value) {
        done.enter()
        DispatchQueue.global().async {
            self.result = work()
            self.done.leave()
        }
    }

    var value: Value {
        done.wait()
        return result!
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
