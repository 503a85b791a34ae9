import ArgumentParser
import Foundation
import LicenseModel
import LicenseStore
import TerminalKit

struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "What a rule change or a plan toggle would do: who joins, who leaves, plans and seats. Nothing is changed.")
    @OptionGroup var state: StateOptions
    @Argument(help: "Group name or id.") var group: String
    @Option(help: "The new membership rule.") var rule: String?
    @Option(parsing: .upToNextOption, help: "<sku> <plan>: switch a plan on.") var enable: [String] = []
    @Option(parsing: .upToNextOption, help: "<sku> <plan>: switch a plan off.") var disable: [String] = []
    @Flag(help: "Print the preview as JSON.") var json = false

    func validate() throws {
        let given = [rule != nil, !enable.isEmpty, !disable.isEmpty].filter { $0 }.count
        guard given == 1 else { throw ValidationError("give one of --rule, --enable <sku> <plan>, --disable <sku> <plan>") }
        if !enable.isEmpty && enable.count != 2 || !disable.isEmpty && disable.count != 2 {
            throw ValidationError("--enable and --disable take a SKU and a plan")
        }
    }

    func run() throws {
        let tenant = try state.loadOrSeed().tenant
        let target = try tenant.findGroup(group)
        let change: TenantChange
        if let rule {
            _ = try RuleCompilation.compileOrExit(rule)
            change = .setGroupRule(groupID: target.id, rule: rule)
        } else {
            let pair = enable.isEmpty ? disable : enable
            let sku = try tenant.findSku(pair[0])
            let plan = try tenant.findPlan(pair[1], in: sku)
            change = .setGroupPlan(groupID: target.id, skuId: sku.skuId, planId: plan, enabled: !enable.isEmpty)
        }
        let preview = try tenant.preview(change, context: ChangeContext(actor: ActorIdentity.current().name))
        if json { return try JSONOutput.print(preview) }
        print(preview.summary(limit: 50).map(TextSanitizer.inert).joined(separator: "\n"))
    }
}

struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Pause a dynamic group's membership processing; its pending changes wait.")
    @OptionGroup var state: StateOptions
    @Argument(help: "Group name or id.") var group: String
    func run() throws { try PauseResume.run(state, group, paused: true) }
}

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Resume a paused group: it is evaluated in full on `licensedesk process`.")
    @OptionGroup var state: StateOptions
    @Argument(help: "Group name or id.") var group: String
    func run() throws { try PauseResume.run(state, group, paused: false) }
}

enum PauseResume {
    static func run(_ state: StateOptions, _ group: String, paused: Bool) throws {
        let loaded = try state.loadOrSeed()
        let target = try loaded.tenant.findGroup(group)
        try state.commit(.setGroupPaused(groupID: target.id, paused: paused), against: loaded)
        print("\(TextSanitizer.inert(target.displayName)): membership processing \(paused ? "paused" : "on")")
    }
}

struct PendingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pending", abstract: "Queued membership and licence work, with each group's processing state.")
    @OptionGroup var state: StateOptions
    @Flag(help: "Print JSON.") var json = false

    struct Report: Encodable {
        struct GroupState: Encodable {
            var id: String
            var displayName: String
            var membershipRuleProcessingState: String?
            var membershipProcessingStatus: String?
            var licenseProcessingState: String?
            var queuedForMembership: Bool
            var queuedForLicences: Bool
        }
        var groups: [GroupState]
        var usersQueuedForMembership: [String]
        var usersQueuedForLicences: [String]
    }

    func run() throws {
        let tenant = try state.loadOrSeed().tenant
        let work = tenant.pending
        let report = Report(
            groups: tenant.groups.map {
                .init(
                    id: $0.id, displayName: $0.displayName, membershipRuleProcessingState: $0.membershipRuleProcessingState,
                    membershipProcessingStatus: $0.membershipProcessingStatus?.rawValue,
                    licenseProcessingState: $0.licenseProcessingState?.rawValue,
                    queuedForMembership: work.membershipGroups.contains($0.id), queuedForLicences: work.licenseGroups.contains($0.id))
            },
            usersQueuedForMembership: work.membershipUsers.compactMap { tenant.user(id: $0)?.userPrincipalName },
            usersQueuedForLicences: work.licenseUsers.compactMap { tenant.user(id: $0)?.userPrincipalName })
        if json { return try JSONOutput.print(report) }
        for group in tenant.groups {
            var queued: [String] = []
            if work.membershipGroups.contains(group.id) { queued.append("membership queued") }
            if work.licenseGroups.contains(group.id) { queued.append("licences queued") }
            let status = tenant.portalStatus(of: group).rawValue
            print(
                "\(TextSanitizer.inert(group.displayName))\t\(group.isDynamic ? status : "static")\t\(group.licenseProcessingState?.rawValue ?? "-")\t\(queued.joined(separator: ", "))"
            )
        }
        print("Users queued for membership evaluation: \(work.membershipUsers.count); for licences: \(work.licenseUsers.count)")
    }
}
