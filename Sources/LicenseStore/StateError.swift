import Foundation

/// Why the state directory could not be read or written. Each case says where.
public enum StateError: Error, Equatable, CustomStringConvertible {
    /// A file is not valid JSON or not in the expected shape.
    case unreadable(file: String, line: Int?, column: Int?, reason: String)
    case unsupportedVersion(file: String, found: Int)
    case io(path: String, reason: String)
    case alreadyInitialised(directory: String)
    /// The directory can't be written by this user: the state is open read-only.
    case readOnly(directory: String)
    /// Someone else changed an object after this admin loaded it.
    case conflict(object: String, version: ObjectVersion)
    /// A state file that is not what LicenseDesk wrote: a link, not a regular file, or another
    /// group's. Refused by name; nothing is read through it.
    case refusedFile(path: String, reason: String)
    /// A directory with some of a tenant's files but not all: damaged, never taken for new.
    case damaged(directory: String, missing: [String], present: [String])
    /// A change was refused because the acting admin lacks the role (roles.json).
    case notPermitted(action: String, needs: String, holds: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let line, let column, let reason):
            var place = file
            if let line { place += ":\(line)" }
            if let column { place += ":\(column)" }
            return "\(place): \(reason) (the file was left as it is)"
        case .unsupportedVersion(let file, let found):
            return "\(file): format version \(found) is newer than this LicenseDesk reads (\(newestReadableFormatVersion))"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        case .alreadyInitialised(let directory):
            return "\(directory) already holds a tenant; use --force to replace it"
        case .readOnly(let directory):
            return "\(directory) is read-only for you: nothing was changed"
        case .refusedFile(let path, let reason):
            return "\(path): \(reason); nothing was read or changed"
        case .damaged(let directory, let missing, let present):
            return "\(directory) is a damaged LicenseDesk state, not a new one: "
                + "\(missing.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") missing "
                + "(\(present.joined(separator: ", ")) \(present.count == 1 ? "is" : "are") there). Nothing was changed. "
                + "`licensedesk doctor` lists every file and what is wrong with it; restore the missing files from a backup, "
                + "or `licensedesk init --force` moves everything aside into a dated folder and starts a new tenant"
        case .notPermitted(let action, let needs, let holds):
            return "\(action) needs the \(needs) role; you hold \(holds) (roles.json): nothing was changed"
        case .conflict(let object, let version):
            let time = ISO8601DateFormatter().string(from: version.time)
            return "\(object) was changed by \(version.actor) at \(time) (\(version.activity)) after you loaded it; nothing was changed: reload and try again"
        }
    }
}

/// Turns a decoding error into a file, line and column an admin can open.
enum DecodingErrorLocator {
    static func locate(_ error: any Error, in data: Data, file: String) -> StateError {
        guard let decoding = error as? DecodingError else {
            return .unreadable(file: file, line: nil, column: nil, reason: "\(error)")
        }
        switch decoding {
        case .dataCorrupted(let context):
            if let syntax = JSONSyntaxLocator.firstError(in: data) {
                return .unreadable(file: file, line: syntax.line, column: syntax.column, reason: "not valid JSON: \(syntax.message)")
            }
            let (line, column) = position(from: context, in: data)
            let reason = (context.underlyingError.map { "\($0)" } ?? context.debugDescription)
            return .unreadable(file: file, line: line, column: column, reason: "not valid JSON: \(clean(reason))")
        case .keyNotFound(let key, let context):
            return .unreadable(
                file: file, line: nil, column: nil,
                reason: "\(path(context.codingPath)): missing required field \"\(key.stringValue)\"")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return .unreadable(
                file: file, line: nil, column: nil,
                reason: "\(path(context.codingPath)): expected \(type), \(context.debugDescription)")
        @unknown default:
            return .unreadable(file: file, line: nil, column: nil, reason: "\(decoding)")
        }
    }

    /// "value[3].userPrincipalName"
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return text.isEmpty ? "top level" : text
    }

    /// swift-foundation reports "around line L, column C"; read it back, else scan ourselves.
    static func position(from context: DecodingError.Context, in data: Data) -> (Int?, Int?) {
        let text = (context.underlyingError.map { "\($0)" } ?? "") + " " + context.debugDescription
        if let range = text.range(of: #"line (\d+), column (\d+)"#, options: .regularExpression) {
            let numbers = text[range].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            if numbers.count == 2 { return (numbers[0], numbers[1]) }
        }
        return (nil, nil)
    }

    static func clean(_ reason: String) -> String {
        reason.replacingOccurrences(of: "\n", with: " ")
    }
}
