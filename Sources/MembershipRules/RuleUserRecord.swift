import Foundation

/// A user given as a JSON object whose keys are rule property names (any case), for
/// `licensedesk rules test --user`. Missing keys are null.
public struct RuleUserRecord: RuleSubject, Sendable {
    var strings: [Int: String] = [:]
    var customExtensions: [String: String] = [:]
    var booleans: [RuleBooleanProperty: Bool] = [:]
    public var employeeHireDate: Date?
    var collections: [RuleCollectionProperty: [String]] = [:]
    public var rulePlans: [RuleAssignedPlan] = []
    var memberOf: Set<String> = []
    public var foldedManagerID: String?

    public struct InvalidRecord: Error, CustomStringConvertible {
        public let description: String
    }

    public init(json: Data) throws(InvalidRecord) {
        let object: Any
        if let problem = JSONNesting.problem(in: json) { throw InvalidRecord(description: "the user is not valid JSON: \(problem)") }
        do { object = try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed]) } catch {
            throw InvalidRecord(description: "the user is not valid JSON: \(error.localizedDescription)")
        }
        guard let fields = object as? [String: Any] else {
            throw InvalidRecord(description: "the user must be a JSON object such as {\"department\": \"Sales\"}")
        }
        try self.init(fields: fields)
    }

    public init(fields: [String: Any]) throws(InvalidRecord) {
        for (key, value) in fields {
            if value is NSNull { continue }
            try set(key, value)
        }
    }

    private mutating func set(_ key: String, _ value: Any) throws(InvalidRecord) {
        func text() throws(InvalidRecord) -> String {
            guard let text = value as? String else { throw InvalidRecord(description: "\(key) must be a string") }
            return text
        }
        func texts() throws(InvalidRecord) -> [String] {
            guard let items = value as? [String] else { throw InvalidRecord(description: "\(key) must be an array of strings") }
            return items
        }
        switch key.lowercased() {
        case "manager": foldedManagerID = RuleText.foldOrNull(try text())
        case "id": strings[StringSlot.objectId] = try text()
        default:
            guard let property = RulePropertyTable.property(named: key) else {
                let hint = RulePropertyTable.suggestions(for: key).first.map { "; did you mean \($0)?" } ?? ""
                throw InvalidRecord(description: "\(key) is not a user property\(hint)")
            }
            switch property.kind {
            case .string:
                if let custom = property.customExtension {
                    customExtensions[custom.lowercased()] = try text()
                } else {
                    strings[property.slot] = try text()
                }
            case .boolean:
                guard let flag = value as? Bool else { throw InvalidRecord(description: "\(key) must be true or false") }
                booleans[RuleBooleanProperty(rawValue: property.name)!] = flag
            case .dateTime:
                guard let date = RuleDates.parse(try text()) else {
                    throw InvalidRecord(description: "\(key) must be an ISO 8601 date such as 2024-01-31T00:00:00Z")
                }
                employeeHireDate = date
            case .stringCollection:
                collections[RuleCollectionProperty(rawValue: property.name)!] = try texts()
            case .memberOf:
                memberOf = Set(try texts().map(RuleText.fold))
            case .assignedPlans:
                guard let rows = value as? [[String: Any]] else {
                    throw InvalidRecord(description: "assignedPlans must be an array of {servicePlanId, service, capabilityStatus}")
                }
                rulePlans = rows.map {
                    RuleAssignedPlan(
                        servicePlanId: $0["servicePlanId"] as? String ?? "", service: $0["service"] as? String ?? "",
                        capabilityStatus: $0["capabilityStatus"] as? String ?? "")
                }
            }
        }
    }

    public func foldedString(slot: Int) -> String? { RuleText.foldOrNull(strings[slot]) }
    public func originalString(slot: Int) -> String? { strings[slot] }
    public func foldedCustomExtension(named name: String) -> String? { RuleText.foldOrNull(customExtensions[name]) }
    public func boolean(_ property: RuleBooleanProperty) -> Bool? { booleans[property] }
    public func foldedStrings(_ collection: RuleCollectionProperty) -> [String] {
        (collections[collection] ?? []).map(RuleText.fold)
    }
    public func isMember(ofGroup foldedID: String) -> Bool { memberOf.contains(foldedID) }
}
