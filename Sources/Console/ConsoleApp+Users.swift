import Foundation
import LicenseModel
import TerminalKit

/// Finding users by part of a name or UPN (`:user meg`, `:explain meg`), and what an admin
/// does from a user's view: reprocess them (`R`), add or remove a direct licence (`a`, `d`:
/// the `:license` line, prefilled), toggle a plan of a direct licence (Space); and seats
/// (`:seats <sku> <count>`).
extension ConsoleApp {
    /// One match opens it; several open a picker; none says so.
    func findUsers(_ query: String, for purpose: UserPickPurpose) -> Reaction {
        let found = tenant.usersMatching(query)
        switch found.count {
        case 0:
            say(.error, query.isEmpty ? "name a user: part of a name or UPN" : "no user's name or UPN holds \(query)")
        case 1:
            return choose(found[0].id, for: purpose)
        default:
            state.pickCandidates = found.map(\.id)
            state.mode = .pickUser(purpose)
            state.detailOffset = 0
            // Line 0 says how many matched: the cursor starts on the first user.
            state.detailSelection = 1
        }
        return .redraw
    }

    func choose(_ userID: String, for purpose: UserPickPurpose) -> Reaction {
        state.detailOffset = 0
        state.detailSelection = nil
        switch purpose {
        case .open:
            state.mode = .userDetail(userID)
        case .explain(let plan):
            guard let user = tenant.user(id: userID) else { return .none }
            do {
                _ = try tenant.provenance(of: user, plan: plan)
                state.mode = .explain(userID, plan)
            } catch {
                state.mode = .browse
                say(.error, error.description)
            }
        }
        return .redraw
    }

    func pickerRows() -> [Row] {
        let count = state.pickCandidates.count
        var rows = [Row("\(count)\(count >= 200 ? " or more" : "") users match: Enter opens one", style: .header)]
        for id in state.pickCandidates {
            guard let user = tenant.user(id: id) else { continue }
            rows.append(Row("\(user.displayName)  \(user.userPrincipalName)", target: .user(id)))
        }
        return rows
    }

    /// `:seats ENTERPRISEPACK 40`: the SKU's bought seats, through the one commit path.
    func setSeats(_ argument: String) -> Reaction {
        let words = argument.split(separator: " ").map(String.init)
        guard words.count == 2, let count = Int(words[1]), count >= 0 else {
            say(.error, ":seats takes a SKU and a number of seats, e.g. :seats ENTERPRISEPACK 40")
            return .redraw
        }
        guard let sku = tenant.subscribedSkus.first(where: { $0.skuPartNumber.lowercased() == words[0].lowercased() || $0.skuId == words[0] }) else {
            say(.error, "no SKU is called \(words[0]); the tenant has " + tenant.subscribedSkus.map(\.skuPartNumber).joined(separator: ", "))
            return .redraw
        }
        let before = sku.prepaidUnits.enabled
        let short = sku.consumedUnits > count ? ": fewer than the \(sku.consumedUnits) in use" : ""
        return confirm(
            .setSeats(skuId: sku.skuId, seats: count), title: "Set \(sku.skuPartNumber) to \(Plural.count(count, "seat"))\(short)?",
            note: short.isEmpty ? nil : "Members keep the seats they have; reprocessing them would give CountViolation to those past \(count).",
            done: "\(sku.skuPartNumber): \(Plural.count(count, "seat"))\(short)",
            undo: UndoRecord(
                inverse: .setSeats(skuId: sku.skuId, seats: before), objectID: sku.skuId, sequence: 0,
                description: "seats of \(sku.skuPartNumber) \(before) → \(count)"))
    }

    /// `R` in a user's view, or `:reprocess <user>`.
    func reprocessUser(_ query: String) -> Reaction {
        guard !query.isEmpty else {
            say(.error, ":reprocess takes a user: part of a name or a UPN")
            return .redraw
        }
        let found = tenant.usersMatching(query)
        guard found.count == 1 else {
            say(.error, found.isEmpty ? "no user's name or UPN holds \(query)" : "\(found.count) users match \(query): name one by UPN")
            return .redraw
        }
        if let busy = busyReason {
            say(.warn, busy)
            return .redraw
        }
        guard let effects = commit(.reprocessUser(userID: found[0].id)) else { return .redraw }
        say(.info, effects.notes.first ?? "\(found[0].displayName) queued for reprocessing")
        startProcessing()
        return .redraw
    }

    /// Keys of a user's view besides moving: R reprocesses, a/d prefill `:license`, Space
    /// toggles the selected plan of a direct licence.
    func handleUserViewKey(_ key: Key, userID: String) -> Reaction {
        guard let user = tenant.user(id: userID) else { return .none }
        switch key {
        case .character("R"):
            return reprocessUser(user.userPrincipalName)
        case .character("a"), .character("d"):
            state.mode = .command
            state.line.limit = LineLimits.command
            state.input = "license \(key == .character("a") ? "add" : "remove") \(user.userPrincipalName) "
            state.returnToUser = userID
            return .redraw
        case .character("u"):
            if let reason = undoDisabledReason {
                say(.warn, reason)
                return .redraw
            }
            return previewUndo()
        case .character(" "):
            guard let view = overlay(width: overlayWidth), let index = state.detailSelection, view.rows.indices.contains(index),
                case .plan(let skuId, let planId)? = view.rows[index].target
            else {
                say(.warn, "Space switches a plan of a direct licence: move to one (the lines under \"Direct licences\")")
                return .redraw
            }
            guard let direct = user.paths(for: skuId).first(where: { $0.assignedByGroup == nil }) else { return .none }
            var disabled = direct.disabledPlans
            let turningOn = disabled.contains(planId)
            if turningOn { disabled.removeAll { $0 == planId } } else { disabled.append(planId) }
            let name = SKUCatalog.shared.friendlyName(ofPlan: planId)
            return confirm(
                .addUserLicense(userID: userID, skuId: skuId, disabledPlans: disabled.sorted()),
                title: "Switch \(name) \(turningOn ? "on" : "off") in \(user.displayName)'s direct licence?",
                done: "\(user.displayName): \(name) \(turningOn ? "on" : "off") in the direct licence",
                undo: UndoRecord(
                    inverse: .addUserLicense(userID: userID, skuId: skuId, disabledPlans: direct.disabledPlans), objectID: userID, sequence: 0,
                    description: "\(name) \(turningOn ? "on" : "off") for \(user.displayName)"),
                returnToUser: userID)
        default:
            return .none
        }
    }

    /// `:license add <user> <sku>` and `:license remove <user> <sku>`: a direct licence.
    func changeDirectLicence(_ argument: String) -> Reaction {
        let words = argument.split(separator: " ").map(String.init)
        guard words.count == 3, ["add", "remove"].contains(words[0]) else {
            say(.error, ":license add|remove <user> <sku>, e.g. :license add megan \(tenant.subscribedSkus.last?.skuPartNumber ?? "EMS")")
            return .redraw
        }
        let users = tenant.usersMatching(words[1])
        guard users.count == 1 else {
            say(.error, users.isEmpty ? "no user's name or UPN holds \(words[1])" : "\(users.count) users match \(words[1]): name one by UPN")
            return .redraw
        }
        guard let sku = tenant.subscribedSkus.first(where: { $0.skuPartNumber.lowercased() == words[2].lowercased() || $0.skuId == words[2] }) else {
            say(.error, "no SKU is called \(words[2]); the tenant has " + tenant.subscribedSkus.map(\.skuPartNumber).joined(separator: ", "))
            return .redraw
        }
        let user = users[0]
        let adding = words[0] == "add"
        let change: TenantChange =
            adding ? .addUserLicense(userID: user.id, skuId: sku.skuId, disabledPlans: []) : .removeUserLicense(userID: user.id, skuId: sku.skuId)
        let before = user.paths(for: sku.skuId).first { $0.assignedByGroup == nil }
        let inverse: TenantChange =
            before.map { .addUserLicense(userID: user.id, skuId: sku.skuId, disabledPlans: $0.disabledPlans) }
            ?? .removeUserLicense(userID: user.id, skuId: sku.skuId)
        let back = state.returnToUser
        state.returnToUser = nil
        return confirm(
            change, title: "\(adding ? "Add" : "Remove") a direct \(sku.skuPartNumber) \(adding ? "to" : "from") \(user.displayName)?",
            done: "\(user.displayName): direct \(sku.skuPartNumber) \(adding ? "added" : "removed")",
            undo: UndoRecord(
                inverse: inverse, objectID: user.id, sequence: 0,
                description: "the direct \(sku.skuPartNumber) \(adding ? "added to" : "removed from") \(user.displayName)"),
            returnToUser: back)
    }
}
