/// The rule shapes both benches time (`bench` and `rules bench`): an equality, a five-clause
/// combination, a `-match` and an `-any` over proxy addresses.
enum BenchRules {
    static let simple = #"user.extensionAttribute10 -eq "E3 All""#
    static let fiveClauses =
        #"(user.department -eq "Sales" -or user.department -eq "Marketing") -and user.city -startsWith "sea" -and user.accountEnabled -eq true -and user.usageLocation -in ["US", "GB"] -and user.jobTitle -ne null"#
    static let match = #"user.mail -match "^a.*@contoso\.com$""#
    static let any = #"user.proxyAddresses -any (_ -startsWith "smtp:a")"#

    static let all: [(name: String, rule: String)] = [("simple", simple), ("five clauses", fiveClauses), ("match", match), ("any", any)]
}
