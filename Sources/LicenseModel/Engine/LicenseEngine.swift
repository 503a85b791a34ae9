import Foundation

/// The licence engine: reconciles one user's assignment paths with the groups it belongs to,
/// checking seats, usage location, conflicts and dependencies the way Entra ID does
/// (`specs/licensing.md` §1–§3).
///
/// Seat order under shortage: groups are processed in the order their members joined, so the
/// first members to join get the last seats; a user who already holds a seat of a SKU never
/// loses it to another path's failure.
enum LicenseEngine {
    struct Outcome {
        var assigned = 0
        var failed = 0
        var removed = 0
        var summary: String { "assigned \(assigned), failed \(failed), removed \(removed)" }
    }

    /// SKUs a user holds a seat of (any applied path).
    static func seatsHeld(by user: User) -> Set<String> {
        Set(user.licenseAssignmentStates.filter { $0.state.isApplied }.map(\.skuId))
    }

    /// Brings one user's group paths in line with its memberships. Paths of groups for which
    /// `retry` is true are evaluated again even when nothing changed (reprocess).
    @discardableResult
    static func reconcile(
        _ tenant: inout Tenant, userAt index: Int, seatsBefore: Set<String>? = nil, retry: (String) -> Bool, now: Date
    ) -> Outcome {
        var outcome = Outcome()
        var user = tenant.users[index]
        let seatsBefore = seatsBefore ?? seatsHeld(by: user)
        let licensedGroups = tenant.groups(of: user.id).filter { !$0.assignedLicenses.isEmpty }
        let wanted = Set(licensedGroups.flatMap { group in group.assignedLicenses.map { "\(group.id)|\($0.skuId)" } })

        // Leaving a group (or the group dropping a SKU) removes that path (R5), unless the
        // removal would strand a plan that depends on one only this path gives: then the path
        // stays, applied, with DependencyViolation until that is fixed (X4).
        for path in user.licenseAssignmentStates {
            guard let group = path.assignedByGroup, !wanted.contains("\(group)|\(path.skuId)") else { continue }
            let others = user.licenseAssignmentStates.filter { $0 != path }
            if path.state.isApplied, newDependencyViolation(before: user.licenseAssignmentStates, after: others, in: tenant) != nil {
                if path.error != .dependencyViolation {
                    replace(path, in: &user, state: .activeWithError, error: .dependencyViolation, now: now)
                }
                continue
            }
            user.licenseAssignmentStates = others
            outcome.removed += 1
        }

        for group in licensedGroups {
            let existing = user.licenseAssignmentStates.filter { $0.assignedByGroup == group.id }
            let upToDate = group.assignedLicenses.allSatisfy { license in
                existing.contains { $0.skuId == license.skuId && $0.disabledPlans == license.disabledPlans }
            }
            if upToDate && !retry(group.id) { continue }
            if evaluate(group, for: &user, in: tenant, now: now) { outcome.assigned += 1 } else { outcome.failed += 1 }
        }

        // R17: removing a path re-checks the user's conflict errors at once.
        if outcome.removed > 0 {
            for group in licensedGroups
            where user.licenseAssignmentStates.contains(where: {
                $0.assignedByGroup == group.id && $0.error == .mutuallyExclusiveViolation
            }) {
                _ = evaluate(group, for: &user, in: tenant, now: now)
            }
        }
        finish(&user, in: &tenant, seatsBefore: seatsBefore, now: now)
        tenant.users[index] = user
        return outcome
    }

    /// Assigns all of a group's SKUs to the user, or none (R10). Returns whether it succeeded.
    static func evaluate(_ group: Group, for user: inout User, in tenant: Tenant, now: Date) -> Bool {
        var failure: (skuId: String, error: LicenseError)?
        for license in group.assignedLicenses {
            if let error = check(license, for: user, in: tenant) {
                failure = (license.skuId, error)
                break
            }
        }
        if failure == nil {
            // All of the group's paths together must not leave a dependent plan without its
            // prerequisite (e.g. a toggle switching off Skype while Audio Conferencing needs it).
            var after = user.licenseAssignmentStates.filter { $0.assignedByGroup != group.id }
            after += group.assignedLicenses.map {
                LicenseAssignmentState(
                    skuId: $0.skuId, disabledPlans: $0.disabledPlans, assignedByGroup: group.id, state: .active, error: .none, lastUpdatedDateTime: now)
            }
            if let (plan, _) = newDependencyViolation(before: user.licenseAssignmentStates, after: after, in: tenant),
                let license = group.assignedLicenses.first(where: { tenant.sku(id: $0.skuId)?.planIds.contains(plan) ?? false })
                    ?? group.assignedLicenses.first
            {
                failure = (license.skuId, .dependencyViolation)
            }
        }
        for license in group.assignedLicenses {
            let previous = user.licenseAssignmentStates.first { $0.assignedByGroup == group.id && $0.skuId == license.skuId }
            user.licenseAssignmentStates.removeAll { $0.assignedByGroup == group.id && $0.skuId == license.skuId }
            let error: LicenseError
            if let failure { error = failure.skuId == license.skuId ? failure.error : .other } else { error = .none }
            // A path that was applied stays applied, as it was, with the error; a new one is an
            // error only.
            let wasApplied = previous?.state.isApplied ?? false
            let state: LicenseAssignmentStatus = error == .none ? .active : (wasApplied ? .activeWithError : .error)
            let disabled = (error != .none && wasApplied) ? previous!.disabledPlans : license.disabledPlans
            let changed = previous?.state != state || previous?.error != error || previous?.disabledPlans != disabled
            user.licenseAssignmentStates.append(
                LicenseAssignmentState(
                    skuId: license.skuId, disabledPlans: disabled, assignedByGroup: group.id, state: state,
                    error: error, lastUpdatedDateTime: changed ? now : (previous?.lastUpdatedDateTime ?? now)))
        }
        sortPaths(&user)
        return failure == nil
    }

    /// Why a path can't be applied, or nil when it can.
    static func check(_ license: AssignedLicense, for user: User, in tenant: Tenant) -> LicenseError? {
        guard let sku = tenant.sku(id: license.skuId) else { return .other }
        let location = user.usageLocation ?? tenant.organization.countryLetterCode
        let enabled = Set(sku.planIds).subtracting(license.disabledPlans)
        if !ProhibitedServices.allowed(enabled, in: location) { return .prohibitedInUsageLocationViolation }
        // A user who already holds a seat of the SKU (through any path) needs no new one (R2).
        let holdsSeat = user.licenseAssignmentStates.contains { $0.skuId == license.skuId && $0.state.isApplied }
        if !holdsSeat && sku.availableUnits <= 0 { return .countViolation }
        if conflict(enabled, skuId: license.skuId, user: user, tenant: tenant) != nil { return .mutuallyExclusiveViolation }
        if tenant.duplicatesProxyAddress(of: user, gaining: enabled) { return .uniquenessViolation }
        return nil
    }

    /// A dependent plan (and what it needs) that `after` leaves without its prerequisite while
    /// `before` did not: the DependencyViolation of `specs/licensing.md` §3.1. Each side's
    /// enabled plans are gathered once, then the dependency table is walked in plan order.
    static func newDependencyViolation(
        before: [LicenseAssignmentState], after: [LicenseAssignmentState], in tenant: Tenant
    ) -> (String, [String])? {
        // The same SKUs with the same plans off, applied before and after, enable the same
        // plans: nothing can be newly stranded. The usual case (a user licensed by several
        // groups alike joins or leaves one), told apart without hashing any plan id.
        let licencesAfter = distinctAppliedLicences(after, in: tenant)
        if sameLicences(licencesAfter, distinctAppliedLicences(before, in: tenant)) { return nil }
        let enabledAfter = enabledPlans(licencesAfter)
        var enabledBefore: Set<String>?
        for dependency in SKUCatalog.shared.dependenciesByPlan where enabledAfter.contains(dependency.plan) {
            if dependency.requiresAnyOf.contains(where: enabledAfter.contains) { continue }
            let was = enabledBefore ?? enabledPlans(before, tenant)
            enabledBefore = was
            if !was.contains(dependency.plan) || dependency.requiresAnyOf.contains(where: was.contains) {
                return (dependency.plan, dependency.requiresAnyOf)
            }
        }
        return nil
    }

    /// The plans the applied paths among `paths` enable.
    static func enabledPlans(_ paths: [LicenseAssignmentState], _ tenant: Tenant) -> Set<String> {
        enabledPlans(distinctAppliedLicences(paths, in: tenant))
    }

    static func enabledPlans(_ licences: [(sku: SubscribedSku, disabledPlans: [String])]) -> Set<String> {
        var plans = Set<String>()
        for licence in licences {
            for plan in licence.sku.servicePlans where !licence.disabledPlans.contains(plan.servicePlanId) {
                plans.insert(plan.servicePlanId)
            }
        }
        return plans
    }

    /// Whether two lists from `distinctAppliedLicences` hold the same pairs (in any order).
    static func sameLicences(
        _ a: [(sku: SubscribedSku, disabledPlans: [String])], _ b: [(sku: SubscribedSku, disabledPlans: [String])]
    ) -> Bool {
        a.count == b.count
            && a.allSatisfy { x in b.contains { $0.sku.skuId == x.sku.skuId && $0.disabledPlans == x.disabledPlans } }
    }

    /// The applied paths' SKUs with their disabled plans, each pair once (optionally leaving
    /// one SKU out). A user licensed by eight groups with the same SKU and the same plans off
    /// has eight paths but one set of plans: it is gathered once, not eight times (this runs
    /// for every group evaluated, and hashing plan ids was most of a reconcile's time).
    static func distinctAppliedLicences(
        _ paths: [LicenseAssignmentState], excludingSku excluded: String? = nil, in tenant: Tenant
    ) -> [(sku: SubscribedSku, disabledPlans: [String])] {
        var distinct: [(sku: SubscribedSku, disabledPlans: [String])] = []
        for path in paths where path.state.isApplied && path.skuId != excluded {
            if distinct.contains(where: { $0.sku.skuId == path.skuId && $0.disabledPlans == path.disabledPlans }) { continue }
            guard let sku = tenant.sku(id: path.skuId) else { continue }
            distinct.append((sku, path.disabledPlans))
        }
        return distinct
    }

    static func replace(
        _ path: LicenseAssignmentState, in user: inout User, state: LicenseAssignmentStatus, error: LicenseError, now: Date
    ) {
        guard let index = user.licenseAssignmentStates.firstIndex(of: path) else { return }
        user.licenseAssignmentStates[index].state = state
        user.licenseAssignmentStates[index].error = error
        user.licenseAssignmentStates[index].lastUpdatedDateTime = now
    }

    /// The first pair of mutually exclusive plans between `enabled` (of `skuId`) and the plans
    /// the user's other SKUs enable. The same plan from two SKUs is not a conflict.
    static func conflict(_ enabled: Set<String>, skuId: String, user: User, tenant: Tenant) -> (String, String)? {
        var others: Set<String> = []
        for licence in distinctAppliedLicences(user.licenseAssignmentStates, excludingSku: skuId, in: tenant) {
            for plan in licence.sku.planIds where !licence.disabledPlans.contains(plan) { others.insert(plan) }
        }
        // Most users hold one SKU: nothing to conflict with, so no need to walk the sets.
        if others.isEmpty { return nil }
        for set in SKUCatalog.shared.exclusionSets(tenant.settings.exclusionPolicy) {
            let mine = enabled.intersection(set.plans)
            let theirs = others.intersection(set.plans)
            for a in mine.sorted() {
                if let b = theirs.sorted().first(where: { $0 != a }) { return (a, b) }
            }
        }
        return nil
    }

    /// Derives assignedLicenses and assignedPlans and settles seat counts for the user.
    static func finish(_ user: inout User, in tenant: inout Tenant, seatsBefore: Set<String>, now: Date) {
        // A user holds at most one seat per SKU, so within one user's reconcile the checks
        // need no running count: settle the difference once, here.
        let seatsAfter = seatsHeld(by: user)
        for skuId in seatsAfter.symmetricDifference(seatsBefore) {
            if let skuIndex = tenant.subscribedSkus.firstIndex(where: { $0.skuId == skuId }) {
                tenant.subscribedSkus[skuIndex].consumedUnits += seatsAfter.contains(skuId) ? 1 : -1
            }
        }
        LicenseDerivation.refresh(&user, skus: tenant.subscribedSkus, now: now)
    }

    static func sortPaths(_ user: inout User) {
        user.licenseAssignmentStates.sort {
            ($0.skuId, $0.assignedByGroup ?? "") < ($1.skuId, $1.assignedByGroup ?? "")
        }
    }
}
