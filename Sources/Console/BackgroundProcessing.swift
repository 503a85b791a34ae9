import Foundation
import LicenseModel
import LicenseStore

/// Runs `processPending` on a thread of its own, through the store like any change, while the
/// console keeps answering keys; the console reads the progress each tick and, when it is done,
/// adopts the state the run ended with (replaying the run's journal entry on the UI thread would
/// cost as much as the run itself).
final class BackgroundProcessing: @unchecked Sendable {
    let progress = ProcessingProgress()
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var finalState: LoadedState?

    /// The state the run committed onto, once it is over (nil when it journaled nothing).
    var result: LoadedState? { lock.withLock { finalState } }

    init(store: StateStore, state: LoadedState, actor: String, roles: Set<DirectoryRole>?) {
        let progress = progress
        let done = done
        Thread.detachNewThread { [self] in
            var working = state
            do {
                // Another console may have done the work first: then nothing is journaled.
                guard
                    let effects = try store.processIfPending(
                        context: ChangeContext(actor: actor, roles: roles), onto: &working, progress: progress)
                else {
                    progress.finish("nothing left to process")
                    done.signal()
                    return
                }
                lock.withLock { finalState = working }
                let finishes = effects.events.filter { $0.activity == "Finish applying group based license to users" }
                progress.finish(finishes.isEmpty ? "processing done" : finishes.map { "\($0.target) \($0.detail)" }.joined(separator: "; "))
            } catch {
                progress.finish("processing failed: \(error)")
            }
            done.signal()
        }
    }

    var isRunning: Bool { !progress.snapshot.finished }

    /// Blocks until the run is over (tests, and quitting).
    func wait() {
        done.wait()
        done.signal()
    }
}

extension ConsoleApp {
    /// Starts processing the queued work in the background, unless it is already running.
    func startProcessing() {
        if let job = background, job.isRunning { return }
        background = BackgroundProcessing(store: store, state: loaded, actor: actor, roles: roles)
    }

    /// Why a change can't be made now: the store is busy with a processing run.
    var busyReason: String? {
        guard let job = background, job.isRunning else { return nil }
        let progress = job.progress.snapshot
        return "processing is running (\(progress.phase) \(progress.target) \(progress.done) of \(progress.total)): try again when it finishes"
    }

    /// The progress line for the status bar and the Pending pane, while a run is going.
    var progressText: String? {
        guard let job = background, job.isRunning else { return nil }
        let progress = job.progress.snapshot
        let target = progress.target.isEmpty ? "" : " \(progress.target)"
        return "\(glyphs.pending) \(progress.phase)\(target): \(progress.done) of \(progress.total)"
    }

    /// Waits for a background run and takes its result (tests; quitting waits too).
    public func waitForBackgroundWork() {
        background?.wait()
        _ = tick(now: Date.distantFuture)
    }
}
