import Console
import Foundation
import LicenseModel
import TerminalKit
import TestSupport
import Testing

/// The `:` line, filters and the rule editor: shell editing, history kept per admin, Tab.
@Suite("Console typing: editing, history, completion, memory")
struct ConsoleTypingTests {
    @Test("the : line edits in the middle; the cursor is a lit cell where it is")
    func commandLineEditing() throws {
        let console = try ConsoleHarness()
        console.press(":")
        console.type("usr meg")
        console.press("Home", "Right", "Right")
        console.type("e")
        #expect(console.screen[28] == ":user meg")
        #expect(console.frame[4, 28].style == .selection, "the cursor sits after \"use\"")
        console.press("End", "Ctrl-W")
        #expect(console.screen[28] == ":user")
        console.type("meg")
        console.press("Enter")
        #expect(console.text.contains("megan.bowen@contoso.com"))
    }

    @Test("↑ and ↓ walk this admin's history; it is kept in their own folder across consoles, mode 0600")
    func history() throws {
        let home = TemporaryDirectory("licensedesk-memory")
        let path = home.file("licensedesk/console.json")
        let first = try ConsoleHarness(memory: ConsoleMemory(path: path))
        first.press(":")
        first.type("report seats")
        first.press("Enter", "Esc", ":")
        first.type("user meg")
        first.press("Enter", "Esc")
        let second = try ConsoleHarness(memory: ConsoleMemory(path: path))
        second.press(":", "Up")
        #expect(second.screen[28] == ":user meg")
        second.press("Up")
        #expect(second.screen[28] == ":report seats")
        second.press("Down", "Down")
        #expect(second.screen[28] == ":")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let saved = try String(contentsOfFile: path, encoding: .utf8)
        #expect(saved.contains("\"version\" : 1"))
    }

    @Test("Tab completes : verbs, their arguments, rule properties and operators; several candidates are listed")
    func tabCompletion() throws {
        let console = try ConsoleHarness()
        console.press(":")
        console.type("rep")
        console.press("Tab")
        // Two verbs begin so: both are listed, nothing is guessed.
        #expect(console.screen[28] == ":rep")
        #expect(console.screen[29].contains("Tab: report  reprocess"), "\(console.screen[29])")
        console.type("o")
        console.press("Tab")
        #expect(console.app.state.input == "report ")
        console.type("se")
        console.press("Tab")
        #expect(console.screen[28] == ":report seats")
        console.press("Ctrl-U")
        console.type("user megan.b")
        console.press("Tab")
        #expect(console.screen[28] == ":user megan.bowen@contoso.com")
        console.press("Esc", "2", "e", "Ctrl-U")
        console.type("user.dep")
        console.press("Tab")
        #expect(console.text.contains("user.department"))
        console.type(" -sta")
        console.press("Tab")
        #expect(console.text.contains("user.department -startsWith"), "\(console.text)")
        console.type(" \"R\" -and user.d")
        console.press("Tab")
        #expect(console.screen[29].contains("Tab: user.department  user.dirSyncEnabled  user.displayName"), "\(console.screen[29])")
    }

    @Test("a damaged memory file is set aside with a warning; the console starts with nothing remembered")
    func damagedMemory() throws {
        let home = TemporaryDirectory("licensedesk-memory")
        let path = home.file("console.json")
        try Data("{\"version\": 1, \"history\": {\"command\": [".utf8).write(to: URL(fileURLWithPath: path))
        let memory = ConsoleMemory(path: path)
        #expect(memory.history(.command).isEmpty)
        #expect(FileManager.default.fileExists(atPath: path + ".damaged"))
        let console = try ConsoleHarness(memory: memory)
        #expect(console.app.messageLog.contains { $0.message.text.contains("could not be read as the console's memory") })
        // A newer format is not taken for this one either.
        try Data("{\"version\": 2}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(ConsoleMemory(path: path).problem != nil)
    }

    @Test(":theme is remembered for the admin's next session; --theme and NO_COLOR still win")
    func rememberedTheme() throws {
        let home = TemporaryDirectory("licensedesk-memory")
        let path = home.file("console.json")
        let console = try ConsoleHarness(memory: ConsoleMemory(path: path))
        console.press(":")
        console.type("theme light")
        console.press("Enter")
        let memory = ConsoleMemory(path: path)
        #expect(memory.theme == "light")
        #expect(ThemeLoader.resolve(flag: nil, remembered: memory.theme, environment: [:]).0.name == "light")
        #expect(ThemeLoader.resolve(flag: "default", remembered: memory.theme, environment: [:]).0.name == "default")
        #expect(ThemeLoader.resolve(flag: nil, remembered: memory.theme, environment: ["NO_COLOR": "1"]).0.name == "monochrome")
    }

    @Test("the memory file's format is pinned by a fixture")
    func memoryFixture() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/console-memory-v1.json").path
        let home = TemporaryDirectory("licensedesk-memory")
        let path = home.file("console.json")
        try FileManager.default.copyItem(atPath: fixture, toPath: path)
        let memory = ConsoleMemory(path: path)
        #expect(memory.problem == nil)
        #expect(memory.theme == "high-contrast")
        #expect(memory.history(.command) == ["user meg", "report seats"])
        #expect(memory.history(.filter) == ["=user.department -eq \"Retail\""])
        #expect(memory.history(.rule) == ["user.extensionAttribute10 -eq \"E3 All\""])
        // Written back, it is the fixture again (keys and layout are the format).
        memory.record("tour", in: .command)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written.contains("\"command\" : [\n      \"user meg\",\n      \"report seats\",\n      \"tour\"\n    ]"), "\(written)")
    }
}
