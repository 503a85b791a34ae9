import Foundation

/// Groups read straight from the bytes of a groups file, as `UserBytesReading` reads users and
/// to the same rule: exactly what `Group.init(from:)` gives, or nil to leave the slice to
/// Foundation. A group's bytes are nearly all its `members`, a million `{"id": …}` at most.
public struct GroupBytesReading {
    private let date: (String) -> Date?

    /// `date` reads a time as the store's decoder does.
    public init(date: @escaping (String) -> Date?) { self.date = date }

    /// The groups at `ranges` of `bytes` (each one whole group object), or nil.
    public func groups(in bytes: UnsafeRawBufferPointer, at ranges: ArraySlice<Range<Int>>) -> [Group]? {
        var groups: [Group] = []
        groups.reserveCapacity(ranges.count)
        for range in ranges {
            var reader = JSONByteReader(UnsafeRawBufferPointer(rebasing: bytes[..<range.upperBound]), offset: range.lowerBound)
            guard let group = group(&reader), reader.peek() == nil else { return nil }
            groups.append(group)
        }
        return groups
    }

    /// A run of groups from `start` on (`JSONListRun`), or nil.
    public func groups(in bytes: UnsafeRawBufferPointer, from start: Int, before end: Int) -> JSONListRun<Group>? {
        JSONListRun.read(bytes, from: start, before: end) { group(&$0) }
    }

    /// One group object at the reader, or nil.
    public func group(_ reader: inout JSONByteReader) -> Group? {
        var id: String?
        var displayName: String?
        var group = Group(id: "", displayName: "")
        var securityEnabled: Bool?
        var mailEnabled: Bool?
        var groupTypes: [String]?
        var seen: Set<String> = []
        let read = reader.members { reader, key in
            guard seen.insert(key).inserted else { return false }
            switch key {
            case "id":
                id = reader.string()
                return id != nil
            case "displayName":
                displayName = reader.string()
                return displayName != nil
            case "description": return GraphBytes.optional(&reader, into: &group.description) { $0.string() }
            case "securityEnabled": return GraphBytes.optional(&reader, into: &securityEnabled) { $0.bool() }
            case "mailEnabled": return GraphBytes.optional(&reader, into: &mailEnabled) { $0.bool() }
            case "groupTypes": return GraphBytes.optional(&reader, into: &groupTypes) { $0.strings() }
            case "membershipRule": return GraphBytes.optional(&reader, into: &group.membershipRule) { $0.string() }
            case "membershipRuleProcessingState":
                return GraphBytes.optional(&reader, into: &group.membershipRuleProcessingState) { $0.string() }
            case "membershipRuleProcessingStatus":
                if reader.null() { return true }
                return processingStatus(&reader, into: &group)
            case "assignedLicenses":
                var licenses: [AssignedLicense]?
                guard GraphBytes.optional(&reader, into: &licenses, { GraphBytes.assignedLicenses(&$0) }) else { return false }
                group.assignedLicenses = licenses ?? []
                return true
            case "licenseProcessingState":
                return GraphBytes.optional(&reader, into: &group.licenseProcessingState) { reader in
                    Self.onlyField("state", &reader) { $0.string().flatMap(LicenseProcessingState.init(rawValue:)) }
                }
            case "members":
                var members: [String]?
                guard GraphBytes.optional(&reader, into: &members, { Self.memberIDs(&$0) }) else { return false }
                group.members = members ?? []
                return true
            default:
                guard let value = GraphBytes.foundationValue(&reader) else { return false }
                group.extra[key] = value
                return true
            }
        }
        guard read, let id, let displayName else { return nil }
        group.id = id
        group.displayName = displayName
        group.securityEnabled = securityEnabled ?? true
        group.mailEnabled = mailEnabled ?? false
        group.groupTypes = groupTypes ?? []
        return group
    }

    /// `{"status": …, "lastMembershipUpdated": …, "errorMessage": …}`, status required.
    private func processingStatus(_ reader: inout JSONByteReader, into group: inout Group) -> Bool {
        var status: MembershipProcessingStatus?
        var updated: Date??
        var message: String??
        let read = reader.members { reader, key in
            switch key {
            case "status": return GraphBytes.once(&status, &reader) { $0.string().flatMap(MembershipProcessingStatus.init(rawValue:)) }
            case "lastMembershipUpdated" where updated == nil:
                var value: Date?
                guard GraphBytes.optional(&reader, into: &value, { [date] in $0.string().flatMap(date) }) else { return false }
                updated = .some(value)
                return true
            case "errorMessage" where message == nil:
                var value: String?
                guard GraphBytes.optional(&reader, into: &value, { $0.string() }) else { return false }
                message = .some(value)
                return true
            default: return false
            }
        }
        guard read, let status else { return false }
        group.membershipProcessingStatus = status
        group.lastMembershipUpdated = updated ?? nil
        group.membershipProcessingError = message ?? nil
        return true
    }

    /// An object of one field, `name`, read by `read`.
    private static func onlyField<T>(_ name: String, _ reader: inout JSONByteReader, _ read: (inout JSONByteReader) -> T?) -> T? {
        var value: T?
        let done = reader.members { reader, key in
            guard key == name, value == nil else { return false }
            value = read(&reader)
            return value != nil
        }
        return done ? value : nil
    }

    /// `[{"id": "…"}, …]` to the ids.
    private static func memberIDs(_ reader: inout JSONByteReader) -> [String]? {
        var ids: [String] = []
        let read = reader.elements { reader in
            guard let id = onlyField("id", &reader, { $0.string() }) else { return false }
            ids.append(id)
            return true
        }
        return read ? ids : nil
    }
}
