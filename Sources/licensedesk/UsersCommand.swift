import ArgumentParser
import Foundation
import LicenseModel
import LicenseStore
import MembershipRules
import TerminalKit

struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Cloud users: attributes, direct licences, reprocess.",
        subcommands: [Add.self, SetAttributes.self, Show.self, List.self, Remove.self, License.self, Reprocess.self, Explain.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a cloud user.")
        @OptionGroup var state: StateOptions
        @Argument(help: "userPrincipalName.") var upn: String
        @Option(name: .customLong("display-name"), help: "Display name (default: the UPN's local part).") var displayName: String?
        @Option(name: .customLong("usage-location"), help: "Two-letter country code.") var usageLocation: String?
        @Option(name: .customLong("set"), help: "prop=value, by rule property name (repeatable).") var set: [String] = []
        @Flag(help: "Print the Graph user.") var json = false

        func run() throws {
            let loaded = try state.loadOrSeed()
            var attributes: [String: String] = [:]
            for (name, value) in try Assignments.parse(set) { if let value { attributes[name] = value } }
            if let usageLocation { attributes["usageLocation"] = usageLocation }
            let draft = UserDraft(
                id: UUID().uuidString.lowercased(), userPrincipalName: upn,
                displayName: displayName ?? String(upn.split(separator: "@").first ?? Substring(upn)), attributes: attributes)
            let result = try state.commit(.createUser(draft), against: loaded)
            let user = try result.state.tenant.findUser(draft.id)
            if json { return try JSONOutput.print(try GraphJSON.user(user, in: result.state.tenant)) }
            print("Created \(TextSanitizer.inert(user.userPrincipalName)) (\(user.id)); dynamic groups will evaluate it on `licensedesk process`")
        }
    }

    struct SetAttributes: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Set user properties by rule name; `null` clears. Queues dynamic-group evaluation.")
        @OptionGroup var state: StateOptions
        @Argument(help: "UPN or id.") var user: String
        @Argument(help: "prop=value pairs.") var assignments: [String]
        @Flag(help: "Print the Graph user.") var json = false

        func run() throws {
            let loaded = try state.loadOrSeed()
            let target = try loaded.tenant.findUser(user)
            let result = try state.commit(.setUserAttributes(userID: target.id, values: try Assignments.parse(assignments)), against: loaded)
            let updated = try result.state.tenant.findUser(target.id)
            if json { return try JSONOutput.print(try GraphJSON.user(updated, in: result.state.tenant)) }
            print("Updated \(TextSanitizer.inert(updated.userPrincipalName)); run `licensedesk process` to re-evaluate its groups")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A user's attributes, licence paths and effective plans.")
        @OptionGroup var state: StateOptions
        @Argument(help: "UPN or id.") var user: String
        @Flag(help: "Print the Graph user with assignedLicenses, licenseAssignmentStates, assignedPlans, memberOf.") var json = false

        func run() throws {
            let tenant = try state.loadOrSeed().tenant
            let target = try tenant.findUser(user)
            if json { return try JSONOutput.print(try GraphJSON.user(target, in: tenant)) }
            print(UserReport(user: target, tenant: tenant).text)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Users, optionally those a rule matches.")
        @OptionGroup var state: StateOptions
        @Option(help: "A membership rule to filter by.") var filter: String?
        @Flag(help: "Print Graph users.") var json = false

        func run() throws {
            let tenant = try state.loadOrSeed().tenant
            var users = tenant.users
            if let filter {
                let rule = try RuleCompilation.compileOrExit(filter)
                users = users.filter { rule.matches(tenant.ruleView(of: $0)) }
            }
            if json { return try JSONOutput.print(try users.map { try GraphJSON.user($0, in: tenant) }) }
            for user in users {
                let licences = user.assignedLicenses.map { Describe.skuName($0.skuId, in: tenant) }.joined(separator: ",")
                let flag = user.hasLicenseErrors ? "  [licence error]" : ""
                print("\(TextSanitizer.inert(user.userPrincipalName))\t\(TextSanitizer.inert(user.displayName))\t\(licences.isEmpty ? "-" : licences)\(flag)")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user; its seats are freed.")
        @OptionGroup var state: StateOptions
        @Argument(help: "UPN or id.") var user: String
        @Flag(help: "Print {\"removed\": id}.") var json = false

        func run() throws {
            let loaded = try state.loadOrSeed()
            let target = try loaded.tenant.findUser(user)
            try state.commit(.removeUser(userID: target.id), against: loaded)
            if json { return try JSONOutput.print(["removed": target.id]) }
            print("Removed \(TextSanitizer.inert(target.userPrincipalName))")
        }
    }

    struct License: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Direct licence assignments.", subcommands: [AddLicense.self, RemoveLicense.self])
    }

    struct AddLicense: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Assign a SKU directly (or change its disabled plans); checked at once.")
        @OptionGroup var state: StateOptions
        @Argument(help: "UPN or id.") var user: String
        @Argument(help: "The SKU.") var sku: String
        @Option(name: .customLong("disable"), help: "A plan to switch off (repeatable).") var disable: [String] = []
        @Flag(help: "Print the Graph user.") var json = false

        func run() throws {
            let loaded = try state.loadOrSeed()
            let tenant = loaded.tenant
            let target = try tenant.findUser(user)
            let subscription = try tenant.findSku(sku)
            let disabled = try disable.map { try tenant.findPlan($0, in: subscription) }
            let result = try state.commit(.addUserLicense(userID: target.id, skuId: subscription.skuId, disabledPlans: disabled), against: loaded)
            let updated = try result.state.tenant.findUser(target.id)
            if json { return try JSONOutput.print(try GraphJSON.user(updated, in: result.state.tenant)) }
            print(result.effects.events.map(\.detail).joined(separator: "\n"))
        }
    }

    struct RemoveLicense: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Remove a direct assignment; licences inherited from groups stay.")
        @OptionGroup var state: StateOptions
        @Argument(help: "UPN or id.") var user: String
        @Argument(help: "The SKU.") var sku: String
        @Flag(help: "Print the Graph user.") var json = false

        func run() throws {
            let loaded = try state.loadOrSeed()
            let target = try loaded.tenant.findUser(user)
            let subscription = try loaded.tenant.findSku(sku)
            let result = try state.commit(.removeUserLicense(userID: target.id, skuId: subscription.skuId), against: loaded)
            if json { return try JSONOutput.print(try GraphJSON.user(try result.state.tenant.findUser(target.id), in: result.state.tenant)) }
            print(result.effects.events.map(\.detail).joined(separator: "\n"))
        }
    }

    struct Reprocess: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-evaluate all of a user's group-based licences now.")
        @OptionGroup var state: StateOptions
        @Argument(help: "UPN or id.") var user: String
        @Flag(help: "Print the Graph user.") var json = false

        func run() throws {
            let loaded = try state.loadOrSeed()
            let target = try loaded.tenant.findUser(user)
            let result = try state.commit(.reprocessUser(userID: target.id), against: loaded)
            let updated = try result.state.tenant.findUser(target.id)
            if json { return try JSONOutput.print(try GraphJSON.user(updated, in: result.state.tenant)) }
            print(UserReport(user: updated, tenant: result.state.tenant).licenceLines.joined(separator: "\n"))
        }
    }
}

/// A user in words: attributes, each licence with every path, and where each plan comes from.
struct UserReport {
    let user: User
    let tenant: Tenant

    var text: String {
        var lines = ["\(TextSanitizer.inert(user.displayName)) <\(TextSanitizer.inert(user.userPrincipalName))>", "id \(user.id)"]
        if let enabled = user.accountEnabled { lines.append("accountEnabled \(enabled)") }
        if let synced = user.onPremisesSyncEnabled { lines.append("onPremisesSyncEnabled \(synced)") }
        for (slot, value) in user.strings.all {
            lines.append("\(StringSlot.names[slot]) \(TextSanitizer.inert(value))")
        }
        if !user.proxyAddresses.isEmpty { lines.append("proxyAddresses \(user.proxyAddresses.map(TextSanitizer.inert).joined(separator: ", "))") }
        if let manager = user.manager { lines.append("manager \(manager)") }
        let groups = tenant.groups(of: user.id).map { TextSanitizer.inert($0.displayName) }
        lines.append("memberOf \(groups.isEmpty ? "-" : groups.joined(separator: ", "))")
        lines.append("")
        lines += licenceLines
        return lines.joined(separator: "\n")
    }

    var licenceLines: [String] {
        var lines: [String] = []
        if user.licenseAssignmentStates.isEmpty { return ["No licences"] }
        let catalog = SKUCatalog.shared
        for skuId in Set(user.licenseAssignmentStates.map(\.skuId)).sorted() {
            let sku = tenant.sku(id: skuId)
            let effective = user.assignedLicenses.first { $0.skuId == skuId }
            let count = effective.map { Describe.enabledCount($0, in: tenant) } ?? "not applied"
            lines.append("\(sku?.skuPartNumber ?? skuId): \(count)")
            for path in user.paths(for: skuId) {
                let error = path.error == .none ? "" : " — \(path.error.rawValue) (\(path.error.label))"
                let total = sku?.planIds.count ?? 0
                lines.append(
                    "  \(Describe.pathSource(path, in: tenant)): \(path.state.rawValue)\(error), \(total - path.disabledPlans.count) of \(total) plans")
            }
        }
        let sources = LicenseDerivation.sources(of: user, skus: tenant.subscribedSkus)
        if !sources.isEmpty {
            lines.append("Plans:")
            for plan in sources.keys.sorted(by: { catalog.friendlyName(ofPlan: $0) < catalog.friendlyName(ofPlan: $1) }) {
                let from = sources[plan]!.map { Describe.pathSource($0, in: tenant) }.joined(separator: ", ")
                lines.append("  \(catalog.friendlyName(ofPlan: plan)) (\(catalog.name(ofPlan: plan))) — \(from)")
            }
        }
        return lines
    }
}
