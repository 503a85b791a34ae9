import LicenseModel
import TerminalKit

/// The tenant summary: header, SKUs with seats, dynamic groups, footer. Below the minimum size
/// it says how much room it needs instead of drawing a broken screen.
struct SummaryScreen {
    static let minimum = TerminalSize(columns: 60, rows: 12)
    let tenant: Tenant
    let stateDirectory: String
    let unicode: Bool

    func render(size: TerminalSize) -> Frame {
        var frame = Frame(size: size)
        guard size.columns >= Self.minimum.columns, size.rows >= Self.minimum.rows else {
            frame.put("Terminal too small", column: 0, row: 0, style: .statusError)
            frame.put("need \(Self.minimum.columns)×\(Self.minimum.rows), have \(size.columns)×\(size.rows)", column: 0, row: 1)
            frame.put("q quits", column: 0, row: 2)
            return frame
        }
        let errors = tenant.usersWithLicenseErrors.count
        let header =
            " LicenseDesk · \(tenant.organization.displayName) · Users \(tenant.users.count) · Groups \(tenant.groups.count) · Pending \(tenant.pending.count) · Licence errors \(errors)"
        frame.put(header.padding(toLength: size.columns, withPad: " ", startingAt: 0), column: 0, row: 0, style: .header)
        var row = 2
        frame.put("Subscriptions", column: 1, row: row, style: .borderFocus)
        row += 1
        for sku in tenant.subscribedSkus where row < size.rows - 3 {
            let product = SKUCatalog.shared.sku(id: sku.skuId)?.productName ?? sku.skuPartNumber
            frame.put(
                "\(sku.skuPartNumber)  \(sku.consumedUnits) of \(sku.prepaidUnits.enabled) seats used  \(product)", column: 3,
                row: row)
            row += 1
        }
        row += 1
        frame.put("Groups", column: 1, row: row, style: .borderFocus)
        row += 1
        for group in tenant.groups where row < size.rows - 2 {
            let licences = group.assignedLicenses.compactMap { license -> String? in
                guard let sku = tenant.sku(id: license.skuId) else { return nil }
                let total = sku.planIds.count
                return "\(sku.skuPartNumber) \(total - license.disabledPlans.count) of \(total) enabled"
            }.joined(separator: ", ")
            let status = group.membershipProcessingStatus.map(\.rawValue) ?? "static"
            frame.put("\(group.displayName)  \(group.members.count) members  \(licences)  [\(status)]", column: 3, row: row)
            row += 1
        }
        frame.put(" q quit · Ctrl-L redraw · state \(stateDirectory)", column: 0, row: size.rows - 1, width: size.columns, style: .footer)
        frame.paint(.footer, column: 0, row: size.rows - 1, width: size.columns)
        return frame
    }
}
