import Foundation
import LicenseModel

/// Effective licences and plans per user, one row per user per SKU, for spreadsheets: who has
/// what, through which paths, in which state. Cells that a spreadsheet would run as a formula
/// (starting with = + - @, a tab or a carriage return) get a leading apostrophe (CWE-1236).
public enum LicencesCSV {
    public static let header = [
        "userPrincipalName", "displayName", "skuPartNumber", "skuId", "paths", "states", "errors", "enabledPlans", "disabledPlans",
    ]

    public static func text(_ tenant: Tenant) -> String {
        var lines = [row(header)]
        for user in tenant.users {
            for skuId in Array(Set(user.licenseAssignmentStates.map(\.skuId))).sorted() {
                let sku = tenant.sku(id: skuId)
                let paths = user.paths(for: skuId)
                let pathNames = paths.map { path in
                    path.assignedByGroup.map { "group " + (tenant.group(id: $0)?.displayName ?? $0) } ?? "direct"
                }
                let enabled: [String]
                let disabled: [String]
                if let effective = user.assignedLicenses.first(where: { $0.skuId == skuId }), let sku {
                    enabled = sku.servicePlans.filter { !effective.disabledPlans.contains($0.servicePlanId) }.map(\.servicePlanName)
                    disabled = sku.servicePlans.filter { effective.disabledPlans.contains($0.servicePlanId) }.map(\.servicePlanName)
                } else {
                    enabled = []
                    disabled = sku?.servicePlans.map(\.servicePlanName) ?? []
                }
                lines.append(
                    row([
                        user.userPrincipalName, user.displayName, sku?.skuPartNumber ?? skuId, skuId, pathNames.joined(separator: "; "),
                        paths.map(\.state.rawValue).joined(separator: "; "), paths.map(\.error.rawValue).joined(separator: "; "),
                        enabled.joined(separator: "; "), disabled.joined(separator: "; "),
                    ]))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func row(_ cells: [String]) -> String { cells.map(cell).joined(separator: ",") }

    /// RFC 4180 quoting, after neutralising formulas and anything that could drive a terminal
    /// when the file is read with `cat` (controls, bidi overrides: U+FFFD instead).
    static func cell(_ text: String) -> String {
        var value = String(String.UnicodeScalarView(text.unicodeScalars.map { PowerShellExport.isInert($0) ? $0 : "\u{FFFD}" }))
        if let first = value.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { value = "'" + value }
        if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }
}
