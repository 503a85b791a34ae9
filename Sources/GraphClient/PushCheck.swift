import Foundation
import Interchange
import LicenseModel

/// Whether one step of a push holds in the live tenant, read back over Graph: used on resume
/// for a step that was sent without an answer on record (found so: not sent again), for an
/// answer that may only mean "already so" (a member already there), and for the report after
/// the push. `nil` when a step can't be read back (a reprocess leaves nothing to compare).
struct PushCheck {
    let connection: GraphConnection
    /// The rehearsal: which plans a SKU has, for comparing disabled plans.
    let rehearsal: Tenant
    let plan: ChangePlan
    /// Local group id → live id, as far as known.
    let liveIDs: [String: String]

    struct Finding {
        var holds: Bool?
        /// What the tenant shows, when it differs.
        var observed: String
        /// A group's id in the tenant, when the check found it.
        var liveID: String? = nil
    }

    func check(_ operation: ChangePlan.Operation) async throws(GraphClientError) -> Finding {
        switch operation {
        case .createGroup(let made):
            guard let found = try await group(path: BatchExport.groupPath(made.id, plan), select: "id,displayName") else {
                return Finding(holds: false, observed: "no group \(made.displayName) in the tenant")
            }
            return Finding(holds: true, observed: "group \(found["id"] as? String ?? "?")", liveID: (found["id"] as? String)?.lowercased())
        case .updateGroup(let id, _, let rule, let state):
            guard let found = try await group(path: path(id), select: "id,membershipRule,membershipRuleProcessingState") else {
                return Finding(holds: false, observed: "the group is not in the tenant")
            }
            let liveRule = found["membershipRule"] as? String
            let liveState = found["membershipRuleProcessingState"] as? String
            let holds = liveRule == rule && (state == nil || liveState?.lowercased() == state?.lowercased())
            return Finding(holds: holds, observed: "rule \(liveRule ?? "none"), processing \(liveState ?? "none")")
        case .addMember(let groupID, _, let userID, _), .removeMember(let groupID, _, let userID, _):
            let wanted: Bool = if case .addMember = operation { true } else { false }
            // A group this push made, whose answer was lost: found by its uniqueName.
            let known = liveIDs[groupID]
            let found = known == nil ? try await group(path: BatchExport.groupPath(groupID, plan), select: "id")?["id"] as? String : nil
            guard let live = known ?? found?.lowercased() else { return Finding(holds: !wanted, observed: "the group is not in the tenant") }
            guard let groups = try await memberOf(userID) else { return Finding(holds: !wanted, observed: "the user is not in the tenant") }
            let isMember = groups.contains(live.lowercased())
            return Finding(holds: isMember == wanted, observed: isMember ? "a member" : "not a member")
        case .groupLicenses(let id, _, let add, let remove):
            guard let found = try await group(path: path(id), select: "id,assignedLicenses") else {
                return Finding(holds: false, observed: "the group is not in the tenant")
            }
            let live = Self.licences(found["assignedLicenses"])
            return compare(live, add: add, remove: remove, toggled: { plan.toggledPlans[id + "|" + $0] })
        case .userLicenses(let id, _, let add, let remove):
            guard let found = try await connection.getIfPresent("/users/\(BatchExport.segment(id))?$select=id,licenseAssignmentStates") else {
                return Finding(holds: false, observed: "the user is not in the tenant")
            }
            return compare(Self.directLicences(found["licenseAssignmentStates"]), add: add, remove: remove, toggled: { _ in nil })
        case .updateUser(let id, _, let values):
            let body = UserProperties.body(values)
            let select = body.keys.sorted().joined(separator: ",")
            guard let found = try await connection.getIfPresent("/users/\(BatchExport.segment(id))?$select=id,\(select)") else {
                return Finding(holds: false, observed: "the user is not in the tenant")
            }
            let expected = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(body))) as? [String: Any] ?? [:]
            let differing = expected.keys.sorted().filter { !Self.matches(expected[$0]!, found[$0]) }
            return Finding(holds: differing.isEmpty, observed: differing.map { "\($0) is \(Self.text(found[$0]))" }.joined(separator: ", "))
        case .reprocessUser:
            return Finding(holds: nil, observed: "")
        case .deleteGroup(let id, _):
            let gone = try await group(path: path(id), select: "id") == nil
            return Finding(holds: gone, observed: gone ? "gone" : "still there")
        }
    }

    /// `/groups/{live id}` where known, else as the plan addresses it.
    func path(_ groupID: String) -> String {
        liveIDs[groupID].map { "/groups/" + BatchExport.segment($0) } ?? BatchExport.groupPath(groupID, plan)
    }

    func group(path: String, select: String) async throws(GraphClientError) -> [String: Any]? {
        try await connection.getIfPresent(path + "?$select=" + select)
    }

    /// The ids of the groups a user is in (a user is in few; a group may have 50,000 members),
    /// or nil when the tenant has no such user.
    func memberOf(_ userID: String) async throws(GraphClientError) -> Set<String>? {
        var ids = Set<String>()
        var next: String? = "/users/\(BatchExport.segment(userID))/memberOf?$select=id&$top=999"
        var pages = 0
        while let url = next, pages < 1000 {
            pages += 1
            let page: GraphConnection.Page
            do { page = try await connection.getPage(url).page } catch {
                if case .refused(_, 404, _, _) = error { return nil }
                throw error
            }
            for item in page.value { if let id = item.id { ids.insert(id.lowercased()) } }
            next = page.nextLink
        }
        return ids
    }

    /// Whether `live` (SKU → disabled plans) has each addition with the plans the rehearsal
    /// decided, and none of the removals.
    func compare(_ live: [String: Set<String>], add: [AssignedLicense], remove: [String], toggled: (String) -> Set<String>?) -> Finding {
        var differences: [String] = []
        for licence in add {
            let sku = licence.skuId.lowercased()
            guard let disabled = live[sku] else {
                differences.append("\(skuName(sku)) is not assigned")
                continue
            }
            let decided = toggled(sku) ?? Set(rehearsal.sku(id: sku)?.planIds ?? licence.disabledPlans)
            let ours = Set(licence.disabledPlans.map { $0.lowercased() })
            let wrong = decided.map { $0.lowercased() }.filter { ours.contains($0) != disabled.contains($0) }
            if !wrong.isEmpty { differences.append("\(skuName(sku)) has \(wrong.count) plan(s) \(wrong.count == 1 ? "is" : "are") not as rehearsed") }
        }
        for sku in remove where live[sku.lowercased()] != nil { differences.append("\(skuName(sku)) is still assigned") }
        return Finding(holds: differences.isEmpty, observed: differences.joined(separator: "; "))
    }

    func skuName(_ skuID: String) -> String { rehearsal.sku(id: skuID.lowercased())?.skuPartNumber ?? skuID }

    /// `assignedLicenses` as SKU → disabled plans.
    static func licences(_ value: Any?) -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for item in value as? [[String: Any]] ?? [] {
            guard let sku = (item["skuId"] as? String)?.lowercased() else { continue }
            result[sku] = Set((item["disabledPlans"] as? [String] ?? []).map { $0.lowercased() })
        }
        return result
    }

    /// The direct licences among `licenseAssignmentStates` (those no group assigns).
    static func directLicences(_ value: Any?) -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for item in value as? [[String: Any]] ?? [] where item["assignedByGroup"] == nil || item["assignedByGroup"] is NSNull {
            guard let sku = (item["skuId"] as? String)?.lowercased() else { continue }
            result[sku] = Set((item["disabledPlans"] as? [String] ?? []).map { $0.lowercased() })
        }
        return result
    }

    /// `expected` within `actual`: objects by the keys `expected` has, the rest equal; a null
    /// expected is matched by nothing there.
    static func matches(_ expected: Any, _ actual: Any?) -> Bool {
        switch expected {
        case is NSNull: return actual == nil || actual is NSNull
        case let object as [String: Any]:
            guard let other = actual as? [String: Any] else { return false }
            return object.allSatisfy { matches($0.value, other[$0.key]) }
        case let list as [Any]:
            guard let other = actual as? [Any], other.count == list.count else { return false }
            return zip(list, other).allSatisfy { matches($0, $1) }
        case let text as String: return (actual as? String) == text
        case let number as NSNumber: return (actual as? NSNumber) == number
        default: return false
        }
    }

    static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: "empty"
        case let text as String: "\"\(text)\""
        default: "\(value!)"
        }
    }
}
