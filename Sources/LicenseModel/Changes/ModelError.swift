/// Why the model would not make a change.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A rule of Entra ID forbids it (exit 1): the message is Entra's where it has one.
    case refused(String)
    /// The input does not name a real object or is malformed (exit 2).
    case invalidInput(String)

    public var description: String {
        switch self {
        case .refused(let message), .invalidInput(let message): message
        }
    }
}

/// Entra ID's exact messages (`specs/licensing.md` R7, R13, R18, §1.3).
public enum EntraMessage {
    public static let inheritedLicense =
        "User license is inherited from a group membership and it cannot be removed directly from the user."
    public static let invalidUsageLocation =
        "License assignment cannot be done for user with invalid usage location."

    public static func notEnoughLicenses(sku: String) -> String {
        "Not enough licenses are available to complete this operation. Purchase more licenses or remove unneeded licenses from users and groups for SKU [\(sku)]. Licenses being added: [\(sku)]"
    }
    public static func mutuallyExclusive(_ first: String, _ second: String) -> String {
        "License assignment failed because service plans [\(first)], [\(second)] are mutually exclusive."
    }
    public static func dependency(_ plan: String, dependsOn: [String]) -> String {
        "License assignment failed because service plan [\(plan)] depends on the service plan(s) "
            + dependsOn.map { "[\($0)]" }.joined(separator: ", ") + "."
    }
    public static func groupDependency(_ dependent: String, requires: String) -> String {
        "License operation failed. Make sure that the group has necessary services before adding or removing a dependent service. The service \(dependent) requires \(requires) to be enabled as well."
    }
}
