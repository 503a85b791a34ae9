import Foundation
import LicenseModel
import LicenseStore

/// How a record read from a file becomes the object it changes: what of it is kept, and how it
/// is laid over the object already held.
extension GraphImportReader {
    /// A record's OData annotations (`@odata.type`, `@odata.context`, `@odata.etag`) say how it
    /// was sent, not what the object is: they are not kept among its properties.
    static func withoutAnnotations<T>(_ object: T) -> T {
        func clean(_ extra: [String: JSONValue]) -> [String: JSONValue] { extra.filter { !$0.key.lowercased().hasPrefix("@odata.") } }
        if var user = object as? User {
            user.extra = clean(user.extra)
            return user as! T
        }
        if var group = object as? Group {
            group.extra = clean(group.extra)
            return group as! T
        }
        return object
    }

    /// A user record's licence properties that are null say nothing (Graph sends a list, empty
    /// or not; a null comes from a tool that didn't select them), so they change nothing.
    static func withoutNullLicences(_ record: JSONValue?) -> JSONValue? {
        guard case .object(var fields)? = record else { return record }
        for key in ["assignedLicenses", "licenseAssignmentStates", "assignedPlans"] where fields[key] == .null { fields[key] = nil }
        return .object(fields)
    }

    /// `base` with the properties `record` carries put over it, read back as `T`.
    static func overlay<T: Codable>(_ record: JSONValue?, on base: T, decoder: JSONDecoder) -> Result<T, any Error> {
        Result {
            let encoded = try StateJSON.encoder().encode(base)
            guard case .object(var fields) = try decoder.decode(JSONValue.self, from: encoded), case .object(let carried)? = record else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "the record is not an object"))
            }
            for (key, value) in carried { fields[key] = value }
            return try decoder.decode(T.self, from: try JSONEncoder().encode(JSONValue.object(fields)))
        }
    }
}
