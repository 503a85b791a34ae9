import ArgumentParser
import Foundation
import LicenseModel
import LicenseStore
import TerminalKit

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Summarise the tenant: users, groups, seats per SKU, pending work, licence errors.")

    @OptionGroup var state: StateOptions
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let loaded = try state.loadOrSeed()
        var summary = TenantSummary(loaded.tenant)
        summary.journalPosition = loaded.sequence
        summary.changesSinceCompaction = loaded.journalLength
        summary.compactionFailure = CompactionFailure.read(in: state.store).map {
            "\(ISO8601DateFormatter().string(from: $0.time)): \($0.reason)"
        }
        if json {
            try JSONOutput.print(summary)
        } else {
            print(TextSanitizer.inertLines(summary.text))
        }
    }
}

/// What `status` reports, as JSON or as text.
struct TenantSummary: Encodable {
    struct Sku: Encodable {
        var skuId: String
        var skuPartNumber: String
        var productName: String
        var consumedUnits: Int
        var prepaidUnits: Int
        var servicePlans: Int
        /// More seats in use than bought (a warning, not an error).
        var overAllocated: Bool
    }
    struct Pending: Encodable {
        var membershipGroups: Int
        var membershipUsers: Int
        var licenseGroups: Int
        var licenseUsers: Int
        var total: Int
    }
    var organization: String
    var countryLetterCode: String
    var users: Int
    var groups: Int
    var dynamicGroups: Int
    var skus: [Sku]
    var pending: Pending
    var usersWithLicenseErrors: Int
    /// The last change in the journal: `export changes --since` takes it as a baseline.
    var journalPosition = 0
    /// Journal entries not yet folded into the snapshot (a background compaction folds them
    /// in once there are 500).
    var changesSinceCompaction = 0
    /// When and why the last background compaction failed, while it stays failed.
    var compactionFailure: String?

    init(_ tenant: Tenant) {
        organization = tenant.organization.displayName
        countryLetterCode = tenant.organization.countryLetterCode
        users = tenant.users.count
        groups = tenant.groups.count
        dynamicGroups = tenant.groups.filter(\.isDynamic).count
        skus = tenant.subscribedSkus.map { sku in
            Sku(
                skuId: sku.skuId, skuPartNumber: sku.skuPartNumber,
                productName: SKUCatalog.shared.sku(id: sku.skuId)?.productName ?? sku.skuPartNumber,
                consumedUnits: sku.consumedUnits, prepaidUnits: sku.prepaidUnits.enabled, servicePlans: sku.servicePlans.count,
                overAllocated: sku.isOverAllocated)
        }
        let work = tenant.pending
        pending = Pending(
            membershipGroups: work.membershipGroups.count, membershipUsers: work.membershipUsers.count,
            licenseGroups: work.licenseGroups.count, licenseUsers: work.licenseUsers.count, total: work.count)
        usersWithLicenseErrors = tenant.usersWithLicenseErrors.count
    }

    var text: String {
        var lines = [
            "Tenant \(organization) (\(countryLetterCode))",
            "Users \(users) · Groups \(groups) (\(dynamicGroups) dynamic) · Pending work \(pending.total) · Users with licence errors \(usersWithLicenseErrors)",
            "Journal position \(journalPosition) (`licensedesk export changes --since \(journalPosition)` exports what comes after) · "
                + "\(changesSinceCompaction) not yet folded into the snapshot",
        ]
        if let compactionFailure {
            lines.append(
                "Warning: the last compaction failed at \(compactionFailure); every change is saved in the journal, "
                    + "and the next save tries again after a minute (`licensedesk compact` says why at once)")
        }
        lines.append("")
        let width = max(12, skus.map(\.skuPartNumber.count).max() ?? 0)
        let seatsHeading = max(12, skus.map { "\($0.consumedUnits) of \($0.prepaidUnits)".count }.max() ?? 0) + 2
        lines.append(
            "SKU".padding(toLength: width + 2, withPad: " ", startingAt: 0) + "Seats used".padding(toLength: seatsHeading, withPad: " ", startingAt: 0)
                + "Product")
        // The seats column as wide as its widest value (a 20,000-user tenant runs past 14).
        let seats = skus.map { "\($0.consumedUnits) of \($0.prepaidUnits)" }
        let seatsWidth = max(12, seats.map(\.count).max() ?? 0) + 2
        for (sku, used) in zip(skus, seats) {
            lines.append(
                sku.skuPartNumber.padding(toLength: width + 2, withPad: " ", startingAt: 0)
                    + used.padding(toLength: seatsWidth, withPad: " ", startingAt: 0)
                    + sku.productName)
        }
        for sku in skus where sku.overAllocated {
            lines.append(
                "Warning: \(sku.skuPartNumber) uses \(sku.consumedUnits) seats of \(sku.prepaidUnits) bought (\(sku.consumedUnits - sku.prepaidUnits) over)")
        }
        return lines.joined(separator: "\n")
    }
}
