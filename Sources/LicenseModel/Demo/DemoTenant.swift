import Foundation

/// The built-in demo tenant: the walkthrough admins know (`../shared/README.md`). Users synced
/// from on-premises AD carry extensionAttribute10 = "E3 All" or "E3 with Selected Services";
/// one dynamic group per value assigns Office 365 E3 (the 2018 edition with 16 plans), the
/// second with only SharePoint, Exchange and Teams on. Built through `apply`, so every
/// invariant of the model holds by construction; the ids and times are the same every run.
public enum DemoTenant {
    public static let organizationID = "c0a7e55e-0000-4000-8000-00000000c0de"
    public static let e3AllGroupID = "9e3a1100-0000-4000-8000-0000000000a1"
    public static let e3SelectedGroupID = "9e3a1100-0000-4000-8000-0000000000a2"
    public static let e3SkuID = "6fd2c87f-b296-42f0-b197-1e91e994b900"
    public static let emsSkuID = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e"
    /// 2026-01-15T09:00:00Z: the demo's clock.
    public static let createdAt = Date(timeIntervalSince1970: 1_768_467_600)

    public static let e3All = "E3 All"
    public static let e3Selected = "E3 with Selected Services"
    /// SharePoint Online (Plan 2), Exchange Online (Plan 2), Microsoft Teams.
    public static let selectedPlanNames = ["SHAREPOINTENTERPRISE", "EXCHANGE_S_ENTERPRISE", "TEAMS1"]

    public static func userID(_ number: Int) -> String {
        String(format: "a11ce000-0000-4000-8000-%012d", number)
    }

    /// (given name, surname, department, city, extensionAttribute10)
    static let people: [(String, String, String, String, String?)] = [
        ("Adele", "Vance", "Retail", "Seattle", e3All), ("Alex", "Wilber", "Marketing", "San Diego", e3All),
        ("Allan", "Deyoung", "IT", "Waukesha", e3Selected), ("Christie", "Cline", "Sales", "San Diego", e3Selected),
        ("Debra", "Berger", "Executive Management", "Bellevue", e3All), ("Diego", "Siciliani", "HR", "Birmingham", e3Selected),
        ("Emily", "Braun", "Finance", "Bellevue", e3All), ("Enrico", "Cattaneo", "Legal", "Bologna", e3Selected),
        ("Grady", "Archie", "R&D", "Bloomington", e3All), ("Henrietta", "Mueller", "R&D", "Bellevue", e3Selected),
        ("Irvin", "Sayers", "R&D", "Birmingham", e3All), ("Isaiah", "Langer", "Sales", "Tulsa", e3Selected),
        ("Johanna", "Lorenz", "Engineering", "Louisville", e3All), ("Joni", "Sherman", "Legal", "Charlotte", e3Selected),
        ("Lee", "Gu", "Manufacturing", "Hickory", e3All), ("Lidia", "Holloway", "Engineering", "Tulsa", e3Selected),
        ("Lynne", "Robbins", "Retail", "Tulsa", e3All), ("Megan", "Bowen", "Marketing", "Pittsburgh", e3Selected),
        ("Miriam", "Graham", "Executive Management", "San Diego", e3All), ("Nestor", "Wilke", "Operations", "Seattle", e3Selected),
        ("Patti", "Fernandez", "Executive Management", "Louisville", e3All), ("Pradeep", "Gupta", "Finance", "Cairo", e3Selected),
        ("Raul", "Razo", "Sales", "Tulsa", e3All), ("Sanjay", "Kapoor", "IT", "Seattle", e3Selected),
        ("Tomas", "Novak", "Support", "Prague", e3All), ("Uma", "Raman", "Finance", "Pune", e3Selected),
        ("Valeria", "Costa", "Retail", "Porto", e3All), ("Wen", "Zhou", "R&D", "Shanghai", e3Selected),
        ("Xavier", "Dubois", "Sales", "Lyon", e3All), ("Yara", "Haddad", "HR", "Beirut", e3Selected),
        ("Zoe", "Fischer", "Marketing", "Berlin", e3All), ("Aaron", "Kim", "Support", "Seoul", e3Selected),
        ("Bianca", "Rossi", "Legal", "Milan", e3All), ("Carlos", "Mendez", "Operations", "Madrid", e3Selected),
        ("Dana", "Levi", "IT", "Haifa", nil), ("Elif", "Yilmaz", "Finance", "Istanbul", nil),
        ("Farah", "Nasser", "Support", "Amman", nil), ("Gustav", "Berg", "Manufacturing", "Malmö", nil),
        ("Hana", "Sato", "R&D", "Osaka", nil), ("Ivan", "Petrov", "Operations", "Sofia", nil),
        ("Jana", "Horak", "Retail", "Brno", nil), ("Kofi", "Mensah", "Sales", "Accra", nil),
        ("Liam", "O'Brien", "IT", "Dublin", nil), ("Mona", "Said", "HR", "Cairo", nil),
    ]

    /// Users who keep no usage location: group licensing falls back to the organisation's country.
    static let withoutUsageLocation: Set<Int> = [11, 36]
    /// Megan Bowen had a direct E3 (Exchange and Sway only) before the group picked her up.
    public static let directThenGroupUser = 18
    /// Users with a direct Enterprise Mobility + Security E3.
    static let emsUsers = [3, 5, 24, 35]

    public static func make() -> Tenant {
        var tenant = Tenant(
            organization: Organization(id: organizationID, displayName: "Contoso Ltd", countryLetterCode: "US"))
        let context = ChangeContext(now: createdAt, actor: "demo")
        func apply(_ change: TenantChange) {
            do { try tenant.apply(change, context: context) } catch {
                fatalError("the demo tenant no longer builds: \(change): \(error)")
            }
        }
        let licensedUsers = people.filter { $0.4 != nil }.count
        apply(.addSku(skuId: e3SkuID, seats: licensedUsers + 2, edition: "2018"))
        apply(.addSku(skuId: emsSkuID, seats: 10, edition: nil))

        for (offset, person) in people.enumerated() {
            let number = offset + 1
            let (given, surname, department, city, tier) = person
            let alias = "\(given).\(surname)".lowercased().replacingOccurrences(of: "'", with: "")
            var attributes = [
                "givenName": given, "surname": surname, "department": department, "city": city,
                "mail": "\(alias)@contoso.com", "mailNickName": alias, "jobTitle": "\(department) specialist",
                "onPremisesDistinguishedName": "CN=\(given) \(surname),OU=Users,OU=Contoso,DC=contoso,DC=com",
                "proxyAddresses": "SMTP:\(alias)@contoso.com,smtp:\(alias)@contoso.onmicrosoft.com",
                "userType": "Member", "companyName": "Contoso",
            ]
            if !withoutUsageLocation.contains(number) { attributes["usageLocation"] = "US" }
            if let tier { attributes["extensionAttribute10"] = tier }
            apply(
                .createUser(
                    UserDraft(
                        id: userID(number), userPrincipalName: "\(alias)@contoso.com", displayName: "\(given) \(surname)",
                        attributes: attributes, onPremisesSyncEnabled: true)))
        }

        let catalog = SKUCatalog.shared
        let e3Plans = tenant.sku(id: e3SkuID)!.planIds
        let keep = Set(selectedPlanNames.compactMap { catalog.plan(matching: $0)?.id })
        // The walkthrough's user: a direct E3 first, with only Exchange and Sway.
        let directKeep = Set(["EXCHANGE_S_ENTERPRISE", "SWAY"].compactMap { catalog.plan(matching: $0)?.id })
        apply(.addUserLicense(userID: userID(directThenGroupUser), skuId: e3SkuID, disabledPlans: e3Plans.filter { !directKeep.contains($0) }))
        for number in emsUsers {
            apply(.addUserLicense(userID: userID(number), skuId: emsSkuID, disabledPlans: []))
        }

        apply(
            .createGroup(
                id: e3AllGroupID, displayName: e3All, description: "Office 365 E3 with every service",
                membershipRule: "user.extensionAttribute10 -eq \"E3 All\""))
        apply(
            .createGroup(
                id: e3SelectedGroupID, displayName: e3Selected,
                description: "Office 365 E3 with SharePoint, Exchange and Teams only",
                membershipRule: "user.extensionAttribute10 -eq \"E3 with Selected Services\""))
        apply(.addGroupLicense(groupID: e3AllGroupID, skuId: e3SkuID, disabledPlans: []))
        apply(.addGroupLicense(groupID: e3SelectedGroupID, skuId: e3SkuID, disabledPlans: e3Plans.filter { !keep.contains($0) }))
        apply(.processPending)
        return tenant
    }
}

extension Tenant {
    /// Whether this is the built-in demo tenant (its organisation id), so the console can say
    /// so: nobody should take the demo for their real tenant, or the other way round.
    public var isDemo: Bool { organization.id == DemoTenant.organizationID }
}
