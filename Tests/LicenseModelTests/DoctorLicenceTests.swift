import Foundation
import LicenseModel
import TestSupport
import Testing

@Suite("Doctor: a user's licences follow from their paths")
struct DoctorLicenceTests {
    @Test("licences that disagree with the paths are found, named by SKU, and a repair derives them again")
    func licencesOutOfDate() throws {
        var tenant = DemoTenant.make()
        #expect(TenantDoctor.examine(tenant).isEmpty)
        let adele = try tenant.findUser("adele.vance@contoso.com")
        var damaged = adele
        damaged.assignedLicenses = [AssignedLicense(skuId: DemoTenant.emsSkuID, disabledPlans: [])]
        try tenant.apply(.importDirectory(DirectoryImport(users: [damaged])), context: ChangeContext(now: Date(), actor: "test"))
        let findings = TenantDoctor.examine(tenant).filter { $0.kind == .licencesOutOfDate }
        #expect(findings.map(\.object) == ["adele.vance@contoso.com"], "\(TenantDoctor.examine(tenant))")
        #expect(findings.first?.explanation.contains("EMS") == true && findings.first?.explanation.contains("ENTERPRISEPACK") == true)
        try tenant.apply(.repairConsistency, context: ChangeContext(now: Date(), actor: "test"))
        #expect(try tenant.findUser(adele.id).assignedLicenses == adele.assignedLicenses)
        #expect(TenantDoctor.examine(tenant).filter { $0.kind == .licencesOutOfDate }.isEmpty)
    }
}
