import Foundation
import MembershipRules

/// Deterministic synthetic tenants for scale tests and benchmarks: realistic attribute spreads,
/// dynamic groups with a mix of rule shapes, SKUs with seats, and group licence assignments.
public enum SyntheticTenant {
    static let departments = ["Sales", "Marketing", "IT", "Finance", "HR", "R&D", "Support", "Legal", "Operations", "Retail"]
    static let cities = ["Seattle", "London", "Paris", "Berlin", "Tokyo", "Sydney", "Toronto", "Zürich", "Madrid", "Seoul"]
    static let countries = ["United States", "United Kingdom", "France", "Germany", "Japan", "Australia", "Canada", "Switzerland", "Spain", "Korea"]
    static let locations = ["US", "GB", "FR", "DE", "JP", "AU", "CA", "CH", "ES", "KR"]
    static let tiers: [String?] = ["E3 All", "E3 with Selected Services", "E5", "F3", nil]
    /// The value spreads, for benchmarks that pick a share of the users by rule.
    public static var cityNames: [String] { cities }
    public static var departmentNames: [String] { departments }

    /// Users only (no processing): fast, for rule benchmarks.
    public static func users(count: Int, seed: UInt64 = 42) -> [User] {
        var generator = SplitMix(seed: seed)
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        return (0..<count).map { index in
            let first = String(letters[Int(generator.next() % 26)]) + "user\(index)"
            var user = User(
                id: String(format: "%08x-0000-4000-8000-%012x", index, index), userPrincipalName: "\(first)@contoso.com",
                displayName: "User \(index)")
            user.accountEnabled = generator.next() % 10 != 0
            let place = Int(generator.next() % 10)
            user.strings[StringSlot.slot(named: "city")!] = cities[place]
            user.strings[StringSlot.slot(named: "country")!] = countries[place]
            user.usageLocation = locations[place]
            user.strings[StringSlot.slot(named: "department")!] = departments[Int(generator.next() % 10)]
            if generator.next() % 4 != 0 { user.strings[StringSlot.slot(named: "jobTitle")!] = "Specialist" }
            user.strings[StringSlot.slot(named: "mail")!] = "\(first)@contoso.com"
            user.strings[StringSlot.slot(named: "companyName")!] = "Contoso"
            user.setExtensionAttribute(10, tiers[Int(generator.next() % 5)])
            if generator.next() % 3 == 0 { user.setExtensionAttribute(1, "CC\(generator.next() % 100)") }
            if generator.next() % 5 == 0 { user.setExtensionAttribute(5, "Contractor") }
            user.proxyAddresses = ["SMTP:\(first)@contoso.com", "smtp:\(first)@contoso.onmicrosoft.com"]
            if index > 0 { user.manager = String(format: "%08x-0000-4000-8000-%012x", index / 10, index / 10) }
            user.onPremisesSyncEnabled = true
            return user
        }
    }

    /// The rule of synthetic group `index`: equality, -in lists, -startsWith, -match, -any, and
    /// three- to six-clause combinations.
    public static func rule(_ index: Int) -> String {
        let department = departments[index % departments.count]
        let city = cities[(index / 3) % cities.count]
        switch index % 6 {
        case 0: return "user.department -eq \"\(department)\""
        case 1: return "user.usageLocation -in [\"\(locations[index % 10])\", \"\(locations[(index + 3) % 10])\"]"
        case 2: return "user.city -startsWith \"\(city.prefix(3))\" -and user.accountEnabled -eq true"
        case 3: return "user.mail -match \"^\(Character(UnicodeScalar(97 + index % 26)!)).*@contoso\\.com$\""
        case 4: return "user.proxyAddresses -any (_ -startsWith \"smtp:\(Character(UnicodeScalar(97 + index % 26)!))\")"
        default:
            return
                "user.department -eq \"\(department)\" -and user.city -eq \"\(city)\" -and (user.extensionAttribute10 -eq \"E3 All\" -or user.extensionAttribute5 -eq \"Contractor\") -and user.jobTitle -ne null"
        }
    }

    /// The tenant with its users replaced by synthetic users of the same count (same ids).
    public static func withUsers(_ tenant: Tenant, count: Int? = nil, seed: UInt64 = 42) -> Tenant {
        var copy = tenant
        copy.users = users(count: count ?? tenant.users.count, seed: seed)
        copy.rebuildIndexes()
        return copy
    }

    /// A whole tenant, processed: memberships evaluated and licences assigned.
    public static func make(users count: Int, groups groupCount: Int, seed: UInt64 = 42) -> Tenant {
        let e3 = "6fd2c87f-b296-42f0-b197-1e91e994b900"
        let ems = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e"
        var tenant = Tenant(
            organization: Organization(id: "5e7e0000-0000-4000-8000-000000000001", displayName: "Contoso Synthetic", countryLetterCode: "US"))
        let context = ChangeContext(now: Date(timeIntervalSince1970: 1_768_467_600), actor: "generate")
        func apply(_ change: TenantChange) {
            do { try tenant.apply(change, context: context) } catch { fatalError("synthetic tenant: \(change): \(error)") }
        }
        apply(.addSku(skuId: e3, seats: count, edition: nil))
        apply(.addSku(skuId: ems, seats: count / 2 + 1, edition: nil))
        tenant.users = users(count: count, seed: seed)
        tenant.rebuildIndexes()
        for index in 0..<groupCount {
            let id = String(format: "6e0a0000-0000-4000-8000-%012d", index)
            apply(.createGroup(id: id, displayName: "Synthetic \(index)", description: nil, membershipRule: rule(index)))
            if index % 4 == 0 { apply(.addGroupLicense(groupID: id, skuId: e3, disabledPlans: [])) }
            if index % 4 == 2 { apply(.addGroupLicense(groupID: id, skuId: ems, disabledPlans: [])) }
        }
        apply(.processPending)
        return tenant
    }
}

/// A small seeded generator so synthetic tenants are the same every run.
public struct SplitMix: Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
