import Foundation
import Interchange
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
        let again: MembershipRule
        do { again = try MembershipRule(canonical) } catch {
            // The canonical form may spell a rule near Entra's 3,072 characters a little longer
            // (quotes escaped, spacing): over the limit is the one problem it may have.
            if error.problems.allSatisfy({ $0.message == .ruleTooLong }) { return }
            fatalError("canonical text does not parse: \(canonical)")
        }
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
            precondition(!TextSanitizer.canActOnATerminal(scalar), "a reordering or line-breaking character survived")
        }
        precondition(TextSanitizer.inert(inert) == inert, "not idempotent")
        var frame = Frame(size: TerminalSize(columns: 17, rows: 2))
        frame.put(text, column: 0, row: 1)
    }

    /// Any bytes as JSON: the syntax locator, the nesting check and the state decoder give an
    /// answer or an error, never a crash; the locator and the nesting check agree on depth.
    public static func json(_ bytes: [UInt8]) {
        let data = Data(bytes)
        let deep = JSONLimits.problem(in: data)
        let syntax = JSONSyntaxLocator.firstError(in: data)
        if deep != nil { precondition(syntax != nil, "the locator accepted JSON nested too deeply") }
        let decoder = StateJSON.decoder()
        _ = try? decoder.decode(JSONValue.self, from: data)
        _ = try? decoder.decode([User].self, from: data)
        _ = try? decoder.decode([Group].self, from: data)
        _ = try? decoder.decode(JournalEntry.self, from: data)
    }

    /// Any bytes as each kind of import file: every reader reports problems or a payload,
    /// never crashes, and with `skipBad` whatever it keeps is something the model accepts.
    public static func imports(_ bytes: [UInt8]) {
        let folder = FuzzScratch.folder
        let tenant = FuzzScratch.tenant
        for name in ["users.json", "users.csv", "staff.ldf"] {
            let file = folder + "/" + name
            guard FileManager.default.createFile(atPath: file, contents: Data(bytes)) else { continue }
            switch name {
            case "users.json":
                for skipBad in [false, true] {
                    let outcome = GraphImport.read([file], against: tenant, skipBad: skipBad)
                    if skipBad && outcome.problems.isEmpty && !outcome.payload.isEmpty {
                        var copy = tenant
                        do { try copy.apply(.importDirectory(outcome.payload), context: ChangeContext()) } catch {
                            fatalError("a clean import was refused by the model: \(error)")
                        }
                    }
                }
            case "users.csv":
                _ = UsersCSVImport.read(file, against: tenant, skipBad: true)
                _ = OnPremisesImport.read(file, skipBad: true)
            default:
                _ = OnPremisesImport.read(file, skipBad: false)
            }
        }
    }
}

/// A folder and a tenant made once per fuzzing process.
enum FuzzScratch {
    static let folder: String = {
        let path = NSTemporaryDirectory() + "licensedesk-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()
    static let tenant = DemoTenant.make()
}
