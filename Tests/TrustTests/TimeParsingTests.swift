import Foundation
import MembershipRules
import TestSupport
import Testing

/// Class 8: a time string can't crash anything. Foundation's ISO 8601 parser (ICU) died with
/// SIGFPE on `6-01-01T00:00:006.0999…91-00:00Z` (found by fuzzing the journal reader); every
/// time is now read by LicenseDesk's own strict parser.
@Suite("Trust: times are read strictly and never crash")
struct TimeParsingTests {
    static let crasher = "6-01-01T00:00:006.0999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999991-00:00Z"

    @Test(
        "well-formed times read as Foundation would read them",
        arguments: [
            ("2026-01-31T09:00:00Z", 1_769_850_000.0), ("2026-01-31T09:00:00.250Z", 1_769_850_000.25),
            ("2026-01-31T10:30:00+01:30", 1_769_850_000.0), ("2026-01-31T04:00:00-0500", 1_769_850_000.0),
            ("2024-02-29T00:00:00Z", 1_709_164_800.0),
        ])
    func wellFormed(text: String, seconds: Double) throws {
        let date = try #require(ISO8601Text.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.0005)
    }

    @Test(
        "malformed times are not times",
        arguments: [
            crasher, "6-01-01T00:00:00Z", "2026-1-31T09:00:00Z", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-01-31T24:00:00Z",
            "2026-01-31T09:00:00", "2026-01-31T09:00:00.Z", "2026-01-31T09:00:00.1234567890Z", "2026-01-31T09:00:00+25:00",
            "2026-01-31T09:00:00Zjunk", "2026-01-31", "", "T", "２０２６-01-31T09:00:00Z",
        ])
    func malformed(text: String) {
        #expect(ISO8601Text.parse(text) == nil)
    }

    @Test("a bare date is a time only where a rule allows one")
    func dateOnly() {
        #expect(ISO8601Text.parse("2026-01-31", dateOnly: true)?.timeIntervalSince1970 == 1_769_817_600)
    }

    @Test("the crasher in a rule, a journal line, --since, --now and a hire date is an error, not a crash")
    func everyPath() throws {
        let rule = try BinaryRunner.run(["rules", "check", "user.employeeHireDate -ge \"\(Self.crasher)\""])
        #expect(rule.status == 1, "exit \(rule.status)")
        let now = try BinaryRunner.run(["rules", "test", #"user.department -eq "x""#, "--user", "{}", "--now", Self.crasher])
        #expect(now.status == 2, "exit \(now.status)")
        let state = try TrustState()
        #expect(try state.run(["audit", "--since", Self.crasher]).status == 2)
        #expect(try state.run(["export", "changes", "--since", Self.crasher, "--format", "batch"]).status == 2)
        let hire = try state.run(["users", "set", "adele.vance@contoso.com", "employeeHireDate=\(Self.crasher)"])
        #expect(hire.status == 2, "exit \(hire.status)")
        let line =
            #"{"basedOn":{},"change":{"setSeats":{"seats":40,"skuId":"6fd2c87f-b296-42f0-b197-1e91e994b900"}},"context":{"actor":"a","now":"\#(Self.crasher)"},"sequence":1}"#
        try (line + "\n").write(toFile: state.file("journal.jsonl"), atomically: false, encoding: .utf8)
        let status = try state.run(["status"])
        #expect(status.status == 2, "exit \(status.status)")
        #expect(status.standardError.contains("journal.jsonl:1"))
    }
}
