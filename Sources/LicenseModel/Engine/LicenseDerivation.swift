import Foundation

/// Derives what Graph reports from a user's paths: one assignedLicense per SKU whose
/// disabledPlans are the plans no applied path enables (R3), and assignedPlans with
/// `Deleted` rows kept for plans that went away (`specs/licensing.md` §2.5).
public enum LicenseDerivation {
    static func refresh(_ user: inout User, skus: [SubscribedSku], now: Date) {
        var enabledBySku: [String: Set<String>] = [:]
        for path in user.licenseAssignmentStates where path.state.isApplied {
            guard let sku = skus.first(where: { $0.skuId == path.skuId }) else { continue }
            var enabled = enabledBySku[path.skuId] ?? Set(minimumCapacity: sku.planIds.count)
            for plan in sku.planIds where !path.disabledPlans.contains(plan) { enabled.insert(plan) }
            enabledBySku[path.skuId] = enabled
        }
        user.assignedLicenses = assignedLicenses(enabledBySku, skus: skus)
        let enabledPlans = enabledBySku.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        var rows: [String: AssignedPlan] = [:]
        for row in user.assignedPlans { rows[row.servicePlanId] = row }
        for (planId, row) in rows where !enabledPlans.contains(planId) && row.capabilityStatus != "Deleted" {
            rows[planId]?.capabilityStatus = "Deleted"
        }
        for planId in enabledPlans where rows[planId]?.capabilityStatus != "Enabled" {
            rows[planId] = AssignedPlan(
                assignedDateTime: now, capabilityStatus: "Enabled", service: SKUCatalog.shared.service(ofPlan: planId),
                servicePlanId: planId)
        }
        user.assignedPlans = rows.values.sorted { $0.servicePlanId < $1.servicePlanId }
    }

    /// What `assignedLicenses` the user's paths give (the rule `refresh` applies).
    public static func assignedLicenses(of user: User, skus: [SubscribedSku]) -> [AssignedLicense] {
        refreshed(user, skus: skus, now: Date(timeIntervalSince1970: 0)).assignedLicenses
    }

    /// The user with `assignedLicenses` and `assignedPlans` as their paths give them.
    public static func refreshed(_ user: User, skus: [SubscribedSku], now: Date) -> User {
        var copy = user
        refresh(&copy, skus: skus, now: now)
        return copy
    }

    private static func assignedLicenses(_ enabledBySku: [String: Set<String>], skus: [SubscribedSku]) -> [AssignedLicense] {
        enabledBySku.keys.sorted().map { skuId in
            let sku = skus.first { $0.skuId == skuId }!
            let disabled = sku.planIds.filter { !enabledBySku[skuId]!.contains($0) }
            return AssignedLicense(skuId: skuId, disabledPlans: disabled)
        }
    }

    /// Each plan the user has, with the paths that grant it ("which group gave me this?").
    public static func sources(of user: User, skus: [SubscribedSku]) -> [String: [LicenseAssignmentState]] {
        var sources: [String: [LicenseAssignmentState]] = [:]
        for path in user.licenseAssignmentStates where path.state.isApplied {
            guard let sku = skus.first(where: { $0.skuId == path.skuId }) else { continue }
            for plan in sku.planIds where !path.disabledPlans.contains(plan) { sources[plan, default: []].append(path) }
        }
        return sources
    }
}

/// Services that may not be offered in some countries (`ProhibitedInUsageLocationViolation`).
/// Data, not code: Microsoft publishes no complete list, so the table holds the documented
/// example of PSTN calling plans and is meant to be extended.
enum ProhibitedServices {
    /// servicePlanName → countries (ISO 3166 alpha-2) where it is not offered.
    static let table: [String: Set<String>] = [
        "MCOPSTN1": ["CN", "IR", "KP", "SY", "CU"],
        "MCOPSTN2": ["CN", "IR", "KP", "SY", "CU"],
    ]

    /// Countries named anywhere in the table: elsewhere every plan is allowed.
    static let restrictedCountries: Set<String> = table.values.reduce(into: []) { $0.formUnion($1) }

    static func allowed(_ plans: Set<String>, in country: String) -> Bool {
        let code = country.uppercased()
        guard restrictedCountries.contains(code) else { return true }
        for plan in plans {
            let name = SKUCatalog.shared.name(ofPlan: plan)
            if let countries = table[name], countries.contains(code) { return false }
        }
        return true
    }
}
