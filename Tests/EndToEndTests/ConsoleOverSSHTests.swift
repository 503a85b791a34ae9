import Foundation
import TestSupport
import Testing

@Suite("Console over SSH and what it sends", .serialized)
struct ConsoleOverSSHTests {
    @Test("the walkthrough over a real SSH session on loopback (ssh -tt inside tmux)")
    func overSSH() throws {
        let server = try SSHServer()
        let directory = TemporaryDirectory()
        let remote = "env LC_ALL=C.UTF-8 XDG_CONFIG_HOME=\(ConsoleInTmuxTests.adminConfig(directory)) \(BinaryRunner.binaryPath) --state \(directory.path)"
        let session = try TmuxSession(command: "env TERM=tmux-256color " + server.sshCommand(remote))
        try ConsoleInTmuxTests.walkthrough(session)
        try ConsoleInTmuxTests.checkStateOnDisk(directory)
    }

    @Test("moving the selection one row sends few bytes to the terminal")
    func bytesPerMove() throws {
        let directory = TemporaryDirectory()
        let capture = directory.file("bytes")
        let session = try TmuxSession(command: ConsoleInTmuxTests.command(directory))
        #expect(try session.waitFor("q quit") != nil)
        try session.sendKeys("1", "j")
        #expect(try session.waitFor("1 Users") != nil)
        usleep(300_000)
        try session.pipe(to: capture)
        try session.sendKeys("j")
        usleep(500_000)
        try session.pipe(to: nil)
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: capture)))?.count ?? -1
        print("bytes sent for one row of selection movement: \(bytes)")
        #expect(bytes > 0)
        #expect(bytes < 1000)
        try session.sendKeys("q")
        #expect(session.waitForExit())
    }
}
