/// The properties Graph v1.0 knows on the resources served here, for `$select`: a name Graph
/// does not know is a 400 there (so it is here, rather than a silent `null` a script would
/// trust); a name Graph knows but the model keeps no value for comes back `null`.
enum GraphResource {
    case user, group

    /// `microsoft.graph.user` / `microsoft.graph.group`, as Graph's messages name the type.
    var typeName: String { self == .user ? "microsoft.graph.user" : "microsoft.graph.group" }

    var known: Set<String> { self == .user ? Self.userProperties : Self.groupProperties }

    /// From the v1.0 user resource reference (properties and relationships), folded.
    static let userProperties: Set<String> = Set(
        [
            "aboutMe", "accountEnabled", "ageGroup", "assignedLicenses", "assignedPlans", "authorizationInfo", "birthday", "businessPhones",
            "city", "companyName", "consentProvidedForMinor", "country", "createdDateTime", "creationType", "customSecurityAttributes",
            "deletedDateTime", "department", "displayName", "employeeHireDate", "employeeId", "employeeLeaveDateTime", "employeeOrgData",
            "employeeType", "externalUserState", "externalUserStateChangeDateTime", "faxNumber", "givenName", "hireDate", "id", "identities",
            "imAddresses", "interests", "isManagementRestricted", "isResourceAccount", "jobTitle", "lastPasswordChangeDateTime",
            "legalAgeGroupClassification", "licenseAssignmentStates", "mail", "mailboxSettings", "mailNickname", "mobilePhone", "mySite",
            "officeLocation", "onPremisesDistinguishedName", "onPremisesDomainName", "onPremisesExtensionAttributes", "onPremisesImmutableId",
            "onPremisesLastSyncDateTime", "onPremisesProvisioningErrors", "onPremisesSamAccountName", "onPremisesSecurityIdentifier",
            "onPremisesSyncEnabled", "onPremisesUserPrincipalName", "otherMails", "passwordPolicies", "passwordProfile", "pastProjects",
            "postalCode", "preferredDataLocation", "preferredLanguage", "preferredName", "print", "provisionedPlans", "proxyAddresses",
            "responsibilities", "schools", "securityIdentifier", "serviceProvisioningErrors", "showInAddressList", "signInActivity",
            "signInSessionsValidFromDateTime", "skills", "state", "streetAddress", "surname", "usageLocation", "userPrincipalName", "userType",
            "manager", "memberOf", "licenseDetails", "transitiveMemberOf", "ownedObjects", "registeredDevices", "directReports",
        ].map { $0.lowercased() })

    /// Graph's spelling of each user property, by its folded name.
    static let canonicalUserName: [String: String] = {
        var names: [String: String] = [:]
        for name in [
            "id", "userPrincipalName", "displayName", "accountEnabled", "onPremisesSyncEnabled", "onPremisesImmutableId", "onPremisesSamAccountName",
            "businessPhones", "onPremisesExtensionAttributes", "otherMails", "proxyAddresses", "city", "country", "companyName", "department",
            "employeeId", "faxNumber", "givenName", "jobTitle", "mail", "mailNickname", "mobilePhone", "onPremisesDistinguishedName",
            "onPremisesSecurityIdentifier", "passwordPolicies", "officeLocation", "postalCode", "preferredLanguage", "state", "streetAddress",
            "surname", "usageLocation", "userType", "assignedLicenses", "licenseAssignmentStates", "assignedPlans", "employeeHireDate",
        ] {
            names[name.lowercased()] = name
        }
        return names
    }()

    /// Only on a single user, never on the collection: Graph answers 501 there (U1).
    static let singleUserOnly: Set<String> = Set(
        ["aboutMe", "birthday", "hireDate", "interests", "mySite", "pastProjects", "preferredName", "responsibilities", "schools", "skills", "mailboxSettings"]
            .map { $0.lowercased() })

    /// From the v1.0 group resource reference, folded.
    static let groupProperties: Set<String> = Set(
        [
            "allowExternalSenders", "assignedLabels", "assignedLicenses", "autoSubscribeNewMembers", "classification", "createdDateTime",
            "deletedDateTime", "description", "displayName", "expirationDateTime", "groupTypes", "hasMembersWithLicenseErrors",
            "hideFromAddressLists", "hideFromOutlookClients", "id", "isArchived", "isAssignableToRole", "isManagementRestricted",
            "isSubscribedByMail", "licenseProcessingState", "mail", "mailEnabled", "mailNickname", "membershipRule",
            "membershipRuleProcessingState", "onPremisesDomainName", "onPremisesLastSyncDateTime", "onPremisesNetBiosName",
            "onPremisesProvisioningErrors", "onPremisesSamAccountName", "onPremisesSecurityIdentifier", "onPremisesSyncEnabled",
            "preferredDataLocation", "preferredLanguage", "proxyAddresses", "renewedDateTime", "securityEnabled", "securityIdentifier",
            "serviceProvisioningErrors", "theme", "uniqueName", "unseenCount", "visibility", "members", "owners", "memberOf",
            "membersWithLicenseErrors", "transitiveMembers",
        ].map { $0.lowercased() })

    /// Checks a `$select` list: unknown names are Graph's 400; single-user properties on a
    /// collection its 501.
    func check(select names: [String], collection: Bool) throws(GraphError) {
        for name in names {
            let folded = name.lowercased()
            guard known.contains(folded) else {
                throw .badRequest("Parsing OData Select and Expand failed: Could not find a property named '\(name)' on type '\(typeName)'.")
            }
            if collection, self == .user, Self.singleUserOnly.contains(folded) {
                throw GraphError(status: .notImplemented, code: "NotImplemented", message: "This operation target is not yet supported.")
            }
        }
    }
}
