import ArgumentParser
import Foundation
import LicenseModel
import LicenseStore

/// `--state DIR`, accepted by every command.
struct StateOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "State directory (default: $LICENSEDESK_STATE, else $XDG_STATE_HOME/licensedesk, else ~/.local/state/licensedesk).",
            valueName: "dir"))
    var state: String?

    var store: StateStore { StateStore(directory: StateStore.resolveDirectory(flag: state)) }

    /// Loads the tenant; the first run against an empty directory seeds the demo and says so.
    func loadOrSeed() throws -> Tenant {
        let store = self.store
        if !store.exists {
            let tenant = DemoTenant.make()
            try store.initialise(with: tenant, force: false)
            FileHandle.standardError.write(
                Data("licensedesk: no tenant in \(store.directory) yet: seeded the built-in demo tenant (\(tenant.organization.displayName)).\n".utf8))
            return tenant
        }
        return try store.load()
    }
}

/// Prints JSON the way every `--json` output does: sorted keys, ISO 8601 dates.
enum JSONOutput {
    static func print<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        FileHandle.standardOutput.write(data + [0x0A])
    }
}
