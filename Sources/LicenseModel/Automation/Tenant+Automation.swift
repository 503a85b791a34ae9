import Foundation

/// The changes of licence automation (`licensedesk reconcile`), carried out by `Tenant.apply`.
extension Tenant {
    mutating func createPolicy(id: String, displayName: String, description: String?, rule: String, now: Date) throws(ModelError) {
        try createGroup(id: id, displayName: displayName, description: description, rule: rule, now: now)
        groups[groupIndex[id]!].extra[Group.policyAnnotation] = .bool(true)
    }

    mutating func setManagedScope(_ scope: ManagedScope?) throws(ModelError) -> String {
        guard let scope else {
            automation.scope = nil
            return "scope cleared: reconcile manages nothing"
        }
        guard !scope.skuIds.isEmpty else { throw .invalidInput("a managed scope names at least one SKU") }
        for id in scope.skuIds where sku(id: id) == nil && !subscribedSkus.contains(where: { $0.skuId.lowercased() == id }) {
            throw .invalidInput("SKU \(id) is not subscribed in this tenant")
        }
        if let rule = scope.userRule { _ = try ReconcilePlanner.compile(rule, what: "the user rule") }
        for entry in scope.usageLocations {
            _ = try ReconcilePlanner.compile(entry.rule, what: "the usage location rule for \(entry.location)")
            guard entry.location.count == 2, entry.location.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                throw .invalidInput("usage location \(entry.location) is not a two-letter country code (ISO 3166)")
            }
        }
        automation.scope = scope
        let names = scope.skuIds.map { id in subscribedSkus.first { $0.skuId.lowercased() == id }?.skuPartNumber ?? id }
        return "manages \(names.joined(separator: ", "))" + (scope.userRule.map { " for users matching \($0)" } ?? " for every user")
    }

    /// A run's plan, on record before anything is sent: the licences it is about to add are
    /// LicenseDesk's from now on (a kill before the answer leaves them claimed, and the next
    /// run, re-planned from the tenant, either finds them there or adds them again), adopted
    /// ones too; forgotten ones are dropped. The policies are queued for evaluation so the
    /// state shows what they give.
    mutating func recordPlanned(_ run: ReconcileRun, actor: String, now: Date) -> String {
        var summary = ReconcileRunSummary(
            id: run.id, actor: actor, started: now, finished: nil, status: run.refusedBecause == nil ? .sending : .refused, calls: run.calls.count,
            added: run.added, removed: run.removed, changed: run.changed, done: 0, refusedCalls: 0, countViolations: run.countViolations.count,
            held: run.held.count, notAdopted: run.notAdopted.count, reason: run.refusedBecause)
        if run.refusedBecause == nil {
            for hold in run.adopted { if let sku = hold.skuId { automation.owned[hold.userID, default: [:]][sku.lowercased()] = [] } }
            for hold in run.forgotten { if let sku = hold.skuId { forget(hold.userID, sku) } }
            for call in run.calls {
                for licence in call.add {
                    let sku = licence.skuId.lowercased()
                    automation.owned[call.userID, default: [:]][sku] = call.givenBy[sku] ?? automation.owned[call.userID]?[sku] ?? []
                }
            }
            for policy in policies where policy.membershipRuleProcessingState != "Paused" {
                pending.enqueue(policy.id, in: \.membershipGroups)
                pending.enqueue(policy.id, in: \.licenseGroups)
            }
        } else {
            summary.finished = now
        }
        automation.runs.append(summary)
        if automation.runs.count > LicenceAutomation.keptRuns { automation.runs.removeFirst(automation.runs.count - LicenceAutomation.keptRuns) }
        let what = "run \(run.id): \(run.calls.count) call(s) planned (\(run.added) added, \(run.changed) changed, \(run.removed) removed)"
        return run.refusedBecause.map { "\(what); refused: \($0)" } ?? what
    }

    /// What the tenant said to each call. A removal done is no longer LicenseDesk's; a refusal
    /// is kept for the user (shown, and planned again next run). The calls the tenant took are
    /// applied here too, as direct licences, so the state shows the tenant as it now is without
    /// a second pull; one the model would refuse (its seats differ) is noted, the next pull
    /// brings the tenant's word.
    mutating func recordFinished(_ outcome: ReconcileOutcome, now: Date, notes: inout [String]) -> String {
        var done = 0, refused = 0, notSent = 0
        for result in outcome.results {
            switch result.state {
            case .done:
                done += 1
                automation.failures[result.userID] = nil
                let call = result.call
                for sku in call.remove { forget(call.userID, sku) }
                mirror(call, now: now, notes: &notes)
            case .refused:
                refused += 1
                automation.failures[result.userID] = ReconcileFailure(
                    run: outcome.run, code: result.code ?? "refused", message: result.message ?? "", at: now)
            case .notSent:
                notSent += 1
            }
        }
        if let index = automation.runs.lastIndex(where: { $0.id == outcome.run }) {
            automation.runs[index].finished = now
            automation.runs[index].done = done
            automation.runs[index].refusedCalls = refused + notSent
            automation.runs[index].status = refused + notSent == 0 ? .applied : .partial
        }
        return "run \(outcome.run): \(done) done, \(refused) refused, \(notSent) not sent"
    }

    private mutating func forget(_ userID: String, _ skuId: String) {
        automation.owned[userID]?[skuId.lowercased()] = nil
        if automation.owned[userID]?.isEmpty == true { automation.owned[userID] = nil }
    }

    /// A call the tenant took, made here as direct licences.
    private mutating func mirror(_ call: ReconcileCall, now: Date, notes: inout [String]) {
        guard let index = userIndex[call.userID] else { return }
        if let location = call.usageLocation, users[index].usageLocation?.isEmpty ?? true {
            var user = users[index]
            try? UserAttributeWriter.set("usageLocation", to: location, on: &user)
            users[index] = user
        }
        let ids = Dictionary(subscribedSkus.map { ($0.skuId.lowercased(), $0.skuId) }) { first, _ in first }
        func local(_ sku: String) -> String { ids[sku.lowercased()] ?? sku }
        for sku in call.remove where users[index].licenseAssignmentStates.contains(where: { $0.isDirect && $0.skuId == local(sku) }) {
            do { _ = try removeDirect(call.userID, local(sku), now: now) } catch { notes.append("\(call.upn): \(error) (here only; the tenant took it)") }
        }
        for licence in call.add {
            do { _ = try assignDirect(call.userID, local(licence.skuId), disabledPlans: licence.disabledPlans, now: now) } catch {
                notes.append("\(call.upn): \(error) (here only; the tenant took it)")
            }
        }
    }
}
