import Foundation
import LicenseModel
import TerminalKit

/// The table both user lists share (Users, a group's Members): name, UPN, licences, error
/// marker. The UPN gives way first, so at 80×24 a user's licences and error marker stay.
enum UserTable {
    static let columns = [
        Column("Name", flexible: true, minimumWidth: 8),
        Column("UPN", flexible: true, dropOrder: 2, minimumWidth: 12),
        Column("Licences", flexible: true, minimumWidth: 6),
        Column("Err"),
    ]

    static func row(_ user: User, tenant: Tenant, glyphs: Glyphs) -> Row {
        let licences = user.assignedLicenses.map { tenant.sku(id: $0.skuId)?.skuPartNumber ?? $0.skuId }.joined(separator: ",")
        return Row(
            cells: [user.displayName, user.userPrincipalName, licences.isEmpty ? "-" : licences, user.hasLicenseErrors ? glyphs.error : ""],
            style: user.hasLicenseErrors ? .error : .text, target: .user(user.id))
    }

    /// What a column sorts users by.
    static func key(_ user: User, column: Int, tenant: Tenant) -> String {
        switch column {
        case 0: user.displayName.lowercased()
        case 1: user.userPrincipalName.lowercased()
        case 2: user.assignedLicenses.map { tenant.sku(id: $0.skuId)?.skuPartNumber ?? $0.skuId }.joined(separator: ",")
        default: user.hasLicenseErrors ? "0" : "1"
        }
    }

    /// `indices` (into `tenant.users`) filtered by `filter` and sorted by `sort`. A filter that
    /// begins with `=` is a membership rule, evaluated by the model; the rest match the row text.
    static func indices(_ indices: [Int]?, tenant: Tenant, glyphs: Glyphs, list: ListState) -> [Int] {
        let users = tenant.users
        var result: [Int]
        if list.filter.hasPrefix("="), let rule = RuleFilter.compile(list.filter) {
            let matching = Set(tenant.userIndices(matching: rule))
            result = (indices ?? Array(users.indices)).filter { matching.contains($0) }
        } else if list.filter.hasPrefix("=") {
            result = []
        } else if list.filter.isEmpty {
            result = indices ?? Array(users.indices)
        } else {
            let folded = list.filter.lowercased()
            result = (indices ?? Array(users.indices)).filter { row(users[$0], tenant: tenant, glyphs: glyphs).text.lowercased().contains(folded) }
        }
        if let sort = list.sort {
            let keys = result.map { key(users[$0], column: sort.column, tenant: tenant) }
            // Ties keep tenant order, so a sort is stable from one refresh to the next.
            var order = Array(keys.indices)
            order.sort { keys[$0] != keys[$1] ? (keys[$0] < keys[$1]) != sort.descending : $0 < $1 }
            result = order.map { result[$0] }
        }
        return result
    }
}
