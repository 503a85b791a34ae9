import ArgumentParser
import Console
import Foundation
import LicenseModel
import LicenseStore
import MembershipRules
import TerminalKit

/// `licensedesk bench`: measures and prints; never passes or fails. Figures for the issues'
/// targets come from a release build: `swift run -c release licensedesk bench`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure evaluation, processing and state speed on a synthetic tenant, or on a copy of an existing one (prints figures).",
        discussion: """
            With --state, the tenant in that directory is benched instead of a synthetic one \
            (--users and --groups are then ignored). It is only read: every change is made to a \
            copy in memory and the state files are written to the scratch directory. Without \
            --state, $LICENSEDESK_STATE is not used: the tenant is synthetic.
            """)
    @Option(help: "Users.") var users = 10_000
    @Option(help: "Dynamic groups.") var groups = 20
    @Option(help: "Attribute changes timed one by one.") var changes = 1_000
    @Option(help: "Saves timed one by one, at least (more if the compactions asked for take longer).") var saves = 2_000
    @Option(help: "Background compactions the saves must cross, at least.") var compactions = 3
    @Option(help: "Journal entries that make a compaction due (the state's own threshold is 500).") var compactEvery = 500
    @Option(help: "Give up waiting for the compactions after this many seconds of saving.") var saveTimeLimit = 1_800.0
    @Option(help: "Scratch directory for the state files (default: a temporary one, removed after).") var scratch: String?
    /// The same `--state` every command takes (one option of the whole command line), read
    /// here only when given on the command line.
    @OptionGroup var state: StateOptions
    @Flag(help: "Print one JSON object.") var json = false
    @Flag(help: "Leave out the state files (the console is timed on the tenant in memory): for profiling and for tenants too big to write.") var skipState =
        false
    @Flag(help: "Leave out the load from the JSON files alone (parsing needs several times their size in memory; the cached load is still timed).")
    var skipJsonLoad = false
    @Option(
        help: ArgumentHelp(
            "A Python with orjson: it parses the same JSON files after the JSON-only load, and the ratio is printed.", valueName: "python"))
    var orjson: String?

    func run() throws {
        var figures = BenchFigures(users: users, groups: groups)
        var peaks = PhasePeaks()
        let context = ChangeContext(now: Date(timeIntervalSince1970: 1_768_467_600), actor: "bench")

        // Membership: every group evaluated over every user, then licences processed.
        let given = state.state
        var tenant = try given.map { try givenTenant($0, into: &figures, context: context) } ?? synthetic(into: &figures, context: context)
        figures.memberships = tenant.groups.reduce(0) { $0 + $1.members.count }
        figures.assignmentPaths = tenant.users.reduce(0) { $0 + $1.licenseAssignmentStates.count }
        peaks.end(given == nil ? "generate, membership, licences" : "load, membership, licences")
        figures.ruleRates = try ruleRates(over: tenant)

        // One user's attribute change, re-evaluated against every group, licences updated.
        var samples: [Double] = []
        var generator = SplitMix(seed: 7)
        let tiers = ["E3 All", "Sales", "Marketing", "IT"]
        // In a real tenant some users' department comes from on-premises AD and can't be set
        // here: those are passed over (a refused change changes nothing).
        var step = 0
        while samples.count < changes && step < changes * 10 && !tenant.users.isEmpty {
            let user = tenant.users[Int(generator.next() % UInt64(tenant.users.count))]
            let change = TenantChange.setUserAttributes(userID: user.id, values: ["department": tiers[step % tiers.count]])
            step += 1
            do {
                samples.append(
                    try time {
                        try tenant.apply(change, context: context)
                        try tenant.apply(.processPending, context: context)
                    })
            } catch is ModelError { continue }
        }
        figures.attributeChanges = samples.count
        figures.attributeChangeP50 = percentile(samples, 0.5)
        figures.attributeChangeP99 = percentile(samples, 0.99)

        // One plan toggle on a group of about 50,000 members (all users when there are fewer):
        // the group gets E3 with Forms off, then Forms is switched on and every member processed.
        let (cities, departments) = BenchFigures.toggleGroupShape(users: tenant.users.count)
        // An id no group has (a given tenant may be one a previous bench wrote).
        let toggleGroup = (0...).lazy.map { String(format: "6e0a0000-0000-4000-8000-%012d", 999_999_999_999 - $0) }
            .first { tenant.group(id: $0) == nil }!
        let toggleRule =
            "user.city -in [\(cities.map { "\"\($0)\"" }.joined(separator: ", "))] -and user.department -in [\(departments.map { "\"\($0)\"" }.joined(separator: ", "))]"
        let e3 = "6fd2c87f-b296-42f0-b197-1e91e994b900"
        let forms = SKUCatalog.shared.plan(matching: "FORMS_PLAN_E3")!.id
        if tenant.sku(id: e3) == nil { try tenant.apply(.addSku(skuId: e3, seats: tenant.users.count, edition: nil), context: context) }
        try tenant.apply(.createGroup(id: toggleGroup, displayName: "Toggle target", description: nil, membershipRule: toggleRule), context: context)
        try tenant.apply(.addGroupLicense(groupID: toggleGroup, skuId: e3, disabledPlans: [forms]), context: context)
        try tenant.apply(.processPending, context: context)
        figures.toggleGroupMembers = tenant.group(id: toggleGroup)?.members.count ?? 0
        figures.toggleSeconds = try time {
            try tenant.apply(.setGroupPlan(groupID: toggleGroup, skuId: e3, planId: forms, enabled: true), context: context)
            try tenant.apply(.processPending, context: context)
        }
        peaks.end("attribute changes, toggle")

        if skipState {
            // The console on the tenant in memory (no files: it opens read-only).
            let nowhere = StateStore(directory: NSTemporaryDirectory() + "licensedesk-bench-none-\(getpid())")
            try measureConsole(on: LoadedState(tenant: tenant, sequence: 0, versions: [:], notices: []), store: nowhere, into: &figures)
            figures.stateMeasured = false
            peaks.end("console")
            figures.record(peaks)
            if json { return try JSONOutput.print(figures) }
            return print(figures.table)
        }

        // State on disk: write, load, one change's save, compaction.
        let directory = scratch ?? NSTemporaryDirectory() + "licensedesk-bench-\(getpid())"
        defer { if scratch == nil { try? FileManager.default.removeItem(atPath: directory) } }
        var store = StateStore(directory: directory)
        store.compactionThreshold = Int.max
        figures.snapshotWriteSeconds = try time { try store.initialise(with: tenant, force: true) }
        peaks.end("write snapshot")
        // From here on the tenant is the one loaded from disk, as in the console: one in memory.
        tenant = Tenant(organization: tenant.organization)
        figures.stateBytes = StateFileName.all.reduce(0) { total, name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)
            return total + ((attributes?[.size] as? Int) ?? 0)
        }
        // Loading as the console does, from the snapshot cache, then what the console does
        // with the tenant; last, the JSON files alone (the cache set aside), the throughput
        // figure. Last because a process that has parsed gigabytes of JSON keeps much of that
        // heap resident, which would swell every figure measured after it.
        let cachePath = directory + "/" + StateFileName.cache
        figures.cacheBytes = ((try? FileManager.default.attributesOfItem(atPath: cachePath))?[.size] as? Int) ?? 0
        // One tenant in memory at a time, as in the console: the previous one is freed before
        // the next load (and freeing is not timed as loading).
        do {
            var loadedState: LoadedState?
            figures.cachedLoadSeconds = try time { loadedState = try store.load() }
            peaks.end("load from the cache")
            guard var loaded = loadedState else { return }
            loadedState = nil
            // Saves one after another while compactions run in the background and another
            // admin reads (`SaveBench`), then one compaction timed start to end.
            let saving = SaveBench(minimumSaves: saves, minimumCompactions: compactions, compactEvery: compactEvery, timeLimit: saveTimeLimit)
            let saved = try saving.run(store: store, loaded: &loaded, context: context)
            figures.saveP50 = saved.p50
            figures.saveP99 = saved.p99
            figures.savesAcrossCompactions = saved
            peaks.end("saves")
            // A load now reads the deltas the saves' compactions wrote over the base files
            // (the state in hand let go first: one tenant in memory, as in the console).
            loaded = LoadedState(tenant: Tenant(organization: loaded.tenant.organization), sequence: 0, versions: [:], notices: [])
            figures.deltaLoadSeconds = try time { loaded = try store.load() }
            figures.deltasAtLoad = Self.listedDeltas(in: directory)
            peaks.end("load with the deltas")
            // From the state in hand: the whole snapshot, what the deltas lead to in the end.
            // A background helper that holds the compaction lock still (`busy`) is waited for,
            // and the compaction timed again.
            var byHand: Compactor.Outcome?
            for _ in 0..<20 {
                figures.compactionSeconds = try time { byHand = try store.compact(&loaded) }
                guard case .busy? = byHand else { break }
                while Compactor.isRunning(in: store) { usleep(100_000) }
            }
            if case .compacted(let report)? = byHand { figures.wholeCompactionBytes = report.bytesWritten }
            figures.deltaShare = store.deltaShare
            peaks.end("compaction")

            try measureConsole(on: loaded, store: store, into: &figures)
            peaks.end("console")
        }
        if !skipJsonLoad {
            let aside = directory + ".cache-aside"
            try? FileManager.default.removeItem(atPath: aside)
            try FileManager.default.moveItem(atPath: cachePath, toPath: aside)
            var parsed: LoadedState?
            figures.loadSeconds = try time { parsed = try store.load() }
            peaks.end(PhasePeaks.jsonLoad)
            withExtendedLifetime(parsed) {}  // freed after the clock stops
            parsed = nil
            try FileManager.default.moveItem(atPath: aside, toPath: cachePath)
            if let orjson { figures.orjsonSeconds = try OrjsonPeer.seconds(python: orjson, files: OrjsonPeer.files(in: directory)) }
        }
        figures.record(peaks)

        if json { return try JSONOutput.print(figures) }
        print(figures.table)
    }

    /// The synthetic tenant, its groups evaluated and then licensed (both timed).
    func synthetic(into figures: inout BenchFigures, context: ChangeContext) throws -> Tenant {
        var tenant = Tenant(organization: Organization(id: "bench", displayName: "Bench", countryLetterCode: "US"))
        try tenant.apply(.addSku(skuId: "6fd2c87f-b296-42f0-b197-1e91e994b900", seats: users, edition: nil), context: context)
        try tenant.apply(.addSku(skuId: "efccb6f7-5641-4e0e-bd10-b4976e1bf68e", seats: users, edition: nil), context: context)
        figures.generateSeconds = try time { tenant = SyntheticTenant.withUsers(tenant, count: users) }
        for index in 0..<groups {
            let id = String(format: "6e0a0000-0000-4000-8000-%012d", index)
            try tenant.apply(
                .createGroup(id: id, displayName: "Synthetic \(index)", description: nil, membershipRule: SyntheticTenant.rule(index)), context: context)
        }
        figures.membershipSeconds = try time { try tenant.apply(.processPending, context: context) }
        for (index, group) in tenant.groups.enumerated() where index % 2 == 0 {
            let sku = index % 4 == 0 ? "6fd2c87f-b296-42f0-b197-1e91e994b900" : "efccb6f7-5641-4e0e-bd10-b4976e1bf68e"
            try tenant.apply(.addGroupLicense(groupID: group.id, skuId: sku, disabledPlans: []), context: context)
        }
        figures.licenseSeconds = try time { try tenant.apply(.processPending, context: context) }
        return tenant
    }

    /// The tenant of an existing state directory (its load timed), then every dynamic group
    /// evaluated again and every licensed group reprocessed, as the synthetic one is.
    func givenTenant(_ directory: String, into figures: inout BenchFigures, context: ChangeContext) throws -> Tenant {
        let store = StateStore(directory: StateStore.resolveDirectory(flag: directory))
        guard store.exists else { throw ValidationError("no tenant in \(store.directory)") }
        var tenant = Tenant(organization: Organization(id: "", displayName: "", countryLetterCode: "US"))
        figures.givenStateLoadSeconds = try time { tenant = try store.loadTenant() }
        figures.users = tenant.users.count
        figures.groups = tenant.groups.filter(\.isDynamic).count
        for group in tenant.groups where group.isDynamic {
            if let rule = group.membershipRule { try tenant.apply(.setGroupRule(groupID: group.id, rule: rule), context: context) }
        }
        figures.membershipSeconds = try time { try tenant.apply(.processPending, context: context) }
        for group in tenant.groups where !group.assignedLicenses.isEmpty {
            try tenant.apply(.reprocessGroup(groupID: group.id), context: context)
        }
        figures.licenseSeconds = try time { try tenant.apply(.processPending, context: context) }
        return tenant
    }

    /// Compiled-rule evaluations per second over the tenant's users, one core, per rule shape.
    func ruleRates(over tenant: Tenant) throws -> [BenchFigures.RuleRate] {
        let views = tenant.users.map { RuleView($0) }
        let context = RuleContext()
        return try BenchRules.all.map { name, text in
            let rule = try MembershipRule(text)
            var matches = 0
            let seconds = try time { for view in views where rule.matches(view, context: context) { matches += 1 } }
            return BenchFigures.RuleRate(rule: name, perSecond: Double(views.count) / max(seconds, 1e-9), matches: matches)
        }
    }

    /// The console's first frame, then frames after keys in the Users pane (drawn into a frame,
    /// as the fake terminal shows it; the terminal's own output is not timed).
    func measureConsole(on loaded: LoadedState, store: StateStore, into figures: inout BenchFigures) throws {
        let size = TerminalSize(columns: 120, rows: 40)
        var app: ConsoleApp?
        figures.consoleFirstFrameSeconds = try time {
            let console = ConsoleApp(loaded: loaded, store: store, actor: "bench", roles: nil, theme: .builtInDefault)
            _ = console.frame(size: size)
            app = console
        }
        guard let app else { return }
        // Staging and previews write nothing: timed even on a tenant held only in memory.
        app.state.readOnly = false
        _ = app.handle(.key(.character("1")))
        var keySamples: [Double] = []
        for step in 0..<200 {
            let key: Key = step % 50 == 49 ? .pageDown : .down
            keySamples.append(
                try time {
                    _ = app.handle(.key(key))
                    _ = app.frame(size: size)
                })
        }
        figures.keystrokeFrameP50 = percentile(keySamples, 0.5)
        figures.keystrokeFrameP99 = percentile(keySamples, 0.99)
        func keyThenFrame(_ keys: [Key]) throws -> Double {
            try time {
                for key in keys { _ = app.handle(.key(key)) }
                _ = app.frame(size: size)
            }
        }
        // A filter typed into the Users pane: every keystroke walks every user's row text.
        _ = app.handle(.key(.character("/")))
        figures.filterKeystrokeSeconds = try ["a", "l", "i"].map { try keyThenFrame([.character(Character($0))]) }
        _ = app.handle(.key(.escape))
        _ = app.handle(.key(.escape))
        // Sorting a million users by name (s), then back to the model's order.
        figures.sortKeystrokeSeconds = try keyThenFrame([.character("s")])
        figures.sortedBy = app.state[.users].sort.map { PaneRegistry.columnTitle(of: .users, column: $0.column) } ?? "nothing"
        for _ in 0..<4 { _ = app.handle(.key(.character("s"))) }
        // The preview of one plan toggle on the biggest group that assigns a licence.
        if let biggest = loaded.tenant.groups.filter({ !$0.assignedLicenses.isEmpty }).max(by: { $0.members.count < $1.members.count }) {
            _ = app.handle(.key(.character(":")))
            for character in "group \(biggest.id)" { _ = app.handle(.key(.character(character))) }
            _ = app.handle(.key(.enter))
            for key in [Key.character("3"), .down, .character(" ")] { _ = app.handle(.key(key)) }
            figures.previewBiggestGroupMembers = biggest.members.count
            figures.previewPlanToggleSeconds = try keyThenFrame([.character("y")])
            figures.previewShown = { if case .confirmPlans = app.state.mode { true } else { false } }()
            _ = app.handle(.key(.character("x")))
        }
    }

    func time(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    func percentile(_ samples: [Double], _ fraction: Double) -> Double { Timings(samples).percentile(fraction) }

    /// How many deltas the snapshot in `directory` lists (`snapshotDeltas` in its desk file).
    static func listedDeltas(in directory: String) -> Int {
        guard let data = FileManager.default.contents(atPath: directory + "/" + StateFileName.desk),
            let desk = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return 0 }
        return (desk["snapshotDeltas"] as? [Any])?.count ?? 0
    }

}

struct BenchFigures: Encodable {
    var users: Int
    var groups: Int
    var memberships = 0
    var assignmentPaths = 0
    var generateSeconds = 0.0
    /// With `--state`: loading the given state directory.
    var givenStateLoadSeconds: Double?
    var ruleRates: [RuleRate] = []
    struct RuleRate: Encodable {
        var rule: String
        var perSecond: Double
        var matches: Int
    }
    var membershipSeconds = 0.0
    var licenseSeconds = 0.0
    /// Attribute changes timed (fewer than asked when a given tenant's users refuse them).
    var attributeChanges = 0
    var attributeChangeP50 = 0.0
    var attributeChangeP99 = 0.0
    var toggleGroupMembers = 0
    var toggleSeconds = 0.0
    var snapshotWriteSeconds = 0.0
    var stateBytes = 0
    var loadSeconds = 0.0
    /// orjson parsing the same files (`--orjson`), 0 when not measured.
    var orjsonSeconds = 0.0
    var cacheBytes = 0
    var cachedLoadSeconds = 0.0
    var saveP50 = 0.0
    var saveP99 = 0.0
    var compactionSeconds = 0.0
    var wholeCompactionBytes = 0
    var deltaShare = 0.0
    var deltaLoadSeconds = 0.0
    var deltasAtLoad = 0
    var savesAcrossCompactions = SaveBench.Figures()
    var consoleFirstFrameSeconds = 0.0
    var keystrokeFrameP50 = 0.0
    var keystrokeFrameP99 = 0.0
    var filterKeystrokeSeconds: [Double] = []
    var sortKeystrokeSeconds = 0.0
    var previewBiggestGroupMembers = 0
    var previewPlanToggleSeconds = 0.0
    /// What the timed keys did (a key that was refused would time nothing).
    var sortedBy = ""
    var previewShown = false
    var peakResidentMegabytes = 0.0
    /// The peak of each phase, in the order run (each from a reset high-water mark).
    var phasePeaks: [PhasePeak] = []
    struct PhasePeak: Encodable {
        var phase: String
        var megabytes: Double
    }

    /// False where the kernel would not reset the high-water mark: each phase's figure is
    /// then the peak so far, not the phase's own.
    var phasePeaksApart = true

    /// The peak of every phase but the JSON-only load, which maps the whole JSON file (its
    /// pages count as resident while read) and is not how the console loads.
    var peakResidentMegabytesWithoutJSONLoad = 0.0

    mutating func record(_ peaks: PhasePeaks) {
        peakResidentMegabytes = peaks.overall
        peakResidentMegabytesWithoutJSONLoad = peaks.phases.filter { $0.name != PhasePeaks.jsonLoad }.map(\.megabytes).max() ?? 0
        phasePeaks = peaks.phases.map { PhasePeak(phase: $0.name, megabytes: $0.megabytes) }
        phasePeaksApart = peaks.resettable
    }
    /// False with --skip-state: the state and console rows were not measured.
    var stateMeasured = true

    /// Cities and departments whose combinations hold about 50,000 of `users` (each pair holds
    /// about a hundredth of the synthetic users).
    static func toggleGroupShape(users: Int) -> ([String], [String]) {
        let pairs = max(1, min(100, Int((5_000_000.0 / Double(max(users, 1))).rounded())))
        let cityCount = min(10, max(1, Int(Double(pairs).squareRoot().rounded())))
        let departmentCount = min(10, max(1, (pairs + cityCount - 1) / cityCount))
        return (Array(SyntheticTenant.cityNames.prefix(cityCount)), Array(SyntheticTenant.departmentNames.prefix(departmentCount)))
    }
}
