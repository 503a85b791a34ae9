import Foundation

/// How far a processing run has got, for a console drawing while it works: the phase, the
/// group, done of total. Written by the processing thread, read by the UI thread.
public final class ProcessingProgress: @unchecked Sendable {
    public struct Snapshot: Equatable, Sendable {
        public var phase: String
        public var target: String
        public var done: Int
        public var total: Int
        public var finished: Bool
        public var summary: String?
    }

    private let lock = NSLock()
    private var current = Snapshot(phase: "queued", target: "", done: 0, total: 0, finished: false, summary: nil)

    public init() {}

    public var snapshot: Snapshot {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    func report(_ phase: String, _ target: String, done: Int, total: Int) {
        lock.lock()
        current.phase = phase
        current.target = target
        current.done = done
        current.total = total
        lock.unlock()
    }

    public func finish(_ summary: String) {
        lock.lock()
        current.finished = true
        current.summary = summary
        lock.unlock()
    }
}

extension Tenant {
    /// Whether a processing run would do anything: queued work other than the evaluation of
    /// paused groups, which waits for them to resume.
    public var hasRunnableWork: Bool {
        if !pending.membershipUsers.isEmpty || !pending.licenseGroups.isEmpty || !pending.licenseUsers.isEmpty { return true }
        return pending.membershipGroups.contains { id in group(id: id).map { !$0.isPaused } ?? true }
    }
}
