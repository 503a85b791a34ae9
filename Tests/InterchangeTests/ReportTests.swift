import Console
import Foundation
import Interchange
import LicenseModel
import Testing

@Suite("Reports, provenance and the licences CSV")
struct ReportTests {
    let context = ChangeContext(now: Date(timeIntervalSince1970: 1_768_467_600), actor: "test")
    static let e3 = "6fd2c87f-b296-42f0-b197-1e91e994b900"

    @Test("seats by path add up per path; errors come grouped with their fix; the forecast sees a shortage coming")
    func seatsErrorsForecast() throws {
        var tenant = DemoTenant.make()
        let seats = try #require(LicenceReports.seats(tenant).first { $0.skuPartNumber == "ENTERPRISEPACK" })
        #expect(seats.consumed == 34 && seats.enabled == 36)
        #expect(seats.rows.map(\.path) == ["direct", "group E3 All", "group E3 with Selected Services"])
        #expect(seats.rows.map(\.applied) == [1, 17, 17])

        // Two new E3 users with room for only two seats left: one fits, the forecast says.
        try tenant.apply(.setSeats(skuId: Self.e3, seats: 35), context: context)
        for number in 1...2 {
            try tenant.apply(
                .createUser(
                    UserDraft(
                        id: "f0000000-0000-4000-8000-00000000000\(number)", userPrincipalName: "new\(number)@contoso.com", displayName: "New \(number)",
                        attributes: ["extensionAttribute10": "E3 All", "usageLocation": "US"])), context: context)
        }
        let forecast = LicenceReports.forecast(tenant)
        let row = try #require(forecast.rows.first { $0.skuPartNumber == "ENTERPRISEPACK" })
        #expect(row.consumedNow == 34 && row.consumedAfter == 35 && row.newCountViolations == 1)
        #expect(ReportText.lines(.forecast, tenant: tenant).contains { $0.contains("1 new CountViolation") })
        // The forecast changed nothing; processing does what it said.
        #expect(tenant.sku(id: Self.e3)?.consumedUnits == 34)
        try tenant.apply(.processPending, context: context)
        let errors = LicenceReports.errors(tenant)
        #expect(errors.map(\.error) == ["CountViolation"])
        #expect(errors[0].occurrences == ["new2@contoso.com: ENTERPRISEPACK via group E3 All"])
        #expect(errors[0].fix.contains("then reprocess the group"))
    }

    @Test("Megan's direct E3 is covered by her group except Sway; new plans in Microsoft's E3 would switch on in both groups")
    func redundantAndNewPlans() throws {
        let tenant = DemoTenant.make()
        let redundant = LicenceReports.redundantDirect(tenant)
        #expect(redundant.count == 1)
        #expect(redundant[0].userPrincipalName == "megan.bowen@contoso.com")
        #expect(redundant[0].wouldLose == ["Sway"])
        #expect(!redundant[0].safeToRemove)
        let exposure = LicenceReports.newPlanExposure(tenant)
        #expect(exposure.map(\.group) == ["E3 All", "E3 with Selected Services"])
        #expect(exposure.allSatisfy { $0.planCount == 16 && !$0.newPlans.isEmpty })
    }

    @Test("users explain: the paths behind a plan, the path that switches it off, and the rule clause that matched")
    func explain() throws {
        let tenant = DemoTenant.make()
        let megan = try tenant.findUser("megan.bowen@contoso.com")
        let sway = try tenant.provenance(of: megan, plan: "SWAY")
        #expect(sway.plans.count == 1)
        #expect(sway.plans[0].enabled)
        #expect(sway.plans[0].grantedBy.map(\.path) == ["direct"])
        #expect(sway.plans[0].disabledBy.map(\.path) == ["group E3 with Selected Services"])
        #expect(sway.memberships.map(\.group) == ["E3 with Selected Services"])
        #expect(sway.memberships[0].explanation.first?.contains("true  user.extensionAttribute10 -eq \"E3 with Selected Services\"") == true)
        let text = ReportText.provenance(sway)
        #expect(text.contains("  [x] Sway (SWAY) in ENTERPRISEPACK"))
        #expect(text.contains("      from direct: Active, applied"))
        #expect(throws: ModelError.self) { try tenant.provenance(of: megan, plan: "NO_SUCH_PLAN") }
    }

    @Test("the licences CSV: one row per user per SKU, paths and plans, formulas neutralised")
    func licencesCSV() throws {
        var tenant = DemoTenant.make()
        try tenant.apply(.setUserAttributes(userID: DemoTenant.userID(1), values: ["displayName": "=HYPERLINK(\"x\")"]), context: context)
        let lines = LicencesCSV.text(tenant).components(separatedBy: "\r\n")
        #expect(lines[0] == "userPrincipalName,displayName,skuPartNumber,skuId,paths,states,errors,enabledPlans,disabledPlans")
        let adele = try #require(lines.first { $0.hasPrefix("adele.vance@contoso.com,") })
        #expect(adele.hasPrefix("adele.vance@contoso.com,\"'=HYPERLINK(\"\"x\"\")\",ENTERPRISEPACK,"))
        let megan = try #require(lines.first { $0.hasPrefix("megan.bowen@contoso.com,Megan Bowen,ENTERPRISEPACK") })
        #expect(megan.contains(",direct; group E3 with Selected Services,Active; Active,None; None,EXCHANGE_S_ENTERPRISE; SHAREPOINTENTERPRISE; SWAY; TEAMS1,"))
    }
}
