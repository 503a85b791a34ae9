import Foundation
import MembershipRules

/// One inconsistency in a tenant, explained.
public struct DoctorFinding: Hashable, Sendable, Codable {
    public enum Kind: String, Codable, Sendable {
        case danglingReference, seatCount, membershipOutOfDate, pathOutOfDate, invalidRule, duplicateAddress, invalidValue
        /// A user's assignedLicenses are not what their licence paths give.
        case licencesOutOfDate
    }
    public var kind: Kind
    public var object: String
    public var explanation: String
}

/// Checks that a tenant agrees with itself: references resolve, seat counts match the users
/// holding seats, dynamic memberships match their rules, and group paths match memberships.
public enum TenantDoctor {
    public static func examine(_ tenant: Tenant, now: Date = Date()) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        let skuIDs = Set(tenant.subscribedSkus.map(\.skuId))
        for group in tenant.groups {
            for member in group.members where tenant.user(id: member) == nil {
                findings.append(.init(kind: .danglingReference, object: group.displayName, explanation: "lists member \(member), which is not a user"))
            }
            for license in group.assignedLicenses where !skuIDs.contains(license.skuId) {
                findings.append(
                    .init(kind: .danglingReference, object: group.displayName, explanation: "assigns SKU \(license.skuId), which the tenant does not have"))
            }
        }
        // Values no path of LicenseDesk stores (a hand-edited file): Entra's limits.
        for user in tenant.users {
            if let problem = Tenant.invalidValue(of: user) {
                findings.append(.init(kind: .invalidValue, object: user.userPrincipalName, explanation: problem))
            }
        }
        for group in tenant.groups {
            do {
                try DirectoryLimits.checkSafeID(group.id, of: "group")
                try DirectoryLimits.checkDisplayName(group.displayName, of: "group")
                if let rule = group.membershipRule { try DirectoryLimits.checkRule(rule) }
            } catch {
                findings.append(.init(kind: .invalidValue, object: group.displayName, explanation: error.description))
            }
        }
        // Entra holds a UPN once across the directory; so does every path that stores one here.
        var holders: [String: String] = [:]
        for user in tenant.users {
            let key = user.userPrincipalName.lowercased()
            if let first = holders[key] {
                findings.append(
                    .init(kind: .duplicateAddress, object: user.userPrincipalName, explanation: "has the same UPN as user \(first)"))
            } else {
                holders[key] = user.id
            }
        }
        for user in tenant.users {
            for path in user.licenseAssignmentStates {
                if !skuIDs.contains(path.skuId) {
                    findings.append(
                        .init(
                            kind: .danglingReference, object: user.userPrincipalName,
                            explanation: "has a path for SKU \(path.skuId), which the tenant does not have"))
                }
                if let groupID = path.assignedByGroup {
                    guard let group = tenant.group(id: groupID) else {
                        findings.append(
                            .init(
                                kind: .danglingReference, object: user.userPrincipalName, explanation: "has a path from group \(groupID), which does not exist")
                        )
                        continue
                    }
                    let pending = tenant.pending.licenseUsers.contains(user.id) || tenant.pending.licenseGroups.contains(groupID)
                    if !pending && (!group.members.contains(user.id) || !group.assignedLicenses.contains { $0.skuId == path.skuId }) {
                        findings.append(
                            .init(
                                kind: .pathOutOfDate, object: user.userPrincipalName,
                                explanation: "keeps a \(path.skuId) path from \(group.displayName) that no longer assigns it to them"))
                    }
                }
            }
        }
        // A user's licences follow from their paths (an import of licences alone must not
        // leave the two disagreeing).
        for user in tenant.users {
            let derived = LicenseDerivation.assignedLicenses(of: user, skus: tenant.subscribedSkus)
            let held = user.assignedLicenses.filter { skuIDs.contains($0.skuId) }
            if Set(derived) != Set(held) {
                let skus = Set(derived.map(\.skuId)).symmetricDifference(held.map(\.skuId))
                let named = (skus.isEmpty ? Set(held.map(\.skuId)) : skus).sorted().map { id in tenant.sku(id: id)?.skuPartNumber ?? id }
                findings.append(
                    .init(
                        kind: .licencesOutOfDate, object: user.userPrincipalName,
                        explanation:
                            "its assignedLicenses (\(named.joined(separator: ", "))) are not what its licence paths give; doctor --repair derives them again"))
            }
        }
        for sku in tenant.subscribedSkus {
            let holders = tenant.users.filter { $0.consumesSeat(of: sku.skuId) }.count
            if holders != sku.consumedUnits {
                findings.append(
                    .init(kind: .seatCount, object: sku.skuPartNumber, explanation: "consumedUnits is \(sku.consumedUnits) but \(holders) users hold a seat"))
            }
        }
        for group in tenant.groups where group.isDynamic && !group.isPaused {
            guard let text = group.membershipRule else { continue }
            // A rule LicenseDesk can't evaluate came from the tenant (the model refuses such
            // rules from anyone else): the group is "Not evaluated here", not damaged.
            guard let rule = try? MembershipRule(text) else { continue }
            if tenant.pending.membershipGroups.contains(group.id) || !tenant.pending.membershipUsers.isEmpty { continue }
            let context = RuleContext(now: now)
            let matching = Set(tenant.users.filter { rule.matches(tenant.ruleView(of: $0), context: context) }.map(\.id))
            let members = Set(group.members)
            if matching != members {
                findings.append(
                    .init(
                        kind: .membershipOutOfDate, object: group.displayName,
                        explanation:
                            "\(matching.subtracting(members).count) users match its rule but are not members; \(members.subtracting(matching).count) members no longer match"
                    ))
            }
            if !tenant.pending.licenseGroups.contains(group.id) && !group.assignedLicenses.isEmpty {
                for member in group.members where !(tenant.user(id: member)?.licenseAssignmentStates.contains { $0.assignedByGroup == group.id } ?? true) {
                    if tenant.pending.licenseUsers.contains(member) { continue }
                    findings.append(.init(kind: .pathOutOfDate, object: group.displayName, explanation: "member \(member) has no path from the group"))
                }
            }
        }
        return findings
    }
}

extension Tenant {
    /// Puts right what `TenantDoctor` finds: drops dangling references, recounts seats, and
    /// queues every group for membership and licence processing. Applied as a change.
    mutating func repairConsistency(now: Date) {
        let skuIDs = Set(subscribedSkus.map(\.skuId))
        let userIDs = Set(users.map(\.id))
        for index in groups.indices {
            groups[index].members.removeAll { !userIDs.contains($0) }
            groups[index].assignedLicenses.removeAll { !skuIDs.contains($0.skuId) }
        }
        let groupIDs = Set(groups.map(\.id))
        for index in users.indices {
            users[index].licenseAssignmentStates.removeAll { path in
                !skuIDs.contains(path.skuId) || (path.assignedByGroup.map { !groupIDs.contains($0) } ?? false)
            }
        }
        for index in users.indices { LicenseDerivation.refresh(&users[index], skus: subscribedSkus, now: now) }
        rebuildIndexes()
        for index in subscribedSkus.indices {
            let skuId = subscribedSkus[index].skuId
            subscribedSkus[index].consumedUnits = users.filter { $0.consumesSeat(of: skuId) }.count
        }
        for group in groups {
            if group.isDynamic { pending.enqueue(group.id, in: \.membershipGroups) }
            if !group.assignedLicenses.isEmpty { pending.enqueue(group.id, in: \.licenseGroups) }
        }
    }

    /// What a hand-edited file may hold that no path of LicenseDesk would store for a user.
    static func invalidValue(of user: User) -> String? {
        do {
            try DirectoryLimits.checkSafeID(user.id, of: "user")
            try DirectoryLimits.checkUPN(user.userPrincipalName)
            if user.displayName.count > DirectoryLimits.displayNameLength { try DirectoryLimits.checkDisplayName(user.displayName, of: "user") }
            return nil
        } catch {
            return error.description
        }
    }
}
