import Foundation

/// Group and direct licence assignments: the licensing side of `apply`.
extension Tenant {
    /// Adds a SKU to a group or replaces its disabled plans; queues the group (202 Accepted).
    mutating func setGroupLicense(_ groupID: String, _ skuId: String, disabledPlans: [String]) throws(ModelError) -> String {
        let index = try groupIndex(groupID)
        let sku = subscribedSkus[try skuIndex(skuId)]
        guard groups[index].securityEnabled else {
            throw .refused("only security-enabled groups can assign licences (\(groups[index].displayName) is not)")
        }
        for plan in disabledPlans where !sku.planIds.contains(plan) {
            throw .invalidInput("\(SKUCatalog.shared.name(ofPlan: plan)) is not a service plan of \(sku.skuPartNumber)")
        }
        var licenses = groups[index].assignedLicenses.filter { $0.skuId != skuId }
        let license = AssignedLicense(skuId: skuId, disabledPlans: disabledPlans)
        licenses.append(license)
        try checkGroupDependencies(licenses)
        let old = groups[index].assignedLicenses.first { $0.skuId == skuId }
        groups[index].assignedLicenses = licenses.sorted { $0.skuId < $1.skuId }
        groups[index].licenseProcessingState = .queuedForProcessing
        pending.enqueue(groupID, in: \.licenseGroups)
        let enabled = sku.planIds.count - license.disabledPlans.count
        let was = old.map { "\(sku.planIds.count - $0.disabledPlans.count) of \(sku.planIds.count)" } ?? "none"
        return "\(sku.skuPartNumber): \(was) -> \(enabled) of \(sku.planIds.count) enabled"
    }

    mutating func removeGroupLicense(_ groupID: String, _ skuId: String) throws(ModelError) -> String {
        let index = try groupIndex(groupID)
        guard groups[index].assignedLicenses.contains(where: { $0.skuId == skuId }) else {
            throw .invalidInput("group \(groups[index].displayName) has no licence for SKU \(skuId)")
        }
        let remaining = groups[index].assignedLicenses.filter { $0.skuId != skuId }
        try checkGroupDependencies(remaining)
        groups[index].assignedLicenses = remaining
        groups[index].licenseProcessingState = .queuedForProcessing
        pending.enqueue(groupID, in: \.licenseGroups)
        return "\(sku(id: skuId)?.skuPartNumber ?? skuId) removed"
    }

    /// R18: a dependent plan needs its prerequisite enabled in the same group.
    func checkGroupDependencies(_ licenses: [AssignedLicense]) throws(ModelError) {
        var enabled: Set<String> = []
        for license in licenses {
            guard let sku = sku(id: license.skuId) else { continue }
            enabled.formUnion(Set(sku.planIds).subtracting(license.disabledPlans))
        }
        for plan in enabled.sorted() {
            guard let dependency = SKUCatalog.shared.dependency(of: plan) else { continue }
            if dependency.requiresAnyOf.contains(where: enabled.contains) { continue }
            let catalog = SKUCatalog.shared
            throw .refused(
                EntraMessage.groupDependency(
                    catalog.friendlyName(ofPlan: plan),
                    requires: dependency.requiresAnyOf.map(catalog.friendlyName(ofPlan:)).joined(separator: " or ")))
        }
    }

    /// A direct assignment: checked synchronously; a failure is reported, not recorded (§2.6).
    mutating func assignDirect(_ userID: String, _ skuId: String, disabledPlans: [String], now: Date) throws(ModelError)
        -> String
    {
        let index = try userIndex(userID)
        let sku = subscribedSkus[try skuIndex(skuId)]
        for plan in disabledPlans where !sku.planIds.contains(plan) {
            throw .invalidInput("\(SKUCatalog.shared.name(ofPlan: plan)) is not a service plan of \(sku.skuPartNumber)")
        }
        var user = users[index]
        guard let location = user.usageLocation else { throw .refused(EntraMessage.invalidUsageLocation) }
        let license = AssignedLicense(skuId: skuId, disabledPlans: disabledPlans)
        let enabled = Set(sku.planIds).subtracting(license.disabledPlans)
        if !ProhibitedServices.allowed(enabled, in: location) {
            throw .refused("License assignment failed because a service in \(sku.skuPartNumber) is not offered in \(location).")
        }
        let seatsBefore = LicenseEngine.seatsHeld(by: user)
        if !seatsBefore.contains(skuId) && sku.availableUnits <= 0 {
            throw .refused(EntraMessage.notEnoughLicenses(sku: sku.skuPartNumber))
        }
        if let (a, b) = LicenseEngine.conflict(enabled, skuId: skuId, user: user, tenant: self) {
            let catalog = SKUCatalog.shared
            throw .refused(EntraMessage.mutuallyExclusive(catalog.friendlyName(ofPlan: a), catalog.friendlyName(ofPlan: b)))
        }
        let old = user.licenseAssignmentStates.first { $0.isDirect && $0.skuId == skuId }
        let newPath = LicenseAssignmentState(
            skuId: skuId, disabledPlans: license.disabledPlans, assignedByGroup: nil, state: .active, error: .none,
            lastUpdatedDateTime: now)
        let after = user.licenseAssignmentStates.filter { !($0.isDirect && $0.skuId == skuId) } + [newPath]
        try refuseDependencyViolation(before: user.licenseAssignmentStates, after: after)
        if old == nil, duplicatesProxyAddress(of: user, gaining: enabled) {
            throw .refused("Proxy address is already being used: another user has an address \(user.userPrincipalName) would get.")
        }
        user.licenseAssignmentStates.removeAll { $0.isDirect && $0.skuId == skuId }
        user.licenseAssignmentStates.append(
            LicenseAssignmentState(
                skuId: skuId, disabledPlans: license.disabledPlans, assignedByGroup: nil, state: .active, error: .none,
                lastUpdatedDateTime: now))
        LicenseEngine.sortPaths(&user)
        LicenseEngine.finish(&user, in: &self, seatsBefore: seatsBefore, now: now)
        users[index] = user
        let count = sku.planIds.count
        return "\(sku.skuPartNumber) direct: \(old.map { "\(count - $0.disabledPlans.count) of \(count)" } ?? "none") -> \(enabled.count) of \(count) enabled"
    }

    /// Removes the direct path (R8); an inherited-only SKU is refused with Entra's text (R7).
    mutating func removeDirect(_ userID: String, _ skuId: String, now: Date) throws(ModelError) -> String {
        let index = try userIndex(userID)
        var user = users[index]
        guard user.licenseAssignmentStates.contains(where: { $0.isDirect && $0.skuId == skuId }) else {
            if user.licenseAssignmentStates.contains(where: { $0.skuId == skuId }) {
                throw .refused(EntraMessage.inheritedLicense)
            }
            throw .invalidInput("\(user.userPrincipalName) has no licence for SKU \(skuId)")
        }
        let seatsBefore = LicenseEngine.seatsHeld(by: user)
        try refuseDependencyViolation(
            before: user.licenseAssignmentStates, after: user.licenseAssignmentStates.filter { !($0.isDirect && $0.skuId == skuId) })
        user.licenseAssignmentStates.removeAll { $0.isDirect && $0.skuId == skuId }
        let conflicted = Set(user.licenseAssignmentStates.filter { $0.error == .mutuallyExclusiveViolation }.compactMap(\.assignedByGroup))
        users[index] = user
        // R17: the removal may clear conflict errors on the user's group paths at once.
        LicenseEngine.reconcile(&self, userAt: index, seatsBefore: seatsBefore, retry: conflicted.contains, now: now)
        return "\(sku(id: skuId)?.skuPartNumber ?? skuId) direct path removed"
    }
}

extension Tenant {
    /// Direct changes are checked at once: one that would leave a dependent plan without its
    /// prerequisite is refused with Entra's message.
    func refuseDependencyViolation(before: [LicenseAssignmentState], after: [LicenseAssignmentState]) throws(ModelError) {
        guard let (plan, needs) = LicenseEngine.newDependencyViolation(before: before, after: after, in: self) else { return }
        let catalog = SKUCatalog.shared
        throw .refused(EntraMessage.dependency(catalog.friendlyName(ofPlan: plan), dependsOn: needs.map(catalog.friendlyName(ofPlan:))))
    }

    /// R16: remove some SKUs and add others in one step, so members never hold both (no
    /// conflict between old and new) nor neither.
    mutating func replaceGroupLicenses(_ groupID: String, add: [AssignedLicense], remove: [String]) throws(ModelError) -> String {
        let index = try groupIndex(groupID)
        for skuId in remove where !groups[index].assignedLicenses.contains(where: { $0.skuId == skuId }) {
            throw .invalidInput("group \(groups[index].displayName) has no licence for SKU \(skuId)")
        }
        let before = groups[index].assignedLicenses
        var licenses = before.filter { !remove.contains($0.skuId) }
        for license in add {
            let sku = subscribedSkus[try skuIndex(license.skuId)]
            for plan in license.disabledPlans where !sku.planIds.contains(plan) {
                throw .invalidInput("\(SKUCatalog.shared.name(ofPlan: plan)) is not a service plan of \(sku.skuPartNumber)")
            }
            licenses.removeAll { $0.skuId == license.skuId }
            licenses.append(license)
        }
        try checkGroupDependencies(licenses)
        groups[index].assignedLicenses = licenses.sorted { $0.skuId < $1.skuId }
        groups[index].licenseProcessingState = .queuedForProcessing
        pending.enqueue(groupID, in: \.licenseGroups)
        // In the words of a single plan toggle where a SKU stays: "ENTERPRISEPACK: 3 of 16 -> 6 of 16 enabled".
        var parts: [String] = []
        for skuId in remove { parts.append("\(subscribedSkus.first { $0.skuId == skuId }?.skuPartNumber ?? skuId) removed") }
        for license in add {
            guard let sku = subscribedSkus.first(where: { $0.skuId == license.skuId }) else { continue }
            let total = sku.planIds.count
            let now = "\(total - license.disabledPlans.count) of \(total)"
            if let old = before.first(where: { $0.skuId == license.skuId }) {
                parts.append("\(sku.skuPartNumber): \(total - old.disabledPlans.count) of \(total) -> \(now) enabled")
            } else {
                parts.append("\(sku.skuPartNumber) added (\(now) enabled)")
            }
        }
        return parts.isEmpty ? "no change" : parts.joined(separator: "; ")
    }
}
