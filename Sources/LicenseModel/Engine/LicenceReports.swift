import Foundation

/// The reports of `licensedesk report` and the console's `:report`: facts worked out from the
/// tenant, as data; the command line and the console only lay them out.
public enum LicenceReports {
    // MARK: Seats by path

    public struct SeatRow: Equatable, Sendable, Codable {
        public var skuPartNumber: String
        /// "direct", or the group's display name.
        public var path: String
        /// Users with this path applied (holding a seat through it; a user may have several).
        public var applied: Int
        /// Users whose path from here is in error.
        public var errors: Int
    }
    public struct SeatSummary: Equatable, Sendable, Codable {
        public var skuPartNumber: String
        public var enabled: Int
        public var consumed: Int
        public var rows: [SeatRow]
    }

    public static func seats(_ tenant: Tenant) -> [SeatSummary] {
        tenant.subscribedSkus.map { sku in
            var applied: [String: Int] = [:]
            var errors: [String: Int] = [:]
            for user in tenant.users {
                for path in user.licenseAssignmentStates where path.skuId == sku.skuId {
                    let key = path.assignedByGroup ?? ""
                    if path.state.isApplied { applied[key, default: 0] += 1 }
                    if path.error != .none { errors[key, default: 0] += 1 }
                }
            }
            let keys = Set(applied.keys).union(errors.keys).sorted { a, b in
                a.isEmpty != b.isEmpty ? a.isEmpty : name(a, tenant) < name(b, tenant)
            }
            let rows = keys.map { key in
                SeatRow(skuPartNumber: sku.skuPartNumber, path: name(key, tenant), applied: applied[key] ?? 0, errors: errors[key] ?? 0)
            }
            return SeatSummary(skuPartNumber: sku.skuPartNumber, enabled: sku.prepaidUnits.enabled, consumed: sku.consumedUnits, rows: rows)
        }
    }

    static func name(_ groupID: String, _ tenant: Tenant) -> String {
        groupID.isEmpty ? "direct" : "group " + (tenant.group(id: groupID)?.displayName ?? groupID)
    }

    // MARK: Errors with their fixes

    public struct ErrorRow: Equatable, Sendable, Codable {
        public var error: String
        public var label: String
        public var fix: String
        /// "upn: SKU via path"
        public var occurrences: [String]
    }

    public static func errors(_ tenant: Tenant) -> [ErrorRow] {
        var found: [LicenseError: [String]] = [:]
        for user in tenant.users {
            for path in user.licenseAssignmentStates where path.error != .none {
                let sku = tenant.sku(id: path.skuId)?.skuPartNumber ?? path.skuId
                found[path.error, default: []].append("\(user.userPrincipalName): \(sku) via \(name(path.assignedByGroup ?? "", tenant))")
            }
        }
        return LicenseError.allCases.compactMap { error in
            guard let list = found[error] else { return nil }
            return ErrorRow(error: error.rawValue, label: error.label, fix: fix(for: error), occurrences: list)
        }
    }

    /// What an admin does about each error (`specs/licensing.md` §3: fix the cause, then reprocess).
    public static func fix(for error: LicenseError) -> String {
        switch error {
        case .none: ""
        case .countViolation:
            "Not enough seats: buy more (licensedesk skus set-seats) or free some, then reprocess the group (R, or licensedesk groups reprocess)."
        case .mutuallyExclusiveViolation:
            "Another path gives the user a plan that conflicts: remove that path, or switch the conflicting plan off in one group, then reprocess."
        case .dependencyViolation:
            "A plan this path enables needs a plan that is off, or removing it would strand a plan that depends on it: switch the needed plan on, then reprocess."
        case .prohibitedInUsageLocationViolation:
            "A plan is not offered in the user's usage location: correct usageLocation, or switch that plan off for the group, then reprocess the user."
        case .uniquenessViolation:
            "Another object holds the proxy address Exchange would give the user: fix the duplicate address, then reprocess the user."
        case .other:
            "Another SKU of the same group failed for this user: fix that error first; this one clears with it."
        }
    }

    // MARK: Direct assignments that groups already cover

    public struct RedundantDirect: Equatable, Sendable, Codable {
        public var userPrincipalName: String
        public var skuPartNumber: String
        public var groups: [String]
        /// Plans only the direct path gives: empty means it is safe to remove.
        public var wouldLose: [String]
        public var safeToRemove: Bool { wouldLose.isEmpty }
    }

    public static func redundantDirect(_ tenant: Tenant) -> [RedundantDirect] {
        var rows: [RedundantDirect] = []
        for user in tenant.users {
            for direct in user.licenseAssignmentStates where direct.assignedByGroup == nil && direct.state.isApplied {
                let groupPaths = user.licenseAssignmentStates.filter { $0.skuId == direct.skuId && $0.assignedByGroup != nil && $0.state.isApplied }
                guard !groupPaths.isEmpty, let sku = tenant.sku(id: direct.skuId) else { continue }
                let fromGroups = groupPaths.reduce(into: Set<String>()) { $0.formUnion(Set(sku.planIds).subtracting($1.disabledPlans)) }
                let fromDirect = Set(sku.planIds).subtracting(direct.disabledPlans)
                let lost = fromDirect.subtracting(fromGroups).map { SKUCatalog.shared.friendlyName(ofPlan: $0) }.sorted()
                rows.append(
                    RedundantDirect(
                        userPrincipalName: user.userPrincipalName, skuPartNumber: sku.skuPartNumber,
                        groups: groupPaths.map { name($0.assignedByGroup ?? "", tenant) }, wouldLose: lost))
            }
        }
        return rows
    }

    // MARK: Plans that would switch on

    public struct NewPlanExposure: Equatable, Sendable, Codable {
        public var group: String
        public var skuPartNumber: String
        public var members: Int
        /// Plans the SKU has in Microsoft's current table but not in the tenant's subscription:
        /// when Microsoft adds them, they are not in the group's disabled list, so they switch on.
        public var newPlans: [String]
        public var disabledCount: Int
        public var planCount: Int
    }

    public static func newPlanExposure(_ tenant: Tenant) -> [NewPlanExposure] {
        var rows: [NewPlanExposure] = []
        for group in tenant.groups {
            for license in group.assignedLicenses {
                guard let sku = tenant.sku(id: license.skuId), let current = SKUCatalog.shared.sku(id: license.skuId) else { continue }
                let added = Set(current.planIds).subtracting(sku.planIds)
                guard !added.isEmpty else { continue }
                rows.append(
                    NewPlanExposure(
                        group: group.displayName, skuPartNumber: sku.skuPartNumber, members: group.members.count,
                        newPlans: added.map { SKUCatalog.shared.friendlyName(ofPlan: $0) }.sorted(), disabledCount: license.disabledPlans.count,
                        planCount: sku.planIds.count))
            }
        }
        return rows
    }

    // MARK: Seat forecast

    public struct Forecast: Equatable, Sendable, Codable {
        public var pendingItems: Int
        public struct Row: Equatable, Sendable, Codable {
            public var skuPartNumber: String
            public var enabled: Int
            public var consumedNow: Int
            public var consumedAfter: Int
            public var newCountViolations: Int
        }
        public var rows: [Row]
    }

    /// Runs the pending work on a copy (the same code as `process`), so the forecast is what
    /// processing will do.
    public static func forecast(_ tenant: Tenant, now: Date = Date()) -> Forecast {
        var after = tenant
        _ = try? after.apply(.processPending, context: ChangeContext(now: now, actor: "forecast"))
        let rows = tenant.subscribedSkus.map { sku in
            let later = after.sku(id: sku.skuId)
            let before = tenant.users.reduce(0) { $0 + $1.licenseAssignmentStates.filter { $0.skuId == sku.skuId && $0.error == .countViolation }.count }
            let afterCount = after.users.reduce(0) { $0 + $1.licenseAssignmentStates.filter { $0.skuId == sku.skuId && $0.error == .countViolation }.count }
            return Forecast.Row(
                skuPartNumber: sku.skuPartNumber, enabled: sku.prepaidUnits.enabled, consumedNow: sku.consumedUnits,
                consumedAfter: later?.consumedUnits ?? sku.consumedUnits, newCountViolations: max(0, afterCount - before))
        }
        return Forecast(pendingItems: tenant.pending.count, rows: rows)
    }
}
