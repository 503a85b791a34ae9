import Foundation
import TestSupport
import Testing

@Suite("Sync commands", .serialized)
struct SyncCommandTests {
    @Test("the walkthrough from the command line, ending with an attribute left out of sync")
    func walkthrough() throws {
        let directory = TemporaryDirectory()
        func run(_ arguments: String...) throws -> BinaryRunner.Result { try BinaryRunner.run(arguments + ["--state", directory.path]) }
        _ = try run("init")
        #expect(try run("skus", "set-seats", "ENTERPRISEPACK", "40").status == 0)
        #expect(
            try run(
                "onprem", "add", "jdoe", "--set", "userPrincipalName=jdoe@contoso.com", "--set", "displayName=John Doe",
                "--set", "usageLocation=US", "--set", "extensionAttribute10=E3 with Selected Services"
            ).status == 0)
        let sync = try run("sync")
        #expect(sync.standardOutput.contains("created 1, updated 0, deleted 0"))
        #expect(sync.standardOutput.contains("1 users queued for dynamic group evaluation"))
        #expect(try run("status", "--json").standardOutput.contains("\"membershipUsers\" : 1"))
        _ = try run("process")
        #expect(try run("users", "show", "jdoe@contoso.com").standardOutput.contains("ENTERPRISEPACK: 3 of 16 enabled"))
        #expect(try run("onprem", "set", "jdoe", "extensionAttribute10=E3 All").status == 0)
        #expect(try run("sync").standardOutput.contains("created 0, updated 1, deleted 0"))
        _ = try run("process")
        #expect(try run("users", "show", "jdoe@contoso.com").standardOutput.contains("ENTERPRISEPACK: 16 of 16 enabled"))
        let refused = try run("users", "set", "jdoe@contoso.com", "extensionAttribute10=x")
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("change it there"))
        #expect(try run("sync", "config", "--exclude", "extensionAttribute10").standardOutput.contains("Left out: extensionAttribute10"))
        _ = try run("onprem", "set", "jdoe", "extensionAttribute10=E3 with Selected Services")
        _ = try run("sync", "--full")
        _ = try run("process")
        let user = try run("users", "show", "jdoe@contoso.com").standardOutput
        #expect(user.contains("extensionAttribute10 E3 All"))
        #expect(user.contains("ENTERPRISEPACK: 16 of 16 enabled"))
        #expect(try run("onprem", "list").standardOutput.contains("jdoe\tsynced"))
    }
}
