import Foundation
import LicenseModel
import TerminalKit

/// The first-run tour: three screens over the walkthrough's scenario on the demo tenant (find the
/// group, toggle a plan, watch pending evaluation and press R). Each screen puts the focus on the
/// pane it talks about, so the admin sees the real pane behind the text.
struct TourStep {
    let title: String
    let focus: Pane
    /// Each is wrapped to the card's width; leading spaces indent every line of it.
    let paragraphs: [String]
}

enum Tour {
    static let demoGroupName = DemoTenant.e3Selected

    /// Greedy word wrap by terminal cells, keeping the paragraph's indent on every line; a word
    /// wider than the line overflows (the frame cuts it).
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        let indent = String(text.prefix { $0 == " " })
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            let candidate = line.isEmpty ? indent + word : line + " " + word
            if CellWidth.of(candidate) <= width {
                line = candidate
            } else {
                if !line.isEmpty { lines.append(line) }
                line = indent + word
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    static func steps(for tenant: Tenant) -> [TourStep] {
        let group = tenant.groups.first { $0.displayName == demoGroupName }
        let find: [String]
        if let group {
            find = [
                "Dynamic groups pick up users by a membership rule on a synced attribute:",
                "  \(group.displayName):  \(group.membershipRule ?? "static membership")",
                "It is selected for you in the Groups pane (2). To find a group yourself: press 2, then / and part of its name, then Enter; Enter on the group opens its licences.",
            ]
        } else {
            find = [
                "Dynamic groups pick up users by a membership rule on a synced attribute.",
                "The demo's \"\(demoGroupName)\" is not in this tenant; pick any group: press 2, then / and part of its name, then Enter; Enter opens its licences.",
            ]
        }
        return [
            TourStep(title: "Find the group", focus: .groups, paragraphs: find),
            TourStep(
                title: "Toggle a service plan", focus: .licences,
                paragraphs: [
                    "The Licences pane (3) shows the group's SKU and its service plans: [x] on, [ ] off, and a count such as \"3 of 16 enabled\". Move to a plan with j and k and press Space: the plan is staged ([ →x]); stage as many as you like. y shows what they would do (who gains and loses which plans, seats, licence errors) and y again applies them for the whole group as one change: every member is queued for licence processing, as Entra ID does after a change to a group licence. x drops what is staged; u undoes your last change."
                ]),
            TourStep(
                title: "Watch pending evaluation, then press R", focus: .pending,
                paragraphs: [
                    "The Pending pane (4) lists queued membership and licence work, and while it runs \"licences <group>: done of total\". A member who could not get a licence (no seats left: CountViolation) keeps the error until you fix the cause, for instance with licensedesk skus set-seats, and press R on the group to reprocess every member.",
                    "? lists every key; t in that help takes this tour again.",
                ]),
        ]
    }
}

/// Remembers, per admin (OS user), that the tour was shown: a file in the admin's own config
/// folder, not in the shared state, so every admin of a team sees it once.
public enum TourRecord {
    public static func file(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        ConfigFolder.path(environment: environment) + "/tour-seen"
    }

    public static func wasShown(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        FileManager.default.fileExists(atPath: file(environment: environment))
    }

    /// Best effort: a home that can't be written only means the tour shows again next time.
    public static func markShown(environment: [String: String] = ProcessInfo.processInfo.environment, now: Date = Date()) {
        let path = file(environment: environment)
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? Data("first-run tour shown \(ISO8601DateFormatter().string(from: now))\n".utf8)
            .write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

/// The admin's LicenseDesk config folder: `$XDG_CONFIG_HOME/licensedesk`, else `~/.config/licensedesk`.
public enum ConfigFolder {
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        return base + "/licensedesk"
    }
}

extension ConsoleApp {
    var tourSteps: [TourStep] { Tour.steps(for: tenant) }

    /// Opens the tour at its first screen (from the launcher on first run, or `t` in the help).
    @discardableResult
    public func startTour() -> Reaction {
        showTourStep(0)
    }

    func showTourStep(_ index: Int) -> Reaction {
        let steps = tourSteps
        guard steps.indices.contains(index) else {
            state.mode = .browse
            return .redraw
        }
        state.mode = .tour(index)
        state.focus = steps[index].focus
        if index == 0, let row = rows(for: .groups).firstIndex(where: { $0.groupID.flatMap { tenant.group(id: $0)?.displayName } == Tour.demoGroupName }) {
            state[.groups].filter = ""
            state[.groups].selection = row
            followSelection()
        }
        return .redraw
    }

    func handleTourKey(_ key: Key, step: Int) -> Reaction {
        switch key {
        case .enter, .right, .character(" "), .character("n"), .character("l"):
            if step + 1 >= tourSteps.count { say(.info, "tour done: ? shows every key, t in the help opens the tour again") }
            return showTourStep(step + 1)
        case .left, .backspace, .character("p"), .character("h"):
            return showTourStep(max(0, step - 1))
        case .escape, .character("q"):
            state.mode = .browse
            say(.info, "tour closed: t in the help (?) opens it again")
            return .redraw
        default:
            return .none
        }
    }

    /// The card's title and rows, wrapped to `width` cells.
    func tourRows(step: Int, width: Int) -> (title: String, rows: [Row]) {
        let steps = tourSteps
        let current = steps[step]
        var rows = current.paragraphs.flatMap { Tour.wrap($0, width: width) }.map { Row($0) }
        rows.append(Row(""))
        let next = step + 1 < steps.count ? "Enter next" : "Enter finish"
        rows.append(Row("\(next) · ← back · Esc close the tour", style: .dim))
        return ("Tour \(step + 1) of \(steps.count): \(current.title)", rows)
    }
}
