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

    /// Commits a change for a token's admin, with the roles `roles.json` gives that name:
    /// journaled and audited with the admin as the actor, conflict-checked like the CLI.
    func commit(_ change: TenantChange, admin: String) throws -> ChangeEffects {
        let identity = ActorIdentity.actingFor(admin)
        let roles = try StateStore.roles(for: identity, in: store.directory)
        if let roles, !change.isAllowed(for: roles) {
            throw GraphError(status: .forbidden, code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation.")
        }
        let context = ChangeContext(now: Date(), actor: admin, roles: roles)
        do {
            return try store.commit(change, context: context, basedOn: nil, onto: &loaded, identity: identity)
        } catch let error as ModelError {
            throw GraphError.badRequest(error.description)
        } catch let error as StateError {
            if case .conflict = error {
                throw GraphError(status: .conflict, code: "Directory_ConcurrencyViolation", message: "\(error)")
            }
            throw error
        }
    }

    /// Processes what is queued, as Entra does soon after work is queued (the states of the
    /// groups and users move on by themselves). Only the first of several servers or consoles
    /// to get the lock does it.
    func processPending() {
        guard (try? store.refresh(&loaded, waiting: false)) != nil, loaded.tenant.hasRunnableWork else { return }
        // Entra's audit names this service as the actor of group-based licensing's work.
        let service = "Microsoft Azure AD Group-Based Licensing"
        _ = try? store.processIfPending(context: ChangeContext(actor: service), onto: &loaded, identity: .actingFor(service))
    }
}
