import Foundation

/// What `licensedesk reconcile` may touch: the SKUs it manages and, optionally, the users (by
/// a membership rule). A licence of another SKU, or a user outside the rule, is never added,
/// changed or removed.
public struct ManagedScope: Codable, Hashable, Sendable {
    enum CodingKeys: String, CodingKey { case skuIds = "skuIds", userRule = "userRule", usageLocations = "usageLocations" }
    /// Managed SKUs by skuId (lowercased).
    public var skuIds: [String]
    /// Only users this rule matches are managed; nil: every user.
    public var userRule: String?
    /// Where a managed user without a usage location gets one: the first rule that matches,
    /// else the organisation's country.
    public var usageLocations: [UsageLocationRule]

    public init(skuIds: [String], userRule: String? = nil, usageLocations: [UsageLocationRule] = []) {
        self.skuIds = skuIds.map { $0.lowercased() }
        self.userRule = userRule
        self.usageLocations = usageLocations
    }
}

/// "Users this rule matches get this usage location (ISO 3166 alpha-2)."
public struct UsageLocationRule: Codable, Hashable, Sendable {
    enum CodingKeys: String, CodingKey { case rule = "rule", location = "location" }
    public var rule: String
    public var location: String
    public init(rule: String, location: String) {
        self.rule = rule
        self.location = location.uppercased()
    }
}

/// LicenseDesk's own bookkeeping of the licences it manages, kept in the state's desk file
/// (`licensedesk.json`, key `reconciliation`) and changed only by the reconcile changes.
public struct LicenceAutomation: Codable, Hashable, Sendable {
    enum CodingKeys: String, CodingKey { case scope = "scope", owned = "owned", failures = "failures", runs = "runs" }
    public internal(set) var scope: ManagedScope?
    /// The direct licences LicenseDesk assigned or adopted: user id → skuId → the policies
    /// that gave it when it was assigned (empty for one adopted that no policy gave). Only
    /// these are ever removed: a direct licence that was there before management is not
    /// LicenseDesk's to take away unless the admin adopts it.
    public internal(set) var owned: [String: [String: [String]]] = [:]
    /// What the tenant refused for each user in the last run that sent them a call: shown, and
    /// the call is planned again on the next run.
    public internal(set) var failures: [String: ReconcileFailure] = [:]
    /// The latest runs, oldest first (at most `keptRuns`).
    public internal(set) var runs: [ReconcileRunSummary] = []

    public static let keptRuns = 20

    public init() {}

    public var isEmpty: Bool { scope == nil && owned.isEmpty && failures.isEmpty && runs.isEmpty }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        scope = try c.decodeIfPresent(ManagedScope.self, forKey: .scope)
        owned = try c.decodeIfPresent([String: [String: [String]]].self, forKey: .owned) ?? [:]
        failures = try c.decodeIfPresent([String: ReconcileFailure].self, forKey: .failures) ?? [:]
        runs = try c.decodeIfPresent([ReconcileRunSummary].self, forKey: .runs) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(scope, forKey: .scope)
        try c.encode(owned, forKey: .owned)
        try c.encode(failures, forKey: .failures)
        try c.encode(runs, forKey: .runs)
    }

    /// Whether LicenseDesk manages the user's direct licence of the SKU.
    public func owns(_ userID: String, _ skuId: String) -> Bool { owned[userID]?[skuId] != nil }
}

/// A call the tenant refused, kept until a later run's call for the user succeeds.
public struct ReconcileFailure: Codable, Hashable, Sendable {
    enum CodingKeys: String, CodingKey { case run = "run", code = "code", message = "message", at = "at" }
    public var run: String
    public var code: String
    public var message: String
    public var at: Date
    public init(run: String, code: String, message: String, at: Date) {
        self.run = run
        self.code = code
        self.message = message
        self.at = at
    }
}

/// One run as the console and `reconcile history` list it.
public struct ReconcileRunSummary: Codable, Hashable, Sendable {
    public enum Status: String, Codable, Sendable {
        /// Planned and being sent (or cut off while sending: a later run re-plans from the tenant).
        case sending = "sending"
        case applied = "applied"
        /// Some calls refused or not sent.
        case partial = "partial"
        /// The circuit breaker refused the run: nothing was sent.
        case refused = "refused"
    }
    enum CodingKeys: String, CodingKey {
        case id = "id", actor = "actor", started = "started", finished = "finished", status = "status", calls = "calls"
        case added = "added", removed = "removed", changed = "changed", done = "done", refusedCalls = "refusedCalls"
        case countViolations = "countViolations", held = "held", notAdopted = "notAdopted", reason = "reason"
    }
    public var id: String
    public var actor: String
    public var started: Date
    public var finished: Date?
    public var status: Status
    /// assignLicense calls planned.
    public var calls: Int
    /// Licences added, removed, and changed (disabled plans rewritten) by the plan.
    public var added: Int
    public var removed: Int
    public var changed: Int
    /// Calls done and refused by the tenant.
    public var done: Int
    public var refusedCalls: Int
    public var countViolations: Int
    /// Users waiting for directory sync, and licences left alone because not adopted.
    public var held: Int
    public var notAdopted: Int
    /// Why the run was refused (the circuit breaker's words).
    public var reason: String?
}

/// One managed user's `assignLicense` in a run's plan.
public struct ReconcileCall: Codable, Hashable, Sendable {
    enum CodingKeys: String, CodingKey {
        case userID = "userID", upn = "upn", usageLocation = "usageLocation", add = "add", remove = "remove", givenBy = "givenBy"
        case newSkus = "newSkus", phase = "phase"
    }
    public var userID: String
    public var upn: String
    /// Set first, when the user has none (licences need one).
    public var usageLocation: String?
    /// Each added or changed SKU with its disabled plans, written whole.
    public var add: [AssignedLicense]
    /// SKUs removed.
    public var remove: [String]
    /// skuId → the policies that give it.
    public var givenBy: [String: [String]]
    /// The SKUs in `add` the user does not hold yet (each takes a seat); the others only
    /// change disabled plans.
    public var newSkus: [String]
    /// Calls of a phase go out only after every call of the phases before has been answered:
    /// a call whose seat is freed by another call's removal comes a phase after it (`$batch`
    /// runs the requests of one batch in any order).
    public var phase: Int

    public init(
        userID: String, upn: String, usageLocation: String? = nil, add: [AssignedLicense], remove: [String], givenBy: [String: [String]] = [:],
        newSkus: [String] = [], phase: Int = 0
    ) {
        self.phase = phase
        self.userID = userID
        self.upn = upn
        self.usageLocation = usageLocation
        self.add = add
        self.remove = remove
        self.givenBy = givenBy
        self.newSkus = newSkus
    }
}

/// A user (and SKU) a run leaves alone, with why: waiting for sync, not adopted, no seat.
public struct ReconcileHold: Codable, Hashable, Sendable {
    enum CodingKeys: String, CodingKey { case userID = "userID", upn = "upn", skuId = "skuId", reason = "reason" }
    public var userID: String
    public var upn: String
    public var skuId: String?
    public var reason: String
    public init(userID: String, upn: String, skuId: String? = nil, reason: String) {
        self.userID = userID
        self.upn = upn
        self.skuId = skuId
        self.reason = reason
    }
}

/// A run's plan as journaled before anything is sent (`TenantChange.reconcilePlanned`): what
/// it claims is on record even if the run is killed while sending.
public struct ReconcileRun: Codable, Hashable, Sendable {
    enum CodingKeys: String, CodingKey {
        case id = "id", calls = "calls", adopted = "adopted", forgotten = "forgotten", held = "held", notAdopted = "notAdopted"
        case countViolations = "countViolations", refusedBecause = "refusedBecause"
    }
    public var id: String
    public var calls: [ReconcileCall]
    /// Direct licences from before management taken under it (`--adopt`).
    public var adopted: [ReconcileHold]
    /// Licences LicenseDesk had assigned that are gone from the tenant and no policy gives:
    /// dropped from the bookkeeping.
    public var forgotten: [ReconcileHold]
    public var held: [ReconcileHold]
    public var notAdopted: [ReconcileHold]
    public var countViolations: [ReconcileHold]
    /// Set when the circuit breaker refused the run: nothing is claimed or sent.
    public var refusedBecause: String?

    public init(
        id: String, calls: [ReconcileCall] = [], adopted: [ReconcileHold] = [], forgotten: [ReconcileHold] = [], held: [ReconcileHold] = [],
        notAdopted: [ReconcileHold] = [], countViolations: [ReconcileHold] = [], refusedBecause: String? = nil
    ) {
        self.id = id
        self.calls = calls
        self.adopted = adopted
        self.forgotten = forgotten
        self.held = held
        self.notAdopted = notAdopted
        self.countViolations = countViolations
        self.refusedBecause = refusedBecause
    }

    public var added: Int { calls.reduce(0) { $0 + $1.newSkus.count } }
    public var removed: Int { calls.reduce(0) { $0 + $1.remove.count } }
    public var changed: Int { calls.reduce(0) { $0 + $1.add.count - $1.newSkus.count } }
}

/// What the tenant said to each call of a run (`TenantChange.reconcileFinished`).
public struct ReconcileOutcome: Codable, Hashable, Sendable {
    public enum State: String, Codable, Sendable {
        case done = "done", refused = "refused", notSent = "notSent"
    }
    public struct Result: Codable, Hashable, Sendable {
        enum CodingKeys: String, CodingKey { case call = "call", state = "state", code = "code", message = "message" }
        /// The call as planned: a replay of the journal applies a done one from here.
        public var call: ReconcileCall
        public var state: State
        public var code: String?
        public var message: String?
        public var userID: String { call.userID }
        public init(call: ReconcileCall, state: State, code: String? = nil, message: String? = nil) {
            self.call = call
            self.state = state
            self.code = code
            self.message = message
        }
    }
    enum CodingKeys: String, CodingKey { case run = "run", results = "results" }
    public var run: String
    public var results: [Result]
    public init(run: String, results: [Result]) {
        self.run = run
        self.results = results
    }
}
