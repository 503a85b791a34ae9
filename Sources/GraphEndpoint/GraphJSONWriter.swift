import Foundation
import LicenseModel

/// Writes an answer's JSON. Foundation's `JSONSerialization` on Linux bridges every dictionary
/// and array to `NSDictionary`/`NSArray` on the way: a page of 999 users with every property
/// spent 80 % of its time there. The answer is turned into `JSONValue` once, in Swift, and
/// written by `JSONEncoder`.
enum GraphJSONWriter {
    static func data(_ object: Any) -> Data? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try? encoder.encode(value(object))
    }

    static func value(_ object: Any) -> JSONValue {
        switch object {
        case let text as String: return .string(text)
        case let fields as [String: Any]: return .object(fields.mapValues(value))
        case let items as [Any]: return .array(items.map(value))
        case is NSNull: return .null
        default: break
        }
        // Swift's own scalars first (a Bool must stay a boolean, an Int a number), then what
        // JSONSerialization parsed, by the kind of number it holds.
        let type = Swift.type(of: object)
        if type == Bool.self { return .bool(object as! Bool) }
        if type == Int.self { return .int(object as! Int) }
        if type == Double.self { return .double(object as! Double) }
        if let number = object as? NSNumber {
            switch String(cString: number.objCType) {
            case "c", "B": return .bool(number.boolValue)
            case "f", "d":
                return number.doubleValue == number.doubleValue.rounded() && abs(number.doubleValue) < 1e15
                    ? .int(number.intValue) : .double(number.doubleValue)
            default: return .int(number.intValue)
            }
        }
        if let optional = object as? JSONValue { return optional }
        return .string("\(object)")
    }

    /// The other way, for answers still built as `[String: Any]`.
    static func any(_ value: JSONValue) -> Any {
        switch value {
        case .null: NSNull()
        case .bool(let flag): flag
        case .int(let number): number
        case .double(let number): number
        case .string(let text): text
        case .array(let items): items.map(any)
        case .object(let fields): fields.mapValues(any)
        }
    }
}
