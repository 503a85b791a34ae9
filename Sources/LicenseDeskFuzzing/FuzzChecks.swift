import Foundation
import LicenseModel
import LicenseStore
import MembershipRules
import TerminalKit

/// The properties the fuzz harnesses check (Tests/Fuzz), kept here so the test suite can run
/// them on random input too. Each traps when a property fails: libFuzzer records the input.
public enum FuzzChecks {
    public static func rule(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let rule = try? MembershipRule(text) else { return }
        let canonical = rule.canonicalText
        guard let again = try? MembershipRule(canonical) else { fatalError("canonical text does not parse: \(canonical)") }
        precondition(again.canonicalText == canonical, "canonical print is not a fixed point: \(canonical)")
        let subject = RuleView(User(id: "u", userPrincipalName: "u@x", displayName: text))
        _ = rule.matches(subject)
        _ = rule.explain(subject)
    }

    public static func journal(_ bytes: [UInt8]) {
        do {
            let contents = try JournalFile.read(Data(bytes))
            precondition(contents.goodLength <= bytes.count)
            precondition(contents.goodLength == 0 || bytes[contents.goodLength - 1] == 0x0A)
        } catch {
            precondition(!"\(error)".isEmpty)
        }
    }

    public static func sanitizer(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let inert = TextSanitizer.inert(text)
        for scalar in inert.unicodeScalars {
            precondition(scalar.value >= 0x20 && scalar.value != 0x7F && !(0x80..<0xA0).contains(scalar.value), "control survived")
            precondition(scalar.properties.generalCategory != .format, "format character survived")
        }
        precondition(TextSanitizer.inert(inert) == inert, "not idempotent")
        var frame = Frame(size: TerminalSize(columns: 17, rows: 2))
        frame.put(text, column: 0, row: 1)
    }
}
