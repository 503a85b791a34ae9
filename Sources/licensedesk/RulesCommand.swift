import ArgumentParser
import Foundation
import LicenseModel
import LicenseStore
import MembershipRules
import TerminalKit

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Check, test and benchmark dynamic membership rules.",
        subcommands: [RulesCheckCommand.self, RulesTestCommand.self, RulesBenchCommand.self])
}

struct RulesCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check a rule; print its canonical form, or each problem with a caret under it.")

    @OptionGroup var state: StateOptions
    @Argument(help: "The membership rule.") var rule: String

    func run() throws {
        let compiled = try RuleCompilation.compileOrExit(rule)
        print(compiled.canonicalText)
    }
}

/// Shared by the rules commands: report an invalid rule as `error: column N: <message>`,
/// the rule and a caret line, then exit 1.
enum RuleCompilation {
    static func compileOrExit(_ text: String) throws -> MembershipRule {
        do { return try MembershipRule(text) } catch {
            var lines: [String] = []
            for problem in error.problems {
                lines.append("error: \(TextSanitizer.inert(problem.description))")
                lines += problem.caretLines(for: text).map(TextSanitizer.inert)
            }
            FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            throw ExitCode(1)
        }
    }

    /// Exit 1 with the reason when a `-match` of the rule ran out of time: its answer is not one.
    static func requireWithinTimeLimit(_ rule: MembershipRule) throws {
        guard let reason = rule.matchBudget.exceeded else { return }
        FileHandle.standardError.write(Data("error: \(TextSanitizer.inert(reason))\n".utf8))
        throw ExitCode(1)
    }
}
