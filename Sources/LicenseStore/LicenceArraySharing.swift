import Foundation
import LicenseModel

/// Users read from JSON each get their own copy of their licence arrays: at a million users
/// that is ten gigabytes of plan rows, nearly all alike (a group licence gives thousands of
/// users the same paths and rows, stamped at the same moment). This makes users licensed alike
/// share one copy again, as a load from the snapshot cache does (`SharedLicenceArrays`).
///
/// Used by the decoding workers: each numbers its slice's distinct arrays on its own (hashing
/// every user's arrays once, in parallel), then exchanges just those few for the copies every
/// slice shares, under the lock.
final class LicenceArraySharing: @unchecked Sendable {
    private var licenses: [[AssignedLicense]: [AssignedLicense]] = [:]
    private var paths: [[LicenseAssignmentState]: [LicenseAssignmentState]] = [:]
    private var rows: [[AssignedPlan]: [AssignedPlan]] = [:]
    private let lock = NSLock()

    /// Gives the slice's users the shared copies of their arrays (values unchanged).
    func share(_ users: inout [User]) {
        var slice = SharedLicenceArrays()
        var numbers: [(licenses: UInt32, paths: UInt32, rows: UInt32)] = []
        numbers.reserveCapacity(users.count)
        for user in users {
            numbers.append(
                (slice.number(of: user.assignedLicenses), slice.number(of: user.licenseAssignmentStates), slice.number(of: user.assignedPlans)))
        }
        lock.lock()
        let shared = (
            licenses: slice.licenses.map { Self.canonical($0, in: &licenses) },
            paths: slice.paths.map { Self.canonical($0, in: &paths) },
            rows: slice.rows.map { Self.canonical($0, in: &rows) }
        )
        lock.unlock()
        for index in users.indices {
            users[index].assignedLicenses = shared.licenses[Int(numbers[index].licenses)]
            users[index].licenseAssignmentStates = shared.paths[Int(numbers[index].paths)]
            users[index].assignedPlans = shared.rows[Int(numbers[index].rows)]
        }
    }

    private static func canonical<T: Hashable>(_ value: [T], in table: inout [[T]: [T]]) -> [T] {
        if let known = table[value] { return known }
        table[value] = value
        return value
    }
}
