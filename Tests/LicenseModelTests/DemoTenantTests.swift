import LicenseModel
import MembershipRules
import Testing

@Suite("Demo tenant")
struct DemoTenantTests {
    let tenant = DemoTenant.make()

    @Test("is the same every time")
    func deterministic() {
        #expect(DemoTenant.make() == tenant)
    }

    @Test("has enough synced users to scroll, some with neither attribute value")
    func users() {
        #expect(tenant.users.count >= 40)
        #expect(tenant.users.allSatisfy { $0.onPremisesSyncEnabled == true })
        let values = tenant.users.map { $0.extensionAttribute(10) }
        #expect(values.contains(DemoTenant.e3All))
        #expect(values.contains(DemoTenant.e3Selected))
        #expect(values.contains(nil))
    }

    @Test("E3 is the 2018 edition with 16 plans and its seats are nearly used up")
    func e3Seats() throws {
        let e3 = try #require(tenant.sku(id: DemoTenant.e3SkuID))
        #expect(e3.servicePlans.count == 16)
        let holders = tenant.users.filter { $0.consumesSeat(of: e3.skuId) }.count
        #expect(e3.consumedUnits == holders)
        #expect(e3.availableUnits > 0 && e3.availableUnits <= 3)
    }

    @Test("\"E3 with Selected Services\" enables SharePoint, Exchange and Teams: 3 of 16")
    func selectedServices() throws {
        let group = try #require(tenant.group(id: DemoTenant.e3SelectedGroupID))
        let license = try #require(group.assignedLicenses.first)
        #expect(16 - license.disabledPlans.count == 3)
        let catalog = SKUCatalog.shared
        let enabled = Set(try #require(tenant.sku(id: license.skuId)).planIds).subtracting(license.disabledPlans)
        #expect(Set(enabled.map { catalog.name(ofPlan: $0) }) == ["SHAREPOINTENTERPRISE", "EXCHANGE_S_ENTERPRISE", "TEAMS1"])
    }

    @Test("each dynamic group holds exactly the users its rule matches, licensed without errors")
    func membershipsFollowRules() throws {
        for group in tenant.groups {
            let rule = try MembershipRule(try #require(group.membershipRule))
            let matching = tenant.users.filter { rule.matches(tenant.ruleView(of: $0)) }.map(\.id)
            #expect(Set(group.members) == Set(matching))
            for member in group.members {
                let user = try #require(tenant.user(id: member))
                #expect(user.licenseAssignmentStates.contains { $0.assignedByGroup == group.id && $0.state == .active })
            }
        }
        #expect(tenant.usersWithLicenseErrors.isEmpty)
        #expect(tenant.pending.isEmpty)
    }

    @Test("the user with a direct E3 who joined a group keeps the direct extras and gains the group's plans")
    func directThenGroup() throws {
        let user = try #require(tenant.user(id: DemoTenant.userID(DemoTenant.directThenGroupUser)))
        let paths = user.paths(for: DemoTenant.e3SkuID)
        #expect(paths.count == 2)
        #expect(paths.contains { $0.isDirect })
        #expect(paths.contains { $0.assignedByGroup == DemoTenant.e3SelectedGroupID })
        let license = try #require(user.assignedLicenses.first { $0.skuId == DemoTenant.e3SkuID })
        let enabled = Set(tenant.sku(id: DemoTenant.e3SkuID)!.planIds).subtracting(license.disabledPlans)
        // Exchange and Sway from the direct path, SharePoint and Teams from the group: 4 plans, one seat.
        #expect(Set(enabled.map { SKUCatalog.shared.name(ofPlan: $0) }) == ["EXCHANGE_S_ENTERPRISE", "SWAY", "SHAREPOINTENTERPRISE", "TEAMS1"])
        #expect(user.assignedLicenses.filter { $0.skuId == DemoTenant.e3SkuID }.count == 1)
    }

    @Test("a second SKU has a few direct assignments")
    func directEMS() throws {
        let ems = try #require(tenant.sku(id: DemoTenant.emsSkuID))
        #expect(ems.consumedUnits == 4)
        let holders = tenant.users.filter { $0.licenseAssignmentStates.contains { $0.skuId == ems.skuId && $0.isDirect } }
        #expect(holders.count == 4)
    }
}
