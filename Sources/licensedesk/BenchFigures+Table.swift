import Foundation

/// The table `bench` prints, a row per figure.
extension BenchFigures {
    var table: String {
        let megabytes = Double(stateBytes) / 1e6
        var rows: [(String, String)] = [
            ("tenant", "\(users) users × \(groups) groups; \(memberships) memberships, \(assignmentPaths) assignment paths"),
            givenStateLoadSeconds.map { ("given state, load", String(format: "%.2f s", $0)) } ?? ("generate users", String(format: "%.2f s", generateSeconds)),
            ("rule evaluations per second", ruleRates.map { String(format: "%@ %.1f M", $0.rule, $0.perSecond / 1e6) }.joined(separator: ", ")),
            ("full membership evaluation", String(format: "%.2f s", membershipSeconds)),
            ("full licence processing", String(format: "%.2f s", licenseSeconds)),
            (
                "one attribute change, all groups, licences",
                String(format: "p50 %.3f ms, p99 %.3f ms (%d changes)", attributeChangeP50 * 1e3, attributeChangeP99 * 1e3, attributeChanges)
            ),
            ("one plan toggle, group of \(toggleGroupMembers) members", String(format: "%.2f s", toggleSeconds)),
            ("write snapshot", String(format: "%.2f s (%.1f MB)", snapshotWriteSeconds, megabytes)),
            ("load state from the snapshot cache", String(format: "%.2f s (cache %.1f MB)", cachedLoadSeconds, Double(cacheBytes) / 1e6)),
            ("load state from the JSON files", loadSeconds > 0 ? String(format: "%.2f s (%.1f MB/s)", loadSeconds, megabytes / loadSeconds) : "not measured"),
            (
                "  orjson on the same files; its time / ours",
                orjsonSeconds > 0 && loadSeconds > 0
                    ? String(format: "%.2f s (%.1f MB/s); ratio %.2f", orjsonSeconds, megabytes / orjsonSeconds, orjsonSeconds / loadSeconds)
                    : "not measured (--orjson PYTHON)"
            ),
        ]
        rows += savesAcrossCompactions.rows(stateBytes: stateBytes)
        rows += [
            savesAcrossCompactions.amortizedRow(
                wholeBytes: wholeCompactionBytes, records: users + groups, deltaShare: deltaShare, stateBytes: stateBytes),
            ("load state with the deltas over the base", String(format: "%.2f s (%d deltas)", deltaLoadSeconds, deltasAtLoad)),
            (
                "compaction, start to end (one, by hand)",
                String(format: "%.2f s, the whole snapshot (%.1f MB)", compactionSeconds, Double(wholeCompactionBytes) / 1e6)
            ),
            ("console first frame", String(format: "%.3f s", consoleFirstFrameSeconds)),
            ("console keystroke → frame (Users pane)", String(format: "p50 %.2f ms, p99 %.2f ms", keystrokeFrameP50 * 1e3, keystrokeFrameP99 * 1e3)),
            ("console filter keystroke → frame (1st, 2nd, 3rd)", filterKeystrokeSeconds.map { String(format: "%.1f ms", $0 * 1e3) }.joined(separator: ", ")),
            ("console sort (s) → frame", String(format: "%.1f ms, sorted by %@", sortKeystrokeSeconds * 1e3, sortedBy)),
            (
                "console preview of a plan toggle (y), biggest group",
                String(format: "%.2f s for %d members%@", previewPlanToggleSeconds, previewBiggestGroupMembers, previewShown ? "" : " (NOT SHOWN)")
            ),
            ("peak resident memory, the JSON-only load apart", String(format: "%.0f MB", peakResidentMegabytesWithoutJSONLoad)),
            ("peak resident memory, all phases", String(format: "%.0f MB", peakResidentMegabytes)),
        ]
        let label = phasePeaksApart ? "  peak while" : "  peak so far, after"
        rows += phasePeaks.map { ("\(label): \($0.phase)", String(format: "%.0f MB", $0.megabytes)) }
        if !stateMeasured {
            rows.removeAll {
                $0.0.hasPrefix("write") || $0.0.hasPrefix("load") || $0.0.hasPrefix("save") || $0.0.hasPrefix("compaction") || $0.0.hasPrefix("bytes")
                    || $0.0.hasPrefix("a reader") || $0.0.hasPrefix("  orjson")
            }
        }
        let width = max(44, (rows.map(\.0.count).max() ?? 0) + 2)
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n")
    }
}
