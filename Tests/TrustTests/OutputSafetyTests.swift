import Foundation
import LicenseModel
import LicenseStore
import TestSupport
import Testing

@testable import Interchange

/// Classes 9, 10 and 12: text that reaches a terminal is inert on every path; ids are safe
/// wherever they go; one place keeps the UPN index honest.
@Suite("Trust: inert text, safe ids, honest indexes")
struct OutputSafetyTests {
    static let hostile = "Evil\u{1B}[2J\u{1B}]0;pwned\u{07}\u{202E}gnp.exe"

    func noRawControls(_ text: String) -> Bool {
        !text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x202E }
    }

    @Test("an error message naming a hostile display name prints it inert")
    func errorMessages() throws {
        let state = try TrustState()
        #expect(try state.run(["groups", "create", Self.hostile, "--rule", #"user.department -eq "x""#]).status == 0)
        let refused = try state.run(["groups", "members", "add", Self.hostile, "adele.vance@contoso.com"])
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("Evil"), "\(refused.standardError)")
        #expect(noRawControls(refused.standardError), "raw escape in: \(refused.standardError.debugDescription)")
        for command in [["groups", "list"], ["groups", "show", Self.hostile], ["audit"], ["pending"], ["status"]] {
            let result = try state.run(command)
            #expect(noRawControls(result.standardOutput + result.standardError), "\(command)")
        }
    }

    @Test("audit labels SSH_CONNECTION as the client's word and prints it inert")
    func auditClientText() throws {
        let state = try TrustState()
        let spoof = "\u{1B}[2J\u{1B}[1;1Halice rewrote this\u{07} 22 10.0.0.1 22"
        #expect(try state.run(["users", "set", "adele.vance@contoso.com", "department=X"], environment: ["SSH_CONNECTION": spoof]).status == 0)
        let audit = try state.run(["audit"])
        #expect(audit.status == 0)
        #expect(audit.standardOutput.contains("client-reported"), "\(audit.standardOutput)")
        #expect(noRawControls(audit.standardOutput))
    }

    @Test("the PowerShell export keeps ESC and bidi characters out of the file, with the same values")
    func powerShellInert() throws {
        let state = try TrustState()
        #expect(try state.run(["groups", "create", Self.hostile, "--rule", #"user.department -eq "x""#]).status == 0)
        let export = try state.run(["export", "changes", "--since", "0", "--format", "powershell"])
        #expect(export.status == 0, "\(export.standardError)")
        #expect(noRawControls(export.standardOutput), "raw control characters in the script")
        #expect(export.standardOutput.contains("[char]0x1B"))
        #expect(export.standardOutput.contains("[char]0x202E"))
        #expect(PowerShellExport.quote("it's") == "'it''s'")
        #expect(PowerShellExport.quote("a\u{1B}b") == "('a' + [char]0x1B + 'b')")
    }

    @Test("ids become one percent-encoded path segment in $batch URLs", arguments: ["../../groups/x", "a/b", "..", "x?y#z", "é"])
    func percentEncoded(id: String) {
        let segment = BatchExport.segment(id)
        #expect(!segment.contains("/") && !segment.contains("?") && !segment.contains("#"))
        #expect(segment != ".." && segment != ".")
        #expect(segment.removingPercentEncoding == id)
        let plan = ChangePlanFixture.userLicenceChange(userID: id)
        for request in BatchExport.batches(plan).flatMap(\.requests) {
            #expect(request.url.hasPrefix("/users/\(segment)/"), "\(request.url)")
        }
    }

    @Test("export --output writes a manifest and leaves no batch of an earlier export behind")
    func exportManifest() throws {
        let state = try TrustState()
        // 45 groups made: three $batch bodies of at most 20 requests.
        for number in 1...45 {
            #expect(try state.run(["groups", "create", "Exported \(number)", "--static"]).status == 0)
        }
        let folder = TemporaryDirectory()
        #expect(try state.run(["export", "changes", "--since", "0", "--format", "batch", "--output", folder.path]).status == 0)
        let first = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(first.contains("batch-002.json") && first.contains("manifest.json"), "\(first)")
        let position = try state.run(["status", "--json"])
        let sequence = try #require(
            (try JSONSerialization.jsonObject(with: Data(position.standardOutput.utf8)) as? [String: Any])?["journalPosition"] as? Int)
        #expect(try state.run(["groups", "create", "Last", "--static"]).status == 0)
        #expect(try state.run(["export", "changes", "--since", "\(sequence)", "--format", "batch", "--output", folder.path]).status == 0)
        let second = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(second == ["batch-001.json", "manifest.json"], "\(second)")
        let manifest = try String(contentsOfFile: folder.file("manifest.json"), encoding: .utf8)
        #expect(manifest.contains("batch-001.json") && !manifest.contains("batch-002.json"))
    }

    @Test("a sync cycle can't give a user a UPN another user holds; doctor finds duplicates made by hand")
    func upnThroughSync() throws {
        let state = try TrustState()
        #expect(try state.run(["onprem", "add", "nina", "--set", "userPrincipalName=nina@contoso.com", "--set", "displayName=Nina"]).status == 0)
        #expect(try state.run(["sync"]).status == 0)
        #expect(try state.run(["onprem", "set", "nina", "userPrincipalName=adele.vance@contoso.com"]).status == 0)
        let sync = try state.run(["sync"])
        #expect(sync.standardOutput.contains("already exists") || sync.standardError.contains("already exists"), "\(sync.standardOutput)")
        #expect(try state.run(["users", "show", "nina@contoso.com"]).status == 0, "the synced user lost its UPN")
        #expect(try state.run(["doctor"]).status == 0)
        // A duplicate put in by hand is found (in users.json: written whole, not as a delta).
        #expect(try state.run(["compact", "--whole"]).status == 0)
        unlink(state.file(StateFileName.cache))
        let users = try String(contentsOfFile: state.file(StateFileName.users), encoding: .utf8)
        try users.replacingOccurrences(of: "\"nina@contoso.com\"", with: "\"adele.vance@contoso.com\"")
            .write(toFile: state.file(StateFileName.users), atomically: false, encoding: .utf8)
        let doctor = try state.run(["doctor"])
        #expect(doctor.status == 1)
        #expect(doctor.standardOutput.contains("duplicateAddress"), "\(doctor.standardOutput)")
    }
}

/// A change plan holding one operation on a user with a given id (one no import would let in).
enum ChangePlanFixture {
    static func userLicenceChange(userID: String) -> ChangePlan {
        var plan = ChangePlan(entries: [], tenant: DemoTenant.make())
        plan.operations = [
            .userLicenses(id: userID, upn: "x@contoso.com", add: [AssignedLicense(skuId: "6fd2c87f-b296-42f0-b197-1e91e994b900")], remove: []),
            .reprocessUser(id: userID, upn: "x@contoso.com"),
        ]
        return plan
    }
}
