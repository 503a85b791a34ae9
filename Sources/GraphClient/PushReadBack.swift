import Foundation
import Interchange
import LicenseModel

/// After a push: what the live tenant shows against what the rehearsal has, for everything the
/// push touched — each step that was done still holding, each group's members and the members
/// its licences failed for, each user's licence errors. Every difference is a line, for
/// example a licence error the tenant reported that the rehearsal did not predict.
struct PushReadBack {
    let connection: GraphConnection
    let rehearsal: Tenant
    let plan: ChangePlan
    let record: PushRecord
    /// How long to wait for the tenant to finish processing a group's licences.
    let settle: Double
    var sleep: @Sendable (Double) async -> Void

    func differences() async throws(GraphClientError) -> [String] {
        var differences: [String] = []
        let check = PushCheck(connection: connection, rehearsal: rehearsal, plan: plan, liveIDs: record.liveGroupIDs)
        let steps = PushSteps.steps(plan)
        // Groups the push deleted: what other steps did to them is gone with them.
        let deleted = Set(
            steps.compactMap { step -> String? in
                guard case .deleteGroup(let id, _) = step.operation, record.steps[step.number - 1].state == .done else { return nil }
                return id
            })
        // Every step: a refused one differs as much as a done one that did not hold.
        for step in steps {
            if let group = PushSteps.groupID(step.operation), deleted.contains(group), !Self.isDelete(step.operation) { continue }
            let finding = try await check.check(step.operation)
            if finding.holds == false {
                differences.append("step \(step.number) (\(record.steps[step.number - 1].summary)): the tenant shows \(finding.observed)")
            }
        }
        // Groups whose members or licences the push changed.
        var groups: [String] = []
        var users: [String] = []
        for step in steps where record.steps[step.number - 1].state == .done {
            switch step.operation {
            case .userLicenses(let id, _, _, _), .reprocessUser(let id, _): if !users.contains(id) { users.append(id) }
            case .deleteGroup: continue
            default: if let id = PushSteps.groupID(step.operation), !groups.contains(id) { groups.append(id) }
            }
        }
        for id in groups {
            guard let local = rehearsal.group(id: id), let live = record.liveGroupIDs[id] else { continue }
            differences += try await compareGroup(local, live: live)
        }
        for id in users {
            guard let local = rehearsal.user(id: id) else { continue }
            differences += try await compareUser(local)
        }
        return differences
    }

    private func compareGroup(_ local: Group, live: String) async throws(GraphClientError) -> [String] {
        let path = "/groups/" + BatchExport.segment(live)
        var differences: [String] = []
        // Entra processes a group's licences in the background: wait for it, up to `settle`.
        var waited = 0.0
        while true {
            let found = try await connection.getIfPresent(path + "?$select=id,licenseProcessingState")
            guard found != nil else { return ["\(local.displayName) is not in the tenant any more"] }
            let state = (found?["licenseProcessingState"] as? [String: Any])?["state"] as? String
            if state == nil || state == "ProcessingComplete" || waited >= settle {
                if let state, state != "ProcessingComplete" {
                    differences.append(
                        "\(local.displayName): the tenant is still processing its licences (\(state)) after \(Int(waited)) s; run licensedesk pull later to see the outcome"
                    )
                }
                break
            }
            await sleep(1)
            waited += 1
        }
        let members = try await ids(path + "/members?$select=id&$top=999")
        let expectedMembers = Set(local.members.map { $0.lowercased() })
        if members != expectedMembers {
            let extra = members.subtracting(expectedMembers).count
            let missing = expectedMembers.subtracting(members).count
            differences.append(
                "\(local.displayName): \(members.count) member(s) in the tenant, \(expectedMembers.count) rehearsed (\(extra) more there, \(missing) not there)"
            )
        }
        let failing = try await ids(path + "/membersWithLicenseErrors?$select=id&$top=999")
        let expectedFailing = Set(
            rehearsal.memberUserIndices(of: local.id).filter { rehearsal.licenseError(of: rehearsal.users[$0], from: local.id) != nil }.map {
                rehearsal.users[$0].id.lowercased()
            })
        for id in failing.subtracting(expectedFailing).sorted() {
            differences.append("\(local.displayName): the tenant reports a licence error for \(name(id)) that the rehearsal did not predict")
        }
        for id in expectedFailing.subtracting(failing).sorted() {
            differences.append("\(local.displayName): the rehearsal predicted a licence error for \(name(id)); the tenant reports none")
        }
        return differences
    }

    private func compareUser(_ local: User) async throws(GraphClientError) -> [String] {
        guard let found = try await connection.getIfPresent("/users/\(BatchExport.segment(local.id))?$select=id,licenseAssignmentStates") else {
            return ["\(local.userPrincipalName) is not in the tenant"]
        }
        var live: [String: String] = [:]
        for state in found["licenseAssignmentStates"] as? [[String: Any]] ?? [] {
            guard let sku = (state["skuId"] as? String)?.lowercased(), let error = state["error"] as? String, error != "None" else { continue }
            live[sku] = error
        }
        var expected: [String: String] = [:]
        for state in local.licenseAssignmentStates where state.error != .none { expected[state.skuId.lowercased()] = state.error.rawValue }
        var differences: [String] = []
        for sku in Set(live.keys).union(expected.keys).sorted() where live[sku] != expected[sku] {
            let skuName = rehearsal.sku(id: sku)?.skuPartNumber ?? sku
            differences.append(
                "\(local.userPrincipalName) · \(skuName): the tenant reports \(live[sku] ?? "no error"), the rehearsal \(expected[sku] ?? "no error")")
        }
        return differences
    }

    static func isDelete(_ operation: ChangePlan.Operation) -> Bool {
        if case .deleteGroup = operation { return true }
        return false
    }

    private func name(_ userID: String) -> String { rehearsal.user(id: userID)?.userPrincipalName ?? userID }

    private func ids(_ first: String) async throws(GraphClientError) -> Set<String> {
        var ids = Set<String>()
        var next: String? = first
        var pages = 0
        while let url = next, pages < 10_000 {
            pages += 1
            let (_, page) = try await connection.getPage(url)
            for item in page.value { if let id = item.id { ids.insert(id.lowercased()) } }
            next = page.nextLink
        }
        return ids
    }
}

extension TenantPush {
    /// What the tenant shows that the rehearsal does not, for what this push touched.
    public func readBack(settle: Double = 60) async throws(GraphClientError) -> [String] {
        try await PushReadBack(connection: connection, rehearsal: rehearsal, plan: plan, record: record, settle: settle, sleep: sleep).differences()
    }
}
