import Foundation
import TestSupport
import Testing

@Suite("Console in a real terminal (tmux)", .serialized)
struct ConsoleInTmuxTests {
    @Test("the console opens on the demo tenant, shows the summary and quits on q")
    func opensAndQuits() throws {
        let directory = TemporaryDirectory()
        let session = try TmuxSession(
            command: "env LC_ALL=C.UTF-8 TERM=tmux-256color \(BinaryRunner.binaryPath) --state \(directory.path)")
        let screen = try #require(try session.waitFor("q quit"))
        #expect(screen.contains("Contoso Ltd"))
        #expect(screen.contains("E3 with Selected Services"))
        #expect(screen.contains("3 of 16 enabled"))
        try session.sendKeys("q")
        #expect(session.waitForExit())
        #expect(FileManager.default.fileExists(atPath: directory.file("users.json")))
    }

    @Test("a window smaller than the minimum shows the too-small screen")
    func tooSmall() throws {
        let directory = TemporaryDirectory()
        let session = try TmuxSession(
            command: "env LC_ALL=C.UTF-8 TERM=tmux-256color \(BinaryRunner.binaryPath) --state \(directory.path)", columns: 40,
            rows: 8)
        let screen = try #require(try session.waitFor("Terminal too small"))
        #expect(screen.contains("need 60×12, have 40×8"))
        try session.sendKeys("q")
        #expect(session.waitForExit())
    }
}
