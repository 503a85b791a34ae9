import Foundation
import LicenseModel

/// A change plan as the steps of a push to a live tenant: one Graph request each, the steps each
/// must wait for, and the round it can go in. Graph runs a `$batch` either fully in order or
/// fully in parallel, so a push sends each round as parallel batches of up to 20 and the next
/// round only after; a step whose step before failed is not sent. Only what must be ordered is:
/// a new group before its members and licences, a group's licence removals before its delete, a
/// user's usage location before their licences, reprocessing last. A failure then stops only
/// what depends on it, not the unrelated requests after it.
public enum PushSteps {
    public struct Step: Hashable, Sendable {
        /// 1, 2, … in plan order: the step's name in the push record.
        public var number: Int
        public var operation: ChangePlan.Operation
        public var dependsOn: [Int]
        public var round: Int
    }

    public static func steps(_ plan: ChangePlan) -> [Step] {
        var steps: [Step] = []
        var created: [String: Int] = [:]
        var byTarget: [String: [Int]] = [:]
        for (index, operation) in plan.operations.enumerated() {
            let number = index + 1
            let target = Self.target(operation)
            var dependsOn: [Int] = []
            switch operation {
            case .createGroup(let group):
                created[group.id] = number
            case .deleteGroup, .reprocessUser:
                // After everything else done to the same object.
                dependsOn = byTarget[target] ?? []
            case .userLicenses:
                // After the user's usage location (and other attributes) are set.
                dependsOn = (byTarget[target] ?? []).filter { if case .updateUser = plan.operations[$0 - 1] { true } else { false } }
            default:
                break
            }
            if case .some(let groupID) = Self.groupID(operation), let creation = created[groupID], creation != number {
                dependsOn.append(creation)
            }
            dependsOn = Array(Set(dependsOn)).sorted()
            let round = dependsOn.map { steps[$0 - 1].round + 1 }.max() ?? 0
            steps.append(Step(number: number, operation: operation, dependsOn: dependsOn, round: round))
            byTarget[target, default: []].append(number)
        }
        // Reprocessing goes last: it recomputes what every other step changed.
        let last = steps.filter { if case .reprocessUser = $0.operation { false } else { true } }.map(\.round).max() ?? -1
        for index in steps.indices {
            if case .reprocessUser = steps[index].operation { steps[index].round = max(steps[index].round, last + 1) }
        }
        return steps
    }

    /// The rounds in order, each with its steps; within a round, licence removals first (they
    /// free seats the additions may need).
    public static func rounds(_ steps: [Step]) -> [[Step]] {
        let byRound = Dictionary(grouping: steps, by: \.round)
        return byRound.keys.sorted().map { round in
            byRound[round]!.sorted { a, b in
                let (x, y) = (Self.onlyRemoves(a.operation), Self.onlyRemoves(b.operation))
                return x != y ? x : a.number < b.number
            }
        }
    }

    static func onlyRemoves(_ operation: ChangePlan.Operation) -> Bool {
        switch operation {
        case .groupLicenses(_, _, let add, let remove), .userLicenses(_, _, let add, let remove): add.isEmpty && !remove.isEmpty
        default: false
        }
    }

    /// The group an operation is about, if any.
    public static func groupID(_ operation: ChangePlan.Operation) -> String? {
        switch operation {
        case .createGroup(let group): group.id
        case .updateGroup(let id, _, _, _), .groupLicenses(let id, _, _, _), .deleteGroup(let id, _): id
        case .addMember(let id, _, _, _), .removeMember(let id, _, _, _): id
        case .updateUser, .userLicenses, .reprocessUser: nil
        }
    }

    /// The user an operation is about, if any.
    public static func userID(_ operation: ChangePlan.Operation) -> String? {
        switch operation {
        case .addMember(_, _, let user, _), .removeMember(_, _, let user, _): user
        case .updateUser(let id, _, _), .userLicenses(let id, _, _, _), .reprocessUser(let id, _): id
        case .createGroup, .updateGroup, .groupLicenses, .deleteGroup: nil
        }
    }

    /// The object an operation changes: "group:<id>" or "user:<id>".
    static func target(_ operation: ChangePlan.Operation) -> String {
        switch operation {
        case .updateUser(let id, _, _), .userLicenses(let id, _, _, _), .reprocessUser(let id, _): "user:" + id
        default: "group:" + (groupID(operation) ?? "")
        }
    }

    /// A line for the plan shown before a push and for its report.
    /// `skuName`: a SKU's part number by its id.
    public static func describe(_ operation: ChangePlan.Operation, skuName: (String) -> String = { $0 }) -> String {
        func licences(_ add: [AssignedLicense], _ remove: [String]) -> String {
            var parts: [String] = []
            let added = add.map { "\(skuName($0.skuId))\($0.disabledPlans.isEmpty ? "" : " (\($0.disabledPlans.count) plan(s) off)")" }
            if !added.isEmpty { parts.append("add " + added.joined(separator: ", ")) }
            if !remove.isEmpty { parts.append("remove " + remove.map(skuName).joined(separator: ", ")) }
            return parts.joined(separator: "; ")
        }
        switch operation {
        case .createGroup(let group): return "create group \(group.displayName)\(group.membershipRule.map { " (rule \($0))" } ?? " (static)")"
        case .updateGroup(_, let name, let rule, let state):
            return "set \(name)'s rule to \(rule ?? "none")\(state.map { ", processing \($0)" } ?? "")"
        case .addMember(_, let group, _, let upn): return "add \(upn) to \(group)"
        case .removeMember(_, let group, _, let upn): return "remove \(upn) from \(group)"
        case .groupLicenses(_, let name, let add, let remove): return "group \(name): \(licences(add, remove))"
        case .updateUser(_, let upn, let values): return "set \(values.keys.sorted().joined(separator: ", ")) of \(upn)"
        case .userLicenses(_, let upn, let add, let remove): return "user \(upn): \(licences(add, remove))"
        case .reprocessUser(_, let upn): return "reprocess \(upn)"
        case .deleteGroup(_, let name): return "delete group \(name)"
        }
    }
}
