import Foundation

/// Pieces of Graph's JSON that users and groups share, read by `JSONByteReader` exactly as
/// their `Decodable` conformances read them (or not at all: nil).
enum GraphBytes {
    /// `decodeIfPresent`: null is nil; otherwise `read` must succeed.
    static func optional<T>(_ reader: inout JSONByteReader, into slot: inout T?, _ read: (inout JSONByteReader) -> T?) -> Bool {
        if reader.null() {
            slot = nil
            return true
        }
        guard let value = read(&reader) else { return false }
        slot = value
        return true
    }

    /// A required field, read once: false for a second copy of its key or a value `read`
    /// does not read (a duplicate key is left to Foundation, as everything unexpected is).
    static func once<T>(_ slot: inout T?, _ reader: inout JSONByteReader, _ read: (inout JSONByteReader) -> T?) -> Bool {
        if slot != nil { return false }
        slot = read(&reader)
        return slot != nil
    }

    /// A field the model does not know, judged and kept by Foundation exactly as before.
    static func foundationValue(_ reader: inout JSONByteReader) -> JSONValue? {
        guard let range = reader.skipValue() else { return nil }
        let slice = Data(UnsafeRawBufferPointer(rebasing: reader.bytes[range]))
        return try? JSONLimits.decoder().decode(JSONValue.self, from: slice)
    }

    static func assignedLicenses(_ reader: inout JSONByteReader) -> [AssignedLicense]? {
        var licenses: [AssignedLicense] = []
        let read = reader.elements { reader in
            var skuId: String?
            var disabledPlans: [String]?
            let read = reader.members { reader, key in
                switch key {
                case "skuId": return once(&skuId, &reader) { $0.string() }
                case "disabledPlans": return once(&disabledPlans, &reader) { $0.strings() }
                default: return false
                }
            }
            guard read, let skuId, let disabledPlans else { return false }
            // Not `init`: it sorts, and the decoder keeps the order written.
            var license = AssignedLicense(skuId: skuId)
            license.disabledPlans = disabledPlans
            licenses.append(license)
            return true
        }
        return read ? licenses : nil
    }
}
