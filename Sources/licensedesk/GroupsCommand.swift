import ArgumentParser
import Foundation
import LicenseModel
import LicenseStore
import MembershipRules
import TerminalKit

struct GroupsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups", abstract: "Groups: rules, members, licences, plan toggles, reprocess.",
        subcommands: [
            Create.self, Members.self, SetRule.self, License.self, Plan.self, Reprocess.self, Show.self, List.self,
            Delete.self, PreviewCommand.self, PauseCommand.self, ResumeCommand.self,
        ])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a dynamic (--rule) or static (--static) security group.")
        @OptionGroup var state: StateOptions
        @Argument(help: "Display name.") var name: String
        @Option(help: "Membership rule: a dynamic group.") var rule: String?
        @Flag(name: .customLong("static"), help: "A group whose members are added by hand.") var isStatic = false
        @Flag(
            help: ArgumentHelp(
                "A licence policy: a dynamic group LicenseDesk evaluates and applies as direct licences (licensedesk reconcile); never created in the tenant."
            ))
        var policy = false
        @Option(help: "Description.") var description: String?
        @Flag(help: "Print the Graph group.") var json = false

        func validate() throws {
            guard (rule != nil) != isStatic else { throw ValidationError("give exactly one of --rule and --static") }
            if policy && rule == nil { throw ValidationError("a licence policy is dynamic: give it a --rule") }
        }

        func run() throws {
            let loaded = try state.loadOrSeed()
            if let rule { _ = try RuleCompilation.compileOrExit(rule) }
            let id = UUID().uuidString.lowercased()
            // A uniqueName of its own, so a push can make it in a live tenant and find it again
            // (a policy never goes there).
            let change: TenantChange =
                if policy, let rule {
                    .createPolicy(id: id, displayName: name, description: description, membershipRule: rule)
                } else {
                    .createGroup(id: id, displayName: name, description: description, membershipRule: rule, uniqueName: Group.uniqueName(madeHere: id))
                }
            let result = try state.commit(change, against: loaded)
            let group = try result.state.tenant.findGroup(id)
            if json { return try JSONOutput.print(group) }
            print("Created \(TextSanitizer.inert(group.displayName)) (\(id))\(rule == nil ? "" : ": membership is evaluated on `licensedesk process`")")
        }
    }

    struct Members: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or remove members of a static group.", subcommands: [AddMember.self, RemoveMember.self])
    }

    struct AddMember: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a user (static groups only).")
        @OptionGroup var state: StateOptions
        @Argument(help: "Group name or id.") var group: String
        @Argument(help: "UPN or id.") var user: String
        @Flag(help: "Print the Graph group.") var json = false
        func run() throws { try MemberChange.run(state, group, user, add: true, json: json) }
    }

    struct RemoveMember: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a user (static groups only).")
        @OptionGroup var state: StateOptions
        @Argument(help: "Group name or id.") var group: String
        @Argument(help: "UPN or id.") var user: String
        @Flag(help: "Print the Graph group.") var json = false
        func run() throws { try MemberChange.run(state, group, user, add: false, json: json) }
    }

    struct SetRule: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-rule", abstract: "Replace a group's rule; a static group becomes dynamic and loses its members first.")
        @OptionGroup var state: StateOptions
        @Argument(help: "Group name or id.") var group: String
        @Argument(help: "The membership rule.") var rule: String
        @Flag(help: "Print the Graph group.") var json = false

        func run() throws {
            let loaded = try state.loadOrSeed()
            _ = try RuleCompilation.compileOrExit(rule)
            let target = try loaded.tenant.findGroup(group)
            let result = try state.commit(.setGroupRule(groupID: target.id, rule: rule), against: loaded)
            if json { return try JSONOutput.print(try result.state.tenant.findGroup(target.id)) }
            print("Rule of \(TextSanitizer.inert(target.displayName)) set; membership is evaluated on `licensedesk process`")
        }
    }

    struct License: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Licences a group assigns.", subcommands: [AddLicense.self, RemoveLicense.self, SwapLicense.self])
    }

    struct AddLicense: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Assign a SKU to a group, with plans switched off (--disable) or only some on (--enable).")
        @OptionGroup var state: StateOptions
        @Argument(help: "Group name or id.") var group: String
        @Argument(help: "The SKU.") var sku: String
        @Option(name: .customLong("disable"), help: "A plan to switch off (repeatable).") var disable: [String] = []
        @Option(name: .customLong("enable"), help: "Only these plans are on (repeatable).") var enable: [String] = []
        @Flag(help: "Print the Graph group.") var json = false

        func validate() throws {
            if !disable.isEmpty && !enable.isEmpty { throw ValidationError("give --disable or --enable, not both") }
        }

        func run() throws {
            let loaded = try state.loadOrSeed()
            let tenant = loaded.tenant
            let target = try tenant.findGroup(group)
            let subscription = try tenant.findSku(sku)
            var disabled = try disable.map { try tenant.findPlan($0, in: subscription) }
            if !enable.isEmpty {
                let on = Set(try enable.map { try tenant.findPlan($0, in: subscription) })
                disabled = subscription.planIds.filter { !on.contains($0) }
            }
            let result = try state.commit(
                .addGroupLicense(groupID: target.id, skuId: subscription.skuId, disabledPlans: disabled), against: loaded)
            if json { return try JSONOutput.print(try result.state.tenant.findGroup(target.id)) }
            print("\(TextSanitizer.inert(target.displayName)): \(result.effects.events.map(\.detail).joined()); queued for processing")
        }
    }

    struct RemoveLicense: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Stop a group assigning a SKU.")
        @OptionGroup var state: StateOptions
        @Argument(help: "Group name or id.") var group: String
        @Argument(help: "The SKU.") var sku: String
        @Flag(help: "Print the Graph group.") var json = false

        func run() throws {
            let loaded = try state.loadOrSeed()
            let target = try loaded.tenant.findGroup(group)
            let subscription = try loaded.tenant.findSku(sku)
            let result = try state.commit(.removeGroupLicense(groupID: target.id, skuId: subscription.skuId), against: loaded)
            if json { return try JSONOutput.print(try result.state.tenant.findGroup(target.id)) }
            print("\(TextSanitizer.inert(target.displayName)): \(subscription.skuPartNumber) removed; queued for processing")
        }
    }

    struct SwapLicense: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "swap", abstract: "Replace one SKU by another in one step (E1 → E3), so members never hold both.")
        @OptionGroup var state: StateOptions
        @Argument(help: "Group name or id.") var group: String
        @Argument(help: "The SKU to remove.") var from: String
        @Argument(help: "The SKU to add.") var to: String
        @Option(name: .customLong("disable"), help: "A plan of the new SKU to switch off (repeatable).") var disable: [String] = []
        @Flag(help: "Print the Graph group.") var json = false

        func run() throws {
            let loaded = try state.loadOrSeed()
            let tenant = loaded.tenant
            let target = try tenant.findGroup(group)
            let old = try tenant.findSku(from)
            let new = try tenant.findSku(to)
            let disabled = try disable.map { try tenant.findPlan($0, in: new) }
            let result = try state.commit(
                .replaceGroupLicenses(groupID: target.id, add: [AssignedLicense(skuId: new.skuId, disabledPlans: disabled)], remove: [old.skuId]),
                against: loaded)
            if json { return try JSONOutput.print(try result.state.tenant.findGroup(target.id)) }
            print("\(TextSanitizer.inert(target.displayName)): \(result.effects.events.map(\.detail).joined()); queued for processing")
        }
    }

    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Switch one service plan on or off for a group.", subcommands: [EnablePlan.self, DisablePlan.self])
    }

    struct EnablePlan: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Switch a plan on.")
        @OptionGroup var state: StateOptions
        @Argument(help: "Group name or id.") var group: String
        @Argument(help: "The SKU.") var sku: String
        @Argument(help: "The plan.") var plan: String
        @Flag(help: "Print the Graph group.") var json = false
        func run() throws { try PlanToggle.run(state, group, sku, plan, enabled: true, json: json) }
    }

    struct DisablePlan: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Switch a plan off.")
        @OptionGroup var state: StateOptions
        @Argument(help: "Group name or id.") var group: String
        @Argument(help: "The SKU.") var sku: String
        @Argument(help: "The plan.") var plan: String
        @Flag(help: "Print the Graph group.") var json = false
        func run() throws { try PlanToggle.run(state, group, sku, plan, enabled: false, json: json) }
    }

    struct Reprocess: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue every member's licences for processing again.")
        @OptionGroup var state: StateOptions
        @Argument(help: "Group name or id.") var group: String
        @Flag(help: "Print the Graph group.") var json = false

        func run() throws {
            let loaded = try state.loadOrSeed()
            let target = try loaded.tenant.findGroup(group)
            let result = try state.commit(.reprocessGroup(groupID: target.id), against: loaded)
            if json { return try JSONOutput.print(try result.state.tenant.findGroup(target.id)) }
            print(result.effects.notes.joined(separator: "\n") + "; run `licensedesk process`")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A group: rule, status, members, licences and plans.")
        @OptionGroup var state: StateOptions
        @Argument(help: "Group name or id.") var group: String
        @Flag(help: "Print the Graph group.") var json = false

        func run() throws {
            let tenant = try state.loadOrSeed().tenant
            let target = try tenant.findGroup(group)
            if json { return try JSONOutput.print(target) }
            print(GroupReport(group: target, tenant: tenant).text)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every group with its members and licences.")
        @OptionGroup var state: StateOptions
        @Flag(help: "Print Graph groups.") var json = false

        func run() throws {
            let tenant = try state.loadOrSeed().tenant
            if json { return try JSONOutput.print(tenant.groups) }
            for group in tenant.groups {
                let licences = group.assignedLicenses.map { "\(Describe.skuName($0.skuId, in: tenant)) \(Describe.enabledCount($0, in: tenant))" }
                print(
                    "\(TextSanitizer.inert(group.displayName))\t\(group.isPolicy ? "policy" : group.isDynamic ? "dynamic" : "static")\t\(group.members.count) members\t\(licences.joined(separator: ", "))"
                        + (tenant.notEvaluatedReason(of: group) == nil ? "" : "\tnot evaluated here")
                )
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a group (refused while it assigns licences).")
        @OptionGroup var state: StateOptions
        @Argument(help: "Group name or id.") var group: String
        @Flag(help: "Print {\"deleted\": id}.") var json = false

        func run() throws {
            let loaded = try state.loadOrSeed()
            let target = try loaded.tenant.findGroup(group)
            try state.commit(.deleteGroup(groupID: target.id), against: loaded)
            if json { return try JSONOutput.print(["deleted": target.id]) }
            print("Deleted \(TextSanitizer.inert(target.displayName))")
        }
    }
}

enum MemberChange {
    static func run(_ state: StateOptions, _ group: String, _ user: String, add: Bool, json: Bool) throws {
        let loaded = try state.loadOrSeed()
        let target = try loaded.tenant.findGroup(group)
        let member = try loaded.tenant.findUser(user)
        let change: TenantChange =
            add
            ? .addGroupMember(groupID: target.id, userID: member.id) : .removeGroupMember(groupID: target.id, userID: member.id)
        let result = try state.commit(change, against: loaded)
        if json { return try JSONOutput.print(try result.state.tenant.findGroup(target.id)) }
        print(
            "\(add ? "Added" : "Removed") \(TextSanitizer.inert(member.userPrincipalName)) \(add ? "to" : "from") \(TextSanitizer.inert(target.displayName)); licences follow on `licensedesk process`"
        )
    }
}

enum PlanToggle {
    static func run(_ state: StateOptions, _ group: String, _ sku: String, _ plan: String, enabled: Bool, json: Bool) throws {
        let loaded = try state.loadOrSeed()
        let tenant = loaded.tenant
        let target = try tenant.findGroup(group)
        let subscription = try tenant.findSku(sku)
        let planId = try tenant.findPlan(plan, in: subscription)
        let result = try state.commit(
            .setGroupPlan(groupID: target.id, skuId: subscription.skuId, planId: planId, enabled: enabled), against: loaded)
        if json { return try JSONOutput.print(try result.state.tenant.findGroup(target.id)) }
        print("\(TextSanitizer.inert(target.displayName)): \(result.effects.events.map(\.detail).joined()); queued for processing")
    }
}

/// A group in words, with "N of M enabled" per SKU and each plan's toggle.
struct GroupReport {
    let group: Group
    let tenant: Tenant

    var text: String {
        var lines = ["\(TextSanitizer.inert(group.displayName))  (\(group.id))"]
        if let description = group.description { lines.append(TextSanitizer.inert(description)) }
        if group.isPolicy { lines.append("Licence policy: evaluated by LicenseDesk, applied as direct licences by licensedesk reconcile") }
        if let rule = group.membershipRule {
            lines.append("Dynamic: \(TextSanitizer.inert(rule))")
            let status = tenant.portalStatus(of: group).rawValue
            lines.append("Membership processing: \(status)")
            if let reason = tenant.notEvaluatedReason(of: group) {
                lines.append("  why: \(TextSanitizer.inert(reason))")
                lines.append("  its \(group.members.count) members are kept as the tenant had them; Entra evaluates this rule, LicenseDesk does not")
            }
            if let error = group.membershipProcessingError, group.membershipProcessingStatus == .failed {
                lines.append("  why: \(TextSanitizer.inert(error))")
            }
        } else {
            lines.append("Static group")
        }
        lines.append("Members: \(group.members.count)")
        if let state = group.licenseProcessingState { lines.append("Licence processing: \(state.rawValue)") }
        let errors = tenant.membersWithLicenseErrors(of: group.id)
        if !errors.isEmpty {
            lines.append("Members with licence errors: \(errors.count)")
            for user in errors.prefix(20) {
                let kinds = user.licenseAssignmentStates.filter { $0.assignedByGroup == group.id && $0.error != .none }.map(\.error.rawValue)
                lines.append("  \(TextSanitizer.inert(user.userPrincipalName)): \(kinds.joined(separator: ", "))")
            }
        }
        let catalog = SKUCatalog.shared
        for license in group.assignedLicenses {
            lines.append("\(Describe.skuName(license.skuId, in: tenant)): \(Describe.enabledCount(license, in: tenant))")
            for plan in tenant.sku(id: license.skuId)?.servicePlans ?? [] {
                let on = !license.disabledPlans.contains(plan.servicePlanId)
                lines.append("  [\(on ? "x" : " ")] \(catalog.friendlyName(ofPlan: plan.servicePlanId))  (\(plan.servicePlanName))")
            }
        }
        if group.assignedLicenses.isEmpty { lines.append("No licences") }
        return lines.joined(separator: "\n")
    }
}
