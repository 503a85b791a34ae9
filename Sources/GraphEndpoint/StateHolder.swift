import Foundation
import LicenseModel
import LicenseStore

/// The tenant as the endpoint serves it: the state loaded once, brought up to date (only the
/// journal lines that are new) before each request, so another admin's change — a console, the
/// command line — shows on the next call.
actor StateHolder {
    let store: StateStore
    private var loaded: LoadedState

    init(store: StateStore) throws {
        self.store = store
        loaded = try store.load()
    }

    /// The current state.
    func current() throws -> LoadedState {
        _ = try store.refresh(&loaded, waiting: false)
        return loaded
    }
}
