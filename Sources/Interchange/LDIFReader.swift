import Foundation

/// An entry of a directory export: its attributes (name → values, in file order) and the line
/// it starts on.
struct DirectoryEntry {
    var line: Int
    var attributes: [(name: String, values: [String])] = []

    func values(_ name: String) -> [String] {
        attributes.first { $0.name.lowercased() == name.lowercased() }?.values ?? []
    }
    func value(_ name: String) -> String? { values(name).first }

    mutating func add(_ name: String, _ value: String) {
        if let index = attributes.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) {
            attributes[index].values.append(value)
        } else {
            attributes.append((name, [value]))
        }
    }
}

/// LDIF as `ldifde -f` writes it (RFC 2849): entries separated by blank lines, `name: value`,
/// `name:: base64`, continuation lines starting with one space, `#` comments, `version: 1`.
/// Change records other than `add` are refused: an export holds whole objects.
enum LDIFReader {
    static func entries(_ text: String, file: String) throws(ImportProblem) -> [DirectoryEntry] {
        // Unfold first: a line starting with a space continues the one before.
        var logical: [(line: Int, text: String)] = []
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
            if line.hasPrefix(" "), let last = logical.last, !last.text.isEmpty {
                logical[logical.count - 1].text += line.dropFirst()
            } else {
                logical.append((offset + 1, line))
            }
        }
        var entries: [DirectoryEntry] = []
        var current: DirectoryEntry?
        for (line, text) in logical {
            if text.isEmpty {
                if let entry = current { entries.append(entry) }
                current = nil
                continue
            }
            if text.hasPrefix("#") { continue }
            if current == nil && text.lowercased().hasPrefix("version:") { continue }
            if text == "-" { throw ImportProblem(file: file, line: line, reason: "a modify record: only whole entries (an export) are read") }
            guard let colon = text.firstIndex(of: ":") else {
                throw ImportProblem(file: file, line: line, reason: "expected `attribute: value`, found \(text.prefix(40))")
            }
            let name = String(text[..<colon])
            var rest = text[text.index(after: colon)...]
            let value: String
            if rest.hasPrefix(":") {
                rest = rest.dropFirst()
                let encoded = rest.trimmingCharacters(in: .whitespaces)
                guard let data = Data(base64Encoded: encoded) else {
                    throw ImportProblem(file: file, line: line, reason: "\(name):: is not valid base64")
                }
                // Binary values (objectGUID) are kept as hex; text as text.
                value =
                    String(data: data, encoding: .utf8).flatMap { $0.contains("\u{0}") ? nil : $0 }
                    ?? "X'" + data.map { String(format: "%02x", $0) }.joined() + "'"
            } else if rest.hasPrefix("<") {
                throw ImportProblem(file: file, line: line, reason: "\(name):< (a value read from a URL) is not supported")
            } else {
                value = String(rest.drop { $0 == " " })
            }
            if current == nil {
                guard name.lowercased() == "dn" else {
                    throw ImportProblem(file: file, line: line, reason: "an entry must start with dn:, not \(name):")
                }
                current = DirectoryEntry(line: line)
            }
            if name.lowercased() == "changetype", value.lowercased() != "add" {
                throw ImportProblem(file: file, line: line, reason: "changetype: \(value): only whole entries (an export, changetype add) are read")
            }
            current?.add(name, value)
        }
        if let entry = current { entries.append(entry) }
        return entries
    }
}

/// csvde's CSV: a heading row of attribute names (`DN`, `objectClass`, `sAMAccountName`, …),
/// one row per object, several values of one attribute separated by `;`, binary values as `X'…'`.
enum CSVDirectoryReader {
    static func entries(_ text: String, file: String) throws(ImportProblem) -> [DirectoryEntry] {
        let table = try CSVTable(text: text, file: file)
        guard let header = table.rows.first else { throw ImportProblem(file: file, reason: "is empty: expected a heading row") }
        var entries: [DirectoryEntry] = []
        for row in table.rows.dropFirst() {
            guard row.fields.count == header.fields.count else {
                throw ImportProblem(file: file, line: row.line, reason: "has \(row.fields.count) fields; the heading has \(header.fields.count)")
            }
            var entry = DirectoryEntry(line: row.line)
            for (name, value) in zip(header.fields, row.fields) where !value.isEmpty {
                let values = name.lowercased() == "dn" ? [value] : value.split(separator: ";").map(String.init)
                for item in values { entry.add(name, item) }
            }
            entries.append(entry)
        }
        return entries
    }
}
