import Foundation

/// A named colour of the 16-colour palette, or the terminal's own.
public enum PaletteColor: String, CaseIterable, Sendable {
    case `default`, black, red, green, yellow, blue, magenta, cyan, white
    case brightBlack, brightRed, brightGreen, brightYellow, brightBlue, brightMagenta, brightCyan, brightWhite

    /// ncurses colour number; -1 is the terminal's default.
    public var number: Int16 {
        switch self {
        case .default: -1
        default: Int16(PaletteColor.allCases.firstIndex(of: self)! - 1)
        }
    }
}

/// How one style token looks: 16-colour foreground and background, and attributes.
public struct TokenStyle: Hashable, Sendable {
    public var foreground: PaletteColor
    public var background: PaletteColor
    public var bold = false
    public var reverse = false
    public var underline = false
    public var dim = false
    public init(
        _ foreground: PaletteColor = .default, _ background: PaletteColor = .default, bold: Bool = false, reverse: Bool = false, underline: Bool = false,
        dim: Bool = false
    ) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
        self.dim = dim
    }
}

/// A theme: semantic tokens mapped to styles (`../shared/specs/tui.md` §6). Themes are files in
/// `themes/`; `default` is also built in so a broken file never leaves the console unstyled.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var styles: [StyleToken: TokenStyle]
    /// Whether colours are used at all (monochrome and NO_COLOR use attributes only).
    public var usesColor: Bool

    /// A token the theme leaves out takes the text token's colours (so a theme with its own
    /// background, like `light`, has no holes in it), dimmed for `dim`.
    public func style(_ token: StyleToken) -> TokenStyle {
        if let style = styles[token] { return style }
        let text = styles[.text] ?? TokenStyle()
        return TokenStyle(text.foreground, text.background, dim: token == .dim)
    }

    public static let builtInDefault = Theme(
        name: "default",
        styles: [
            .header: TokenStyle(.white, .blue, bold: true), .borderFocus: TokenStyle(.cyan, .default, bold: true),
            .selection: TokenStyle(.black, .cyan), .toggleOn: TokenStyle(.green), .pending: TokenStyle(.yellow),
            .error: TokenStyle(.red, bold: true), .statusWarn: TokenStyle(.yellow), .statusError: TokenStyle(.red, bold: true),
            .footer: TokenStyle(.black, .white), .dim: TokenStyle(dim: true), .toggleOff: TokenStyle(dim: true),
        ],
        usesColor: true)

    public static let monochrome = Theme(
        name: "monochrome",
        styles: [
            .header: TokenStyle(bold: true, reverse: true), .borderFocus: TokenStyle(bold: true, underline: true),
            .selection: TokenStyle(reverse: true), .toggleOn: TokenStyle(bold: true), .pending: TokenStyle(underline: true),
            .error: TokenStyle(bold: true), .statusWarn: TokenStyle(bold: true), .statusError: TokenStyle(bold: true, reverse: true),
            .footer: TokenStyle(reverse: true),
        ],
        usesColor: false)
}

/// A problem in a theme file, with where it is.
public struct ThemeError: Error, Equatable, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int
    public let reason: String
    public var description: String { line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)" }
    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }
}

/// Reads the theme file format of `themes/*.theme`:
///
///     [theme]
///     name = default
///     [tokens]
///     header = #d8dee9/#3b4252,  16: white/blue,  attrs: bold
///
/// The hex colours are for 256-colour terminals to come; the 16-colour fallback and the
/// attributes are what the console uses today.
public enum ThemeParser {
    static let tokenNames: [String: StyleToken] = [
        "text": .text, "header": .header, "border": .border, "border.focus": .borderFocus, "selection": .selection,
        "toggle.on": .toggleOn, "toggle.off": .toggleOff, "pending": .pending, "error": .error,
        "status.info": .statusInfo, "status.warn": .statusWarn, "status.error": .statusError, "footer": .footer,
        "dim": .dim,
    ]

    public static func parse(_ text: String, file: String) throws(ThemeError) -> Theme {
        var theme = Theme(
            name: (file as String).split(separator: "/").last.map { String($0.split(separator: ".")[0]) } ?? "theme", styles: [:], usesColor: true)
        var section = ""
        var anyColor = false
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let withoutComment = Self.stripComment(String(rawLine))
            let trimmed = withoutComment.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]") else { throw ThemeError(file: file, line: lineNumber, reason: "a section header ends with ]") }
                section = String(trimmed.dropFirst().dropLast())
                guard ["theme", "tokens"].contains(section) else {
                    throw ThemeError(file: file, line: lineNumber, reason: "unknown section [\(section)]; use [theme] or [tokens]")
                }
                continue
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw ThemeError(file: file, line: lineNumber, reason: "expected name = value")
            }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if section == "theme" {
                if key == "name" { theme.name = value }
                continue
            }
            guard section == "tokens" else { throw ThemeError(file: file, line: lineNumber, reason: "\(key) is outside a section") }
            guard let token = tokenNames[key] else {
                throw ThemeError(file: file, line: lineNumber, reason: "unknown token \(key); known: " + tokenNames.keys.sorted().joined(separator: ", "))
            }
            let style = try parseStyle(value, file: file, line: lineNumber)
            if style.foreground != .default || style.background != .default { anyColor = true }
            theme.styles[token] = style
        }
        theme.usesColor = anyColor
        return theme
    }

    /// `#` starts a comment only after white space, so `#d8dee9` stays a colour.
    static func stripComment(_ line: String) -> String {
        if line.trimmingCharacters(in: .whitespaces).hasPrefix("#") { return "" }
        if let range = line.range(of: " #") ?? line.range(of: "\t#") {
            let after = line[range.upperBound...]
            if after.first == " " || after.isEmpty { return String(line[..<range.lowerBound]) }
        }
        return line
    }

    static func parseStyle(_ value: String, file: String, line: Int) throws(ThemeError) -> TokenStyle {
        var style = TokenStyle()
        let parts = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = parts.first, !first.isEmpty else { throw ThemeError(file: file, line: line, reason: "empty style") }
        // The first part (hex or names) must at least be well formed.
        for colour in first.split(separator: "/") where !(colour == "default" || isHex(String(colour)) || PaletteColor(rawValue: String(colour)) != nil) {
            throw ThemeError(file: file, line: line, reason: "\(colour) is not a colour (use #rrggbb, a colour name or default)")
        }
        var sixteen: [PaletteColor]?
        if let names = PaletteColor.pair(first) { sixteen = names }
        for part in parts.dropFirst() {
            if part.hasPrefix("16:") {
                let pair = part.dropFirst(3).trimmingCharacters(in: .whitespaces)
                guard let names = PaletteColor.pair(pair) else {
                    throw ThemeError(file: file, line: line, reason: "\(pair) is not a 16-colour pair such as white/blue")
                }
                sixteen = names
            } else if part.hasPrefix("attrs:") {
                for attribute in part.dropFirst(6).split(separator: " ") {
                    switch attribute {
                    case "bold": style.bold = true
                    case "reverse": style.reverse = true
                    case "underline": style.underline = true
                    case "dim": style.dim = true
                    default: throw ThemeError(file: file, line: line, reason: "unknown attribute \(attribute); use bold, reverse, underline or dim")
                    }
                }
            } else {
                throw ThemeError(file: file, line: line, reason: "unexpected \(part); expected `16: fg/bg` or `attrs: …`")
            }
        }
        if let sixteen {
            style.foreground = sixteen[0]
            style.background = sixteen[1]
        }
        return style
    }

    static func isHex(_ text: String) -> Bool {
        text.count == 7 && text.hasPrefix("#") && text.dropFirst().allSatisfy(\.isHexDigit)
    }
}

extension PaletteColor {
    /// "white/blue" → [white, blue].
    static func pair(_ text: String) -> [PaletteColor]? {
        let names = text.split(separator: "/").map { PaletteColor(rawValue: String($0)) }
        guard names.count == 2, let foreground = names[0], let background = names[1] else { return nil }
        return [foreground, background]
    }
}
