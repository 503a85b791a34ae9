import ArgumentParser
import Foundation
import LicenseModel
import LicenseStore
import TerminalKit

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a tenant in the state directory: the demo (default) or an empty one.")

    @OptionGroup var state: StateOptions
    @Flag(help: "The built-in demo tenant (the default).") var demo = false
    @Flag(help: "An empty tenant: an organisation and nothing else.") var empty = false
    @Flag(help: "Replace a tenant that is already there (or a damaged one): the old files and journal are moved aside into a dated folder, never deleted.")
    var force = false
    @Flag(name: .customLong("private"), help: "Only you may read it (0700 directory, 0600 files); default is group-shared (2770, 0660).")
    var isPrivate = false
    @Option(
        name: .customLong("shared"),
        help: ArgumentHelp(
            "Share it with this OS group of admins (2770 directory, 0660 files, whatever the umask).",
            valueName: "group"))
    var sharedGroup: String?

    func validate() throws {
        if demo && empty { throw ValidationError("choose one of --demo and --empty") }
        if isPrivate && sharedGroup != nil { throw ValidationError("choose one of --private and --shared") }
    }

    func run() throws {
        let tenant = empty ? EmptyTenant.make() : DemoTenant.make()
        let store = state.store
        let group = try sharedGroup.map { name throws(StateError) in try SharedGroup(named: name) }
        let aside = try store.initialise(with: tenant, force: force, access: isPrivate ? .private : .shared, group: group)
        let sharing = group.map { " (shared with group \($0.name))" } ?? ""
        print("Created \(empty ? "an empty" : "the demo") tenant (\(TextSanitizer.inert(tenant.organization.displayName))) in \(store.directory)\(sharing)")
        if let aside { print("The previous state was moved aside, whole, into \(store.directory)/\(aside)") }
    }
}

enum EmptyTenant {
    static func make() -> Tenant {
        Tenant(organization: Organization(id: UUID().uuidString.lowercased(), displayName: "New tenant", countryLetterCode: "US"))
    }
}
