import Foundation
import LicenseDeskFuzzing
import LicenseStore
import Testing

@Suite("Journal reader properties")
struct JournalPropertyTests {
    /// Entry `sequence` as a format 1 line (one digit: every line has the same length).
    static func line(_ sequence: Int) -> [UInt8] {
        Array(
            #"{"basedOn":{},"change":{"setSeats":{"seats":40,"skuId":"x"}},"context":{"actor":"a","now":"2026-01-01T00:00:00Z"},"sequence":\#(sequence)}"#
                .utf8) + [0x0A]
    }
    static let line = line(1)

    @Test("every cut of a journal reads as whole entries plus at most a torn tail")
    func everyCut() throws {
        let journal = Self.line(1) + Self.line(2) + Self.line(3)
        for cut in 0...journal.count {
            let contents = try JournalFile.read(Data(journal.prefix(cut)))
            #expect(contents.entries.count == cut / Self.line.count)
            #expect(contents.hasTornTail == (cut % Self.line.count != 0))
            FuzzChecks.journal(Array(journal.prefix(cut)))
        }
    }

    @Test("a damaged line in the middle is an error with its line number, not a silent skip")
    func damagedMiddle() {
        var journal = Self.line(1) + Self.line(2)
        journal[10] = UInt8(ascii: "#")
        #expect(throws: StateError.self) { _ = try JournalFile.read(Data(journal)) }
    }
}
