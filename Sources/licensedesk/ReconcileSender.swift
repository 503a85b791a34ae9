import Foundation
import GraphClient
import Interchange
import LicenseModel
import LicenseStore

/// Sends a reconcile run's calls through `TenantPush` (the path every push takes: `$batch`
/// rounds, throttling honoured, each request's outcome on record in `pushes/` before and after
/// it goes, an answer lost looked up in the tenant rather than sent again), one phase after
/// another, so a call that needs a seat another call frees goes only once that call is done.
struct ReconcileSender {
    let connection: GraphConnection
    let store: StateStore
    let tenantID: String
    let runID: String
    let rehearsal: Tenant

    struct Sent {
        var results: [ReconcileOutcome.Result]
        /// Why sending stopped early (the connection, the record): the calls not answered are
        /// `notSent`, and the next run plans them again from the tenant.
        var error: GraphClientError?
    }

    func send(_ calls: [ReconcileCall]) -> Sent {
        var results: [ReconcileOutcome.Result] = []
        let phases = Dictionary(grouping: calls, by: \.phase)
        for phase in phases.keys.sorted() {
            let batch = phases[phase]!
            let (answers, error) = send(phase: phase, batch)
            results += answers
            if let error {
                let answered = Set(results.map(\.userID))
                for call in calls where !answered.contains(call.userID) {
                    results.append(ReconcileOutcome.Result(call: call, state: .notSent, message: "the run stopped before it was sent"))
                }
                return Sent(results: results, error: error)
            }
        }
        return Sent(results: results, error: nil)
    }

    /// One phase: a usage location first where the call sets one, then the licences.
    private func send(phase: Int, _ calls: [ReconcileCall]) -> ([ReconcileOutcome.Result], GraphClientError?) {
        var operations: [ChangePlan.Operation] = []
        var licenceStep: [Int] = []
        for call in calls {
            if let location = call.usageLocation { operations.append(.updateUser(id: call.userID, upn: call.upn, values: ["usageLocation": location])) }
            operations.append(.userLicenses(id: call.userID, upn: call.upn, add: call.add, remove: call.remove))
            licenceStep.append(operations.count)
        }
        let name = ReconcileRunCommand.recordPrefix(tenantID) + String(runID.prefix(8)) + "-\(phase)"
        let push = TenantPush(
            connection: connection, plan: ChangePlan(operations: operations), rehearsal: rehearsal, tenantID: tenantID, existing: nil
        ) { record throws(GraphClientError) in
            do { try store.savePushRecord(try PushRecord.encoder().encode(record), named: name) } catch {
                throw .record(path: store.pushRecordPath(named: name), reason: "could not be saved (\(error)); nothing more is sent until it can be")
            }
        } note: { steps throws(GraphClientError) in
            do { try store.appendPushStepLines(steps.reduce(into: Data()) { $0 += PushRecord.line($1) }, named: name) } catch {
                throw .record(path: store.pushRecordPath(named: name), reason: "could not be added to (\(error)); nothing more is sent until it can be")
            }
        }
        push.mergesUserDisabledPlans = false
        push.say = { line in FileHandle.standardError.write(Data("\(line)\n".utf8)) }
        let failure = BlockingTask.run { () async -> GraphClientError? in
            do throws(GraphClientError) {
                try await push.run()
                return nil
            } catch { return error }
        }
        let steps = push.record.steps
        var results: [ReconcileOutcome.Result] = []
        for (call, number) in zip(calls, licenceStep) {
            let step = steps[number - 1]
            switch step.state {
            case .done: results.append(ReconcileOutcome.Result(call: call, state: .done))
            case .refused: results.append(ReconcileOutcome.Result(call: call, state: .refused, code: step.code, message: step.message))
            case .skipped:
                // Its usage location was refused: that refusal is the call's.
                let before = number >= 2 ? steps[number - 2] : step
                let refused = before.state == .refused
                results.append(
                    ReconcileOutcome.Result(
                        call: call, state: refused ? .refused : .notSent, code: refused ? before.code : nil,
                        message: refused ? "usage location \(call.usageLocation ?? ""): \(before.message ?? "")" : step.message))
            case .planned, .sending:
                if failure == nil { results.append(ReconcileOutcome.Result(call: call, state: .notSent, message: step.message)) }
            }
        }
        return (results, failure)
    }
}
