import LicenseModel

/// Tenants that tests start from, beyond the plain demo.
public enum TenantBuilders {
    /// The demo with four more E3 All members than the SKU has seats for, processed: the last
    /// two get CountViolation (2 users with licence errors, 21 members in E3 All).
    public static func demoWithCountViolations() throws -> Tenant {
        var tenant = DemoTenant.make()
        let context = ChangeContext(now: DemoTenant.createdAt, actor: "setup")
        for number in 1...4 {
            try tenant.apply(
                .createUser(
                    UserDraft(
                        id: "extra-\(number)", userPrincipalName: "extra\(number)@contoso.com", displayName: "Extra \(number)",
                        attributes: ["extensionAttribute10": "E3 All"])),
                context: context)
        }
        try tenant.apply(.processPending, context: context)
        return tenant
    }
}
