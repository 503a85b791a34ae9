import LicenseModel
import Testing

@Suite("SKU catalog")
struct CatalogTests {
    let catalog = SKUCatalog.shared

    @Test("Office 365 E3 has 36 plans today and 16 in the 2018 edition")
    func e3PlanCounts() throws {
        let e3 = try #require(catalog.skus(matching: "enterprisepack").first)
        #expect(e3.productName == "Office 365 E3")
        #expect(e3.planIds.count == 36)
        #expect(catalog.edition(of: "ENTERPRISEPACK", "2018")?.count == 16)
    }

    @Test("SKUs are found by part number, skuId and product name, ignoring case")
    func skuLookups() {
        let id = "6fd2c87f-b296-42f0-b197-1e91e994b900"
        #expect(catalog.skus(matching: "ENTERPRISEPACK").map(\.skuId) == [id])
        #expect(catalog.skus(matching: id.uppercased()).map(\.skuId) == [id])
        #expect(catalog.skus(matching: "office 365 e3").map(\.skuId) == [id])
        #expect(catalog.skus(matching: "no such sku").isEmpty)
    }

    @Test("the catalog cleans Microsoft's quirks: trimmed part numbers, one name per plan, MCOPSTN5 twice")
    func quirks() {
        #expect(catalog.skus.allSatisfy { $0.skuPartNumber == $0.skuPartNumber.trimmingCharacters(in: .whitespaces) })
        #expect(catalog.plan(id: "bea4c11e-220a-4e6d-8eb8-8ea15d019f90")?.name == "RMS_S_ENTERPRISE")
        #expect(catalog.skus(matching: "MCOPSTN5").count == 2)
        #expect(catalog.skus.count == 569)
        #expect(catalog.plans.count == 723)
    }

    @Test("plans are found by servicePlanName, id, friendly name and older friendly names")
    func planLookups() {
        let sharePoint = "5dbe027f-2339-4123-9542-606e4d348a72"
        #expect(catalog.plan(matching: "sharepointenterprise")?.id == sharePoint)
        #expect(catalog.plan(matching: sharePoint.uppercased())?.id == sharePoint)
        #expect(catalog.plan(matching: "SharePoint (Plan 2)")?.id == sharePoint)
        #expect(catalog.plan(matching: "SharePoint Online (Plan 2)")?.id == sharePoint)
        #expect(catalog.plan(matching: "Microsoft Teams")?.name == "TEAMS1")
    }

    @Test("E1 and E3 together conflict on SharePoint Plan 1 and Plan 2")
    func e1AndE3Conflict() throws {
        let e1 = Set(try #require(catalog.skus(matching: "STANDARDPACK").first).planIds)
        let e3 = Set(try #require(catalog.skus(matching: "ENTERPRISEPACK").first).planIds)
        let conflicting = catalog.exclusionSets().filter { set in
            let a = e1.intersection(set.plans), b = e3.intersection(set.plans)
            return a.contains { plan in b.contains { $0 != plan } }
        }
        #expect(conflicting.map(\.service) == ["SharePoint Online"])
        let set = try #require(conflicting.first)
        #expect(e1.intersection(set.plans).map { catalog.name(ofPlan: $0) } == ["SHAREPOINTSTANDARD"])
        #expect(e3.intersection(set.plans).map { catalog.name(ofPlan: $0) } == ["SHAREPOINTENTERPRISE"])
    }

    @Test("Exchange plans stack by default (the 2023 change) but conflict under the historic policy")
    func exchangePolicy() {
        let services = catalog.exclusionSets().map(\.service)
        #expect(!services.contains("Exchange Online"))
        let historic = catalog.exclusionSets(ExclusionPolicy(exchangeConcurrentLicensing: false, includeHistoric2019: true))
        #expect(historic.contains { $0.service == "Exchange Online" && $0.plans.contains("efb87545-963c-4e0d-99df-69c6916d9eb0") })
    }

    @Test("Audio Conferencing depends on Skype for Business Online")
    func audioConferencingDependency() throws {
        let audio = try #require(catalog.plan(matching: "MCOMEETADV"))
        let dependency = try #require(catalog.dependency(of: audio.id))
        #expect(dependency.requiresAnyOf.map { catalog.name(ofPlan: $0) } == ["MCOSTANDARD"])
    }
}
