import Foundation
import MembershipRules

/// A cloud user in the shape of Microsoft Graph's user resource.
public struct User: Hashable, Sendable, Identifiable {
    public var id: String
    public var userPrincipalName: String
    public var displayName: String
    public var accountEnabled: Bool?
    /// The string properties rules read (city, department, usageLocation, extensionAttribute1–15…).
    public var strings = UserStrings()
    /// dirSyncEnabled in rules; Graph's onPremisesSyncEnabled.
    public var onPremisesSyncEnabled: Bool?
    /// The on-premises object's source anchor, for users created by sync.
    public var onPremisesImmutableId: String?
    public var onPremisesSamAccountName: String?
    public var otherMails: [String] = []
    public var proxyAddresses: [String] = []
    public var employeeHireDate: Date?
    /// The manager's object id.
    public var manager: String?
    /// Directory extension properties, `extension_<appId>_<name>`.
    public var customExtensions: [String: String] = [:]
    public var assignedLicenses: [AssignedLicense] = []
    public var licenseAssignmentStates: [LicenseAssignmentState] = []
    public var assignedPlans: [AssignedPlan] = []
    /// Fields LicenseDesk does not model, kept as they were read.
    public var extra: [String: JSONValue] = [:]

    public init(id: String, userPrincipalName: String, displayName: String) {
        self.id = id
        self.userPrincipalName = userPrincipalName
        self.displayName = displayName
    }

    public var usageLocation: String? {
        get { strings[StringSlot.usageLocation] }
        set { strings[StringSlot.usageLocation] = newValue }
    }

    /// `extensionAttribute<n>` (n in 1…15), the on-premises extension attributes.
    public func extensionAttribute(_ number: Int) -> String? { strings[StringSlot.extensionAttribute(number)] }
    public mutating func setExtensionAttribute(_ number: Int, _ value: String?) {
        strings[StringSlot.extensionAttribute(number)] = value
    }

    /// Assignment paths for one SKU: direct first, then by group id.
    public func paths(for skuId: String) -> [LicenseAssignmentState] {
        licenseAssignmentStates.filter { $0.skuId == skuId }
    }

    /// Whether any path of this SKU is applied (so the user holds one seat of it).
    public func consumesSeat(of skuId: String) -> Bool {
        licenseAssignmentStates.contains { $0.skuId == skuId && $0.state.isApplied }
    }

    public var hasLicenseErrors: Bool { licenseAssignmentStates.contains { $0.error != .none } }
}
