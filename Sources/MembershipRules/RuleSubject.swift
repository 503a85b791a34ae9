import Foundation

/// What a rule can read from a user. The model's `User` conforms; tests use `RuleUserRecord`.
///
/// Values are handed over already case-folded (`RuleText.fold`), so a rule evaluated over a
/// million users folds each value once, when it is stored, not once per rule.
public protocol RuleSubject {
    /// The folded value of a string slot (`StringSlot`); nil when unset.
    func foldedString(slot: Int) -> String?
    /// The value as written, for explanations.
    func originalString(slot: Int) -> String?
    /// The folded value of an `extension_<hex>_<name>` property.
    func foldedCustomExtension(named name: String) -> String?
    func boolean(_ property: RuleBooleanProperty) -> Bool?
    var employeeHireDate: Date? { get }
    /// Folded elements of otherMails or proxyAddresses.
    func foldedStrings(_ collection: RuleCollectionProperty) -> [String]
    var rulePlans: [RuleAssignedPlan] { get }
    /// Whether the user is a direct member of the group (folded object id).
    func isMember(ofGroup foldedID: String) -> Bool
    /// The manager's object id, folded.
    var foldedManagerID: String? { get }
}

public enum RuleBooleanProperty: String, Sendable {
    case accountEnabled, dirSyncEnabled
}

public enum RuleCollectionProperty: String, Sendable {
    case otherMails, proxyAddresses
}

/// One row of `user.assignedPlans`, values folded.
public struct RuleAssignedPlan: Hashable, Sendable {
    public var servicePlanId: String
    public var service: String
    public var capabilityStatus: String
    public init(servicePlanId: String, service: String, capabilityStatus: String) {
        self.servicePlanId = RuleText.fold(servicePlanId)
        self.service = RuleText.fold(service)
        self.capabilityStatus = RuleText.fold(capabilityStatus)
    }
}

/// When a rule is evaluated: `system.now` reads this, so tests can fix the time.
public struct RuleContext: Sendable {
    public var now: Date
    public init(now: Date = Date()) { self.now = now }
}

/// Case folding shared by the evaluator and the model (`specs/rules.md` §7: Unicode-aware,
/// locale-independent; an empty string is the same as null).
public enum RuleText {
    @inline(__always)
    public static func fold(_ text: String) -> String {
        // ASCII lower-case text (the usual case) needs no new string.
        if text.utf8.allSatisfy({ $0 < 0x80 && !($0 >= 0x41 && $0 <= 0x5A) }) { return text }
        return text.lowercased()
    }

    public static func foldOrNull(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return fold(text)
    }
}
