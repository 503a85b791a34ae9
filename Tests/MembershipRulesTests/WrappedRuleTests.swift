import MembershipRules
import Testing

@Suite("Wrapped rules: caret lines under the piece they point into")
struct WrappedRuleTests {
    @Test("a problem in the third piece has its caret there, at its column within the piece")
    func caretInLaterPiece() throws {
        let rule = String(repeating: #"user.department -eq "X" -or "#, count: 3) + #"user.citty -eq "Y""#
        var problems: [RuleDiagnostic] = []
        do throws(RuleDiagnostics) { _ = try MembershipRule(rule) } catch { problems = error.problems }
        let problem = try #require(problems.first)
        let wrapped = WrappedRule(rule, problems: problems, width: 30)
        #expect(wrapped.pieces.map(\.text).joined() == rule, "nothing is lost or doubled")
        #expect(wrapped.pieces.dropLast().allSatisfy { $0.text.count == 30 })
        let holding = try #require(wrapped.pieces.first { !$0.carets.isEmpty })
        let caret = try #require(holding.carets.first)
        #expect(holding.start + caret.lowerBound == problem.range.lowerBound)
        #expect(Array(holding.text)[caret.lowerBound] == "u", "the caret starts under user.citty")
        #expect(wrapped.pieces.filter { !$0.carets.isEmpty }.count == 1)
    }

    @Test("a problem past the end of the rule points at the last piece", arguments: [#"user.city -eq"#, #"user.city -eq "A" -and"#])
    func pastTheEnd(rule: String) throws {
        var problems: [RuleDiagnostic] = []
        do throws(RuleDiagnostics) { _ = try MembershipRule(rule) } catch { problems = error.problems }
        #expect(!problems.isEmpty)
        let wrapped = WrappedRule(rule, problems: problems, width: 8)
        #expect(wrapped.pieces.last?.carets.isEmpty == false)
        for piece in wrapped.pieces { for caret in piece.carets { #expect(caret.upperBound <= 8) } }
    }
}
