import LicenseModel
import Testing

/// Class 8: Entra's limits as one table, applied on every path that stores an object.
@Suite("Trust: Entra's directory limits")
struct DirectoryLimitsTests {
    static let validUPNs = [
        "adele.vance@contoso.com", "o'brien@contoso.co.uk", "a_b-c!d#e^f~g@sub.contoso.com", "x@xn--bcher-kva.example",
        String(repeating: "a", count: 64) + "@contoso.com",
    ]
    static let invalidUPNs = [
        "", "nobody", "@contoso.com", "alias@", "a@b@contoso.com", "a b@contoso.com", "a@contoso", "a@-contoso.com", "a@contoso-.com",
        ".a@contoso.com", "a.@contoso.com", "a..b@contoso.com", "a\u{1B}[2J@contoso.com", "a/../b@contoso.com", "ä@contoso.com",
        "a@con_toso.com", String(repeating: "a", count: 65) + "@contoso.com", "a@" + String(repeating: "d", count: 45) + ".com",
    ]

    @Test("UPNs Entra accepts pass", arguments: validUPNs)
    func valid(upn: String) throws {
        try DirectoryLimits.checkUPN(upn)
    }

    @Test("UPNs Entra refuses are refused with the reason", arguments: invalidUPNs)
    func invalid(upn: String) {
        #expect(throws: ModelError.self) { try DirectoryLimits.checkUPN(upn) }
    }

    @Test(
        "object ids: GUIDs on import; ids safe in a path everywhere",
        arguments: [
            ("5f2c8f3e-1b2a-4c3d-9e8f-0a1b2c3d4e5f", true, true), ("5F2C8F3E-1B2A-4C3D-9E8F-0A1B2C3D4E5F", true, true),
            ("u1", false, true), ("../../groups/x", false, false), ("..", false, false), ("a/b", false, false),
            ("a b", false, false), ("", false, false), (String(repeating: "a", count: 65), false, false), ("x\u{0}", false, false),
        ])
    func ids(id: String, isGUID: Bool, isSafe: Bool) {
        #expect(DirectoryLimits.isGUID(id) == isGUID)
        #expect(((try? DirectoryLimits.checkSafeID(id, of: "user")) != nil) == isSafe)
    }

    @Test("display names up to 256 characters; seats from 0 to the cap")
    func lengthsAndSeats() {
        #expect((try? DirectoryLimits.checkDisplayName(String(repeating: "n", count: 256), of: "user")) != nil)
        #expect(throws: ModelError.self) { try DirectoryLimits.checkDisplayName(String(repeating: "n", count: 257), of: "user") }
        #expect(throws: ModelError.self) { try DirectoryLimits.checkDisplayName("", of: "group") }
        for seats in [-1, DirectoryLimits.maximumSeats + 1, Int.max, Int.min] {
            #expect(throws: ModelError.self) { try DirectoryLimits.checkSeats(seats) }
        }
        #expect((try? DirectoryLimits.checkSeats(0)) != nil)
    }

    @Test(
        "seats left never trap, whatever a hand-edited file holds",
        arguments: [
            (Int.max, -1), (Int.min, 1), (Int.max, Int.min), (0, Int.max), (5, 3),
        ])
    func seatsLeft(prepaid: Int, consumed: Int) {
        var sku = SubscribedSku(skuId: "6fd2c87f-b296-42f0-b197-1e91e994b900", skuPartNumber: "ENTERPRISEPACK", seats: prepaid, servicePlans: [])
        sku.consumedUnits = consumed
        _ = sku.availableUnits
        if prepaid == 5 { #expect(sku.availableUnits == 2) }
    }
}
