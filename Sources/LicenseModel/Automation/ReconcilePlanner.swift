import Foundation
import MembershipRules

/// How a reconcile run decides.
public struct ReconcileOptions: Sendable {
    /// Take direct licences of managed SKUs that were there before management under it.
    public var adopt = false
    public var now = Date()
    /// Synced users wait when the tenant's last directory sync is older than this.
    public var maxSyncAge: TimeInterval = 3 * 3_600
    /// The circuit breaker: a run that would remove more licences than this, or more than
    /// this share of the managed licences, is refused unless forced.
    public var maxRemovals = 50
    public var maxRemovalPercent = 10.0
    public init() {}
}

/// A run's plan with what the circuit breaker needs to judge it.
public struct ReconcilePlan: Sendable {
    public var run: ReconcileRun
    public var managedUsers: Int
    /// Direct licences LicenseDesk manages in the tenant now: what the breaker's share is of.
    public var managedLicences: Int
    /// Things worth saying that change nothing (a policy's SKU outside the scope…).
    public var notes: [String]
    /// For each policy whose licences the plan removes: how many, of how many it gave.
    public var removalsByPolicy: [PolicyRemovals]

    public struct PolicyRemovals: Sendable, Hashable {
        /// The policy's display name ("adopted licences" for those no policy gave).
        public var policy: String
        public var rule: String?
        public var removes: Int
        public var gave: Int
    }

    /// Why the circuit breaker refuses this plan, naming the policies that cause it; nil when
    /// it passes.
    public func breaker(_ options: ReconcileOptions) -> String? {
        let removals = run.removed
        guard removals > 0 else { return nil }
        let share = managedLicences == 0 ? 100 : Double(removals) * 100 / Double(managedLicences)
        let overCount = removals > options.maxRemovals
        let overShare = share > options.maxRemovalPercent
        guard overCount || overShare else { return nil }
        let limit =
            overCount
            ? "more than \(options.maxRemovals) (--max-removals)"
            : "more than \(Self.percent(options.maxRemovalPercent)) of the \(managedLicences) managed licence(s) (--max-removal-percent)"
        let causes = removalsByPolicy.prefix(3).map { cause in
            "\(cause.policy)\(cause.rule.map { " (rule \($0))" } ?? "") would take \(cause.removes) of the \(cause.gave) licence(s) it gave"
        }
        return "the run would remove \(removals) licence(s) (\(Self.percent(share))), \(limit): "
            + causes.joined(separator: "; ")
            + ". Nothing was sent. Check the rule; if the removals are meant, run again with --force"
    }

    static func percent(_ value: Double) -> String { String(format: value < 10 ? "%.1f%%" : "%.0f%%", value) }
}

/// Computes a run: for every managed user, the direct licences the policies give them (the
/// model's group-based licensing semantics: the union of plans across policies, one licence
/// per SKU) against the direct licences they have, as `assignLicense` calls. A pure function
/// of the tenant as pulled and the bookkeeping: running it twice plans the same, and a run
/// cut off is re-planned from what the tenant shows.
public enum ReconcilePlanner {
    public static func plan(_ tenant: Tenant, options: ReconcileOptions, runID: String) throws(ModelError) -> ReconcilePlan {
        let automation = tenant.automation
        guard let scope = automation.scope, !scope.skuIds.isEmpty else {
            throw .invalidInput("no managed scope: say which SKUs LicenseDesk manages first (licensedesk reconcile scope --sku SKU …)")
        }
        var notes: [String] = []
        let skusByID = Dictionary(tenant.subscribedSkus.map { ($0.skuId.lowercased(), $0) }) { first, _ in first }
        var managed = Set<String>()
        for id in scope.skuIds {
            if skusByID[id] != nil { managed.insert(id) } else { notes.append("the scope names SKU \(id), which the tenant does not subscribe to") }
        }
        let context = RuleContext(now: options.now)
        let scopeRule = try scope.userRule.map { text throws(ModelError) in try compile(text, what: "the scope's user rule") }
        let locationRules = try scope.usageLocations.map { entry throws(ModelError) in
            (try compile(entry.rule, what: "the usage location rule for \(entry.location)"), entry.location)
        }

        // Each policy's members: its rule over the tenant as pulled (a paused policy keeps the
        // members it had, as a paused dynamic group does).
        let policies = tenant.policies
        var grants: [Int: [(policy: Group, licence: AssignedLicense)]] = [:]
        for policy in policies {
            let members: [Int]
            if policy.isPaused {
                members = policy.members.compactMap { tenant.userIndex[$0] }
            } else {
                guard let text = policy.membershipRule else { throw .invalidInput("policy \(policy.displayName) has no membership rule") }
                let rule = try compile(text, what: "policy \(policy.displayName)'s rule")
                members = tenant.userIndices(matching: rule, context: context)
                if let why = rule.matchBudget.exceeded {
                    throw .invalidInput("policy \(policy.displayName)'s rule ran out of time (\(why)): its members are not known, so nothing is planned")
                }
            }
            let licences = policy.assignedLicenses.filter { managed.contains($0.skuId.lowercased()) }
            for licence in policy.assignedLicenses where !managed.contains(licence.skuId.lowercased()) {
                notes.append(
                    "policy \(policy.displayName) gives \(skusByID[licence.skuId.lowercased()]?.skuPartNumber ?? licence.skuId), which is not in the managed scope: left out"
                )
            }
            guard !licences.isEmpty else { continue }
            for index in members { grants[index, default: []] += licences.map { (policy, $0) } }
        }

        let lastSync = Self.lastSync(of: tenant)
        let syncTooOld = lastSync.map { options.now.timeIntervalSince($0) > options.maxSyncAge } ?? false
        let changedOnPremises = Set(tenant.onPremises.changed.map { $0.lowercased() })
        let policyNames = Dictionary(policies.map { ($0.id, $0) }) { first, _ in first }

        var run = ReconcileRun(id: runID)
        var managedUsers = 0, managedLicences = 0
        var removalCauses: [String: Int] = [:]
        var gaveCounts: [String: Int] = [:]
        for (index, user) in tenant.users.enumerated() {
            if let scopeRule, !scopeRule.matches(tenant.ruleView(of: user), context: context) { continue }
            managedUsers += 1
            let owned = automation.owned[user.id] ?? [:]
            for (_, givers) in owned { for giver in givers { gaveCounts[giver, default: 0] += 1 } }

            // What the policies give, by the model's own rule for group paths.
            var paths: [LicenseAssignmentState] = []
            var givenBy: [String: [String]] = [:]
            for (policy, licence) in grants[index] ?? [] {
                paths.append(
                    LicenseAssignmentState(
                        skuId: licence.skuId, disabledPlans: licence.disabledPlans, assignedByGroup: policy.id, state: .active, error: .none,
                        lastUpdatedDateTime: options.now))
                givenBy[licence.skuId.lowercased(), default: []].append(policy.id)
            }
            var wanted = user
            wanted.licenseAssignmentStates = paths
            let desired = Dictionary(
                LicenseDerivation.assignedLicenses(of: wanted, skus: tenant.subscribedSkus).map { ($0.skuId.lowercased(), $0) }
            ) { first, _ in first }

            var live: [String: Set<String>] = [:]
            for path in user.licenseAssignmentStates where path.isDirect && managed.contains(path.skuId.lowercased()) {
                live[path.skuId.lowercased()] = Set(path.disabledPlans.map { $0.lowercased() })
            }
            var add: [AssignedLicense] = [], remove: [String] = [], newSkus: [String] = []
            for sku in Set(desired.keys).union(live.keys).union(owned.keys.map { $0.lowercased() }).sorted() where managed.contains(sku) {
                let want = desired[sku]
                let have = live[sku]
                var isOwned = owned[sku] != nil
                if have != nil && !isOwned {
                    let hold = ReconcileHold(userID: user.id, upn: user.userPrincipalName, skuId: sku, reason: "a direct licence from before management")
                    guard options.adopt else {
                        run.notAdopted.append(hold)
                        continue
                    }
                    run.adopted.append(hold)
                    isOwned = true
                }
                if have != nil { managedLicences += 1 }
                if let want {
                    if have == nil {
                        add.append(want)
                        newSkus.append(want.skuId)
                    } else if have != Set(want.disabledPlans.map { $0.lowercased() }) {
                        add.append(want)
                    }
                } else if have != nil {
                    remove.append(skusByID[sku]?.skuId ?? sku)
                    let givers = owned[sku] ?? []
                    if givers.isEmpty { removalCauses["", default: 0] += 1 }
                    for giver in givers { removalCauses[giver, default: 0] += 1 }
                } else if isOwned {
                    run.forgotten.append(
                        ReconcileHold(userID: user.id, upn: user.userPrincipalName, skuId: sku, reason: "gone from the tenant, and no policy gives it"))
                }
            }
            guard !add.isEmpty || !remove.isEmpty else { continue }

            // Sync lag: a synced user whose attributes may not have reached the cloud yet waits.
            if user.onPremisesSyncEnabled == true {
                if let sam = user.onPremisesSamAccountName?.lowercased(), changedOnPremises.contains(sam) {
                    run.held.append(ReconcileHold(userID: user.id, upn: user.userPrincipalName, reason: "changed on-premises since the last directory sync"))
                    continue
                }
                if syncTooOld, let lastSync {
                    let hours = String(format: "%.1f", options.now.timeIntervalSince(lastSync) / 3_600)
                    run.held.append(
                        ReconcileHold(
                            userID: user.id, upn: user.userPrincipalName,
                            reason: "the last directory sync was \(hours) h ago (more than \(String(format: "%.1f", options.maxSyncAge / 3_600)) h)"))
                    continue
                }
            }
            var call = ReconcileCall(
                userID: user.id, upn: user.userPrincipalName, add: add, remove: remove,
                givenBy: givenBy.filter { sku, _ in add.contains { $0.skuId.lowercased() == sku } }, newSkus: newSkus)
            if !add.isEmpty, user.usageLocation?.isEmpty ?? true {
                let ruled = locationRules.first { $0.0.matches(tenant.ruleView(of: user), context: context) }?.1
                let location = ruled ?? tenant.organization.countryLetterCode
                guard !location.isEmpty else {
                    run.held.append(
                        ReconcileHold(userID: user.id, upn: user.userPrincipalName, reason: "no usage location, and the organisation has no country"))
                    continue
                }
                call.usageLocation = location
            }
            run.calls.append(call)
        }
        fitSeats(&run, tenant: tenant, skus: skusByID)
        let causes = removalCauses.map { giver, count in
            ReconcilePlan.PolicyRemovals(
                policy: giver.isEmpty ? "adopted licences no policy gives" : (policyNames[giver]?.displayName ?? "deleted policy \(giver)"),
                rule: policyNames[giver]?.membershipRule, removes: count, gave: giver.isEmpty ? count : max(gaveCounts[giver] ?? count, count))
        }.sorted { $0.removes != $1.removes ? $0.removes > $1.removes : $0.policy < $1.policy }
        return ReconcilePlan(run: run, managedUsers: managedUsers, managedLicences: managedLicences, notes: notes, removalsByPolicy: causes)
    }

    /// Orders the calls so that removals free seats before additions use them, and takes out
    /// every addition that finds no seat: it is reported as the CountViolation it would be,
    /// and not sent. Calls that only remove come first; then the rest in tenant order, passed
    /// over again while seats freed later let more fit. A call that takes a seat another call
    /// frees goes a phase after that call. A call whose addition finds no seat keeps its
    /// removals back too: a swap half done leaves the user with neither licence.
    static func fitSeats(_ run: inout ReconcileRun, tenant: Tenant, skus: [String: SubscribedSku]) {
        // Seats the state counts for what policies give are not taken in the tenant until a
        // run sends them (the state shows a policy's licences as group paths): not counted.
        let policyIDs = Set(tenant.policies.map(\.id))
        func holdsSeat(_ user: User, _ sku: String) -> Bool {
            user.licenseAssignmentStates.contains {
                $0.skuId.lowercased() == sku && $0.state.isApplied && ($0.isDirect || !policyIDs.contains($0.assignedByGroup!))
            }
        }
        var seats = SeatLedger(skus: skus)
        if !policyIDs.isEmpty {
            for user in tenant.users {
                for sku in Set(user.licenseAssignmentStates.filter { $0.state.isApplied }.map { $0.skuId.lowercased() }) where !holdsSeat(user, sku) {
                    seats.available[sku, default: 0] += 1
                }
            }
        }
        var ordered: [ReconcileCall] = []
        for var call in run.calls where call.add.isEmpty {
            call.phase = 0
            seats.free(call.remove, phase: 0)
            ordered.append(call)
        }
        func needs(_ call: ReconcileCall) -> [String] {
            let user = tenant.user(id: call.userID)
            // A SKU the user already holds through a group of the tenant takes no new seat.
            return call.newSkus.map { $0.lowercased() }.filter { sku in !(user.map { holdsSeat($0, sku) } ?? false) }
        }
        var pending = run.calls.filter { !$0.add.isEmpty }
        var progress = true
        while !pending.isEmpty && progress {
            progress = false
            var waiting: [ReconcileCall] = []
            for var call in pending {
                guard let phase = seats.take(needs(call)) else {
                    waiting.append(call)
                    continue
                }
                call.phase = phase
                seats.free(call.remove, phase: phase)
                ordered.append(call)
                progress = true
            }
            pending = waiting
        }
        for call in pending {
            let short = needs(call).filter { !seats.has($0) }
            for sku in short {
                let name = skus[sku]?.skuPartNumber ?? sku
                run.countViolations.append(
                    ReconcileHold(
                        userID: call.userID, upn: call.upn, skuId: skus[sku]?.skuId ?? sku,
                        reason: "CountViolation: no \(name) seat left (\(skus[sku]?.prepaidUnits.enabled ?? 0) bought, all in use)"))
            }
            // What still fits of the call: its other additions, and no removals.
            var rest = call
            rest.add.removeAll { short.contains($0.skuId.lowercased()) }
            rest.newSkus.removeAll { short.contains($0.lowercased()) }
            rest.remove = []
            rest.givenBy = rest.givenBy.filter { sku, _ in rest.add.contains { $0.skuId.lowercased() == sku } }
            if !rest.add.isEmpty, let phase = seats.take(needs(rest)) {
                rest.phase = phase
                ordered.append(rest)
            }
        }
        // Stable: within a phase, the order they were fitted in.
        run.calls = ordered.enumerated().sorted { ($0.element.phase, $0.offset) < ($1.element.phase, $1.offset) }.map(\.element)
    }

    /// Seats per SKU: those free when the run starts, and those its calls free, by the phase
    /// that frees them.
    struct SeatLedger {
        var available: [String: Int] = [:]
        var freed: [String: [Int: Int]] = [:]

        init(skus: [String: SubscribedSku]) {
            for (id, sku) in skus { available[id] = sku.prepaidUnits.enabled - sku.consumedUnits }
        }

        func has(_ sku: String) -> Bool { available[sku, default: 0] > 0 || freed[sku]?.values.contains { $0 > 0 } == true }

        mutating func free(_ removed: [String], phase: Int) {
            for sku in removed { freed[sku.lowercased(), default: [:]][phase, default: 0] += 1 }
        }

        /// Takes a seat of each SKU, all or none: the phase the call must wait for (0 when it
        /// takes only seats free from the start), or nil when one has no seat.
        mutating func take(_ needed: [String]) -> Int? {
            guard needed.allSatisfy(has) else { return nil }
            var phase = 0
            for sku in needed {
                if available[sku, default: 0] > 0 {
                    available[sku, default: 0] -= 1
                } else if let earliest = freed[sku]?.filter({ $0.value > 0 }).keys.min() {
                    freed[sku]![earliest]! -= 1
                    phase = max(phase, earliest + 1)
                }
            }
            return phase
        }
    }

    /// The tenant's last directory sync: Graph's organization.onPremisesLastSyncDateTime as
    /// pulled, else the simulated sync's.
    static func lastSync(of tenant: Tenant) -> Date? {
        // The project's strict ISO 8601 reader, as for every other time Graph sends.
        if case .string(let text) = tenant.organization.extra["onPremisesLastSyncDateTime"], let date = ISO8601Text.parse(text) {
            return date
        }
        return tenant.onPremises.lastSync
    }

    static func compile(_ text: String, what: String) throws(ModelError) -> MembershipRule {
        do { return try MembershipRule(text) } catch { throw .invalidInput("\(what) does not parse: \(error)") }
    }
}
