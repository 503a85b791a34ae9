import Foundation

/// Users read straight from the bytes of a users file, for the load that has no snapshot
/// cache to read (`ParallelListDecoding`): the same users `init(from:)` decodes, without
/// Foundation's `Decodable` machinery, which costs several times the parse itself.
///
/// Two things make it fast. Known fields are read into the user directly. And licence arrays —
/// most of a licensed user's bytes, written alike for the thousands of users one group licenses
/// — are read once per distinct text: a second user whose `assignedPlans` are the same bytes
/// gets the same array (`JSONTextMemo`), shared, as a load from the cache shares them.
///
/// Exactness: anything it does not read exactly as `init(from:)` would — an unknown field
/// inside a licence row, a duplicate key, a type it does not expect, a string it cannot read
/// exactly (`JSONByteReader`) — makes it give up on the slice, which Foundation then decodes
/// (and, where the file is wrong, names the line and column). Unknown top-level fields are
/// handed to Foundation one value at a time, so they are judged and kept exactly as before.
public struct UserBytesReading {
    private var licenses = JSONTextMemo<[AssignedLicense]>()
    private var paths = JSONTextMemo<[LicenseAssignmentState]>()
    private var rows = JSONTextMemo<[AssignedPlan]>()
    private let date: (String) -> Date?

    /// `date` reads a time as the store's decoder does.
    public init(date: @escaping (String) -> Date?) { self.date = date }

    /// The users at `ranges` of `bytes` (each one whole user object), or nil to leave the
    /// lot to Foundation.
    public mutating func users(in bytes: UnsafeRawBufferPointer, at ranges: ArraySlice<Range<Int>>) -> [User]? {
        guard Self.fieldBits != nil else { return nil }
        var users: [User] = []
        users.reserveCapacity(ranges.count)
        for range in ranges {
            var reader = JSONByteReader(UnsafeRawBufferPointer(rebasing: bytes[..<range.upperBound]), offset: range.lowerBound)
            guard let user = user(&reader), reader.peek() == nil else { return nil }
            users.append(user)
        }
        return users
    }

    /// A run of users from `start` on (`JSONListRun`), or nil to leave the file to Foundation.
    public mutating func users(in bytes: UnsafeRawBufferPointer, from start: Int, before end: Int) -> JSONListRun<User>? {
        guard Self.fieldBits != nil else { return nil }
        return JSONListRun.read(bytes, from: start, before: end) { user(&$0) }
    }

    /// Each known field's bit, for telling a duplicate key (nil if there were too many
    /// fields for one word: then this reader stands aside).
    private static let fieldBits: [String: (field: User.Field, bit: UInt64)]? = {
        guard User.fields.count <= 64 else { return nil }
        var bits: [String: (field: User.Field, bit: UInt64)] = [:]
        for (index, name) in User.fields.keys.sorted().enumerated() { bits[name] = (User.fields[name]!, 1 << UInt64(index)) }
        return bits
    }()

    /// One user object at the reader, or nil.
    public mutating func user(_ reader: inout JSONByteReader) -> User? {
        guard let fieldBits = Self.fieldBits else { return nil }
        var id: String?
        var userPrincipalName: String?
        var displayName: String?
        var strings = UserStrings()
        var unknown: [String: JSONValue] = [:]
        var user = User(id: "", userPrincipalName: "", displayName: "")
        var seen: UInt64 = 0
        let read = reader.members { reader, key in
            guard let (field, bit) = fieldBits[key] else {
                guard unknown[key] == nil, let value = GraphBytes.foundationValue(&reader) else { return false }
                unknown[key] = value
                return true
            }
            guard seen & bit == 0 else { return false }
            seen |= bit
            switch field {
            case .id:
                id = reader.string()
                return id != nil
            case .userPrincipalName:
                userPrincipalName = reader.string()
                return userPrincipalName != nil
            case .displayName: return GraphBytes.optional(&reader, into: &displayName) { $0.string() }
            case .accountEnabled: return GraphBytes.optional(&reader, into: &user.accountEnabled) { $0.bool() }
            case .onPremisesSyncEnabled: return GraphBytes.optional(&reader, into: &user.onPremisesSyncEnabled) { $0.bool() }
            case .onPremisesImmutableId: return GraphBytes.optional(&reader, into: &user.onPremisesImmutableId) { $0.string() }
            case .onPremisesSamAccountName: return GraphBytes.optional(&reader, into: &user.onPremisesSamAccountName) { $0.string() }
            case .string(let slot):
                var value: String?
                guard GraphBytes.optional(&reader, into: &value, { $0.string() }) else { return false }
                strings[slot] = value
            case .businessPhones:
                var phones: [String]?
                guard GraphBytes.optional(&reader, into: &phones, { $0.strings() }) else { return false }
                strings[GraphUserField.telephoneSlot] = phones?.first
            case .extensionAttributes:
                if reader.null() { return true }
                var attributes: [String: String?] = [:]
                let read = reader.members { reader, name in
                    guard attributes.index(forKey: name) == nil else { return false }
                    var value: String?
                    guard GraphBytes.optional(&reader, into: &value, { $0.string() }) else { return false }
                    attributes[name] = .some(value)
                    return true
                }
                guard read else { return false }
                for (slot, name) in GraphUserField.extensionSlots { strings[slot] = attributes[name] ?? nil }
            case .otherMails:
                var mails: [String]?
                guard GraphBytes.optional(&reader, into: &mails, { $0.strings() }) else { return false }
                user.otherMails = mails ?? []
            case .proxyAddresses:
                var addresses: [String]?
                guard GraphBytes.optional(&reader, into: &addresses, { $0.strings() }) else { return false }
                user.proxyAddresses = addresses ?? []
            case .employeeHireDate:
                return GraphBytes.optional(&reader, into: &user.employeeHireDate) { [date] in $0.string().flatMap(date) }
            case .manager:
                return GraphBytes.optional(&reader, into: &user.manager) { Self.managerID(&$0) }
            case .assignedLicenses:
                guard let value = licenses.value(&reader, read: { GraphBytes.assignedLicenses(&$0) }) else { return false }
                user.assignedLicenses = value ?? []
            case .licenseAssignmentStates:
                guard let value = paths.value(&reader, read: { [date] in Self.assignmentStates(&$0, date: date) }) else { return false }
                user.licenseAssignmentStates = value ?? []
            case .assignedPlans:
                guard let value = rows.value(&reader, read: { [date] in Self.assignedPlans(&$0, date: date) }) else { return false }
                user.assignedPlans = value ?? []
            }
            return true
        }
        guard read, let id, let userPrincipalName else { return nil }
        user.id = id
        user.userPrincipalName = userPrincipalName
        user.displayName = displayName ?? ""
        user.strings = strings
        user.keepUnknown(unknown)
        return user
    }

    /// `{"id": "…"}`: nothing else (a state file writes the id alone).
    private static func managerID(_ reader: inout JSONByteReader) -> String? {
        var id: String?
        let read = reader.members { reader, key in
            guard key == "id", id == nil, let value = reader.string() else { return false }
            id = value
            return true
        }
        return read ? id : nil
    }

    private static func assignmentStates(_ reader: inout JSONByteReader, date: (String) -> Date?) -> [LicenseAssignmentState]? {
        var states: [LicenseAssignmentState] = []
        let read = reader.elements { reader in
            var skuId: String?
            var disabledPlans: [String]?
            var group: String??
            var state: LicenseAssignmentStatus?
            var error: LicenseError?
            var updated: Date?
            let read = reader.members { reader, key in
                switch key {
                case "skuId": return GraphBytes.once(&skuId, &reader) { $0.string() }
                case "disabledPlans": return GraphBytes.once(&disabledPlans, &reader) { $0.strings() }
                case "assignedByGroup" where group == nil:
                    var value: String?
                    guard GraphBytes.optional(&reader, into: &value, { $0.string() }) else { return false }
                    group = .some(value)
                    return true
                case "state": return GraphBytes.once(&state, &reader) { $0.string().flatMap(LicenseAssignmentStatus.init(rawValue:)) }
                case "error": return GraphBytes.once(&error, &reader) { $0.string().flatMap(LicenseError.init(rawValue:)) }
                case "lastUpdatedDateTime": return GraphBytes.once(&updated, &reader) { $0.string().flatMap(date) }
                default: return false
                }
            }
            guard read, let skuId, let disabledPlans, let state, let error, let updated else { return false }
            var path = LicenseAssignmentState(
                skuId: skuId, disabledPlans: [], assignedByGroup: group ?? nil, state: state, error: error, lastUpdatedDateTime: updated)
            path.disabledPlans = disabledPlans
            states.append(path)
            return true
        }
        return read ? states : nil
    }

    private static func assignedPlans(_ reader: inout JSONByteReader, date: (String) -> Date?) -> [AssignedPlan]? {
        var plans: [AssignedPlan] = []
        let read = reader.elements { reader in
            var assigned: Date?
            var status: String?
            var service: String?
            var plan: String?
            let read = reader.members { reader, key in
                switch key {
                case "assignedDateTime": return GraphBytes.once(&assigned, &reader) { $0.string().flatMap(date) }
                case "capabilityStatus": return GraphBytes.once(&status, &reader) { $0.string() }
                case "service": return GraphBytes.once(&service, &reader) { $0.string() }
                case "servicePlanId": return GraphBytes.once(&plan, &reader) { $0.string() }
                default: return false
                }
            }
            guard read, let assigned, let status, let service, let plan else { return false }
            plans.append(AssignedPlan(assignedDateTime: assigned, capabilityStatus: status, service: service, servicePlanId: plan))
            return true
        }
        return read ? plans : nil
    }
}
