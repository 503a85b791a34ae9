import Foundation
import TestSupport
import Testing

/// `make install` into a temporary prefix, the installed binary used from there, `make uninstall`.
@Suite("Install and uninstall", .serialized)
struct InstallTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The subcommands every generated file must name.
    static let subcommands = [
        "init", "status", "skus", "users", "groups", "process", "rules", "doctor", "audit", "compact", "generate",
        "bench", "pending", "onprem", "sync", "themes",
    ]

    func make(_ arguments: [String]) throws -> BinaryRunner.Result {
        // Its own build folder: `swift test` holds .build while this runs.
        try BinaryRunner.runProgram("/usr/bin/make", ["-C", Self.packageRoot] + arguments + ["SCRATCH=.build-install-test"])
    }

    /// Every file and folder under `directory`, relative to it.
    func contents(_ directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).sorted()
    }

    @Test("make install into a prefix: --version, a theme from the installed path, completions and manual; make uninstall leaves nothing")
    func installUseUninstall() throws {
        let prefix = TemporaryDirectory("licensedesk-prefix")
        let elsewhere = TemporaryDirectory("licensedesk-elsewhere")
        let installed = try make(["install", "PREFIX=\(prefix.path)"])
        try #require(installed.status == 0, "make install failed: \(installed.standardError)")
        let binary = prefix.path + "/bin/licensedesk"
        #expect(FileManager.default.isExecutableFile(atPath: binary))

        // Found on PATH from another folder, as an admin would run it.
        let shell = ["PATH": prefix.path + "/bin:/usr/bin:/bin", "XDG_CONFIG_HOME": elsewhere.path + "/config"]
        func installedRun(_ command: String) throws -> BinaryRunner.Result {
            try BinaryRunner.runProgram("/bin/sh", ["-c", "cd \(elsewhere.path) && \(command)"], environment: shell)
        }
        let version = try installedRun("licensedesk --version")
        #expect(version.status == 0)
        let line = version.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.hasPrefix("licensedesk 0.2.0 (commit "), "\(line)")
        let head = try BinaryRunner.runProgram("/usr/bin/git", ["-C", Self.packageRoot, "rev-parse", "HEAD"])
        if head.status == 0 {
            let commit = line.split(separator: " ").last.map { $0.dropLast().replacingOccurrences(of: "-dirty", with: "") } ?? ""
            #expect(commit.count >= 12 && head.standardOutput.hasPrefix(commit), "\(line) is not \(head.standardOutput)")
        }

        // The console's theme search path reaches the installed themes.
        let themes = try installedRun("licensedesk themes")
        #expect(themes.standardOutput.contains("high-contrast  \(prefix.path)/share/licensedesk/themes/high-contrast.theme"))
        #expect(try installedRun("licensedesk themes --check high-contrast").status == 0)
        // And the console itself draws with it, without falling back to the built-in default.
        let state = elsewhere.path + "/state"
        let config = elsewhere.path + "/config"
        #expect(try installedRun("XDG_CONFIG_HOME=\(config) licensedesk init --state \(state)").status == 0)
        let session = try TmuxSession(
            command:
                "sh -c 'cd \(elsewhere.path) && env LC_ALL=C.UTF-8 TERM=tmux-256color XDG_CONFIG_HOME=\(config) PATH=\(prefix.path)/bin:/usr/bin:/bin licensedesk --theme high-contrast --state \(state)'"
        )
        let screen = try #require(try session.waitFor("Tour 1 of 3"), "the installed console never drew")
        #expect(!screen.contains("using the built-in default theme"))
        try session.sendKeys("Escape", "q")
        #expect(session.waitForExit())

        // Completions for three shells and the manual page, each naming the subcommands.
        let generated = [
            "share/bash-completion/completions/licensedesk", "share/zsh/site-functions/_licensedesk",
            "share/fish/vendor_completions.d/licensedesk.fish", "share/man/man1/licensedesk.1",
        ]
        for file in generated {
            let text = (try? String(contentsOfFile: prefix.path + "/" + file, encoding: .utf8)) ?? ""
            #expect(!text.isEmpty, "\(file) is missing")
            for command in Self.subcommands { #expect(text.contains(command), "\(file) does not name \(command)") }
        }
        let manual = (try? String(contentsOfFile: prefix.path + "/share/man/man1/licensedesk.1", encoding: .utf8)) ?? ""
        #expect(manual.contains(".Dt LICENSEDESK 1"))
        #expect(manual.contains("Fl -shared Ar group"))

        let removed = try make(["uninstall", "PREFIX=\(prefix.path)"])
        #expect(removed.status == 0, "\(removed.standardError)")
        #expect(contents(prefix.path) == [], "left behind: \(contents(prefix.path))")
    }

    @Test("make uninstall keeps folders that were there before and files that are not its own")
    func uninstallKeepsOthers() throws {
        let prefix = TemporaryDirectory("licensedesk-prefix")
        try FileManager.default.createDirectory(atPath: prefix.path + "/share/man/man1", withIntermediateDirectories: true)
        try "other".write(toFile: prefix.path + "/share/man/man1/other.1", atomically: true, encoding: .utf8)
        try #require(try make(["install", "PREFIX=\(prefix.path)"]).status == 0)
        #expect(try make(["uninstall", "PREFIX=\(prefix.path)"]).status == 0)
        #expect(contents(prefix.path) == ["share", "share/man", "share/man/man1", "share/man/man1/other.1"])
        // A second uninstall has nothing to go on and says so.
        let again = try make(["uninstall", "PREFIX=\(prefix.path)"])
        #expect(again.status != 0)
        #expect(again.standardOutput.contains("nothing to uninstall"))
    }
}
