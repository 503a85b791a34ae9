import Foundation
import LicenseModel

/// A user's licence arrays (assignedLicenses, licenseAssignmentStates, assignedPlans), each
/// written once per distinct value and referred to by number: users licensed alike hold equal
/// arrays (forty-odd plan rows each), and come back sharing one copy of each, as they do when
/// processing made them.
struct SharedLicenceArrays {
    private(set) var licenses: [[AssignedLicense]] = []
    private(set) var paths: [[LicenseAssignmentState]] = []
    private(set) var rows: [[AssignedPlan]] = []
    private var licenseNumbers: [[AssignedLicense]: UInt32] = [:]
    private var pathNumbers: [[LicenseAssignmentState]: UInt32] = [:]
    private var rowNumbers: [[AssignedPlan]: UInt32] = [:]

    mutating func number(of value: [AssignedLicense]) -> UInt32 { Self.number(value, &licenses, &licenseNumbers) }
    mutating func number(of value: [LicenseAssignmentState]) -> UInt32 { Self.number(value, &paths, &pathNumbers) }
    mutating func number(of value: [AssignedPlan]) -> UInt32 { Self.number(value, &rows, &rowNumbers) }

    private static func number<T: Hashable>(_ value: [T], _ list: inout [[T]], _ numbers: inout [[T]: UInt32]) -> UInt32 {
        if let number = numbers[value] { return number }
        let number = UInt32(list.count)
        numbers[value] = number
        list.append(value)
        return number
    }

    /// Writes the three tables (their strings go into the writer's string table).
    func write(to writer: inout BinaryWriter) {
        writer.count(licenses.count)
        for value in licenses { CachedRecords.write(value, to: &writer) }
        writer.count(paths.count)
        for value in paths { CachedRecords.write(value, to: &writer) }
        writer.count(rows.count)
        for value in rows { CachedRecords.write(value, to: &writer) }
    }

    struct Tables: Sendable {
        var licenses: [[AssignedLicense]] = []
        var paths: [[LicenseAssignmentState]] = []
        var rows: [[AssignedPlan]] = []
    }

    static func read(_ reader: inout BinaryReader) throws(CacheProblem) -> Tables {
        var tables = Tables()
        for _ in 0..<(try reader.count()) { tables.licenses.append(try CachedRecords.readLicenses(&reader)) }
        for _ in 0..<(try reader.count()) { tables.paths.append(try CachedRecords.readPaths(&reader)) }
        for _ in 0..<(try reader.count()) { tables.rows.append(try CachedRecords.readRows(&reader)) }
        return tables
    }
}

/// Users and groups as snapshot-cache records: every field, in a fixed order. A field added to
/// `User` or `Group` must be added here too; `SnapshotCacheTests` compares a cached load with a
/// JSON load of the same state, field by field through `==`, to catch one that is not.
enum CachedRecords {
    static func write(_ user: User, to writer: inout BinaryWriter, arrays: inout SharedLicenceArrays) throws(CacheProblem) {
        writer.string(user.id)
        writer.string(user.userPrincipalName)
        writer.string(user.displayName)
        writer.optionalBool(user.accountEnabled)
        writer.optionalBool(user.onPremisesSyncEnabled)
        writer.optionalString(user.onPremisesImmutableId)
        writer.optionalString(user.onPremisesSamAccountName)
        let strings = user.strings.all
        writer.count(strings.count)
        for (slot, value) in strings {
            writer.u8(UInt8(slot))
            writer.string(value)
        }
        writer.strings(user.otherMails)
        writer.strings(user.proxyAddresses)
        writer.optionalDate(user.employeeHireDate)
        writer.optionalString(user.manager)
        let extensions = user.customExtensions.sorted { $0.key < $1.key }
        writer.count(extensions.count)
        for (name, value) in extensions {
            writer.string(name)
            writer.string(value)
        }
        writer.u32(arrays.number(of: user.assignedLicenses))
        writer.u32(arrays.number(of: user.licenseAssignmentStates))
        writer.u32(arrays.number(of: user.assignedPlans))
        try writeExtra(user.extra, to: &writer)
    }

    static func readUser(_ reader: inout BinaryReader, arrays: SharedLicenceArrays.Tables) throws(CacheProblem) -> User {
        var user = User(id: try reader.string(), userPrincipalName: try reader.string(), displayName: try reader.string())
        user.accountEnabled = try reader.optionalBool()
        user.onPremisesSyncEnabled = try reader.optionalBool()
        user.onPremisesImmutableId = try reader.optionalString()
        user.onPremisesSamAccountName = try reader.optionalString()
        var strings = UserStrings()
        for _ in 0..<(try reader.count()) {
            let slot = Int(try reader.u8())
            strings[slot] = try reader.string()
        }
        user.strings = strings
        user.otherMails = try reader.strings()
        user.proxyAddresses = try reader.strings()
        user.employeeHireDate = try reader.optionalDate()
        user.manager = try reader.optionalString()
        for _ in 0..<(try reader.count()) {
            let name = try reader.string()
            user.customExtensions[name] = try reader.string()
        }
        let licenses = Int(try reader.u32()), paths = Int(try reader.u32()), rows = Int(try reader.u32())
        guard licenses < arrays.licenses.count, paths < arrays.paths.count, rows < arrays.rows.count else {
            throw CacheProblem(reason: "licence array not in the table")
        }
        user.assignedLicenses = arrays.licenses[licenses]
        user.licenseAssignmentStates = arrays.paths[paths]
        user.assignedPlans = arrays.rows[rows]
        user.extra = try readExtra(&reader)
        return user
    }

    static func write(_ group: Group, to writer: inout BinaryWriter) throws(CacheProblem) {
        writer.string(group.id)
        writer.string(group.displayName)
        writer.optionalString(group.description)
        writer.optionalBool(group.securityEnabled)
        writer.optionalBool(group.mailEnabled)
        writer.strings(group.groupTypes)
        writer.optionalString(group.membershipRule)
        writer.optionalString(group.membershipRuleProcessingState)
        writer.optionalString(group.membershipProcessingStatus?.rawValue)
        writer.optionalString(group.membershipProcessingError)
        writer.optionalDate(group.lastMembershipUpdated)
        write(group.assignedLicenses, to: &writer)
        writer.optionalString(group.licenseProcessingState?.rawValue)
        writer.strings(group.members)
        try writeExtra(group.extra, to: &writer)
    }

    /// A group, and each member's user index (`userOfString`: the user whose id is each
    /// table string, -1 for none).
    static func readGroup(_ reader: inout BinaryReader, userOfString: [Int32]) throws(CacheProblem) -> (Group, memberUsers: [Int]) {
        var group = Group(id: try reader.string(), displayName: try reader.string())
        group.description = try reader.optionalString()
        guard let security = try reader.optionalBool(), let mail = try reader.optionalBool() else {
            throw CacheProblem(reason: "bad group flags")
        }
        group.securityEnabled = security
        group.mailEnabled = mail
        group.groupTypes = try reader.strings()
        group.membershipRule = try reader.optionalString()
        group.membershipRuleProcessingState = try reader.optionalString()
        if let status = try reader.optionalString() {
            guard let value = MembershipProcessingStatus(rawValue: status) else { throw CacheProblem(reason: "bad status") }
            group.membershipProcessingStatus = value
        }
        group.membershipProcessingError = try reader.optionalString()
        group.lastMembershipUpdated = try reader.optionalDate()
        group.assignedLicenses = try readLicenses(&reader)
        if let state = try reader.optionalString() {
            guard let value = LicenseProcessingState(rawValue: state) else { throw CacheProblem(reason: "bad state") }
            group.licenseProcessingState = value
        }
        let (members, memberUsers) = try reader.strings(numbered: userOfString)
        group.members = members
        group.extra = try readExtra(&reader)
        return (group, memberUsers)
    }

    static func write(_ licenses: [AssignedLicense], to writer: inout BinaryWriter) {
        writer.count(licenses.count)
        for license in licenses {
            writer.string(license.skuId)
            writer.strings(license.disabledPlans)
        }
    }

    static func readLicenses(_ reader: inout BinaryReader) throws(CacheProblem) -> [AssignedLicense] {
        try reader.list { reader throws(CacheProblem) in AssignedLicense(skuId: try reader.string(), disabledPlans: try reader.strings()) }
    }

    static func write(_ paths: [LicenseAssignmentState], to writer: inout BinaryWriter) {
        writer.count(paths.count)
        for path in paths {
            writer.string(path.skuId)
            writer.strings(path.disabledPlans)
            writer.optionalString(path.assignedByGroup)
            writer.u8(UInt8(LicenseAssignmentStatus.allCases.firstIndex(of: path.state)!))
            writer.u8(UInt8(LicenseError.allCases.firstIndex(of: path.error)!))
            writer.date(path.lastUpdatedDateTime)
        }
    }

    static func readPaths(_ reader: inout BinaryReader) throws(CacheProblem) -> [LicenseAssignmentState] {
        try reader.list { reader throws(CacheProblem) in
            let skuId = try reader.string()
            let disabled = try reader.strings()
            let group = try reader.optionalString()
            let state = Int(try reader.u8())
            let error = Int(try reader.u8())
            guard state < LicenseAssignmentStatus.allCases.count, error < LicenseError.allCases.count else {
                throw CacheProblem(reason: "bad path state")
            }
            return LicenseAssignmentState(
                skuId: skuId, disabledPlans: disabled, assignedByGroup: group, state: LicenseAssignmentStatus.allCases[state],
                error: LicenseError.allCases[error], lastUpdatedDateTime: try reader.date())
        }
    }

    static func write(_ rows: [AssignedPlan], to writer: inout BinaryWriter) {
        writer.count(rows.count)
        for row in rows {
            writer.date(row.assignedDateTime)
            writer.string(row.capabilityStatus)
            writer.string(row.service)
            writer.string(row.servicePlanId)
        }
    }

    static func readRows(_ reader: inout BinaryReader) throws(CacheProblem) -> [AssignedPlan] {
        try reader.list { reader throws(CacheProblem) in
            let date = try reader.date()
            return AssignedPlan(
                assignedDateTime: date, capabilityStatus: try reader.string(), service: try reader.string(),
                servicePlanId: try reader.string())
        }
    }

    /// Fields LicenseDesk does not model are rare: kept as their JSON text.
    static func writeExtra(_ extra: [String: JSONValue], to writer: inout BinaryWriter) throws(CacheProblem) {
        guard !extra.isEmpty else { return writer.optionalString(nil) }
        guard let data = try? StateJSON.line(extra) else { throw CacheProblem(reason: "unknown fields do not encode") }
        writer.optionalString(String(decoding: data, as: UTF8.self))
    }

    static func readExtra(_ reader: inout BinaryReader) throws(CacheProblem) -> [String: JSONValue] {
        guard let text = try reader.optionalString() else { return [:] }
        guard let extra = try? JSONLimits.decoder().decode([String: JSONValue].self, from: Data(text.utf8)) else {
            throw CacheProblem(reason: "bad extra fields")
        }
        return extra
    }
}
