import ArgumentParser
import Foundation
import LicenseModel
import LicenseStore
import MembershipRules
import TerminalKit

struct RulesTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Evaluate a rule for a user given as JSON, for JSON Lines in batch, or for the tenant's users.",
        discussion: """
            --user takes a JSON object whose keys are rule property names (any case): strings; \
            booleans; arrays of strings for otherMails, proxyAddresses and memberOf; assignedPlans \
            as [{servicePlanId, service, capabilityStatus}]; manager as the manager's object id; \
            employeeHireDate as ISO 8601. A missing key is null.
            --batch reads JSON Lines {"rule": "...", "user": {...}, "now": "..."} and writes one line \
            per line in: {"match": true|false} or {"error": "...", "column": N}.
            """)

    @OptionGroup var state: StateOptions
    @Argument(help: "The membership rule (not with --batch).") var rule: String?
    @Option(help: "The user as a JSON object.") var user: String?
    @Option(help: "JSON Lines file of {rule, user, now} objects; - for standard input.") var batch: String?
    @Flag(help: "Test the rule against every user of the state directory's tenant.") var tenant = false
    @Option(help: "With --tenant: how many matching users to list.") var limit = 20
    @Option(help: "The evaluation time for system.now, ISO 8601.") var now: String?
    @Flag(help: "Print the value of every sub-expression.") var explain = false

    func validate() throws {
        let modes = [user != nil, batch != nil, tenant].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("give exactly one of --user, --batch and --tenant") }
        if batch == nil && rule == nil { throw ValidationError("give the rule to test") }
        if batch != nil && rule != nil { throw ValidationError("with --batch the rules come from the file") }
        if limit < 0 { throw ValidationError("--limit can't be negative") }
    }

    func run() throws {
        let context = try Self.context(now)
        if let batch {
            try RuleBatch.run(path: batch, defaultContext: context)
            return
        }
        let compiled = try RuleCompilation.compileOrExit(rule!)
        if let user {
            let record: RuleUserRecord
            do { record = try RuleUserRecord(json: Data(user.utf8)) } catch {
                throw ModelError.invalidInput("--user: \(error.description)")
            }
            let matched = compiled.matches(record, context: context)
            try RuleCompilation.requireWithinTimeLimit(compiled)
            print(matched ? "true" : "false")
            if explain { print(compiled.explain(record, context: context).lines().joined(separator: "\n")) }
            return
        }
        let loaded = try state.loadOrSeed().tenant
        let matching = loaded.users.filter { compiled.matches(loaded.ruleView(of: $0), context: context) }
        try RuleCompilation.requireWithinTimeLimit(compiled)
        print("\(matching.count) of \(loaded.users.count) users match \(TextSanitizer.inert(compiled.canonicalText))")
        for user in matching.prefix(limit) {
            print("  \(TextSanitizer.inert(user.userPrincipalName))  \(TextSanitizer.inert(user.displayName))")
            if explain {
                let lines = compiled.explain(loaded.ruleView(of: user), context: context).lines(indent: 2)
                print(lines.map(TextSanitizer.inert).joined(separator: "\n"))
            }
        }
        if matching.count > limit { print("  … and \(matching.count - limit) more (--limit)") }
    }

    static func context(_ now: String?) throws -> RuleContext {
        guard let now else { return RuleContext() }
        guard let date = ISO8601Text.parse(now) else {
            throw ModelError.invalidInput("--now must be an ISO 8601 time such as 2026-01-31T09:00:00Z, not \(now)")
        }
        return RuleContext(now: date)
    }
}

/// `rules test --batch`: one JSON line out per line in, in order; a bad line yields an error
/// line and the run goes on.
enum RuleBatch {
    static func run(path: String, defaultContext: RuleContext) throws {
        let handle: FileHandle
        if path == "-" {
            handle = .standardInput
        } else {
            guard let file = FileHandle(forReadingAtPath: path) else {
                throw ModelError.invalidInput("--batch: can't read \(path)")
            }
            handle = file
        }
        var cache: [String: Result<MembershipRule, RuleDiagnostics>] = [:]
        let data = handle.readDataToEndOfFile()
        var output = ""
        for (number, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.last == 0x0D ? line.dropLast() : line
            if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                if number < data.split(separator: 0x0A, omittingEmptySubsequences: false).count - 1 {
                    output += errorLine("line \(number + 1) is empty", column: nil)
                }
                continue
            }
            output += answer(Data(trimmed), number: number + 1, defaultContext: defaultContext, cache: &cache)
            if output.utf8.count > 1 << 16 {
                FileHandle.standardOutput.write(Data(TextSanitizer.jsonEscapingInvisible(output).utf8))
                output = ""
            }
        }
        FileHandle.standardOutput.write(Data(TextSanitizer.jsonEscapingInvisible(output).utf8))
    }

    static func answer(
        _ line: Data, number: Int, defaultContext: RuleContext, cache: inout [String: Result<MembershipRule, RuleDiagnostics>]
    ) -> String {
        if let problem = JSONNesting.problem(in: line) { return errorLine("line \(number): \(problem)", column: nil) }
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else {
            return errorLine("line \(number) is not a JSON object", column: nil)
        }
        guard let text = object["rule"] as? String else { return errorLine("line \(number) has no \"rule\" string", column: nil) }
        guard let userFields = object["user"] as? [String: Any] else {
            return errorLine("line \(number) has no \"user\" object", column: nil)
        }
        var context = defaultContext
        if let now = object["now"] {
            guard let text = now as? String, let date = ISO8601Text.parse(text) else {
                return errorLine("line \(number): \"now\" must be an ISO 8601 time", column: nil)
            }
            context = RuleContext(now: date)
        }
        let compiled: Result<MembershipRule, RuleDiagnostics>
        if let cached = cache[text] {
            compiled = cached
        } else {
            do { compiled = .success(try MembershipRule(text)) } catch { compiled = .failure(error) }
            cache[text] = compiled
        }
        switch compiled {
        case .failure(let diagnostics):
            return errorLine(diagnostics.first.text, column: diagnostics.first.column)
        case .success(let rule):
            do {
                let record = try RuleUserRecord(fields: userFields)
                rule.matchBudget.reset()
                let matched = rule.matches(record, context: context)
                if let reason = rule.matchBudget.exceeded { return errorLine("line \(number): \(reason)", column: nil) }
                return matched ? "{\"match\":true}\n" : "{\"match\":false}\n"
            } catch {
                return errorLine("line \(number): \(error.description)", column: nil)
            }
        }
    }

    static func errorLine(_ message: String, column: Int?) -> String {
        var fields: [String: Any] = ["error": message]
        if let column { fields["column"] = column }
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
