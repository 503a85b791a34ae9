import Foundation
import MembershipRules

/// Sets a user property by its rule name (`department`, `extensionAttribute10`, …): the names
/// admins already know from membership rules. Case-insensitive.
public enum UserAttributeWriter {
    public static func set(_ name: String, to value: String?, on user: inout User) throws(ModelError) {
        let value = (value?.isEmpty ?? true) ? nil : value
        switch name.lowercased() {
        case "id", "objectid":
            throw .invalidInput("the object id of a user can't be changed")
        case "userprincipalname":
            guard let value else { throw .invalidInput("userPrincipalName can't be cleared") }
            user.userPrincipalName = value
        case "displayname":
            user.displayName = value ?? ""
        case "accountenabled":
            user.accountEnabled = try boolean(value, name)
        case "dirsyncenabled", "onpremisessyncenabled":
            user.onPremisesSyncEnabled = try boolean(value, name)
        case "othermails":
            user.otherMails = list(value)
        case "proxyaddresses":
            user.proxyAddresses = list(value)
        case "manager":
            user.manager = value
        case "employeehiredate":
            guard let value else {
                user.employeeHireDate = nil
                return
            }
            guard let date = ISO8601Text.parse(value) else {
                throw .invalidInput("employeeHireDate must be an ISO 8601 date such as 2024-01-31T00:00:00Z, not \(value)")
            }
            user.employeeHireDate = date
        case "usagelocation":
            if let value, value.count != 2 || !CountryCodes.iso3166.contains(value.uppercased()) {
                throw .invalidInput("usageLocation must be a two-letter ISO 3166 country code such as GB, not \(value)")
            }
            user.usageLocation = value?.uppercased()
        default:
            if let property = RulePropertyTable.property(named: name) {
                if let custom = property.customExtension {
                    user.customExtensions[custom] = value
                    return
                }
                if property.kind == .string, property.slot >= 0 {
                    user.strings[property.slot] = value
                    return
                }
            }
            let hint = RulePropertyTable.suggestions(for: name).first.map { "; did you mean \($0)?" } ?? ""
            throw .invalidInput("\(name) is not a user property LicenseDesk can set\(hint)")
        }
    }

    private static func boolean(_ value: String?, _ name: String) throws(ModelError) -> Bool? {
        guard let value else { return nil }
        switch value.lowercased() {
        case "true": return true
        case "false": return false
        default: throw .invalidInput("\(name) is true or false, not \(value)")
        }
    }

    private static func list(_ value: String?) -> [String] {
        guard let value else { return [] }
        return value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// ISO 3166-1 alpha-2, the codes Entra's usageLocation takes.
enum CountryCodes {
    static let iso3166: Set<String> = Set(
        """
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL
        CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU
        GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC
        MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT
        PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA
        UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
        """.split(whereSeparator: \.isWhitespace).map(String.init))
}
