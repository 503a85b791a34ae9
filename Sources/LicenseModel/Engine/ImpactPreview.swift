import Foundation

/// What a change would do, worked out by applying it (and the processing it queues) to a copy
/// of the tenant: the same code path as the real thing, so the preview equals the outcome.
public struct ImpactPreview: Equatable, Sendable, Codable {
    public struct Membership: Equatable, Sendable, Codable {
        public var groupID: String
        public var groupName: String
        public var joined: [String]
        public var left: [String]
    }
    public struct UserImpact: Equatable, Sendable, Codable {
        public var userID: String
        public var userPrincipalName: String
        public var gainedSkus: [String]
        public var lostSkus: [String]
        public var gainedPlans: [String]
        public var lostPlans: [String]
        /// Licence errors the user would newly have.
        public var newErrors: [String]
    }
    public var memberships: [Membership]
    public var users: [UserImpact]
    /// skuPartNumber → change in seats used.
    public var seatChanges: [String: Int]
    /// skuPartNumber → seats left afterwards (negative: more needed than bought), for the SKUs
    /// whose use changes.
    public var seatsFreeAfter: [String: Int] = [:]
    /// Dynamic groups whose rule is not evaluated here: what the change does to their members
    /// is Entra's to say, and the preview can't show it.
    public var notEvaluated: [String] = []

    public var isEmpty: Bool { memberships.isEmpty && users.isEmpty && seatChanges.isEmpty }
}

extension Tenant {
    /// The impact of a change, including the queued processing it sets off. Nothing changes.
    /// What `change` itself does: work already queued (another admin's rule, a run still
    /// going) is processed on both sides first, so it is never put down to this change.
    public func preview(_ change: TenantChange, context: ChangeContext) throws(ModelError) -> ImpactPreview {
        var before = self
        if before.hasRunnableWork { try before.apply(.processPending, context: context) }
        var after = before
        try after.apply(change, context: context)
        try after.apply(.processPending, context: context)
        return Self.difference(from: before, to: after)
    }

    static func difference(from before: Tenant, to after: Tenant) -> ImpactPreview {
        var memberships: [ImpactPreview.Membership] = []
        for group in after.groups {
            // Unchanged groups share their member list with the copy: equal at once, no sets.
            let previous = before.group(id: group.id)?.members ?? []
            if previous == group.members { continue }
            let old = Set(previous)
            let new = Set(group.members)
            if old != new {
                memberships.append(
                    .init(
                        groupID: group.id, groupName: group.displayName, joined: group.members.filter { !old.contains($0) },
                        left: (before.group(id: group.id)?.members ?? []).filter { !new.contains($0) }))
            }
        }
        var users: [ImpactPreview.UserImpact] = []
        for (index, user) in after.users.enumerated() {
            // The copy keeps the users' order unless users came or went; an untouched user
            // shares its arrays with the original, so the equality checks return at once.
            let old = index < before.users.count && before.users[index].id == user.id ? before.users[index] : before.user(id: user.id)
            if let old, old.assignedLicenses == user.assignedLicenses, old.licenseAssignmentStates == user.licenseAssignmentStates { continue }
            guard
                old?.assignedLicenses != user.assignedLicenses
                    || !(old?.licenseAssignmentStates ?? []).map(\.error).elementsEqual(user.licenseAssignmentStates.map(\.error))
            else { continue }
            let oldPlans = Self.enabledPlans(old, in: before)
            let newPlans = Self.enabledPlans(user, in: after)
            let oldSkus = Set(old?.assignedLicenses.map(\.skuId) ?? [])
            let newSkus = Set(user.assignedLicenses.map(\.skuId))
            let oldErrors = Set(
                old?.licenseAssignmentStates.filter { $0.error != .none }.map { "\($0.skuId)|\($0.assignedByGroup ?? "")|\($0.error.rawValue)" } ?? [])
            let newErrors = user.licenseAssignmentStates.filter {
                $0.error != .none && !oldErrors.contains("\($0.skuId)|\($0.assignedByGroup ?? "")|\($0.error.rawValue)")
            }
            let impact = ImpactPreview.UserImpact(
                userID: user.id, userPrincipalName: user.userPrincipalName,
                gainedSkus: newSkus.subtracting(oldSkus).map { after.sku(id: $0)?.skuPartNumber ?? $0 }.sorted(),
                lostSkus: oldSkus.subtracting(newSkus).map { before.sku(id: $0)?.skuPartNumber ?? $0 }.sorted(),
                gainedPlans: newPlans.subtracting(oldPlans).map(SKUCatalog.shared.name(ofPlan:)).sorted(),
                lostPlans: oldPlans.subtracting(newPlans).map(SKUCatalog.shared.name(ofPlan:)).sorted(),
                newErrors: newErrors.map { "\(after.sku(id: $0.skuId)?.skuPartNumber ?? $0.skuId): \($0.error.rawValue)" })
            if !(impact.gainedPlans.isEmpty && impact.lostPlans.isEmpty && impact.newErrors.isEmpty) { users.append(impact) }
        }
        var seats: [String: Int] = [:]
        var free: [String: Int] = [:]
        for sku in after.subscribedSkus {
            let delta = sku.consumedUnits - (before.sku(id: sku.skuId)?.consumedUnits ?? 0)
            if delta != 0 {
                seats[sku.skuPartNumber] = delta
                free[sku.skuPartNumber] = sku.availableUnits
            }
        }
        let unknown = after.groups.filter { after.notEvaluatedReason(of: $0) != nil }.map(\.displayName)
        return ImpactPreview(memberships: memberships, users: users, seatChanges: seats, seatsFreeAfter: free, notEvaluated: unknown)
    }

    static func enabledPlans(_ user: User?, in tenant: Tenant) -> Set<String> {
        guard let user else { return [] }
        var plans: Set<String> = []
        for licence in user.assignedLicenses {
            guard let sku = tenant.sku(id: licence.skuId) else { continue }
            plans.formUnion(Set(sku.planIds).subtracting(licence.disabledPlans))
        }
        return plans
    }
}

extension ImpactPreview {
    /// Lines for people, summary first: how many users are affected, each plan gained or lost
    /// with its count, the licence errors it would cause by type and count, joins and leaves,
    /// seats against what is free; then the users one by one.
    public func summary(limit: Int = 20) -> [String] {
        // Said first and whatever else the preview holds: these groups' members may move in
        // Entra in ways no preview here can show.
        let caveat =
            notEvaluated.isEmpty
            ? []
            : [
                "Not evaluated here: \(notEvaluated.prefix(5).joined(separator: ", "))\(notEvaluated.count > 5 ? " and \(notEvaluated.count - 5) more" : "") (rules LicenseDesk can't evaluate; their members are kept as imported, and what this change does to them is not shown)"
            ]
        if isEmpty { return caveat + ["No user's membership, licences or plans would change."] }
        var lines = caveat + ["\(users.count) user\(users.count == 1 ? "" : "s") affected" + (users.isEmpty ? "" : ": " + totals())]
        var errors: [String: Int] = [:]
        for user in users {
            for error in user.newErrors { errors[String(error.split(separator: " ").last ?? ""), default: 0] += 1 }
        }
        lines.append(
            errors.isEmpty
                ? "New licence errors: none"
                : "New licence errors: " + errors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        for membership in memberships {
            lines.append("\(membership.groupName): \(membership.joined.count) would join, \(membership.left.count) would leave")
        }
        for (sku, delta) in seatChanges.sorted(by: { $0.key < $1.key }) {
            let free = seatsFreeAfter[sku].map { $0 < 0 ? " (\(-$0) more than bought)" : " (\($0) free after)" } ?? ""
            lines.append("\(sku): seats used \(delta > 0 ? "+" : "")\(delta)\(free)")
        }
        for user in users.prefix(limit) {
            var parts: [String] = []
            if !user.gainedSkus.isEmpty { parts.append("gains \(user.gainedSkus.joined(separator: ", "))") }
            if !user.lostSkus.isEmpty { parts.append("loses \(user.lostSkus.joined(separator: ", "))") }
            if !user.gainedPlans.isEmpty { parts.append("+\(user.gainedPlans.joined(separator: ", +"))") }
            if !user.lostPlans.isEmpty { parts.append("-\(user.lostPlans.joined(separator: ", -"))") }
            if !user.newErrors.isEmpty { parts.append("errors: \(user.newErrors.joined(separator: ", "))") }
            lines.append("  \(user.userPrincipalName): \(parts.joined(separator: "; "))")
        }
        if users.count > limit { lines.append("  … and \(users.count - limit) more users") }
        return lines
    }
}

extension ImpactPreview {
    /// "+FORMS_PLAN_E3 17, -SWAY 3": each plan gained or lost, with how many users.
    func totals() -> String {
        var gained: [String: Int] = [:]
        var lost: [String: Int] = [:]
        for user in users {
            for plan in user.gainedPlans { gained[plan, default: 0] += 1 }
            for plan in user.lostPlans { lost[plan, default: 0] += 1 }
        }
        let parts = gained.sorted { $0.key < $1.key }.map { "+\($0.key) \($0.value)" } + lost.sorted { $0.key < $1.key }.map { "-\($0.key) \($0.value)" }
        return parts.isEmpty ? "licence errors only" : parts.joined(separator: ", ")
    }
}
