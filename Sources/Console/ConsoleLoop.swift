import Foundation
import TerminalKit

/// Runs the event loop on a terminal until the app says quit. Redraws only after a key, a
/// resize or a change from another admin.
public enum ConsoleLoop {
    /// Keys already waiting are handled before the next frame (a paste of 20,000 characters is
    /// 20,000 key handlings and a few frames, not 20,000 frames), at most this long at a time.
    static let batchMilliseconds = 50.0

    public static func run(_ app: ConsoleApp, on terminal: any Terminal) {
        terminal.present(app.frame(size: terminal.size))
        while true {
            // Ten times a second while processing runs, so progress moves; four otherwise.
            guard let first = terminal.nextEvent(timeoutMilliseconds: app.isProcessing ? 100 : 250) else {
                if app.tick() == .redraw { terminal.present(app.frame(size: terminal.size)) }
                continue
            }
            var event: TerminalEvent? = first
            var redraw = false
            let start = DispatchTime.now().uptimeNanoseconds
            while let next = event {
                let wasConfirming = app.isConfirming
                let reaction = app.handle(next)
                if app.themeChanged {
                    terminal.setTheme(app.theme)
                    app.themeChanged = false
                }
                if reaction == .quit {
                    // Let a processing run finish writing before the process goes, and say so.
                    if app.isProcessing {
                        app.state.mode = .browse
                        app.state.status = StatusMessage(level: .info, text: "finishing the processing run before quitting (its work is saved as it goes)…")
                        terminal.present(app.frame(size: terminal.size))
                    }
                    app.waitForBackgroundWork()
                    return
                }
                redraw = redraw || reaction == .redraw
                // A preview that just opened is shown before anything typed ahead can answer
                // it: keys that were waiting are dropped, so a y meant for something else
                // never confirms a change nobody saw.
                if app.isConfirming && !wasConfirming {
                    terminal.present(app.frame(size: terminal.size))
                    while terminal.nextEvent(timeoutMilliseconds: 0) != nil {}
                    redraw = false
                    break
                }
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                event = elapsed < batchMilliseconds ? terminal.nextEvent(timeoutMilliseconds: 0) : nil
            }
            if redraw { terminal.present(app.frame(size: terminal.size)) }
        }
    }
}
