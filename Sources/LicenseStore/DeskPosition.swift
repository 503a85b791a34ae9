import Foundation

/// What a refresh needs of the desk file (`licensedesk.json`), and which file it was read from.
///
/// The desk holds every object's version, tens of megabytes after a busy day at a million
/// users, and a refresh or save asks for this after every compaction: decoding it all there
/// held a save for seconds. LicenseDesk writes it with sorted keys, pretty-printed, so these
/// fields are the first lines of the file, before the first object-valued key.
struct DeskPosition: Sendable {
    var journalSequence: Int
    var lineage: String?
    var journalCut: Int?
    var journalCutFrom: Int?
    var identity: SnapshotCache.FileIdentity?

    init(journalSequence: Int, lineage: String?, journalCut: Int?, journalCutFrom: Int?) {
        self.journalSequence = journalSequence
        self.lineage = lineage
        self.journalCut = journalCut
        self.journalCutFrom = journalCutFrom
    }

    /// From the head of a desk file as LicenseDesk writes it: `{`, then lines of
    /// `  "key" : value,` with keys in sorted order. It stops at the first key past these
    /// fields; nil for anything it does not expect (a file written by hand, say), which is then
    /// decoded whole.
    init?(head: Data) {
        let text = String(decoding: head, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).makeIterator()
        guard lines.next() == "{" else { return nil }
        var fields: [String: Substring] = [:]
        var previousKey = ""
        var reachedTheRest = false
        while let line = lines.next() {
            guard line.hasPrefix("  \""), !line.hasPrefix("   "), let close = line.dropFirst(3).firstIndex(of: "\"") else { return nil }
            let key = String(line[line.index(line.startIndex, offsetBy: 3)..<close])
            guard key > previousKey else { return nil }  // sorted, no key twice
            previousKey = key
            if key > "lineage" {
                reachedTheRest = true
                break
            }
            guard line[close...].hasPrefix("\" : ") else { return nil }
            var value = line[line.index(close, offsetBy: 4)...]
            if value.hasSuffix(",") { value = value.dropLast() }
            fields[key] = value
        }
        guard reachedTheRest, let sequenceText = fields["journalSequence"], let sequence = Int(sequenceText),
            let versionText = fields["formatVersion"], let version = Int(versionText), version <= newestReadableFormatVersion
        else { return nil }  // a newer format is decoded whole, which refuses it by name
        journalSequence = sequence
        func number(_ key: String) -> Int?? {
            guard let text = fields[key] else { return .some(nil) }
            return Int(text).map { .some($0) } ?? nil
        }
        guard let cut = number("journalCut"), let cutFrom = number("journalCutFrom") else { return nil }
        journalCut = cut
        journalCutFrom = cutFrom
        if let quoted = fields["lineage"] {
            // A lineage is a UUID: no escapes to undo.
            guard quoted.count >= 2, quoted.first == "\"", quoted.last == "\"", !quoted.contains("\\") else { return nil }
            lineage = String(quoted.dropFirst().dropLast())
        } else {
            lineage = nil
        }
        for key in fields.keys where !["formatVersion", "journalCut", "journalCutFrom", "journalSequence", "lineage"].contains(key) {
            return nil
        }
    }
}
