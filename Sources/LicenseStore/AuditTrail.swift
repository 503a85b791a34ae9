import Foundation
import LicenseModel

#if canImport(Glibc)
    import Glibc
#endif

/// `audit.jsonl` as a view of the journal: every journal entry (format 2 on) carries its audit
/// records, and after each commit the audit log is caught up with every durable change it
/// lacks. An audit append that fails (a full disk, a file replaced) loses nothing: the next
/// commit writes the missing records, and `licensedesk audit` shows them meanwhile.
extension StateStore {
    /// Appends the records of every change up to `entry` that the audit log lacks. Caller holds
    /// the exclusive lock.
    func catchUpAudit(through entry: JournalEntry) throws(StateError) {
        let auditPath = path(StateFileName.audit)
        let tail = try AuditTail.read(auditPath)
        if tail.isTorn { try JournalWriter.truncate(auditPath, to: tail.goodLength) }
        var missing: [JournalEntry] = []
        if entry.sequence == tail.lastSequence + 1 {
            missing = [entry]
        } else if entry.sequence > tail.lastSequence {
            missing = try recordedEntries(after: tail.lastSequence)
        }
        let data = try auditLines(for: missing)
        if !data.isEmpty { try JournalWriter.append(data, to: auditPath, mode: fileMode) }
    }

    /// The audit lines for journal entries (those written before format 2 carry none).
    func auditLines(for entries: [JournalEntry]) throws(StateError) -> Data {
        var data = Data()
        for entry in entries {
            guard let events = entry.audit else { continue }
            let identity = entry.identity ?? ActorIdentity(uid: UInt32.max, name: entry.context.actor, loginUID: nil, sshClient: nil, groups: [])
            for event in events {
                data += try encodeLine(
                    AuditRecord(
                        sequence: entry.sequence, time: event.time, activity: event.activity, target: event.target,
                        detail: event.detail, result: event.result, actor: identity))
            }
        }
        return data
    }

    /// Records for something that is not a journal entry (a start-over). Best effort: the new
    /// tenant is already durable.
    func appendAuditRecords(_ events: [AuditEvent], sequence: Int, identity: ActorIdentity) throws(StateError) {
        let entry = JournalEntry(
            sequence: sequence, context: ChangeContext(actor: identity.name), change: .processPending, basedOn: [:], audit: events,
            identity: identity)
        let auditPath = path(StateFileName.audit)
        let tail = try AuditTail.read(auditPath)
        if tail.isTorn { try JournalWriter.truncate(auditPath, to: tail.goodLength) }
        try JournalWriter.append(try auditLines(for: [entry]), to: auditPath, mode: fileMode)
    }

    /// History and the live journal after `sequence`, without taking the lock (caller has it).
    func recordedEntries(after sequence: Int) throws(StateError) -> [JournalEntry] {
        var entries = try JournalHistory(store: self).entries().filter { $0.sequence > sequence }
        if let data = try DurableFile.read(path(StateFileName.journal)) {
            let live = try JournalReader.read(data, file: path(StateFileName.journal)).entries
            let known = Set(entries.map(\.sequence))
            entries += live.filter { $0.sequence > sequence && !known.contains($0.sequence) }
        }
        return entries.sorted { $0.sequence < $1.sequence }
    }

    /// A journal cut at a line boundary loses its last entries without a torn line to show for
    /// it; the audit log, written after the journal, still names them.
    func checkNothingLost(journalEnds sequence: Int, auditEnds audited: Int) throws(StateError) {
        guard audited > sequence else { return }
        throw .unreadable(
            file: path(StateFileName.journal), line: nil, column: nil,
            reason: "the journal ends at change \(sequence) but the audit log records changes up to \(audited): "
                + "the journal lost its last entries (cut short or restored from an older copy); nothing was changed")
    }
}

/// The end of the audit log, read from its last few kilobytes.
struct AuditTail {
    var lastSequence = 0
    /// Bytes up to the end of the last whole line.
    var goodLength = 0
    var isTorn = false

    static func read(_ path: String) throws(StateError) -> AuditTail {
        guard let data = try DurableFile.read(path, mapped: true) else { return AuditTail() }
        var tail = AuditTail()
        guard let lastNewline = data.lastIndex(of: 0x0A) else {
            tail.isTorn = !data.isEmpty
            return tail
        }
        tail.goodLength = lastNewline + 1 - data.startIndex
        tail.isTorn = tail.goodLength < data.count
        // The last whole line that reads, searching back (a record is well under 64 KB).
        var end = lastNewline
        let decoder = StateJSON.decoder()
        let floor = max(data.startIndex, lastNewline - 1 << 20)
        while end > floor {
            let start = data[floor..<end].lastIndex(of: 0x0A).map { $0 + 1 } ?? floor
            if let record = try? decoder.decode(SequenceOnly.self, from: data[start..<end]) {
                tail.lastSequence = record.sequence
                return tail
            }
            end = start - 1
        }
        return tail
    }

    private struct SequenceOnly: Decodable { var sequence: Int }
}
