import Foundation
import LicenseModel

/// One compaction's changes to the big lists, kept beside `users.json` and `groups.json`
/// instead of rewriting them: `users.delta-<sequence>.json` and `groups.delta-<sequence>.json`,
/// each the `value` of a Microsoft Graph delta response — the records that changed, whole,
/// and `{"id": …, "@removed": {"reason": "deleted"}}` for those that went.
///
/// The snapshot is the base files with every delta the desk file lists (`snapshotDeltas`)
/// applied in order, as a Graph client applies `/users/delta` pages to its first full round.
/// So a compaction writes bytes in proportion to what changed, not to the tenant; when the
/// deltas have grown to a fair part of the base (`StateStore.deltaShare`), the next compaction
/// writes the base again and starts a new run of deltas. Delta files are only ever created
/// under a new name and removed, never rewritten; one the desk file does not list is left by a
/// compaction that did not reach its commit point, and is removed.
public struct SnapshotDelta: Codable, Hashable, Sendable {
    enum CodingKeys: String, CodingKey { case sequence = "sequence", users = "users", groups = "groups", records = "records", bytes = "bytes" }
    /// The journal entry the snapshot ends at once this delta is applied; it names the files.
    public var sequence: Int
    /// Whether `users.delta-<sequence>.json` is there (a compaction that changed no user writes none).
    public var users: Bool
    public var groups: Bool
    /// Records in the two files, removals included.
    public var records: Int
    /// Bytes of the two files.
    public var bytes: Int

    static let usersPrefix = "users.delta-"
    static let groupsPrefix = "groups.delta-"

    static func usersFile(_ sequence: Int) -> String { usersPrefix + "\(sequence).json" }
    static func groupsFile(_ sequence: Int) -> String { groupsPrefix + "\(sequence).json" }

    /// The files this delta has, by name.
    var files: [String] { (users ? [Self.usersFile(sequence)] : []) + (groups ? [Self.groupsFile(sequence)] : []) }

    /// Whether `name` is a delta file's name: `users.delta-<digits>.json` or the groups one.
    static func isDeltaName(_ name: String) -> Bool { sequence(ofFile: name) != nil }

    /// The sequence a delta file's name carries.
    static func sequence(ofFile name: String) -> Int? {
        for prefix in [usersPrefix, groupsPrefix] where name.hasPrefix(prefix) && name.hasSuffix(".json") {
            let digits = name.dropFirst(prefix.count).dropLast(5)
            guard !digits.isEmpty, digits.count < 19, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            return Int(digits)
        }
        return nil
    }

    /// Whether `name` is a delta file being staged (`<delta>.staged` or its temp file).
    static func isStagedDeltaName(_ name: String) -> Bool {
        guard let range = name.range(of: ".json" + StateFileName.stagedSuffix) else { return false }
        let rest = name[range.upperBound...]
        return isDeltaName(String(name[..<range.lowerBound]) + ".json") && (rest.isEmpty || rest.hasPrefix(".tmp."))
    }
}

/// One record of a delta file: a record as it now is, or the id of one removed.
enum DeltaEntry<Record: Codable & Sendable & Identifiable>: Codable, Sendable where Record.ID == String {
    case record(Record)
    case removed(String)

    private struct Removal: Codable {
        enum CodingKeys: String, CodingKey { case id = "id", removed = "@removed" }
        struct Reason: Codable { var reason: String }
        var id: String
        var removed: Reason
    }

    init(from decoder: any Decoder) throws {
        let keys = try decoder.container(keyedBy: GraphKey.self)
        if keys.contains(GraphKey("@removed")) {
            self = .removed(try Removal(from: decoder).id)
        } else {
            self = .record(try Record(from: decoder))
        }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .record(let record): try record.encode(to: encoder)
        case .removed(let id): try Removal(id: id, removed: .init(reason: "deleted")).encode(to: encoder)
        }
    }
}

extension DeskFile {
    /// The desk file's format: 2 once it lists deltas, which an older LicenseDesk must refuse
    /// (it would read the base files alone, a snapshot missing every change since), else 1.
    static func formatVersion(listing deltas: [SnapshotDelta]) -> Int { deltas.isEmpty ? stateFormatVersion : deltaFormatVersion }

    /// The listed deltas, checked: in order, each at or before the snapshot's end. A desk file
    /// edited into anything else would apply files no compaction wrote.
    func checkedDeltas(file: String) throws(StateError) -> [SnapshotDelta] {
        var previous = 0
        for delta in snapshotDeltas ?? [] {
            guard delta.sequence > previous, delta.sequence <= journalSequence, delta.users || delta.groups else {
                throw .unreadable(
                    file: file, line: nil, column: nil,
                    reason: "snapshotDeltas lists delta \(delta.sequence), which is out of order or past the snapshot's end "
                        + "(\(journalSequence)): the desk file was edited; restore it from a backup")
            }
            previous = delta.sequence
        }
        return snapshotDeltas ?? []
    }
}

/// The desk file's format version once it lists deltas.
let deltaFormatVersion = 2
/// The newest format version of any state file this build reads.
public let newestReadableFormatVersion = deltaFormatVersion
