import ArgumentParser
import Foundation
import LicenseModel
import LicenseStore
import TerminalKit

struct ProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process", abstract: "Run all pending work (membership, then licences) to completion.")
    @OptionGroup var state: StateOptions
    @Flag(help: "Print the audit events as JSON.") var json = false

    func run() throws {
        let loaded = try state.loadOrSeed()
        let before = loaded.tenant.pending
        let result = try state.commit(.processPending, against: loaded)
        if json { return try JSONOutput.print(result.effects.events) }
        print(
            "Processed \(before.membershipGroups.count) group evaluations, \(before.membershipUsers.count) user evaluations, \(before.licenseGroups.count) group licence jobs, \(before.licenseUsers.count) user licence jobs"
        )
        for event in result.effects.events where !event.detail.isEmpty {
            print("  \(event.activity): \(TextSanitizer.inert(event.target)) \(event.detail)")
        }
        let left = result.state.tenant.pending.count
        if left > 0 { print("\(left) items stay queued (paused groups)") }
        let errors = result.state.tenant.usersWithLicenseErrors.count
        print("Users with licence errors: \(errors)")
    }
}
