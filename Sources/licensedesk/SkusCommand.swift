import ArgumentParser
import Foundation
import LicenseModel
import LicenseStore
import TerminalKit

struct SkusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skus", abstract: "The tenant's subscriptions: seats and service plans.",
        subcommands: [List.self, Add.self, SetSeats.self, Show.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each SKU with seats used of total.")
        @OptionGroup var state: StateOptions
        @Flag(help: "Print Graph's subscribedSku list.") var json = false

        func run() throws {
            let tenant = try state.loadOrSeed().tenant
            if json { return try JSONOutput.print(tenant.subscribedSkus) }
            for sku in tenant.subscribedSkus {
                let product = SKUCatalog.shared.sku(id: sku.skuId)?.productName ?? ""
                print(
                    "\(TextSanitizer.inert(sku.skuPartNumber))\t\(sku.consumedUnits) of \(sku.prepaidUnits.enabled) seats used\t\(sku.servicePlans.count) plans\t\(product)"
                )
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Subscribe to a SKU from Microsoft's catalog.")
        @OptionGroup var state: StateOptions
        @Argument(help: "skuPartNumber, skuId or product name.") var sku: String
        @Option(help: "Seats bought.") var seats: Int
        @Option(help: "A dated plan list, e.g. 2018 for the 16-plan Office 365 E3.") var edition: String?
        @Flag(help: "Print the new subscribedSku.") var json = false

        func run() throws {
            let loaded = try state.loadOrSeed()
            let matches = SKUCatalog.shared.skus(matching: sku)
            guard let catalogSKU = matches.first else { throw ModelError.invalidInput("\(sku) is not a SKU in Microsoft's catalog") }
            if matches.count > 1 {
                throw ModelError.invalidInput(
                    "\(sku) names \(matches.count) SKUs (\(matches.map(\.skuId).joined(separator: ", "))); give the skuId")
            }
            let result = try state.commit(.addSku(skuId: catalogSKU.skuId, seats: seats, edition: edition), against: loaded)
            let added = try result.state.tenant.findSku(catalogSKU.skuId)
            if json { return try JSONOutput.print(added) }
            print("Added \(added.skuPartNumber) (\(catalogSKU.productName)): \(seats) seats, \(added.servicePlans.count) plans")
        }
    }

    struct SetSeats: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-seats", abstract: "Change the seats bought. Members in CountViolation stay so until reprocessed.")
        @OptionGroup var state: StateOptions
        @Argument(help: "The SKU.") var sku: String
        @Argument(help: "Seats.") var seats: Int
        @Flag(help: "Print the subscribedSku.") var json = false

        func run() throws {
            let loaded = try state.loadOrSeed()
            let target = try loaded.tenant.findSku(sku)
            let result = try state.commit(.setSeats(skuId: target.skuId, seats: seats), against: loaded)
            let updated = try result.state.tenant.findSku(target.skuId)
            if json { return try JSONOutput.print(updated) }
            print("\(TextSanitizer.inert(updated.skuPartNumber)): \(updated.consumedUnits) of \(updated.prepaidUnits.enabled) seats used")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A SKU's seats and service plans.")
        @OptionGroup var state: StateOptions
        @Argument(help: "The SKU.") var sku: String
        @Flag(help: "Print Graph's subscribedSku.") var json = false

        func run() throws {
            let tenant = try state.loadOrSeed().tenant
            let target = try tenant.findSku(sku)
            if json { return try JSONOutput.print(target) }
            let product = SKUCatalog.shared.sku(id: target.skuId)?.productName ?? target.skuPartNumber
            print("\(TextSanitizer.inert(target.skuPartNumber)) — \(product)")
            print("skuId \(TextSanitizer.inert(target.skuId))")
            print("Seats: \(target.consumedUnits) of \(target.prepaidUnits.enabled) used, \(max(0, target.availableUnits)) free")
            print("Service plans (\(target.servicePlans.count)):")
            for plan in target.servicePlans {
                print("  \(SKUCatalog.shared.friendlyName(ofPlan: plan.servicePlanId))  (\(TextSanitizer.inert(plan.servicePlanName)))")
            }
        }
    }
}
