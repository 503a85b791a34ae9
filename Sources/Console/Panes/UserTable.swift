import Foundation
import LicenseModel
import TerminalKit

/// The table both user lists share (Users, a group's Members): name, UPN, licences, error
/// marker. The UPN gives way first, so at 80×24 a user's licences and error marker stay.
enum UserTable {
    static let columns = [
        Column("Name", flexible: true, minimumWidth: 8),
        Column("UPN", flexible: true, dropOrder: 2, minimumWidth: 12),
        Column("Licences", flexible: true, minimumWidth: 6),
        Column("Err"),
    ]

    static func row(_ user: User, tenant: Tenant, glyphs: Glyphs) -> Row {
        let licences = user.assignedLicenses.map { tenant.sku(id: $0.skuId)?.skuPartNumber ?? $0.skuId }.joined(separator: ",")
        return Row(
            cells: [user.displayName, user.userPrincipalName, licences.isEmpty ? "-" : licences, user.hasLicenseErrors ? glyphs.error : ""],
            style: user.hasLicenseErrors ? .error : .text, target: .user(user.id))
    }

    /// What a column sorts users by.
    static func key(_ user: User, column: Int, tenant: Tenant) -> String {
        switch column {
        case 0: user.displayName.lowercased()
        case 1: user.userPrincipalName.lowercased()
        case 2: user.assignedLicenses.map { tenant.sku(id: $0.skuId)?.skuPartNumber ?? $0.skuId }.joined(separator: ",")
        default: user.hasLicenseErrors ? "0" : "1"
        }
    }

    /// `indices` (into `tenant.users`) filtered by `filter` and sorted by `sort`. A filter that
    /// begins with `=` is a membership rule, evaluated by the model; the rest match the row text.
    /// `searchTexts`: every user's row text, lower-cased, by index (made once per tenant
    /// version); empty to make each as needed.
    static func indices(_ indices: [Int]?, tenant: Tenant, glyphs: Glyphs, list: ListState, searchTexts: [String]? = nil) -> [Int] {
        let users = tenant.users
        var result: [Int]
        if list.filter.hasPrefix("="), let rule = RuleFilter.compile(list.filter) {
            let matching = Set(tenant.userIndices(matching: rule))
            result = (indices ?? Array(users.indices)).filter { matching.contains($0) }
        } else if list.filter.hasPrefix("=") {
            result = []
        } else if list.filter.isEmpty {
            result = indices ?? Array(users.indices)
        } else {
            result = TextSearch.matching(list.filter.lowercased(), in: indices ?? Array(users.indices), texts: searchTexts ?? []) { index in
                row(users[index], tenant: tenant, glyphs: glyphs).text.lowercased()
            }
        }
        if let sort = list.sort {
            let keys = result.map { key(users[$0], column: sort.column, tenant: tenant) }
            // Ties keep tenant order, so a sort is stable from one refresh to the next.
            var order = Array(keys.indices)
            order.sort { keys[$0] != keys[$1] ? (keys[$0] < keys[$1]) != sort.descending : $0 < $1 }
            result = order.map { result[$0] }
        }
        return result
    }
}

/// `/` over many rows: on both cores, each row's text made (or taken) once. Each worker writes
/// only its own slot; the inputs are immutable values.
enum TextSearch {
    /// `make(0..<count)`, on every core.
    static func texts(count: Int, make: @escaping @Sendable (Int) -> String) -> [String] {
        let chunks = max(1, min(8, count / 20_000))
        let size = (count + chunks - 1) / chunks
        let slots = Slots<[String]>(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            slots.store((chunk * size..<min(count, (chunk + 1) * size)).map(make), at: chunk)
        }
        return slots.joined()
    }

    static func matching(_ folded: String, in indices: [Int], texts: [String], make: @escaping @Sendable (Int) -> String) -> [Int] {
        let chunks = max(1, min(8, indices.count / 20_000))
        let size = (indices.count + chunks - 1) / chunks
        let slots = Slots<[Int]>(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var found: [Int] = []
            for position in chunk * size..<min(indices.count, (chunk + 1) * size) {
                let index = indices[position]
                let text = index < texts.count ? texts[index] : make(index)
                if text.contains(folded) { found.append(index) }
            }
            slots.store(found, at: chunk)
        }
        return slots.joined()
    }

    /// One result per worker, written under a lock (each slot once).
    final class Slots<Element: RangeReplaceableCollection>: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [Element]
        init(count: Int) { slots = Array(repeating: Element(), count: count) }
        func store(_ value: Element, at index: Int) { lock.withLock { slots[index] = value } }
        func joined() -> Element { lock.withLock { slots.reduce(into: Element()) { $0.append(contentsOf: $1) } } }
    }
}
