import Foundation
import LicenseModel

/// The version of the state files this build writes and reads.
public let stateFormatVersion = 1

/// One state file: a Graph list response (`{"value": [...]}`) plus the format version. Fields
/// we do not know (an `@odata.context`, say) are kept.
struct GraphListFile<Element: Codable>: Codable {
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

/// LicenseDesk's own state beside the Graph files: pending work and tenant settings.
struct DeskFile: Codable {
    var formatVersion: Int
    var pending: PendingWork
    var settings: TenantSettings
}

/// The files of a state directory, by name.
public enum StateFileName {
    public static let organization = "organization.json"
    public static let subscribedSkus = "subscribedSkus.json"
    public static let users = "users.json"
    public static let groups = "groups.json"
    public static let desk = "licensedesk.json"
    public static let lock = "state.lock"
    public static let all = [organization, subscribedSkus, users, groups, desk]
}

/// JSON coding with the house settings: sorted keys (stable diffs), ISO 8601 dates.
enum StateJSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    static func encode<T: Encodable>(_ value: T) throws -> Data {
        var data = try encoder().encode(value)
        data.append(0x0A)
        return data
    }
}
