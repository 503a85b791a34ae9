import ArgumentParser
import Foundation
import LicenseModel
import LicenseStore
import TerminalKit

struct OnPremCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onprem", abstract: "The simulated on-premises Active Directory (AD attribute names).",
        subcommands: [Add.self, SetAttributes.self, Remove.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an on-premises user; it reaches the cloud at the next sync.")
        @OptionGroup var state: StateOptions
        @Argument(help: "sAMAccountName.") var sam: String
        @Option(name: .customLong("set"), help: "attr=value, AD names: userPrincipalName, displayName, extensionAttribute10… (repeatable).")
        var set: [String] = []

        func run() throws {
            let loaded = try state.loadOrSeed()
            var attributes: [String: String] = [:]
            for (name, value) in try Assignments.parse(set) { if let value { attributes[name] = value } }
            let user = OnPremisesUser(samAccountName: sam, objectGUID: UUID().uuidString.lowercased(), attributes: attributes)
            try state.commit(.addOnPremisesUser(user), against: loaded)
            print("Created \(TextSanitizer.inert(sam)) on-premises; run `licensedesk sync` to bring it to the cloud")
        }
    }

    struct SetAttributes: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Change AD attributes (`null` clears).")
        @OptionGroup var state: StateOptions
        @Argument(help: "sAMAccountName.") var sam: String
        @Argument(help: "attr=value pairs.") var assignments: [String]

        func run() throws {
            let loaded = try state.loadOrSeed()
            try state.commit(.setOnPremisesUser(samAccountName: sam, values: try Assignments.parse(assignments)), against: loaded)
            print("Updated \(TextSanitizer.inert(sam)) on-premises; run `licensedesk sync` to bring the change to the cloud")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an on-premises user; the next sync deletes its cloud user.")
        @OptionGroup var state: StateOptions
        @Argument(help: "sAMAccountName.") var sam: String

        func run() throws {
            let loaded = try state.loadOrSeed()
            try state.commit(.removeOnPremisesUser(samAccountName: sam), against: loaded)
            print("Deleted \(TextSanitizer.inert(sam)) on-premises")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "On-premises users and whether they are synced.")
        @OptionGroup var state: StateOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let tenant = try state.loadOrSeed().tenant
            if json { return try JSONOutput.print(tenant.onPremises.users) }
            for user in tenant.onPremises.users {
                let synced = tenant.users.contains { $0.onPremisesImmutableId == user.objectGUID } ? "synced" : "not synced yet"
                let attributes = user.attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                print("\(TextSanitizer.inert(user.samAccountName))\t\(synced)\t\(TextSanitizer.inert(attributes))")
            }
        }
    }
}

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Run one sync cycle (delta, or --full): prints created, updated and deleted counts.",
        subcommands: [Config.self])
    @OptionGroup var state: StateOptions
    @Flag(help: "A full cycle: every on-premises object, not only those changed.") var full = false

    func run() throws {
        let loaded = try state.loadOrSeed()
        let result = try state.commit(.runSync(full: full), against: loaded)
        for note in result.effects.notes { print(TextSanitizer.inert(note)) }
        let pending = result.state.tenant.pending.membershipUsers.count
        if pending > 0 { print("\(pending) users queued for dynamic group evaluation; run `licensedesk process`") }
    }

    struct Config: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Which AD attributes flow to the cloud and which OUs are in scope; no options prints it.")
        @OptionGroup var state: StateOptions
        @Option(parsing: .upToNextOption, help: "AD attributes to sync again.") var include: [String] = []
        @Option(parsing: .upToNextOption, help: "AD attributes to leave out.") var exclude: [String] = []
        @Option(parsing: .upToNextOption, help: "OU distinguished names in scope (replaces the list).") var scope: [String] = []

        func run() throws {
            var loaded = try state.loadOrSeed()
            if !include.isEmpty || !exclude.isEmpty || !scope.isEmpty {
                loaded = try state.commit(
                    .configureSync(include: include, exclude: exclude, scopes: scope.isEmpty ? nil : scope), against: loaded
                ).state
            }
            let configuration = loaded.tenant.onPremises.configuration
            let synced = SyncMapping.attributes.map(\.ad).filter(configuration.syncs)
            print("Synced attributes: \(TextSanitizer.inert(synced.joined(separator: ", ")))")
            print(
                "Left out: \(configuration.excludedAttributes.isEmpty ? "none" : TextSanitizer.inert(configuration.excludedAttributes.sorted().joined(separator: ", ")))"
            )
            print("Scope: \(configuration.scopes.isEmpty ? "the whole directory" : TextSanitizer.inert(configuration.scopes.joined(separator: "; ")))")
        }
    }
}
