import Foundation
import LicenseModel

/// A user record that carries `assignedLicenses` without `licenseAssignmentStates` (a
/// `$select=id,assignedLicenses` export, a `licenseDetails` response) over a user the tenant
/// has. The model's licences follow from its paths, so the licences alone can't simply be put
/// over them: the paths and the licences would disagree. Where the change can only be a direct
/// licence (a SKU no group gives the user), the direct path is added, changed or removed to
/// match; where a group gives that SKU, the record doesn't say which path changed, and it is
/// refused with the `$select` that would say.
enum ImportedLicences {
    /// The user with paths that give exactly the carried licences, or why not.
    static func reconcile(_ user: User, over base: User, skus: [SubscribedSku], now: Date) -> Result<User, ImportRefusal> {
        let carried = Dictionary(user.assignedLicenses.map { ($0.skuId, Set($0.disabledPlans)) }) { first, _ in first }
        let before = Dictionary(LicenseDerivation.assignedLicenses(of: base, skus: skus).map { ($0.skuId, Set($0.disabledPlans)) }) { first, _ in first }
        guard carried != before else {
            var unchanged = user
            unchanged.assignedLicenses = base.assignedLicenses
            unchanged.licenseAssignmentStates = base.licenseAssignmentStates
            return .success(unchanged)
        }
        var paths = base.licenseAssignmentStates
        for skuID in Set(carried.keys).union(before.keys).sorted() where carried[skuID] != before[skuID] {
            if let group = paths.first(where: { $0.skuId == skuID && $0.assignedByGroup != nil })?.assignedByGroup {
                let name = skus.first { $0.skuId == skuID }?.skuPartNumber ?? skuID
                return .failure(
                    ImportRefusal(
                        reason:
                            "\(user.userPrincipalName): assignedLicenses changes \(name), which group \(group) gives this user, and the record doesn't say which path changed: export with $select=id,assignedLicenses,licenseAssignmentStates"
                    ))
            }
            paths.removeAll { $0.skuId == skuID && $0.assignedByGroup == nil }
            if let disabled = carried[skuID] {
                paths.append(
                    LicenseAssignmentState(
                        skuId: skuID, disabledPlans: disabled.sorted(), assignedByGroup: nil, state: .active, error: .none, lastUpdatedDateTime: now))
            }
        }
        var reconciled = user
        reconciled.licenseAssignmentStates = paths
        reconciled.assignedPlans = base.assignedPlans
        return .success(LicenseDerivation.refreshed(reconciled, skus: skus, now: now))
    }

    struct ImportRefusal: Error {
        var reason: String
    }
}
