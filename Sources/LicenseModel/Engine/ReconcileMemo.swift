import Foundation

/// Remembers what `LicenseEngine.reconcile` did to a user in a given licensing situation and
/// does the same to the next user in the same situation, without running the engine again.
///
/// Why this is exact: the engine reads only what `Situation` holds (the user's licensed groups,
/// paths, assigned-plan rows, usage location, whether an Exchange plan would give it an address
/// someone else has, and which SKUs have no seat left); the group licences, the SKUs' plans,
/// the catalog, the organisation and the retry set do not change during one batch. Its output
/// is the same for every user in that situation except for dates, and dates are recorded as
/// "now" or "kept from old path/row N" by running the engine once on a copy whose old dates are
/// sentinels. Seats are settled from the recorded per-SKU difference.
///
/// Entra-sized tenants are made of few situations (a group licence gives thousands of users the
/// same paths), so most users cost a look-up instead of a reconcile.
struct ReconcileMemo {
    private var templates: [Situation: Template] = [:]
    private let retry: Set<String>
    private let now: Date
    /// The memo needs the exhausted SKUs as one bit each, and sentinel dates that `now` can't be.
    let isUsable: Bool
    /// Ids of the groups that assign licences.
    private let licensedGroups: Set<String>

    /// Batches smaller than this are reconciled without the memo.
    static let smallestBatch = 16

    init(tenant: Tenant, retry: Set<String>, now: Date, enabled: Bool = true) {
        self.retry = retry
        self.now = now
        isUsable = enabled && tenant.subscribedSkus.count <= 64 && now.timeIntervalSince1970 > 0
        licensedGroups = isUsable ? Set(tenant.groups.filter { !$0.assignedLicenses.isEmpty }.map(\.id)) : []
    }

    /// A user who holds nothing (no path, no licence, no enabled plan row) and is in no
    /// licensed group is left exactly as it is by the engine: most users whose membership
    /// changed in a tenant where few groups carry licences. Checked without a `Situation`.
    private func holdsNothingAndGetsNothing(_ tenant: Tenant, userAt index: Int) -> Bool {
        guard tenant.users[index].licenseAssignmentStates.isEmpty, tenant.users[index].assignedLicenses.isEmpty,
            tenant.users[index].assignedPlans.allSatisfy({ $0.capabilityStatus == "Deleted" })
        else { return false }
        guard !licensedGroups.isEmpty, let groups = tenant.memberships[tenant.users[index].id] else { return true }
        return licensedGroups.isDisjoint(with: groups)
    }

    /// Reconciles the user at `index` like `LicenseEngine.reconcile(…, retry: retry.contains)`.
    mutating func reconcile(_ tenant: inout Tenant, userAt index: Int) {
        guard isUsable else {
            LicenseEngine.reconcile(&tenant, userAt: index, retry: retry.contains, now: now)
            return
        }
        if holdsNothingAndGetsNothing(tenant, userAt: index) { return }
        let situation = Situation(of: tenant.users[index], in: tenant)
        if let template = templates[situation] {
            template.apply(to: &tenant, userAt: index, now: now)
            return
        }
        let template = record(&tenant, userAt: index)
        templates[situation] = template
        template.apply(to: &tenant, userAt: index, now: now)
    }

    /// Runs the engine on a copy of the user with sentinel dates, then puts the user and the
    /// seat counts back as they were: the template alone makes the change.
    private func record(_ tenant: inout Tenant, userAt index: Int) -> Template {
        let original = tenant.users[index]
        var probe = original
        for i in probe.licenseAssignmentStates.indices { probe.licenseAssignmentStates[i].lastUpdatedDateTime = Template.pathSentinel(i) }
        for i in probe.assignedPlans.indices { probe.assignedPlans[i].assignedDateTime = Template.rowSentinel(i) }
        tenant.users[index] = probe
        let consumedBefore = tenant.subscribedSkus.map(\.consumedUnits)
        LicenseEngine.reconcile(&tenant, userAt: index, retry: retry.contains, now: now)
        let result = tenant.users[index]
        var seatChanges: [(sku: Int, delta: Int)] = []
        for (sku, before) in consumedBefore.enumerated() where tenant.subscribedSkus[sku].consumedUnits != before {
            seatChanges.append((sku, tenant.subscribedSkus[sku].consumedUnits - before))
            tenant.subscribedSkus[sku].consumedUnits = before
        }
        tenant.users[index] = original
        return Template(before: probe, after: result, seatChanges: seatChanges, now: now)
    }
}

/// Everything the licence engine reads about one user, without the user's identity or dates.
struct Situation: Hashable {
    struct Path: Hashable {
        var skuId: String
        var disabledPlans: [String]
        var assignedByGroup: String?
        var state: LicenseAssignmentStatus
        var error: LicenseError
    }
    struct Row: Hashable {
        var servicePlanId: String
        var capabilityStatus: String
        var service: String
    }

    /// Indices of the licensed groups the user is a member of, ascending.
    var licensedGroups: [Int]
    var paths: [Path]
    var rows: [Row]
    var usageLocation: String?
    /// Whether an Exchange plan would stamp an address another user holds.
    var proxyClash: Bool
    /// SKUs (by position in the tenant) with no seat left, one bit each.
    var exhaustedSkus: UInt64

    init(of user: User, in tenant: Tenant) {
        var groups: [Int] = []
        if let ids = tenant.memberships[user.id] {
            for id in ids {
                if let index = tenant.groupIndex[id], !tenant.groups[index].assignedLicenses.isEmpty { groups.append(index) }
            }
            groups.sort()
        }
        licensedGroups = groups
        paths = user.licenseAssignmentStates.map {
            Path(skuId: $0.skuId, disabledPlans: $0.disabledPlans, assignedByGroup: $0.assignedByGroup, state: $0.state, error: $0.error)
        }
        rows = user.assignedPlans.map { Row(servicePlanId: $0.servicePlanId, capabilityStatus: $0.capabilityStatus, service: $0.service) }
        usageLocation = user.usageLocation
        // The engine asks only for a user whose rows hold no enabled Exchange plan
        // (`duplicatesProxyAddress`; rows change only when the reconcile ends), and the rows are
        // in the key: for everyone else the answer, folding every address, is never read.
        proxyClash = Tenant.holdsExchange(user) ? false : tenant.sharesProxyAddress(user)
        var exhausted: UInt64 = 0
        for (position, sku) in tenant.subscribedSkus.enumerated() where sku.availableUnits <= 0 { exhausted |= 1 << UInt64(position) }
        exhaustedSkus = exhausted
    }

    /// Hashes a cheap summary (equality still compares everything): the plan rows are the
    /// longest part and follow from the paths for almost every user.
    func hash(into hasher: inout Hasher) {
        hasher.combine(licensedGroups)
        hasher.combine(paths.count)
        for path in paths {
            hasher.combine(path.skuId)
            hasher.combine(path.assignedByGroup)
            hasher.combine(path.state)
            hasher.combine(path.error)
            hasher.combine(path.disabledPlans.count)
        }
        hasher.combine(rows.count)
        hasher.combine(usageLocation)
        hasher.combine(proxyClash)
        hasher.combine(exhaustedSkus)
    }
}

/// What one reconcile did, with dates and seats made relative so it can be replayed.
struct Template {
    /// Where a date comes from: the run's time, or the user's own old path or row.
    enum DateSource {
        case now
        case oldPath(Int)
        case oldRow(Int)
    }

    var paths: [(LicenseAssignmentState, DateSource)]
    var licenses: [AssignedLicense]
    var rows: [(AssignedPlan, DateSource)]
    var seatChanges: [(sku: Int, delta: Int)]
    /// Nothing changed: replaying is a no-op.
    var isIdentity: Bool
    /// When every date is "now" the result is the same for every user: built once and shared
    /// (copy-on-write), so a million users in one situation hold one array, not a million.
    private var sharedPaths: [LicenseAssignmentState]?
    private var sharedRows: [AssignedPlan]?

    static func pathSentinel(_ index: Int) -> Date { Date(timeIntervalSince1970: -1_000_000_000 - Double(index)) }
    static func rowSentinel(_ index: Int) -> Date { Date(timeIntervalSince1970: -2_000_000_000 - Double(index)) }

    init(before: User, after: User, seatChanges: [(sku: Int, delta: Int)], now: Date) {
        func source(of date: Date) -> DateSource {
            if date == now { return .now }
            let seconds = -date.timeIntervalSince1970
            if seconds >= 2_000_000_000 { return .oldRow(Int(seconds - 2_000_000_000)) }
            if seconds >= 1_000_000_000 { return .oldPath(Int(seconds - 1_000_000_000)) }
            // The engine only writes `now` or keeps a date it was given.
            preconditionFailure("reconcile produced a date it was not given: \(date)")
        }
        paths = after.licenseAssignmentStates.map { ($0, source(of: $0.lastUpdatedDateTime)) }
        licenses = after.assignedLicenses
        rows = after.assignedPlans.map { ($0, source(of: $0.assignedDateTime)) }
        self.seatChanges = seatChanges
        isIdentity =
            seatChanges.isEmpty && after.licenseAssignmentStates == before.licenseAssignmentStates
            && after.assignedLicenses == before.assignedLicenses && after.assignedPlans == before.assignedPlans
        if paths.allSatisfy({ if case .now = $0.1 { true } else { false } }) { sharedPaths = after.licenseAssignmentStates }
        if rows.allSatisfy({ if case .now = $0.1 { true } else { false } }) { sharedRows = after.assignedPlans }
    }

    func apply(to tenant: inout Tenant, userAt index: Int, now: Date) {
        if isIdentity { return }
        let oldPaths = tenant.users[index].licenseAssignmentStates
        let oldRows = tenant.users[index].assignedPlans
        func date(_ source: DateSource) -> Date {
            switch source {
            case .now: now
            case .oldPath(let i): oldPaths[i].lastUpdatedDateTime
            case .oldRow(let i): oldRows[i].assignedDateTime
            }
        }
        tenant.users[index].licenseAssignmentStates =
            sharedPaths
            ?? paths.map { path, source in
                var path = path
                path.lastUpdatedDateTime = date(source)
                return path
            }
        tenant.users[index].assignedLicenses = licenses
        tenant.users[index].assignedPlans =
            sharedRows
            ?? rows.map { row, source in
                var row = row
                row.assignedDateTime = date(source)
                return row
            }
        for change in seatChanges { tenant.subscribedSkus[change.sku].consumedUnits += change.delta }
    }
}
