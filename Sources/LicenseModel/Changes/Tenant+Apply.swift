import Foundation
import MembershipRules

extension Tenant {
    /// Applies one change: the only way a tenant changes. Throws without changing anything when
    /// the change is refused or names something that does not exist.
    @discardableResult
    public mutating func apply(
        _ change: TenantChange, context: ChangeContext, progress: ProcessingProgress? = nil
    ) throws(ModelError) -> ChangeEffects {
        if let roles = context.roles, !change.isAllowed(for: roles) {
            let held = roles.isEmpty ? "no role" : roles.map(\.rawValue).sorted().joined(separator: ", ")
            throw .refused(
                "\(change.activity) needs the \(change.requiredRole.rawValue) or Global Administrator role; \(context.actor) has \(held)")
        }
        // No copy of the tenant is taken (copying a million users per change would make every
        // change cost the tenant's size): instead every operation below checks everything
        // before its first mutation, so a refused change leaves the tenant untouched.
        var effects = ChangeEffects()
        try carryOut(change, context, progress, &effects)
        return effects
    }

    private mutating func carryOut(
        _ change: TenantChange, _ context: ChangeContext, _ progress: ProcessingProgress?, _ effects: inout ChangeEffects
    )
        throws(ModelError)
    {
        func audit(_ target: String, _ detail: String) {
            effects.events.append(
                AuditEvent(activity: change.activity, target: target, detail: detail, actor: context.actor, time: context.now))
        }
        switch change {
        case .addSku(let skuId, let seats, let edition):
            try addSku(skuId, seats: seats, edition: edition)
            audit(skuId, "seats: \(seats)")
        case .setSeats(let skuId, let seats):
            try DirectoryLimits.checkSeats(seats)
            let index = try skuIndex(skuId)
            let old = subscribedSkus[index].prepaidUnits.enabled
            subscribedSkus[index].prepaidUnits.enabled = seats
            audit(subscribedSkus[index].skuPartNumber, "seats: \(old) -> \(seats)")
        case .createUser(let draft):
            try createUser(draft)
            audit(draft.userPrincipalName, "created")
        case .setUserAttributes(let userID, let values):
            let index = try userIndex(userID)
            var user = users[index]
            try refuseCloudEdit(of: Array(values.keys), on: user)
            var changes: [String] = []
            for (name, value) in values.sorted(by: { $0.key < $1.key }) {
                try UserAttributeWriter.set(name, to: value, on: &user)
                changes.append("\(name) -> \(value ?? "null")")
            }
            try replaceUser(at: index, with: user)
            pending.enqueue(userID, in: \.membershipUsers)
            audit(user.userPrincipalName, changes.joined(separator: ", "))
        case .removeUser(let userID):
            try removeUser(userID)
            audit(userID, "deleted")
        case .createGroup(let id, let name, let description, let rule, let uniqueName):
            try createGroup(id: id, displayName: name, description: description, rule: rule, uniqueName: uniqueName, now: context.now)
            audit(name, rule.map { "membershipRule: \($0)" } ?? "static")
        case .setGroupRule(let groupID, let rule):
            let old = try setGroupRule(groupID, rule)
            audit(groups[try groupIndex(groupID)].displayName, "membershipRule: \(old ?? "none") -> \(rule)")
        case .setGroupPaused(let groupID, let paused):
            let index = try groupIndex(groupID)
            guard groups[index].isDynamic else { throw .invalidInput("\(groups[index].displayName) is not a dynamic group") }
            groups[index].membershipRuleProcessingState = paused ? "Paused" : "On"
            // A paused group keeps its pending changes; resuming evaluates it in full.
            if !paused { pending.enqueue(groupID, in: \.membershipGroups) }
            audit(groups[index].displayName, "membershipRuleProcessingState -> \(paused ? "Paused" : "On")")
        case .addGroupMember(let groupID, let userID):
            try changeStaticMembership(groupID, userID, add: true)
            audit(groups[try groupIndex(groupID)].displayName, "member added: \(userID)")
        case .removeGroupMember(let groupID, let userID):
            try changeStaticMembership(groupID, userID, add: false)
            audit(groups[try groupIndex(groupID)].displayName, "member removed: \(userID)")
        case .deleteGroup(let groupID):
            let name = try deleteGroup(groupID)
            audit(name, "deleted")
        case .addGroupLicense(let groupID, let skuId, let disabledPlans):
            let detail = try setGroupLicense(groupID, skuId, disabledPlans: disabledPlans)
            audit(groups[try groupIndex(groupID)].displayName, detail)
        case .removeGroupLicense(let groupID, let skuId):
            let detail = try removeGroupLicense(groupID, skuId)
            audit(groups[try groupIndex(groupID)].displayName, detail)
        case .setGroupPlan(let groupID, let skuId, let planId, let enabled):
            let index = try groupIndex(groupID)
            guard let license = groups[index].assignedLicenses.first(where: { $0.skuId == skuId }) else {
                throw .invalidInput("group \(groups[index].displayName) has no licence for SKU \(skuId)")
            }
            var disabled = Set(license.disabledPlans)
            if enabled { disabled.remove(planId) } else { disabled.insert(planId) }
            let detail = try setGroupLicense(groupID, skuId, disabledPlans: Array(disabled))
            audit(groups[index].displayName, detail)
        case .replaceGroupLicenses(let groupID, let add, let remove):
            let detail = try replaceGroupLicenses(groupID, add: add, remove: remove)
            audit(groups[try groupIndex(groupID)].displayName, detail)
        case .addUserLicense(let userID, let skuId, let disabledPlans):
            let detail = try assignDirect(userID, skuId, disabledPlans: disabledPlans, now: context.now)
            audit(users[try userIndex(userID)].userPrincipalName, detail)
        case .removeUserLicense(let userID, let skuId):
            let detail = try removeDirect(userID, skuId, now: context.now)
            audit(users[try userIndex(userID)].userPrincipalName, detail)
        case .reprocessGroup(let groupID):
            let index = try groupIndex(groupID)
            groups[index].licenseProcessingState = .queuedForProcessing
            pending.enqueue(groupID, in: \.licenseGroups)
            effects.notes.append("\(groups[index].members.count) members of \(groups[index].displayName) queued for reprocessing")
            audit(groups[index].displayName, "queued \(groups[index].members.count) members")
        case .reprocessUser(let userID):
            let index = try userIndex(userID)
            let outcome = LicenseEngine.reconcile(&self, userAt: index, retry: { _ in true }, now: context.now)
            audit(users[index].userPrincipalName, outcome.summary)
        case .processPending:
            let run = PendingWorkRunner.run(&self, context: context, progress: progress)
            effects.events += run.events
            effects.timedOutGroups.merge(run.timedOutGroups) { first, _ in first }
        case .addOnPremisesUser(let user):
            try addOnPremisesUser(user)
            audit(user.samAccountName, "created on-premises")
        case .setOnPremisesUser(let sam, let values):
            try setOnPremisesUser(sam, values: values)
            audit(sam, values.sorted { $0.key < $1.key }.map { "\($0.key) -> \($0.value ?? "null")" }.joined(separator: ", "))
        case .removeOnPremisesUser(let sam):
            try removeOnPremisesUser(sam)
            audit(sam, "deleted on-premises")
        case .configureSync(let include, let exclude, let scopes):
            try configureSync(include: include, exclude: exclude, scopes: scopes)
            audit(
                "sync",
                "excluded: \(onPremises.configuration.excludedAttributes.sorted().joined(separator: ", ")); scopes: \(onPremises.configuration.scopes.joined(separator: "; "))"
            )
        case .runSync(let full):
            let report = runSync(full: full, now: context.now)
            effects.notes.append("created \(report.created.count), updated \(report.updated.count), deleted \(report.deleted.count)")
            effects.notes += report.skipped.map { "skipped \($0)" }
            audit("sync", "\(full ? "full" : "delta"): created \(report.created.count), updated \(report.updated.count), deleted \(report.deleted.count)")
        case .importOnPremises(let imported):
            let (added, replaced) = try importOnPremises(imported)
            audit("on-premises", "imported \(imported.count) users: \(added) new, \(replaced) replaced")
        case .createPolicy(let id, let name, let description, let rule):
            try createPolicy(id: id, displayName: name, description: description, rule: rule, now: context.now)
            audit(name, "licence policy, membershipRule: \(rule)")
        case .setManagedScope(let scope):
            audit("reconciliation", try setManagedScope(scope))
        case .reconcilePlanned(let run):
            audit("reconciliation", recordPlanned(run, actor: context.actor, now: context.now))
        case .reconcileFinished(let outcome):
            audit("reconciliation", recordFinished(outcome, now: context.now, notes: &effects.notes))
        case .importDirectory(let batch):
            audit("tenant", "imported " + (try importDirectory(batch, now: context.now)))
        case .repairConsistency:
            repairConsistency(now: context.now)
            let run = PendingWorkRunner.run(&self, context: context)
            effects.events += run.events
            effects.timedOutGroups.merge(run.timedOutGroups) { first, _ in first }
            audit("tenant", "repaired and reprocessed")
        }
    }

    // MARK: - Finding objects

    func userIndex(_ id: String) throws(ModelError) -> Int {
        guard let index = userIndex[id] else { throw .invalidInput("no user with id \(id)") }
        return index
    }
    func groupIndex(_ id: String) throws(ModelError) -> Int {
        guard let index = groupIndex[id] else { throw .invalidInput("no group with id \(id)") }
        return index
    }
    func skuIndex(_ skuId: String) throws(ModelError) -> Int {
        guard let index = subscribedSkus.firstIndex(where: { $0.skuId == skuId }) else {
            throw .invalidInput("the tenant has no subscription to SKU \(skuId)")
        }
        return index
    }
}
