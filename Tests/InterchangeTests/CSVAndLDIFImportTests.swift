import Foundation
import Interchange
import LicenseModel
import MembershipRules
import TestSupport
import Testing

@Suite("Import of users CSV and on-premises exports")
struct CSVAndLDIFImportTests {
    @Test("the admin center's users CSV: headings by property or by label, quotes, CRLF, BOM; existing users keep their licences")
    func usersCSV() throws {
        let directory = TemporaryDirectory()
        let file = directory.write(
            "\u{FEFF}version:v1.0\r\nUser principal name,Display name,Object Id,Department,Usage location,Account enabled,Directory synced,Creation type\r\n"
                + "adele.vance@contoso.com,\"Vance, Adele\",,Finance,GB,True,False,\r\n"
                + "new.person@contoso.com,New Person,0a0a0a0a-0000-4000-8000-000000000001,\"Sales \"\"West\"\"\",US,False,,\r\n", to: "users.csv")
        let tenant = DemoTenant.make()
        let department = StringSlot.slot(named: "department")!
        let outcome = UsersCSVImport.read(file, against: tenant, skipBad: false)
        #expect(outcome.problems.isEmpty, "\(outcome.problems)")
        #expect(outcome.notes.contains("columns not read (LicenseDesk does not model them): Creation type"))
        let adele = try #require(outcome.payload.users.first)
        #expect(adele.id == (try tenant.findUser("adele.vance@contoso.com")).id)
        #expect(adele.displayName == "Vance, Adele")
        #expect(adele.strings[department] == "Finance")
        #expect(adele.usageLocation == "GB")
        #expect(adele.assignedLicenses == (try tenant.findUser("adele.vance@contoso.com")).assignedLicenses)
        let person = outcome.payload.users[1]
        #expect(person.id == "0a0a0a0a-0000-4000-8000-000000000001")
        #expect(person.accountEnabled == false)
        #expect(person.strings[department] == "Sales \"West\"")
    }

    @Test("bad rows name their line: a bad boolean, a short row, a duplicate, a missing heading, an open quote")
    func usersCSVProblems() throws {
        let directory = TemporaryDirectory()
        let file = directory.write(
            "userPrincipalName,accountEnabled,usageLocation\na@contoso.com,maybe,US\nb@contoso.com,True\nc@contoso.com,True,Germany\nd@contoso.com,False,US\nD@contoso.com,True,US\n",
            to: "users.csv")
        let outcome = UsersCSVImport.read(file, against: DemoTenant.make(), skipBad: true)
        #expect(
            outcome.problems.map(\.description) == [
                "\(file):2: a@contoso.com: accountEnabled is True or False, not maybe",
                "\(file):3: has 2 fields; the heading has 3",
                "\(file):4: c@contoso.com: usageLocation must be a two-letter ISO 3166 country code such as GB, not Germany",
                "\(file):6: D@contoso.com appears twice (first on line 5)",
            ])
        #expect(outcome.payload.users.map(\.userPrincipalName) == ["d@contoso.com"])
        let noUPN = directory.write("displayName\nX\n", to: "x.csv")
        #expect(UsersCSVImport.read(noUPN, against: DemoTenant.make(), skipBad: false).problems.first?.reason.hasPrefix("no userPrincipalName column") == true)
        let open = directory.write("userPrincipalName\n\"a@contoso.com\n", to: "y.csv")
        #expect(
            UsersCSVImport.read(open, against: DemoTenant.make(), skipBad: false).problems.first?.description == "\(open):2: a quoted field is never closed")
    }

    @Test("ldifde LDIF: folded lines, base64 values, the objectGUID's byte order, disabled accounts; other objects skipped")
    func ldif() throws {
        let directory = TemporaryDirectory()
        // objectGUID bytes 33 22 11 00 55 44 77 66 88 99 aa bb cc dd ee ff = 00112233-4455-6677-8899-aabbccddeeff
        let guid = Data([0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF]).base64EncodedString()
        let file = directory.write(
            """
            version: 1
            # exported by ldifde

            dn: CN=Adele Vance,OU=Staff,DC=contoso,DC=com
            changetype: add
            objectClass: top
            objectClass: person
            objectClass: organizationalPerson
            objectClass: user
            sAMAccountName: adelev
            userPrincipalName: adele.vance@contoso.com
            displayName:: \(Data("Adèle Vance".utf8).base64EncodedString())
            extensionAttribute10: E3 with Selected
              Services
            userAccountControl: 514
            objectGUID:: \(guid)
            memberOf: CN=Staff,DC=contoso,DC=com

            dn: CN=PC01,OU=Computers,DC=contoso,DC=com
            objectClass: user
            objectClass: computer
            sAMAccountName: PC01$

            dn: OU=Staff,DC=contoso,DC=com
            objectClass: organizationalUnit

            """, to: "export.ldf")
        let outcome = OnPremisesImport.read(file, skipBad: false)
        #expect(outcome.problems.isEmpty, "\(outcome.problems)")
        let adele = try #require(outcome.payload.first)
        #expect(outcome.payload.count == 1)
        #expect(adele.samAccountName == "adelev")
        #expect(adele.attributes["displayName"] == "Adèle Vance")
        #expect(adele.attributes["extensionAttribute10"] == "E3 with Selected Services")
        #expect(adele.attributes["distinguishedName"] == "CN=Adele Vance,OU=Staff,DC=contoso,DC=com")
        #expect(adele.attributes["memberOf"] == nil)
        #expect(adele.enabled == false)
        #expect(adele.objectGUID == "00112233-4455-6677-8899-aabbccddeeff")
        #expect(outcome.notes == ["skipped objects that are not users: 1 computer, 1 organizationalunit"])
    }

    @Test("csvde CSV: DN column, values split on ;, binary GUID as X'…'; a user without sAMAccountName is reported")
    func csvde() throws {
        let directory = TemporaryDirectory()
        let file = directory.write(
            """
            DN,objectClass,sAMAccountName,userPrincipalName,department,objectGUID,userAccountControl
            "CN=Alex Wilber,OU=Staff,DC=contoso,DC=com",top;person;organizationalPerson;user,alexw,alex.wilber@contoso.com,Sales,X'33221100554477668899aabbccddeeff',512
            "CN=No Name,OU=Staff,DC=contoso,DC=com",top;user,,,Sales,,512

            """, to: "export.csv")
        let outcome = OnPremisesImport.read(file, skipBad: false)
        #expect(outcome.payload.map(\.samAccountName) == ["alexw"])
        #expect(outcome.payload.first?.objectGUID == "00112233-4455-6677-8899-aabbccddeeff")
        #expect(outcome.payload.first?.enabled == true)
        #expect(outcome.problems.map(\.description) == ["\(file):3: user CN=No Name,OU=Staff,DC=contoso,DC=com has no sAMAccountName"])
    }

    @Test("an LDIF modify record is refused: an export holds whole objects")
    func ldifModify() throws {
        let directory = TemporaryDirectory()
        let file = directory.write("dn: CN=A,DC=contoso,DC=com\nchangetype: modify\nreplace: department\ndepartment: X\n-\n", to: "change.ldif")
        let outcome = OnPremisesImport.read(file, skipBad: false)
        #expect(outcome.problems.first?.description == "\(file):2: changetype: modify: only whole entries (an export, changetype add) are read")
    }
}
