import LicenseModel
import LicenseStore

/// A journal entry in an admin's words, for announcing other admins' changes: the object's
/// name and what happened to it, from the change itself or its audit record.
enum ChangeWords {
    static func describe(_ entry: JournalEntry, in tenant: Tenant) -> String {
        let catalog = SKUCatalog.shared
        func group(_ id: String) -> String { tenant.group(id: id)?.displayName ?? id }
        switch entry.change {
        case .setGroupPlan(let groupID, _, let planId, let enabled):
            return "\(group(groupID)): \(catalog.friendlyName(ofPlan: planId)) \(enabled ? "on" : "off")"
        case .setGroupRule(let groupID, let rule):
            return "\(group(groupID)): rule \(rule)"
        case .reprocessGroup(let groupID):
            return "\(group(groupID)): reprocess"
        default:
            if let event = entry.audit?.first {
                return "\(event.target): \(event.activity)" + (event.detail.isEmpty ? "" : " (\(event.detail))")
            }
            return entry.change.activity
        }
    }
}
