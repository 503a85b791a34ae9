import Foundation

/// One rejected input: the file, where in it (line and column, or record number), and why.
public struct ImportProblem: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// 1-based position of the record in its list (JSON) or its data row (CSV).
    public var record: Int?
    public var reason: String

    public init(file: String, line: Int? = nil, column: Int? = nil, record: Int? = nil, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.record = record
        self.reason = reason
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        if let record { place += " record \(record)" }
        return "\(place): \(reason)"
    }
}

/// What reading import files produced: what is good, and every problem found on the way.
public struct ImportOutcome<Payload: Sendable>: Sendable {
    public var payload: Payload
    public var problems: [ImportProblem]
    /// Things worth saying that are not errors ("3 pages of users", "skipped 12 computers").
    public var notes: [String]
}

/// Reading input files: UTF-8 with or without a byte order mark; UTF-16 (what Windows
/// PowerShell 5's `Out-File` writes) is refused with the fix.
enum InputText {
    static func data(of file: String) throws(ImportProblem) -> Data {
        guard let data = FileManager.default.contents(atPath: file) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory)
            throw ImportProblem(file: file, reason: exists ? "can't be read (permissions?)" : "no such file")
        }
        // Windows PowerShell's Out-File and `>` write UTF-16 with a byte-order mark: read as such.
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) {
            let encoding: String.Encoding = data.starts(with: [0xFF, 0xFE]) ? .utf16LittleEndian : .utf16BigEndian
            guard data.count % 2 == 0, let text = String(data: data.dropFirst(2), encoding: encoding) else {
                throw ImportProblem(file: file, reason: "starts as UTF-16 text but is not valid UTF-16 (cut short, or two encodings mixed?)")
            }
            return Data(text.utf8)
        }
        return data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data
    }

    static func string(of file: String) throws(ImportProblem) -> String {
        let data = try data(of: file)
        guard let text = String(data: data, encoding: .utf8) else {
            throw ImportProblem(file: file, reason: "is not UTF-8 text")
        }
        return text
    }
}
