import ArgumentParser
import Foundation
import LicenseModel
import LicenseStore

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Write a deterministic synthetic tenant into the state directory.")
    @OptionGroup var state: StateOptions
    @Option(help: "Users.") var users = 10_000
    @Option(help: "Dynamic groups.") var groups = 20
    @Option(help: "Seed: the same seed gives the same tenant.") var seed: UInt64 = 42
    @Flag(help: "Replace a tenant that is already there: the old files and journal are moved aside into a dated folder.") var force = false

    func run() throws {
        let started = Date()
        let tenant = SyntheticTenant.make(users: users, groups: groups, seed: seed)
        let aside = try state.store.initialise(with: tenant, force: force, activity: "Generate synthetic tenant")
        let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
        print("Generated \(users) users and \(groups) groups in \(state.store.directory) (\(seconds) s)")
        if let aside { print("The previous state was moved aside, whole, into \(state.store.directory)/\(aside)") }
    }
}

/// Hidden helpers for the durability tests: not part of the scripting interface. They refuse
/// to run unless `LICENSEDESK_TEST_HOOKS=1` is set, and their changes carry the caller's
/// identity and roles like any command's.
struct DebugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug", abstract: "Test helpers.", shouldDisplay: false, subcommands: [Churn.self])

    static func requireTestHooks() throws {
        guard ProcessInfo.processInfo.environment["LICENSEDESK_TEST_HOOKS"] == "1" else {
            throw ModelError.invalidInput("`licensedesk debug` is for LicenseDesk's own tests (set LICENSEDESK_TEST_HOOKS=1)")
        }
    }

    /// Commits `count` read-modify-write increments of extensionAttribute7 on the first `users`
    /// users, from one long-lived loaded state, printing `ack <sequence> <user>` after each commit
    /// returns and `conflict <user>` when another process changed that user first.
    struct Churn: ParsableCommand {
        @OptionGroup var state: StateOptions
        @Option var count = 100
        @Option var users = 10
        @Option var seed: UInt64 = 1
        @Option(help: "Compact when the journal reaches this many entries.") var compactEvery = 500

        /// Unbuffered, so a kill never loses an acknowledgement that was printed.
        func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

        func run() throws {
            try DebugCommand.requireTestHooks()
            var store = state.store
            store.compactionThreshold = compactEvery
            let identity = ActorIdentity.current()
            let roles = try StateStore.roles(for: identity, in: store.directory)
            var loaded = try store.load()
            var generator = SplitMix(seed: seed)
            let targets = Array(loaded.tenant.users.prefix(users).map(\.id))
            var done = 0
            while done < count {
                let userID = targets[Int(generator.next() % UInt64(targets.count))]
                let current = Int(loaded.tenant.user(id: userID)?.extensionAttribute(7) ?? "0") ?? 0
                let change = TenantChange.setUserAttributes(userID: userID, values: ["extensionAttribute7": String(current + 1)])
                do {
                    try store.commit(
                        change, context: ChangeContext(actor: "\(identity.name) (churn \(seed))", roles: roles), basedOn: loaded.basedOn(change), onto: &loaded)
                    say("ack \(loaded.sequence) \(userID)")
                    done += 1
                } catch StateError.conflict {
                    // commit brought `loaded` up to date; the next try reads the new value.
                    say("conflict \(userID)")
                }
            }
        }
    }
}
