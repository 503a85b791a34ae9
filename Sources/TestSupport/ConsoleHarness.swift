import Console
import Foundation
import LicenseModel
import LicenseStore
import TerminalKit

/// A console on the demo tenant in a temporary state directory, driven key by key.
public final class ConsoleHarness {
    public let directory = TemporaryDirectory("licensedesk-console")
    public let store: StateStore
    public let app: ConsoleApp
    public var size: TerminalSize

    /// Another console open on the same state (kept alive with it).
    private var shared: ConsoleHarness?

    /// `memory`: the admin's remembered theme and histories (nil: nothing kept on disk).
    public init(tenant: Tenant = DemoTenant.make(), columns: Int = 100, rows: Int = 30, unicode: Bool = true, memory: ConsoleMemory? = nil) throws {
        store = StateStore(directory: directory.path)
        try store.initialise(with: tenant, force: false)
        app = ConsoleApp(
            loaded: try store.load(), store: store, actor: "tester", roles: nil, theme: .builtInDefault, unicode: unicode,
            memory: memory ?? ConsoleMemory(path: nil))
        size = TerminalSize(columns: columns, rows: rows)
    }

    /// A second admin's console on the state `other` has open.
    public init(sharing other: ConsoleHarness, actor: String, columns: Int = 100, rows: Int = 30) throws {
        shared = other
        store = other.store
        app = ConsoleApp(loaded: try store.load(), store: store, actor: actor, roles: nil, theme: .builtInDefault, unicode: true)
        size = TerminalSize(columns: columns, rows: rows)
    }

    /// Sends keys: single characters, or names such as "Enter", "Esc", "Tab", "Space", "Down".
    @discardableResult
    public func press(_ keys: String...) -> [String] {
        for key in keys { _ = app.handle(.key(Self.key(key))) }
        return screen
    }

    /// Types text character by character.
    public func type(_ text: String) {
        for character in text { _ = app.handle(.key(.character(character))) }
    }

    public var frame: Frame { app.frame(size: size) }
    public var screen: [String] { frame.lines }
    public var text: String { screen.joined(separator: "\n") }
    /// The screen as running text: box borders gone, lines joined, spaces collapsed, so a
    /// sentence a view wraps over two lines still reads as one.
    public var prose: String {
        let borders = Set("│┌┐└┘─|+")
        let joined = screen.map { line in String(line.map { borders.contains($0) ? " " : $0 }) }.joined(separator: " ")
        return joined.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    static func key(_ name: String) -> Key {
        switch name {
        case "Enter": .enter
        case "Esc": .escape
        case "Tab": .tab
        case "BackTab": .backTab
        case "Space": .character(" ")
        case "Down": .down
        case "Up": .up
        case "PgDn": .pageDown
        case "PgUp": .pageUp
        case "Home": .home
        case "End": .end
        case "Backspace": .backspace
        case "Left": .left
        case "Right": .right
        case "C-r": .control("r")
        case "C-l": .control("l")
        case "Del": .delete
        case _ where name.hasPrefix("Ctrl-") && name.count == 6: .control(Character(name.suffix(1).lowercased()))
        default: .character(name.first!)
        }
    }
}
