import Foundation
import LicenseModel
import Testing

/// Scenario tests for the licensing behaviour the foundation already carries; the licensing
/// issue adds the rest of R1–R18.
@Suite("Licensing scenarios")
struct LicensingScenarioTests {
    let context = ChangeContext(now: Date(timeIntervalSince1970: 1_800_000_000), actor: "test")

    func tenant(seats: Int = 5) throws -> Tenant {
        var tenant = Tenant(organization: Organization(id: "org", displayName: "Test", countryLetterCode: "GB"))
        try tenant.apply(.addSku(skuId: DemoTenant.e3SkuID, seats: seats, edition: "2018"), context: context)
        for number in 1...3 {
            try tenant.apply(
                .createUser(
                    UserDraft(
                        id: "u\(number)", userPrincipalName: "u\(number)@t.example", displayName: "User \(number)",
                        attributes: ["usageLocation": "GB", "department": "Sales"])), context: context)
        }
        try tenant.apply(.createGroup(id: "g1", displayName: "Sales", description: nil, membershipRule: #"user.department -eq "Sales""#), context: context)
        try tenant.apply(.addGroupLicense(groupID: "g1", skuId: DemoTenant.e3SkuID, disabledPlans: []), context: context)
        return tenant
    }

    @Test("a new dynamic group is pending until processed, then its members hold the licence")
    func pendingThenProcessed() throws {
        var tenant = try tenant()
        #expect(tenant.pending.membershipGroups == ["g1"])
        #expect(tenant.group(id: "g1")?.membershipProcessingStatus == .notStarted)
        try tenant.apply(.processPending, context: context)
        #expect(tenant.group(id: "g1")?.members == ["u1", "u2", "u3"])
        #expect(tenant.group(id: "g1")?.licenseProcessingState == .processingComplete)
        #expect(tenant.sku(id: DemoTenant.e3SkuID)?.consumedUnits == 3)
    }

    @Test("leaving the group takes the licence away and frees the seat")
    func leavingRemovesLicence() throws {
        var tenant = try tenant()
        try tenant.apply(.processPending, context: context)
        try tenant.apply(.setUserAttributes(userID: "u2", values: ["department": "Marketing"]), context: context)
        try tenant.apply(.processPending, context: context)
        #expect(tenant.user(id: "u2")?.assignedLicenses.isEmpty == true)
        #expect(tenant.user(id: "u2")?.assignedPlans.allSatisfy { $0.capabilityStatus == "Deleted" } == true)
        #expect(tenant.sku(id: DemoTenant.e3SkuID)?.consumedUnits == 2)
    }

    @Test("members beyond the seats get CountViolation in join order; raising seats alone changes nothing; reprocess fixes it")
    func seatShortage() throws {
        var tenant = try tenant(seats: 2)
        try tenant.apply(.processPending, context: context)
        let errors = tenant.users.map { $0.licenseAssignmentStates.first?.error }
        #expect(errors == [LicenseError.none, LicenseError.none, .countViolation])
        #expect(tenant.user(id: "u3")?.licenseAssignmentStates.first?.state == .error)
        try tenant.apply(.setSeats(skuId: DemoTenant.e3SkuID, seats: 3), context: context)
        try tenant.apply(.processPending, context: context)
        #expect(tenant.user(id: "u3")?.licenseAssignmentStates.first?.error == .countViolation)
        try tenant.apply(.reprocessGroup(groupID: "g1"), context: context)
        try tenant.apply(.processPending, context: context)
        #expect(tenant.user(id: "u3")?.licenseAssignmentStates.first?.error == LicenseError.none)
        #expect(tenant.sku(id: DemoTenant.e3SkuID)?.consumedUnits == 3)
    }

    @Test("removing a licence inherited from a group is refused with Entra's message")
    func inheritedRemovalRefused() throws {
        var tenant = try tenant()
        try tenant.apply(.processPending, context: context)
        #expect(throws: ModelError.refused(EntraMessage.inheritedLicense)) {
            try tenant.apply(.removeUserLicense(userID: "u1", skuId: DemoTenant.e3SkuID), context: context)
        }
    }

    @Test("a direct assignment to a user without a usage location is refused")
    func directNeedsUsageLocation() throws {
        var tenant = try tenant()
        try tenant.apply(.setUserAttributes(userID: "u1", values: ["usageLocation": nil]), context: context)
        #expect(throws: ModelError.refused(EntraMessage.invalidUsageLocation)) {
            try tenant.apply(.addUserLicense(userID: "u1", skuId: DemoTenant.e3SkuID, disabledPlans: []), context: context)
        }
    }

    @Test("a refused change leaves the tenant exactly as it was")
    func refusedChangeIsAtomic() throws {
        var tenant = try tenant()
        let before = tenant
        #expect(throws: ModelError.self) {
            try tenant.apply(.setUserAttributes(userID: "u1", values: ["department": "IT", "usageLocation": "GBR"]), context: context)
        }
        #expect(tenant == before)
    }
}
