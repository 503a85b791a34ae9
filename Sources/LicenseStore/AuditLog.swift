import Foundation
import LicenseModel

/// One line of `audit.jsonl`: what changed, in Entra's vocabulary, and who changed it.
public struct AuditRecord: Codable, Hashable, Sendable {
    /// `audit.jsonl`'s schema, spelled out (pinned by `Tests/TrustTests/Fixtures`).
    enum CodingKeys: String, CodingKey {
        case sequence = "sequence", time = "time", activity = "activity", target = "target", detail = "detail"
        case result = "result", actor = "actor"
    }
    public var sequence: Int
    public var time: Date
    public var activity: String
    public var target: String
    public var detail: String
    public var result: String
    public var actor: ActorIdentity
}

/// Reads the audit log back, filtered.
public struct AuditQuery: Sendable {
    public var since: Date?
    public var user: String?
    public var object: String?
    public init(since: Date? = nil, user: String? = nil, object: String? = nil) {
        self.since = since
        self.user = user
        self.object = object
    }

    public func matches(_ record: AuditRecord) -> Bool {
        if let since, record.time < since { return false }
        if let user, record.actor.name.lowercased() != user.lowercased() { return false }
        if let object, !record.target.lowercased().contains(object.lowercased()) { return false }
        return true
    }
}

extension StateStore {
    /// Audit records matching a query, oldest first: the audit log, then the records of durable
    /// changes it does not have yet (an audit append that failed), read from the journal. A torn
    /// last line is skipped.
    public func audit(_ query: AuditQuery = AuditQuery()) throws(StateError) -> [AuditRecord] {
        let decoder = StateJSON.decoder()
        var records: [AuditRecord] = []
        if let data = try DurableFile.read(path(StateFileName.audit)) {
            records = data.split(separator: 0x0A).compactMap { try? decoder.decode(AuditRecord.self, from: $0) }
        }
        let last = records.last?.sequence ?? 0
        if let data = try? DurableFile.read(path(StateFileName.journal)),
            let journal = try? JournalReader.read(data, file: path(StateFileName.journal)),
            let lines = try? auditLines(for: journal.entries.filter { $0.sequence > last })
        {
            records += lines.split(separator: 0x0A).compactMap { try? decoder.decode(AuditRecord.self, from: $0) }
        }
        return records.filter(query.matches)
    }
}
