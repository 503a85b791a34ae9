import Foundation

/// A CSV file read by RFC 4180's rules (quoted fields, doubled quotes, commas and line breaks
/// inside quotes), with LF or CRLF line ends and an optional byte order mark. Each row keeps
/// the line it starts on, for messages.
public struct CSVTable: Sendable {
    public struct Row: Sendable {
        public var line: Int
        public var fields: [String]
    }
    public var rows: [Row]

    public init(text: String, file: String) throws(ImportProblem) {
        var rows: [Row] = []
        var fields: [String] = []
        var field = ""
        var line = 1
        var rowStart = 1
        var inQuotes = false
        var quotedFieldEnded = false
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let scalar = pending {
                pending = nil
                return scalar
            }
            return iterator.next()
        }
        func endRow() {
            fields.append(field)
            // A line with nothing on it is no row (a trailing newline, blank lines).
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append(Row(line: rowStart, fields: fields)) }
            fields = []
            field = ""
        }
        while let scalar = next() {
            if inQuotes {
                if scalar == "\"" {
                    if let following = next() {
                        if following == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            inQuotes = false
                            quotedFieldEnded = true
                            pending = following
                        }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty && !quotedFieldEnded:
                inQuotes = true
            case ",":
                fields.append(field)
                field = ""
                quotedFieldEnded = false
            case "\r":
                continue
            case "\n":
                endRow()
                quotedFieldEnded = false
                line += 1
                rowStart = line
            default:
                if quotedFieldEnded {
                    throw ImportProblem(file: file, line: line, reason: "text after a closing quote: a quote inside a field must be doubled (\"\")")
                }
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes { throw ImportProblem(file: file, line: rowStart, reason: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty { endRow() }
        self.rows = rows
    }
}
