import Foundation

/// What a push has done to a live tenant, kept in the state directory (`pushes/<name>.json`)
/// after every batch, so a push that was cut off resumes without sending twice. Format 1,
/// pinned by `Tests/GraphClientTests/Fixtures/push-record-1.json`; every key is spelled out.
public struct PushRecord: Codable, Equatable, Sendable {
    public static let currentFormat = "licensedesk-push-1"

    public var format: String
    /// Where it was pushed, and which tenant answered there.
    public var graphURL: String
    public var tenantID: String
    /// The journal range pushed (positions of the first and last change).
    public var first: Int
    public var last: Int
    public var started: Date
    public var finished: Date?
    /// The live id of each group the push made or found ("local id" → "live id").
    public var liveGroupIDs: [String: String]
    public var steps: [Step]

    public enum State: String, Codable, Sendable {
        /// Not sent yet.
        case planned
        /// Sent, no answer recorded: on resume, the tenant is read to find out whether it took.
        case sending
        /// The tenant did it (or it was found so already).
        case done
        /// The tenant refused it; not sent again.
        case refused
        /// Not sent: a step it depends on did not succeed.
        case skipped
    }

    public struct Step: Codable, Equatable, Sendable {
        public var number: Int
        public var method: String
        /// The request as planned (before group addresses were resolved): with `body`, what
        /// makes a step the same step when a push resumes.
        public var url: String
        public var bodyDigest: String
        public var summary: String
        public var state: State
        public var status: Int?
        public var code: String?
        public var message: String?
        public var at: Date?

        enum CodingKeys: String, CodingKey {
            case number = "number", method = "method", url = "url", bodyDigest = "bodyDigest", summary = "summary", state = "state"
            case status = "status", code = "code", message = "message", at = "at"
        }
    }

    enum CodingKeys: String, CodingKey {
        case format = "format", graphURL = "graphURL", tenantID = "tenantID", first = "first", last = "last", started = "started"
        case finished = "finished", liveGroupIDs = "liveGroupIDs", steps = "steps"
    }

    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// One step's outcome as a line of `<name>.steps.jsonl` (compact, keys sorted).
    public static func line(_ step: Step) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return ((try? encoder.encode(step)) ?? Data()) + Data("\n".utf8)
    }

    /// The record with the step lines appended since it was written put over it, in order (a
    /// later line wins). A last line cut short by a crash is left out; a damaged line before
    /// the last, or one naming a step the record doesn't have, refuses the record.
    public func applying(lines data: Data, path: String) throws(GraphClientError) -> PushRecord {
        var record = self
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (offset, line) in lines.enumerated() where !line.isEmpty {
            let last = offset == lines.count - 1
            guard let step = try? Self.decoder().decode(Step.self, from: Data(line)) else {
                if last { break }
                throw .record(path: path, reason: "has a damaged line \(offset + 1); move it away to push again from the start")
            }
            guard let index = record.steps.firstIndex(where: { $0.number == step.number && $0.url == step.url && $0.method == step.method }) else {
                throw .record(path: path, reason: "line \(offset + 1) names step \(step.number), which the record does not have as such")
            }
            record.steps[index] = step
        }
        return record
    }

    /// A record read back, or why it can't be used (named, so the admin can look at it).
    public static func decode(_ data: Data, path: String) throws(GraphClientError) -> PushRecord {
        let record: PushRecord
        do { record = try decoder().decode(PushRecord.self, from: data) } catch {
            throw .record(path: path, reason: "is not a push record LicenseDesk can read (\(error)); move it away to push again from the start")
        }
        guard record.format == currentFormat else {
            throw .record(path: path, reason: "has format \(record.format); this LicenseDesk reads \(currentFormat)")
        }
        var numbers = Set<Int>()
        for step in record.steps where !numbers.insert(step.number).inserted {
            throw .record(path: path, reason: "names step \(step.number) twice")
        }
        return record
    }
}
