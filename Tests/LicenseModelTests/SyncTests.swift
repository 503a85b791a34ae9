import Foundation
import LicenseModel
import Testing

@Suite("On-premises directory and sync")
struct SyncTests {
    let context = ChangeContext(now: Date(timeIntervalSince1970: 1_800_000_000), actor: "test")

    func jdoe(_ tier: String) -> OnPremisesUser {
        OnPremisesUser(
            samAccountName: "jdoe", objectGUID: "0f0f0f0f-0000-4000-8000-00000000d0e0",
            attributes: [
                "userPrincipalName": "jdoe@contoso.com", "displayName": "John Doe", "usageLocation": "US",
                "extensionAttribute10": tier, "department": "Sales",
                "distinguishedName": "CN=John Doe,OU=Staff,DC=contoso,DC=com",
            ])
    }

    func seats(_ tenant: Tenant, _ user: String) -> Int? {
        guard let licence = tenant.user(id: user)?.assignedLicenses.first(where: { $0.skuId == DemoTenant.e3SkuID }) else { return nil }
        return 16 - licence.disabledPlans.count
    }

    @Test("the walkthrough: attribute on-premises → sync → pending → process → licensed; change → moves groups; excluded attribute stops")
    func walkthrough() throws {
        var tenant = DemoTenant.make()
        try tenant.apply(.setSeats(skuId: DemoTenant.e3SkuID, seats: 40), context: context)
        try tenant.apply(.addOnPremisesUser(jdoe("E3 with Selected Services")), context: context)
        #expect(tenant.user(id: jdoe("").objectGUID) == nil)
        let first = try tenant.apply(.runSync(full: false), context: context)
        #expect(first.notes.first == "created 1, updated 0, deleted 0")
        let id = jdoe("").objectGUID
        let synced = try #require(tenant.user(id: id))
        #expect(synced.onPremisesSyncEnabled == true)
        #expect(synced.onPremisesImmutableId == id)
        #expect(synced.extensionAttribute(10) == "E3 with Selected Services")
        #expect(tenant.pending.membershipUsers == [id])
        try tenant.apply(.processPending, context: context)
        #expect(tenant.group(id: DemoTenant.e3SelectedGroupID)?.members.contains(id) == true)
        #expect(seats(tenant, id) == 3)

        try tenant.apply(.setOnPremisesUser(samAccountName: "jdoe", values: ["extensionAttribute10": "E3 All"]), context: context)
        #expect(try tenant.apply(.runSync(full: false), context: context).notes.first == "created 0, updated 1, deleted 0")
        try tenant.apply(.processPending, context: context)
        #expect(tenant.group(id: DemoTenant.e3AllGroupID)?.members.contains(id) == true)
        #expect(tenant.group(id: DemoTenant.e3SelectedGroupID)?.members.contains(id) == false)
        #expect(seats(tenant, id) == 16)

        try tenant.apply(.configureSync(include: [], exclude: ["extensionAttribute10"], scopes: nil), context: context)
        try tenant.apply(.setOnPremisesUser(samAccountName: "jdoe", values: ["extensionAttribute10": "E3 with Selected Services"]), context: context)
        try tenant.apply(.runSync(full: true), context: context)
        #expect(tenant.user(id: id)?.extensionAttribute(10) == "E3 All")
    }

    @Test("synced attributes can't be edited in the cloud; the message says to change them on-premises")
    func syncedAttributesAreMasteredOnPremises() throws {
        var tenant = DemoTenant.make()
        try tenant.apply(.addOnPremisesUser(jdoe("E3 All")), context: context)
        try tenant.apply(.runSync(full: false), context: context)
        let id = jdoe("").objectGUID
        #expect(
            throws: ModelError.refused(
                "extensionAttribute10 of jdoe@contoso.com is synced from on-premises AD (extensionAttribute10); change it there: licensedesk onprem set jdoe extensionAttribute10=…"
            )
        ) {
            try tenant.apply(.setUserAttributes(userID: id, values: ["extensionAttribute10": "x"]), context: context)
        }
        // Cloud-only users stay editable.
        try tenant.apply(.setUserAttributes(userID: DemoTenant.userID(2), values: ["department": "IT"]), context: context)
    }

    @Test("leaving the sync scope or AD deletes the cloud user and frees its seat")
    func deletions() throws {
        var tenant = DemoTenant.make()
        try tenant.apply(.setSeats(skuId: DemoTenant.e3SkuID, seats: 40), context: context)
        try tenant.apply(.addOnPremisesUser(jdoe("E3 All")), context: context)
        try tenant.apply(.runSync(full: false), context: context)
        try tenant.apply(.processPending, context: context)
        let used = tenant.sku(id: DemoTenant.e3SkuID)!.consumedUnits
        try tenant.apply(.configureSync(include: [], exclude: [], scopes: ["OU=Managers,DC=contoso,DC=com"]), context: context)
        #expect(try tenant.apply(.runSync(full: true), context: context).notes.first == "created 0, updated 0, deleted 1")
        #expect(tenant.user(id: jdoe("").objectGUID) == nil)
        #expect(tenant.sku(id: DemoTenant.e3SkuID)?.consumedUnits == used - 1)
        #expect(throws: ModelError.self) {
            try tenant.apply(.setOnPremisesUser(samAccountName: "nobody", values: [:]), context: context)
        }
        #expect(throws: ModelError.self) {
            try tenant.apply(.configureSync(include: ["notAnAttribute"], exclude: [], scopes: nil), context: context)
        }
    }
}
