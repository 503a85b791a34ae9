import Foundation
import Interchange
import LicenseModel

/// Applies a change plan to a live tenant over Graph `$batch`, round by round (`PushSteps`),
/// keeping the outcome of every step in a `PushRecord` that is saved before each batch goes out
/// and after its answer comes back. A step already done is never sent again; one that went out
/// without an answer on record is looked up in the tenant first (`PushCheck`) and sent again
/// only if it did not take. Licence additions carry the disabled plans merged with what the
/// tenant has now (`DisabledPlanMerge`). Throttled steps wait as the tenant asks and go again.
public final class TenantPush: @unchecked Sendable {
    let connection: GraphConnection
    var plan: ChangePlan
    let rehearsal: Tenant
    let steps: [PushSteps.Step]
    public private(set) var record: PushRecord
    /// Writes the whole record (at the start and the end of a run).
    let save: (PushRecord) throws(GraphClientError) -> Void
    /// Appends the outcomes of some steps (after each batch).
    let note: ([PushRecord.Step]) throws(GraphClientError) -> Void
    /// A line of progress or of note (the command prints them).
    public var say: @Sendable (String) -> Void = { _ in }
    /// What the merge of disabled plans kept of the tenant's own.
    public private(set) var notes: [String] = []
    /// Whether a user's licence additions are merged with the disabled plans the tenant has,
    /// read just before they go (a push's rehearsal may be days old). Reconcile turns it off:
    /// it plans from the tenant pulled moments before, writes disabled plans whole, and the
    /// read would double its requests.
    public var mergesUserDisabledPlans = true
    /// How long to wait; tests make it instant.
    var sleep: @Sendable (Double) async -> Void = { seconds in try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9)) }

    /// Rounds of a throttled step before the push stops (resumable).
    static let throttledRounds = 8

    /// `existing`: the record of an earlier run of the same push, to resume from. `grown`:
    /// records of pushes of a shorter range from the same first change (the rehearsal went on
    /// after them): the steps they did are done, not sent again.
    public init(
        connection: GraphConnection, plan: ChangePlan, rehearsal: Tenant, tenantID: String, existing: PushRecord?, grown: [PushRecord] = [],
        save: @escaping (PushRecord) throws(GraphClientError) -> Void, note: @escaping ([PushRecord.Step]) throws(GraphClientError) -> Void
    ) {
        self.connection = connection
        self.plan = plan
        self.rehearsal = rehearsal
        self.save = save
        self.note = note
        steps = PushSteps.steps(plan)
        var record = PushRecord(
            format: PushRecord.currentFormat, graphURL: connection.base, tenantID: tenantID, first: plan.first ?? 0, last: plan.last ?? 0,
            started: existing?.started ?? Date(), finished: nil, liveGroupIDs: [:], steps: [])
        // A step is the same step as before when its request is: its outcome carries over.
        var earlier = Dictionary(grouping: existing?.steps ?? [], by: { Self.key($0.method, $0.url, $0.bodyDigest) })
        var doneBefore: [String: (PushRecord.Step, PushRecord)] = [:]
        for shorter in grown {
            for step in shorter.steps where step.state == .done { doneBefore[Self.key(step.method, step.url, step.bodyDigest)] = (step, shorter) }
        }
        for step in steps {
            let request = BatchExport.requests(for: step.operation, plan: plan)[0]
            let digest = Self.digest(request.body)
            var entry = PushRecord.Step(
                number: step.number, method: request.method, url: request.url, bodyDigest: digest,
                summary: PushSteps.describe(step.operation) { rehearsal.sku(id: $0.lowercased())?.skuPartNumber ?? $0 },
                state: .planned)
            let key = Self.key(request.method, request.url, digest)
            if var matches = earlier[key], !matches.isEmpty {
                let before = matches.removeFirst()
                earlier[key] = matches
                // A refused or skipped step did not happen: sent again (the admin may have
                // fixed the cause, bought seats); what is done never is.
                entry.state = before.state == .skipped || before.state == .refused ? .planned : before.state
                (entry.status, entry.code, entry.message, entry.at) = (before.status, before.code, before.message, before.at)
            } else if let (before, shorter) = doneBefore[key] {
                entry.state = .done
                (entry.status, entry.at) = (before.status, before.at)
                entry.message = "done in the push of changes \(shorter.first)–\(shorter.last)"
            }
            record.steps.append(entry)
        }
        self.record = record
    }

    /// Whether an earlier run's outcomes were carried over.
    public var isResuming: Bool { record.steps.contains { $0.state != .planned } }

    public func run() async throws(GraphClientError) {
        // A retried read or write is said, as a pull says it.
        let say = self.say
        connection.onRetry = { say("retrying: " + $0) }
        try await resolveGroups()
        // The whole record once: from here on each batch appends its steps' outcomes.
        try save(record)
        for round in PushSteps.rounds(steps) {
            try await send(round: round)
        }
        record.finished = Date()
        try save(record)
    }

    // MARK: - Where each group is in the tenant

    /// Finds each group the plan names in the live tenant: by its id (a pulled group), or by
    /// the uniqueName LicenseDesk gave it (a group made here and pushed before).
    func resolveGroups() async throws(GraphClientError) {
        var ids: [String] = []
        for step in steps { if let id = PushSteps.groupID(step.operation), !ids.contains(id) { ids.append(id) } }
        for id in ids {
            // Looked up every run, never taken from the record alone: the record is the
            // team's file, and an id put there by hand would send the steps to another group.
            record.liveGroupIDs[id] = nil
            plan.livePaths[id] = nil
            var found = try await connection.getIfPresent("/groups/\(BatchExport.segment(id))?$select=id")
            if found == nil {
                let name = BatchExport.segment(ChangePlan.uniqueName(of: id).replacingOccurrences(of: "'", with: "''"))
                found = try await connection.getIfPresent("/groups(uniqueName='\(name)')?$select=id,uniqueName")
                if let unique = found?["uniqueName"] as? String, unique.lowercased() != ChangePlan.uniqueName(of: id).lowercased() { found = nil }
            }
            if let live = (found?["id"] as? String)?.lowercased() {
                record.liveGroupIDs[id] = live
                plan.livePaths[id] = "/groups/" + BatchExport.segment(live)
            }
        }
    }

    // MARK: - Sending

    private func index(of step: PushSteps.Step) -> Int { step.number - 1 }

    private func send(round: [PushSteps.Step]) async throws(GraphClientError) {
        var waiting: [PushSteps.Step] = []
        for step in round {
            let state = record.steps[index(of: step)].state
            if state == .done || state == .refused { continue }
            if let user = PushSteps.userID(step.operation), plan.usersMadeHere.contains(user) {
                mark(
                    step, .skipped,
                    message: "not sent: the user was made in LicenseDesk, and users are not pushed (create them on-premises or in the tenant first)")
                continue
            }
            if let failed = step.dependsOn.first(where: { record.steps[$0 - 1].state != .done }) {
                mark(step, .skipped, message: "not sent: step \(failed) (\(record.steps[failed - 1].summary)) did not succeed")
                continue
            }
            if state == .sending {
                // Sent by a run that was cut off: did it take?
                if try await checkHolds(step) == true {
                    mark(step, .done, message: "found done in the tenant when resuming")
                    continue
                }
            }
            waiting.append(step)
        }
        var attempt = 0
        while !waiting.isEmpty {
            attempt += 1
            var again: [PushSteps.Step] = []
            var wait = 0.0
            for start in stride(from: 0, to: waiting.count, by: BatchExport.maximumRequests) {
                let batch = Array(waiting[start..<min(start + BatchExport.maximumRequests, waiting.count)])
                let (retry, retryAfter) = try await send(batch: batch)
                again += retry
                wait = max(wait, retryAfter)
            }
            guard !again.isEmpty else { break }
            guard attempt < Self.throttledRounds else {
                for step in again { mark(step, .planned, message: "throttled by the tenant \(attempt) times") }
                try note(again.map { record.steps[index(of: $0)] })
                throw .refused(
                    url: connection.base + "/$batch", status: 429, code: "TooManyRequests",
                    message: "the tenant kept throttling \(again.count) request(s); run the same push again later to go on (nothing is sent twice)")
            }
            let delay = wait > 0 ? min(wait, 300) : min(60, pow(2, Double(attempt - 1)))
            say("\(again.count) request(s) throttled or unavailable; sending again in \(String(format: "%.0f", delay)) s")
            await sleep(delay)
            waiting = again
        }
    }

    /// One `$batch` of independent steps. Returns the steps to send again (throttled or the
    /// tenant busy) and how long the tenant asked to wait.
    private func send(batch: [PushSteps.Step]) async throws(GraphClientError) -> ([PushSteps.Step], Double) {
        var requests: [BatchExport.Request] = []
        let operations = try await merged(batch)
        for (step, operation) in zip(batch, operations) {
            var request = BatchExport.requests(for: operation, plan: plan)[0]
            request.id = String(step.number)
            request.dependsOn = nil
            requests.append(request)
            record.steps[index(of: step)].state = .sending
            record.steps[index(of: step)].at = Date()
        }
        // On record before it goes: a kill from here on leaves "sending", looked up on resume.
        try note(batch.map { record.steps[index(of: $0)] })
        let body: Data
        do { body = try JSONEncoder().encode(BatchExport.Batch(requests: requests)) } catch {
            throw .malformed(url: "$batch", reason: "could not encode the batch: \(error)")
        }
        let answer: [String: Any]
        do {
            answer = try await connection.postJSON("/$batch", body: body)
        } catch {
            guard case .connection = error else { throw error }
            // No answer: the batch may have run. Whatever took is done; the rest goes again.
            say("no answer to a batch of \(batch.count) (\(error)); reading the tenant to see what took")
            var again: [PushSteps.Step] = []
            for step in batch {
                if try await checkHolds(step) == true { mark(step, .done, message: "done (found so after the connection failed)") } else { again.append(step) }
            }
            try note(batch.map { record.steps[index(of: $0)] })
            return (again, 1)
        }
        do {
            let outcome = try await take(answer, of: batch)
            try note(batch.map { record.steps[index(of: $0)] })
            return outcome
        } catch {
            // What was learnt before the failure is kept; the rest stays "sending".
            try? note(batch.map { record.steps[index(of: $0)] })
            throw error
        }
    }

    /// Each step's answer in the batch's, put on record.
    private func take(_ answer: [String: Any], of batch: [PushSteps.Step]) async throws(GraphClientError) -> ([PushSteps.Step], Double) {
        let responses = answer["responses"] as? [[String: Any]] ?? []
        var again: [PushSteps.Step] = []
        var wait = 0.0
        for step in batch {
            guard let response = responses.first(where: { ($0["id"] as? String) == String(step.number) }) else {
                // Not answered: looked up like a lost batch.
                if try await checkHolds(step) == true { mark(step, .done, message: "done (no answer for it in the batch)") } else { again.append(step) }
                continue
            }
            let status = response["status"] as? Int ?? 0
            let error = (response["body"] as? [String: Any])?["error"] as? [String: Any]
            let code = error?["code"] as? String
            let message = error?["message"] as? String
            if (200..<300).contains(status) {
                if case .createGroup(let group) = step.operation, let id = ((response["body"] as? [String: Any])?["id"] as? String)?.lowercased() {
                    record.liveGroupIDs[group.id] = id
                    plan.livePaths[group.id] = "/groups/" + BatchExport.segment(id)
                }
                mark(step, .done, status: status)
            } else if status == 429 || status == 503 || status == 504 {
                let headers = response["headers"] as? [String: Any] ?? [:]
                let retryAfter = headers.first { $0.key.lowercased() == "retry-after" }?.value as? String
                wait = max(wait, retryAfter.flatMap { RetryPolicy.seconds($0, now: Date()) } ?? 1)
                record.steps[index(of: step)].state = .planned
                again.append(step)
            } else if Self.mayMeanAlreadySo(step.operation, status: status), try await checkHolds(step) == true {
                mark(step, .done, status: status, message: "already so in the tenant (\(message ?? code ?? "HTTP \(status)"))")
            } else {
                var text = message ?? "HTTP \(status)"
                if status == 403 { text += " — the token needs \(GraphConnection.writePermission(for: step.operation))" }
                mark(step, .refused, status: status, code: code ?? "HTTP \(status)", message: text)
            }
        }
        return (again, wait)
    }

    /// Answers that a retried request gets when its first sending took: a member already
    /// there, a group already gone.
    static func mayMeanAlreadySo(_ operation: ChangePlan.Operation, status: Int) -> Bool {
        switch operation {
        case .addMember, .removeMember: status == 400 || status == 404
        case .deleteGroup: status == 404
        default: false
        }
    }

    /// Whether the step holds in the tenant; nil when that can't be told (the tenant refused to
    /// say: the step is then sent, as one never answered is). A lost connection ends the push.
    private func checkHolds(_ step: PushSteps.Step) async throws(GraphClientError) -> Bool? {
        do {
            let finding = try await PushCheck(connection: connection, rehearsal: rehearsal, plan: plan, liveIDs: record.liveGroupIDs).check(step.operation)
            // A group this push made, found after its answer was lost: its id is known now.
            if case .createGroup(let group) = step.operation, finding.holds == true, let live = finding.liveID {
                record.liveGroupIDs[group.id] = live
                plan.livePaths[group.id] = "/groups/" + BatchExport.segment(live)
            }
            return finding.holds
        } catch {
            if case .connection = error { throw error }
            say("could not read back step \(step.number) (\(error)); sending it")
            return nil
        }
    }

    private func mark(_ step: PushSteps.Step, _ state: PushRecord.State, status: Int? = nil, code: String? = nil, message: String? = nil) {
        let index = index(of: step)
        record.steps[index].state = state
        record.steps[index].status = status
        record.steps[index].code = code
        record.steps[index].message = message
        record.steps[index].at = Date()
    }

    // MARK: - Disabled plans merged with the tenant's

    /// The operation with each addition's disabled plans merged with what the tenant has for
    /// that SKU now.
    /// What the merge of `operation` reads of the tenant, if anything.
    private func mergeRead(_ operation: ChangePlan.Operation) -> String? {
        switch operation {
        case .groupLicenses(let id, _, let add, _) where !add.isEmpty:
            PushCheck(connection: connection, rehearsal: rehearsal, plan: plan, liveIDs: record.liveGroupIDs).path(id) + "?$select=id,assignedLicenses"
        case .userLicenses(let id, _, let add, _) where !add.isEmpty && mergesUserDisabledPlans:
            "/users/\(BatchExport.segment(id))?$select=id,licenseAssignmentStates"
        default: nil
        }
    }

    /// The operations of `batch` with their additions' disabled plans merged with what the
    /// tenant has now, read for the whole batch in one `$batch` of GETs.
    private func merged(_ batch: [PushSteps.Step]) async throws(GraphClientError) -> [ChangePlan.Operation] {
        let reads = try await connection.readAll(batch.compactMap { mergeRead($0.operation) })
        return batch.map { step in
            let found = mergeRead(step.operation).flatMap { reads[$0] ?? nil }
            switch step.operation {
            case .groupLicenses(let id, let name, let add, let remove) where !add.isEmpty:
                let live = found.map { PushCheck.licences($0["assignedLicenses"]) }
                return .groupLicenses(
                    groupID: id, name: name, add: merge(add, live: live ?? [:], owner: name) { plan.toggledPlans[id + "|" + $0] }, remove: remove)
            case .userLicenses(let id, let upn, let add, let remove) where !add.isEmpty:
                let live = PushCheck.directLicences(found?["licenseAssignmentStates"])
                return .userLicenses(id: id, upn: upn, add: merge(add, live: live, owner: upn) { _ in nil }, remove: remove)
            default:
                return step.operation
            }
        }
    }

    private func merge(_ add: [AssignedLicense], live: [String: Set<String>], owner: String, toggled: (String) -> Set<String>?) -> [AssignedLicense] {
        add.map { licence in
            let sku = licence.skuId.lowercased()
            let known = Set(rehearsal.sku(id: sku)?.planIds ?? [])
            let result = DisabledPlanMerge.merge(ours: licence.disabledPlans, theirs: live[sku].map(Array.init), touched: toggled(sku), known: known)
            let name = rehearsal.sku(id: sku)?.skuPartNumber ?? sku
            // A plan by its servicePlanName where the SKU or the catalog knows it.
            func plans(_ ids: [String]) -> String {
                ids.map { id in
                    rehearsal.sku(id: sku)?.servicePlans.first { $0.servicePlanId.lowercased() == id }?.servicePlanName ?? SKUCatalog.shared.plan(id: id)?.name
                        ?? id
                }.joined(separator: ", ")
            }
            if !result.keptDisabled.isEmpty { notes.append("\(owner) · \(name): kept off as the tenant has them: \(plans(result.keptDisabled))") }
            if !result.keptEnabled.isEmpty { notes.append("\(owner) · \(name): kept on as the tenant has them: \(plans(result.keptEnabled))") }
            return AssignedLicense(skuId: licence.skuId, disabledPlans: result.disabledPlans)
        }
    }

    // MARK: - Identity of a step

    static func key(_ method: String, _ url: String, _ digest: String) -> String { method + " " + url + " " + digest }

    /// The request body's canonical JSON (sorted keys) as its length and 64-bit FNV-1a hash:
    /// it tells one planned request from another, nothing more (the record is the team's own).
    static func digest(_ body: JSONValue?) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = body.flatMap { try? encoder.encode($0) } ?? Data()
        return "\(data.count)-" + FNVHash.hex(data)
    }
}
