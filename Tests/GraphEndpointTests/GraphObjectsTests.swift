import Foundation
import LicenseModel
import Testing

@testable import GraphEndpoint

@Suite("Graph objects: facts derived as Graph derives them")
struct GraphObjectsTests {
    @Test("securityIdentifier from the object id, as in Microsoft's POST /groups example")
    func securityIdentifier() {
        // groups-post.security.json: id 21d05557-b7b6-418f-86fa-a3118d751be4.
        #expect(GraphObjects.securityIdentifier("21d05557-b7b6-418f-86fa-a3118d751be4") == "S-1-12-1-567301463-1099937718-295959174-3827004813")
        #expect(GraphObjects.securityIdentifier("not-a-guid") == nil)
    }

    @Test("$select names Graph doesn't know are refused with Graph's text; single-user properties only off the list")
    func selectCheck() throws {
        #expect(throws: GraphError.self) { try GraphResource.user.check(select: ["displayname", "colour"], collection: false) }
        #expect(throws: Never.self) { try GraphResource.user.check(select: ["DISPLAYNAME", "aboutMe"], collection: false) }
        do {
            try GraphResource.user.check(select: ["skills"], collection: true)
            Issue.record("skills on the list should be 501")
        } catch { #expect(error.status.code == 501) }
        do {
            try GraphResource.group.check(select: ["licenceProcessingState"], collection: true)
            Issue.record("a British spelling should be refused")
        } catch {
            #expect(
                error.message
                    == "Parsing OData Select and Expand failed: Could not find a property named 'licenceProcessingState' on type 'microsoft.graph.group'.")
        }
    }

    @Test("a user's properties read one by one are exactly what writing the whole user gives, for every demo user")
    func directProjection() throws {
        let selects: [[String]?] = [
            nil, ["id", "userPrincipalName", "assignedLicenses"], ["ID", "usageLocation", "onPremisesExtensionAttributes", "businessPhones", "proxyAddresses"],
            ["department", "city", "accountEnabled", "onPremisesSyncEnabled", "otherMails", "mail"],
            ["id", "licenseAssignmentStates", "assignedPlans", "employeeHireDate", "assignedLicenses"], User.graphPropertyNames,
        ]
        func json(_ object: [String: Any]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        for user in DemoTenant.make().users {
            for select in selects {
                let whole = GraphObjects.project(GraphObjects.dictionary(user), select: select, defaults: GraphObjects.userDefaults)
                #expect(try json(GraphObjects.user(user, select: select)) == json(whole), "\(user.userPrincipalName) \(select ?? [])")
            }
        }
    }
}
