import Foundation
import LicenseModel

/// The version of the state files this build writes and reads.
public let stateFormatVersion = 1

/// One state file: a Graph list response (`{"value": [...]}`) plus the format version. Fields
/// we do not know (an `@odata.context`, say) are kept.
/// A state file that carries `formatVersion`.
protocol VersionedStateFile {
    var formatVersion: Int { get }
}

struct GraphListFile<Element: Codable>: Codable, VersionedStateFile {
    var formatVersion: Int
    var value: [Element]
    var extra: [String: JSONValue] = [:]

    init(_ value: [Element]) {
        formatVersion = stateFormatVersion
        self.value = value
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: GraphKey.self)
        formatVersion = try c.decodeIfPresent(Int.self, forKey: GraphKey("formatVersion")) ?? stateFormatVersion
        value = try c.decode([Element].self, forKey: GraphKey("value"))
        var extra: [String: JSONValue] = [:]
        for key in c.allKeys where key.stringValue != "formatVersion" && key.stringValue != "value" {
            extra[key.stringValue] = try c.decode(JSONValue.self, forKey: key)
        }
        self.extra = extra
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: GraphKey.self)
        for (name, field) in extra { try c.encode(field, forKey: GraphKey(name)) }
        try c.encode(formatVersion, forKey: GraphKey("formatVersion"))
        try c.encode(value, forKey: GraphKey("value"))
    }
}

/// LicenseDesk's own state beside the Graph files: pending work, tenant settings, and where
/// the snapshot stands in the journal.
struct DeskFile: Codable, VersionedStateFile {
    enum CodingKeys: String, CodingKey {
        case formatVersion = "formatVersion", pending = "pending", settings = "settings", journalSequence = "journalSequence"
        case versions = "versions", onPremises = "onPremises", lineage = "lineage", journalCut = "journalCut"
        case journalCutFrom = "journalCutFrom", reconciliation = "reconciliation", snapshotDeltas = "snapshotDeltas"
    }
    var formatVersion: Int
    var pending: PendingWork
    var settings: TenantSettings
    /// The last journal entry this snapshot includes.
    var journalSequence: Int
    /// Who last changed each object, as of the snapshot.
    var versions: [String: ObjectVersion]
    /// The simulated on-premises AD and its sync configuration.
    var onPremises: OnPremisesDirectory
    /// Which tenant this is: made when the tenant is created, kept by every compaction, new
    /// after a start over. A reader that finds a newer snapshot of its own lineage catches up
    /// from the journal instead of loading the tenant again. Absent in states written before.
    var lineage: String?
    /// How many bytes the compaction that wrote this snapshot cut from the front of the
    /// journal (the entries it folded in): a reader whose journal cursor was past them moves
    /// it back by as much and reads on, instead of reading the whole journal again.
    var journalCut: Int?
    /// The snapshot whose journal that cut was made in: only a cursor on that journal moves.
    var journalCutFrom: Int?
    /// Licence automation's scope and bookkeeping; absent while there is none. Its key sorts
    /// after the fields `DeskPosition` reads from the file's head.
    var reconciliation: LicenceAutomation?
    /// The deltas applied over `users.json` and `groups.json`, oldest first (`SnapshotDelta`);
    /// absent when the base files are the whole snapshot. Its key sorts after the fields
    /// `DeskPosition` reads from the file's head, too.
    var snapshotDeltas: [SnapshotDelta]?

    init(
        formatVersion: Int, pending: PendingWork, settings: TenantSettings, journalSequence: Int,
        versions: [String: ObjectVersion], onPremises: OnPremisesDirectory, lineage: String? = nil, journalCut: Int? = nil,
        journalCutFrom: Int? = nil, reconciliation: LicenceAutomation? = nil
    ) {
        self.reconciliation = reconciliation
        self.lineage = lineage
        self.journalCut = journalCut
        self.journalCutFrom = journalCutFrom
        self.onPremises = onPremises
        self.formatVersion = formatVersion
        self.pending = pending
        self.settings = settings
        self.journalSequence = journalSequence
        self.versions = versions
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try c.decode(Int.self, forKey: .formatVersion)
        pending = try c.decodeIfPresent(PendingWork.self, forKey: .pending) ?? PendingWork()
        settings = try c.decodeIfPresent(TenantSettings.self, forKey: .settings) ?? TenantSettings()
        journalSequence = try c.decodeIfPresent(Int.self, forKey: .journalSequence) ?? 0
        versions = try c.decodeIfPresent([String: ObjectVersion].self, forKey: .versions) ?? [:]
        onPremises = try c.decodeIfPresent(OnPremisesDirectory.self, forKey: .onPremises) ?? OnPremisesDirectory()
        lineage = try c.decodeIfPresent(String.self, forKey: .lineage)
        journalCut = try c.decodeIfPresent(Int.self, forKey: .journalCut)
        journalCutFrom = try c.decodeIfPresent(Int.self, forKey: .journalCutFrom)
        reconciliation = try c.decodeIfPresent(LicenceAutomation.self, forKey: .reconciliation)
        snapshotDeltas = try c.decodeIfPresent([SnapshotDelta].self, forKey: .snapshotDeltas)
    }
}

/// Who last changed an object, and when: named in conflict messages.
public struct ObjectVersion: Codable, Hashable, Sendable {
    enum CodingKeys: String, CodingKey { case sequence = "sequence", actor = "actor", time = "time", activity = "activity" }
    public var sequence: Int
    public var actor: String
    public var time: Date
    public var activity: String
}

/// The files of a state directory, by name.
public enum StateFileName {
    public static let organization = "organization.json"
    public static let subscribedSkus = "subscribedSkus.json"
    public static let users = "users.json"
    public static let groups = "groups.json"
    public static let desk = "licensedesk.json"
    public static let lock = "state.lock"
    public static let journal = "journal.jsonl"
    public static let audit = "audit.jsonl"
    public static let roles = "roles.json"
    /// Present only while a compaction is being rolled into place.
    public static let compaction = "compaction.json"
    /// Held by the one compactor that may run (`Compactor`), for all of its run.
    public static let compactionLock = "compaction.lock"
    /// There while a compactor runs; left by one that was killed (`Compactor`).
    public static let compactionStarted = "compaction.started"
    /// Why the last background compaction failed, while it stays failed (`CompactionFailure`).
    public static let compactionFailed = "compaction.failed"
    /// A binary copy of users and groups for fast loading (`SnapshotCache`); safe to delete.
    public static let cache = "snapshot.cache"
    public static let all = [organization, subscribedSkus, users, groups, desk]
}

/// JSON coding with the house settings: sorted keys (stable diffs), ISO 8601 dates.
public enum StateJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// Refuses JSON nested deeper than `JSONLimits.maximumDepth` before decoding it.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONLimits.decoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = ISO8601Instant.parse(text) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(text) is not an ISO 8601 time such as 2026-01-31T09:00:00Z")
        }
        return decoder
    }

    /// One line of a JSON Lines file: compact, sorted keys, ending in a newline.
    public static func line<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    /// Compact, sorted keys, no newline: the journal's entry bytes.
    public static func compact<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(value)
    }

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        var data = try encoder().encode(value)
        data.append(0x0A)
        return data
    }
}
