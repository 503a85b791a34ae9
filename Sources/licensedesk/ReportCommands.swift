import ArgumentParser
import Console
import Foundation
import LicenseModel
import TerminalKit

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Licence reports: seats by path, errors with their fixes, redundant direct assignments, new plans, a seat forecast.",
        discussion: "Also in the console: `:report <name>`.")

    @OptionGroup var state: StateOptions
    @Argument(help: "seats, errors, redundant-direct, new-plans, forecast or reconcile.") var name: ReportText.Report
    @Flag(help: "Print the report's data as JSON.") var json = false

    func run() throws {
        let tenant = try state.loadOrSeed().tenant
        if json {
            switch name {
            case .seats: return try JSONOutput.print(LicenceReports.seats(tenant))
            case .errors: return try JSONOutput.print(LicenceReports.errors(tenant))
            case .redundantDirect: return try JSONOutput.print(LicenceReports.redundantDirect(tenant))
            case .newPlans: return try JSONOutput.print(LicenceReports.newPlanExposure(tenant))
            case .forecast: return try JSONOutput.print(LicenceReports.forecast(tenant))
            case .reconcile: return try JSONOutput.print(tenant.automation)
            }
        }
        print(name.title)
        for line in ReportText.lines(name, tenant: tenant) { print(TextSanitizer.inert(line)) }
    }
}

/// The command line names the console's reports by their raw values.
extension ReportText.Report: ExpressibleByArgument {}

extension UsersCommand {
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Why the user has each plan: every path, its state and why, and the rule clauses that made the user a member.")
        @OptionGroup var state: StateOptions
        @Argument(help: "UPN or id.") var user: String
        @Argument(help: "One service plan (name, id or friendly name); all plans if left out.") var plan: String?
        @Flag(help: "Print the facts as JSON.") var json = false

        func run() throws {
            let tenant = try state.loadOrSeed().tenant
            let facts = try tenant.provenance(of: try tenant.findUser(user), plan: plan)
            if json { return try JSONOutput.print(facts) }
            for line in ReportText.provenance(facts) { print(TextSanitizer.inert(line)) }
        }
    }
}
