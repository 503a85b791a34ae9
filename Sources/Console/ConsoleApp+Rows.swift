import Foundation
import LicenseModel
import TerminalKit

/// What the list panes show, made once per tenant version, pane, filter and sort: the Users
/// pane is built row by row as it is drawn; a filter's or a sort's order, and the shorter
/// lists, are worked out once and kept until one of those changes.
final class RowCache {
    struct Key: Hashable {
        var pane: Pane
        var filter: String
        var sort: SortOrder?
        /// What the pane follows (the selected group), when its rows depend on it.
        var following: String?

        init(pane: Pane, list: ListState, following: String? = nil) {
            self.pane = pane
            filter = list.filter
            sort = list.sort
            self.following = following
        }
    }

    /// Bumped whenever the loaded state may have changed; everything older is dropped.
    var generation = 0 {
        didSet {
            indexLists = [:]
            rowLists = [:]
            errorCount = nil
            searchTexts = nil
            lastTextFilter = nil
        }
    }
    private var indexLists: [Key: [Int]] = [:]
    private var rowLists: [Key: [Row]] = [:]
    private var errorCount: Int?
    /// Each user's row text, lower-cased, made once per tenant version for `/`.
    private var searchTexts: [String]?
    /// The last plain-text filter of the Users pane and its matches: typing one more character
    /// searches only those.
    var lastTextFilter: (filter: String, indices: [Int])?

    func userSearchTexts(_ make: () -> [String]) -> [String] {
        if let searchTexts { return searchTexts }
        let made = make()
        searchTexts = made
        return made
    }

    func indices(_ key: Key, _ make: () -> [Int]) -> [Int] {
        if let cached = indexLists[key] { return cached }
        let made = make()
        // One order per pane is kept (the one on screen), so typing a filter does not pile up
        // a million-entry list per keystroke.
        indexLists = indexLists.filter { $0.key.pane != key.pane }
        indexLists[key] = made
        return made
    }

    func rows(_ key: Key, _ make: () -> [Row]) -> [Row] {
        if let cached = rowLists[key] { return cached }
        let made = make()
        rowLists = rowLists.filter { $0.key.pane != key.pane }
        rowLists[key] = made
        return made
    }

    func usersWithErrors(_ make: () -> Int) -> Int {
        if let errorCount { return errorCount }
        let count = make()
        errorCount = count
        return count
    }
}

extension ConsoleApp {
    func rows(for pane: Pane) -> RowList {
        PaneRegistry.pane(pane).rows(in: self, list: state[pane])
    }

    /// The header's count, kept per tenant version (counting walks every user).
    var usersWithLicenseErrorsCount: Int {
        rowCache.usersWithErrors { tenant.usersWithLicenseErrors.count }
    }
}
