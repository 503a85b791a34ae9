import GraphEndpoint
import LicenseModel
import MembershipRules
import TestSupport
import Testing

@Suite("OData $filter: parsed as Graph takes it, evaluated over users")
struct ODataFilterTests {
    static let tenant = DemoTenant.make()

    static func count(_ filter: String) throws -> Int {
        let evaluator = ODataFilterEvaluator(try ODataFilterParser.parse(filter))
        return tenant.users.filter { evaluator.matches($0) }.count
    }

    @Test(
        "filters scripts send, each against a count worked out by hand from the tenant",
        arguments: [
            "department eq 'Retail'", "department eq 'retail'", "startswith(displayName,'A')", "department in ('Retail','Marketing')",
            "onPremisesExtensionAttributes/extensionAttribute10 eq 'E3 All'", "not(department eq 'Retail')", "department ne 'Retail'",
            "department eq 'Retail' and city eq 'Seattle'", "department eq 'Retail' or department eq 'Marketing'", "usageLocation eq null",
            "accountEnabled eq true", "endswith(userPrincipalName,'@contoso.com')", "displayName eq 'O''Brien'",
        ])
    func filters(filter: String) throws {
        let users = Self.tenant.users
        let expected: Int
        switch filter {
        case "department eq 'Retail'", "department eq 'retail'": expected = users.filter { $0.strings[StringSlotIndex.department] == "Retail" }.count
        case "startswith(displayName,'A')": expected = users.filter { $0.displayName.lowercased().hasPrefix("a") }.count
        case "department in ('Retail','Marketing')":
            expected = users.filter { ["Retail", "Marketing"].contains($0.strings[StringSlotIndex.department] ?? "") }.count
        case "onPremisesExtensionAttributes/extensionAttribute10 eq 'E3 All'":
            expected = users.filter { $0.strings[StringSlotIndex.extensionAttribute10] == "E3 All" }.count
        case "not(department eq 'Retail')", "department ne 'Retail'": expected = users.filter { $0.strings[StringSlotIndex.department] != "Retail" }.count
        case "department eq 'Retail' and city eq 'Seattle'":
            expected = users.filter { $0.strings[StringSlotIndex.department] == "Retail" && $0.strings[StringSlotIndex.city] == "Seattle" }.count
        case "department eq 'Retail' or department eq 'Marketing'":
            expected = users.filter { ["Retail", "Marketing"].contains($0.strings[StringSlotIndex.department] ?? "") }.count
        case "usageLocation eq null": expected = users.filter { $0.usageLocation == nil }.count
        case "accountEnabled eq true": expected = users.filter { $0.accountEnabled == true }.count
        case "endswith(userPrincipalName,'@contoso.com')": expected = users.filter { $0.userPrincipalName.hasSuffix("@contoso.com") }.count
        default: expected = 0
        }
        #expect(try Self.count(filter) == expected, "\(filter)")
    }

    @Test("any() over licences and over proxy addresses binds the variable to each item")
    func lambdas() throws {
        let users = Self.tenant.users
        let e3 = users.filter { $0.assignedLicenses.contains { $0.skuId == DemoTenant.e3SkuID } }.count
        #expect(e3 > 0)
        #expect(try Self.count("assignedLicenses/any(s:s/skuId eq \(DemoTenant.e3SkuID))") == e3)
        #expect(try Self.count("assignedLicenses/any(s:s/skuId eq \(DemoTenant.e3SkuID.uppercased()))") == e3)
        #expect(try Self.count("not(assignedLicenses/any(s:s/skuId eq \(DemoTenant.e3SkuID)))") == users.count - e3)
        let smtp = users.filter { $0.proxyAddresses.contains { $0.lowercased().hasPrefix("smtp:") } }.count
        #expect(try Self.count("proxyAddresses/any(p:startswith(p,'smtp:'))") == smtp)
    }

    @Test("what Graph takes only as an advanced query is named, so the endpoint can refuse it as Graph does")
    func advancedOperators() throws {
        #expect(try ODataFilterParser.parse("department eq 'Retail'").advancedOperators.isEmpty)
        #expect(try ODataFilterParser.parse("department ne 'Retail'").advancedOperators == ["ne"])
        #expect(try ODataFilterParser.parse("endswith(mail,'@x.com')").advancedOperators == ["endsWith"])
        #expect(try ODataFilterParser.parse("not(city eq 'A')").advancedOperators == ["not"])
        #expect(
            try ODataFilterParser.parse("onPremisesExtensionAttributes/extensionAttribute10 eq 'E3 All'").advancedOperators == ["onPremisesExtensionAttributes"]
        )
    }

    @Test(
        "broken filters say where and why; hostile ones are bounded",
        arguments: [
            ("department eq", "expected a value"), ("department 'Retail'", "expected an operator (eq, ne, in, …) after department"),
            ("department like 'x'", "like is not an operator"), ("(department eq 'x'", "a ( is not closed"),
            ("department eq 'x", "a string is not closed"), ("startswith(displayName)", "takes a property and a string"),
            ("department eq 'x' junk", "unexpected text"), ("assignedLicenses/any(s s/skuId eq 1)", "needs a variable and a colon"),
        ])
    func errors(filter: String, reason: String) {
        #expect {
            _ = try ODataFilterParser.parse(filter)
        } throws: { error in
            (error as? ODataFilterError)?.reason.contains(reason) == true
        }
    }

    @Test("deep nesting and huge filters are refused, not recursed into")
    func bounded() {
        let deep = String(repeating: "(", count: 10_000) + "city eq 'a'" + String(repeating: ")", count: 10_000)
        #expect(throws: ODataFilterError.self) { try ODataFilterParser.parse(deep) }
        let nots = String(repeating: "not ", count: 1_000) + "city eq 'a'"
        #expect(throws: ODataFilterError.self) { try ODataFilterParser.parse(nots) }
        #expect(throws: ODataFilterError.self) { try ODataFilterParser.parse(String(repeating: "a", count: 5_000)) }
    }
}

/// Slots by name, for the expectations above.
enum StringSlotIndex {
    static let department = StringSlot.slot(named: "department")!
    static let city = StringSlot.slot(named: "city")!
    static let extensionAttribute10 = StringSlot.slot(named: "extensionAttribute10")!
}
