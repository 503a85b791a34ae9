import ArgumentParser
import Foundation
import LicenseModel
import LicenseStore
import TerminalKit

/// `--state DIR`, accepted by every command.
struct StateOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "State directory (default: $LICENSEDESK_STATE, else $XDG_STATE_HOME/licensedesk, else ~/.local/state/licensedesk).",
            valueName: "dir"))
    var state: String?

    /// The state, with compactions started in the background when the journal grows long
    /// (`DetachedCompaction`, this binary's `compact --background`).
    var store: StateStore {
        var store = StateStore(directory: StateStore.resolveDirectory(flag: state))
        store.compactionTrigger = ThisBinary.path.map { DetachedCompaction(executable: $0) }
        return store
    }

    /// Loads the tenant; the first run against an absent or empty directory seeds the demo and
    /// says so. A directory with only some of a tenant's files is damaged, and one holding other
    /// files is not a state: both are refused, nothing written. Notices (a torn journal line set
    /// aside, read-only mode) go to standard error.
    func loadOrSeed() throws -> LoadedState {
        let store = self.store
        if case .new(let others) = store.condition {
            guard others.isEmpty else {
                throw StateError.io(
                    path: store.directory,
                    reason: "holds files that are not a LicenseDesk state (\(others.prefix(3).joined(separator: ", "))\(others.count > 3 ? ", …" : "")); "
                        + "nothing was written. Point --state at an empty or new directory, or run `licensedesk init` to create a tenant here")
            }
            let tenant = DemoTenant.make()
            try store.initialise(with: tenant, force: false)
            Notice.note("no tenant in \(store.directory) yet: seeded the built-in demo tenant (\(tenant.organization.displayName)).")
        }
        let state = try store.load()
        for notice in state.notices { Notice.note(notice) }
        return state
    }

    /// Commits a change made against `state`, as the OS user running the command, with the
    /// roles the state directory's roles file gives that user.
    @discardableResult
    func commit(_ change: TenantChange, against state: LoadedState) throws -> CommitResult {
        let identity = ActorIdentity.current()
        let roles = try StateStore.roles(for: identity, in: store.directory)
        let context = ChangeContext(now: Date(), actor: identity.name, roles: roles)
        var updated = state
        updated.notices = []
        let effects = try store.commit(change, context: context, basedOn: state.basedOn(change), onto: &updated)
        for notice in updated.notices { Notice.note(notice) }
        return CommitResult(state: updated, effects: effects)
    }
}

/// The running `licensedesk` binary, to start helpers of: `/proc/self/exe`, which names the
/// file even when the command was found on the PATH or by a relative name.
enum ThisBinary {
    static let path: String? = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
}

/// Messages for the admin on standard error.
enum Notice {
    /// Inert on the way out: notices quote file names, display names and other admins' text.
    static func note(_ text: String) {
        FileHandle.standardError.write(Data("licensedesk: \(TextSanitizer.inert(text))\n".utf8))
    }
}

/// Prints JSON the way every `--json` output does: sorted keys, ISO 8601 dates.
enum JSONOutput {
    static func print<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        // Bidi and other invisible characters as \u escapes: the same JSON, safe to read.
        let text = TextSanitizer.jsonEscapingInvisible(String(decoding: data, as: UTF8.self))
        FileHandle.standardOutput.write(Data(text.utf8) + [0x0A])
    }
}
