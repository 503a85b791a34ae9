import Foundation
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
}
