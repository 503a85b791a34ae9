import Foundation
import LicenseModel

/// Delta files read straight from the bytes, as the base files are (`UserBytesReading`,
/// `GroupBytesReading`): each entry is a removal (`{"id": …, "@removed": {"reason": …}}`,
/// exactly) or a record. A record that still names `@removed` is left to Foundation, which
/// reads any such entry as a removal, so the two never disagree.
enum DeltaEntryReading {
    static let users = ListReader<DeltaEntry<User>>(
        ranges: { bytes, ranges in
            var reading = UserBytesReading(date: ISO8601Instant.parse)
            return entries(bytes, ranges) { reading.user(&$0) }
        },
        run: { bytes, start, end in
            var reading = UserBytesReading(date: ISO8601Instant.parse)
            return JSONListRun.read(bytes, from: start, before: end) { entry(&$0) { reading.user(&$0) } }
        })

    static let groups = ListReader<DeltaEntry<Group>>(
        ranges: { bytes, ranges in
            let reading = GroupBytesReading(date: ISO8601Instant.parse)
            return entries(bytes, ranges) { reading.group(&$0) }
        },
        run: { bytes, start, end in
            let reading = GroupBytesReading(date: ISO8601Instant.parse)
            return JSONListRun.read(bytes, from: start, before: end) { entry(&$0) { reading.group(&$0) } }
        })

    private static func entries<Record: GraphRecordWithExtra>(
        _ bytes: UnsafeRawBufferPointer, _ ranges: ArraySlice<Range<Int>>, record: (inout JSONByteReader) -> Record?
    ) -> [DeltaEntry<Record>]? {
        var entries: [DeltaEntry<Record>] = []
        for range in ranges {
            var reader = JSONByteReader(UnsafeRawBufferPointer(rebasing: bytes[..<range.upperBound]), offset: range.lowerBound)
            guard let value = entry(&reader, record: record), reader.peek() == nil else { return nil }
            entries.append(value)
        }
        return entries
    }

    private static func entry<Record: GraphRecordWithExtra>(
        _ reader: inout JSONByteReader, record: (inout JSONByteReader) -> Record?
    ) -> DeltaEntry<Record>? {
        let start = reader.offset
        if let id = removal(&reader) { return .removed(id) }
        reader.offset = start
        guard let value = record(&reader), value.extra["@removed"] == nil else { return nil }
        return .record(value)
    }

    /// `{"id": "…", "@removed": {"reason": "…"}}` and nothing else, or nil.
    private static func removal(_ reader: inout JSONByteReader) -> String? {
        var id: String?
        var reason: String?
        let read = reader.members { reader, key in
            switch key {
            case "id" where id == nil:
                id = reader.string()
                return id != nil
            case "@removed" where reason == nil:
                let done = reader.members { reader, key in
                    guard key == "reason", reason == nil else { return false }
                    reason = reader.string()
                    return reason != nil
                }
                return done && reason != nil
            default: return false
            }
        }
        guard read, reason != nil else { return nil }
        return id
    }
}

/// Records that keep the fields the model does not know.
protocol GraphRecordWithExtra: Codable, Sendable, Identifiable where ID == String {
    var extra: [String: JSONValue] { get }
}
extension User: GraphRecordWithExtra {}
extension Group: GraphRecordWithExtra {}
