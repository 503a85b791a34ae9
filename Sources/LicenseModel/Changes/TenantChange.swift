import Foundation

/// A new user, as an admin or a sync cycle creates it.
public struct UserDraft: Codable, Hashable, Sendable {
    enum CodingKeys: String, CodingKey {
        case id = "id", userPrincipalName = "userPrincipalName", displayName = "displayName", accountEnabled = "accountEnabled"
        case attributes = "attributes", onPremisesSyncEnabled = "onPremisesSyncEnabled"
    }
    public var id: String
    public var userPrincipalName: String
    public var displayName: String
    public var accountEnabled: Bool
    /// Rule property name → value (`department`, `usageLocation`, `extensionAttribute10`, …).
    public var attributes: [String: String]
    public var onPremisesSyncEnabled: Bool?

    public init(
        id: String, userPrincipalName: String, displayName: String, accountEnabled: Bool = true,
        attributes: [String: String] = [:], onPremisesSyncEnabled: Bool? = nil
    ) {
        self.id = id
        self.userPrincipalName = userPrincipalName
        self.displayName = displayName
        self.accountEnabled = accountEnabled
        self.attributes = attributes
        self.onPremisesSyncEnabled = onPremisesSyncEnabled
    }
}

/// Every change an admin (or the directory itself) can make to a tenant. The CLI and the
/// console build these; `Tenant.apply` is the one path that carries them out; the store
/// journals them.
public enum TenantChange: Codable, Hashable, Sendable {
    case addSku(skuId: String, seats: Int, edition: String?)
    case setSeats(skuId: String, seats: Int)
    case createUser(UserDraft)
    /// Property name → new value; nil clears it.
    case setUserAttributes(userID: String, values: [String: String?])
    case removeUser(userID: String)
    /// `uniqueName` is Graph's alternate key of a group (immutable once set): a group made here
    /// for a live tenant has one, so a push can address it before the tenant has given it an id.
    case createGroup(id: String, displayName: String, description: String?, membershipRule: String?, uniqueName: String? = nil)
    case setGroupRule(groupID: String, rule: String)
    /// membershipRuleProcessingState Paused (true) or On (false); a resumed group is evaluated.
    case setGroupPaused(groupID: String, paused: Bool)
    case addGroupMember(groupID: String, userID: String)
    case removeGroupMember(groupID: String, userID: String)
    case deleteGroup(groupID: String)
    case addGroupLicense(groupID: String, skuId: String, disabledPlans: [String])
    case removeGroupLicense(groupID: String, skuId: String)
    case setGroupPlan(groupID: String, skuId: String, planId: String, enabled: Bool)
    /// Graph's group assignLicense with both lists: removal and addition together (R16).
    case replaceGroupLicenses(groupID: String, add: [AssignedLicense], remove: [String])
    case addUserLicense(userID: String, skuId: String, disabledPlans: [String])
    case removeUserLicense(userID: String, skuId: String)
    case reprocessGroup(groupID: String)
    case reprocessUser(userID: String)
    /// Run queued membership and licence work to completion.
    case processPending
    case addOnPremisesUser(OnPremisesUser)
    /// AD attribute → value; nil clears.
    case setOnPremisesUser(samAccountName: String, values: [String: String?])
    case removeOnPremisesUser(samAccountName: String)
    case configureSync(include: [String], exclude: [String], scopes: [String]?)
    /// One Azure AD Connect cycle: delta, or full.
    case runSync(full: Bool)
    /// Fix what `licensedesk doctor` finds, then process.
    case repairConsistency
    /// Merges directory objects read from a real tenant (`licensedesk import`).
    case importDirectory(DirectoryImport)
    /// Adds or replaces on-premises users by sAMAccountName (`licensedesk import onprem`).
    case importOnPremises([OnPremisesUser])
    /// A licence policy: a dynamic group LicenseDesk evaluates itself and applies as direct
    /// licences (`licensedesk reconcile`); never created in the tenant.
    case createPolicy(id: String, displayName: String, description: String?, membershipRule: String)
    /// What reconcile manages (nil: nothing).
    case setManagedScope(ManagedScope?)
    /// A reconcile run's plan, before anything is sent.
    case reconcilePlanned(ReconcileRun)
    /// What the tenant said to a run's calls.
    case reconcileFinished(ReconcileOutcome)

    // MARK: - The journal's schema
    // Spelled out, not left to the compiler: these strings are what every journal on disk
    // holds (`Tests/TrustTests/Fixtures/journal-format-2.jsonl` pins them). Renaming a case or a
    // label in Swift keeps them; changing one here is a format change.

    enum CodingKeys: String, CodingKey, CaseIterable {
        case addSku = "addSku", setSeats = "setSeats", createUser = "createUser", setUserAttributes = "setUserAttributes"
        case removeUser = "removeUser", createGroup = "createGroup", setGroupRule = "setGroupRule"
        case setGroupPaused = "setGroupPaused", addGroupMember = "addGroupMember", removeGroupMember = "removeGroupMember"
        case deleteGroup = "deleteGroup", addGroupLicense = "addGroupLicense", removeGroupLicense = "removeGroupLicense"
        case setGroupPlan = "setGroupPlan", replaceGroupLicenses = "replaceGroupLicenses", addUserLicense = "addUserLicense"
        case removeUserLicense = "removeUserLicense", reprocessGroup = "reprocessGroup", reprocessUser = "reprocessUser"
        case processPending = "processPending", addOnPremisesUser = "addOnPremisesUser", setOnPremisesUser = "setOnPremisesUser"
        case removeOnPremisesUser = "removeOnPremisesUser", configureSync = "configureSync", runSync = "runSync"
        case repairConsistency = "repairConsistency", importDirectory = "importDirectory", importOnPremises = "importOnPremises"
        case createPolicy = "createPolicy", setManagedScope = "setManagedScope", reconcilePlanned = "reconcilePlanned"
        case reconcileFinished = "reconcileFinished"
    }
    enum AddSkuCodingKeys: String, CodingKey { case skuId = "skuId", seats = "seats", edition = "edition" }
    enum SetSeatsCodingKeys: String, CodingKey { case skuId = "skuId", seats = "seats" }
    enum CreateUserCodingKeys: String, CodingKey { case _0 = "_0" }
    enum SetUserAttributesCodingKeys: String, CodingKey { case userID = "userID", values = "values" }
    enum RemoveUserCodingKeys: String, CodingKey { case userID = "userID" }
    enum CreateGroupCodingKeys: String, CodingKey {
        case id = "id", displayName = "displayName", description = "description", membershipRule = "membershipRule"
        case uniqueName = "uniqueName"
    }
    enum SetGroupRuleCodingKeys: String, CodingKey { case groupID = "groupID", rule = "rule" }
    enum SetGroupPausedCodingKeys: String, CodingKey { case groupID = "groupID", paused = "paused" }
    enum AddGroupMemberCodingKeys: String, CodingKey { case groupID = "groupID", userID = "userID" }
    enum RemoveGroupMemberCodingKeys: String, CodingKey { case groupID = "groupID", userID = "userID" }
    enum DeleteGroupCodingKeys: String, CodingKey { case groupID = "groupID" }
    enum AddGroupLicenseCodingKeys: String, CodingKey { case groupID = "groupID", skuId = "skuId", disabledPlans = "disabledPlans" }
    enum RemoveGroupLicenseCodingKeys: String, CodingKey { case groupID = "groupID", skuId = "skuId" }
    enum SetGroupPlanCodingKeys: String, CodingKey {
        case groupID = "groupID", skuId = "skuId", planId = "planId", enabled = "enabled"
    }
    enum ReplaceGroupLicensesCodingKeys: String, CodingKey { case groupID = "groupID", add = "add", remove = "remove" }
    enum AddUserLicenseCodingKeys: String, CodingKey { case userID = "userID", skuId = "skuId", disabledPlans = "disabledPlans" }
    enum RemoveUserLicenseCodingKeys: String, CodingKey { case userID = "userID", skuId = "skuId" }
    enum ReprocessGroupCodingKeys: String, CodingKey { case groupID = "groupID" }
    enum ReprocessUserCodingKeys: String, CodingKey { case userID = "userID" }
    enum AddOnPremisesUserCodingKeys: String, CodingKey { case _0 = "_0" }
    enum SetOnPremisesUserCodingKeys: String, CodingKey { case samAccountName = "samAccountName", values = "values" }
    enum RemoveOnPremisesUserCodingKeys: String, CodingKey { case samAccountName = "samAccountName" }
    enum ConfigureSyncCodingKeys: String, CodingKey { case include = "include", exclude = "exclude", scopes = "scopes" }
    enum RunSyncCodingKeys: String, CodingKey { case full = "full" }
    enum ImportDirectoryCodingKeys: String, CodingKey { case _0 = "_0" }
    enum ImportOnPremisesCodingKeys: String, CodingKey { case _0 = "_0" }
    enum CreatePolicyCodingKeys: String, CodingKey {
        case id = "id", displayName = "displayName", description = "description", membershipRule = "membershipRule"
    }
    enum SetManagedScopeCodingKeys: String, CodingKey { case _0 = "_0" }
    enum ReconcilePlannedCodingKeys: String, CodingKey { case _0 = "_0" }
    enum ReconcileFinishedCodingKeys: String, CodingKey { case _0 = "_0" }

    /// Every case's key, for the format fixture's check that it covers them all.
    public static var journalCaseNames: [String] { CodingKeys.allCases.map(\.rawValue) }

    /// Audit vocabulary name of the change (`specs/licensing.md` §1.3 where it has one).
    public var activity: String {
        switch self {
        case .addSku, .setSeats: "Update subscription"
        case .createUser: "Add user"
        case .setUserAttributes: "Update user"
        case .removeUser: "Delete user"
        case .createGroup: "Add group"
        case .setGroupRule, .setGroupPaused: "Update group"
        case .addGroupMember: "Add member to group"
        case .removeGroupMember: "Remove member from group"
        case .deleteGroup: "Delete group"
        case .addGroupLicense, .removeGroupLicense, .setGroupPlan, .replaceGroupLicenses: "Set group license"
        case .addUserLicense, .removeUserLicense: "Change user license"
        case .reprocessGroup: "Reprocess group license"
        case .reprocessUser: "Reprocess user license"
        case .processPending: "Process pending work"
        case .repairConsistency: "Repair state"
        case .importDirectory: "Import directory objects"
        case .importOnPremises: "Import on-premises users"
        case .addOnPremisesUser: "Add on-premises user"
        case .setOnPremisesUser: "Update on-premises user"
        case .removeOnPremisesUser: "Delete on-premises user"
        case .configureSync: "Update sync configuration"
        case .runSync: "Run sync cycle"
        case .createPolicy: "Add licence policy"
        case .setManagedScope: "Update licence automation scope"
        case .reconcilePlanned: "Reconcile licences"
        case .reconcileFinished: "Reconcile licences outcome"
        }
    }
}

/// When and by whom a change is made; replaying a journal gives the same tenant.
public struct ChangeContext: Codable, Hashable, Sendable {
    public var now: Date
    public var actor: String
    /// Groups whose rule ran out of time in this run, with why: journaled, so a replay marks
    /// them failed again instead of timing them anew (a clock is not deterministic).
    public var timedOutGroups: [String: String]?
    /// Set when the journal is replayed (not journaled): the run happened before, so its
    /// recorded time-outs stand and nothing else is timed.
    public var isReplay = false
    enum CodingKeys: String, CodingKey { case now = "now", actor = "actor", roles = "roles", timedOutGroups = "timedOutGroups" }
    /// The acting admin's roles; nil when roles are not enforced (no roles file, or a replay of
    /// changes that were checked when first made).
    public var roles: Set<DirectoryRole>?
    public init(now: Date = Date(), actor: String = "unknown", roles: Set<DirectoryRole>? = nil) {
        self.now = now
        self.actor = actor
        self.roles = roles
    }
}

/// An audit record in Entra's vocabulary.
public struct AuditEvent: Codable, Hashable, Sendable {
    enum CodingKeys: String, CodingKey {
        case activity = "activity", target = "target", detail = "detail", result = "result", actor = "actor", time = "time"
    }
    public var activity: String
    public var target: String
    public var detail: String
    public var result: String
    public var actor: String
    public var time: Date

    public init(activity: String, target: String, detail: String, result: String = "success", actor: String, time: Date) {
        self.activity = activity
        self.target = target
        self.detail = detail
        self.result = result
        self.actor = actor
        self.time = time
    }
}

/// What applying a change did.
public struct ChangeEffects: Sendable, Equatable {
    public var events: [AuditEvent] = []
    /// Groups whose rule ran out of time, with why (`ChangeContext.timedOutGroups`).
    public var timedOutGroups: [String: String] = [:]
    /// One-line human summaries ("2 members joined E3 All").
    public var notes: [String] = []
    public init() {}
}
