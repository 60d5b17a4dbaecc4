import Berth
import BerthTesting
import Foundation
import HelloTopology
import Testing

/// The topology diagrams of the Hello stack, compared byte for byte with the golden files in Berth's
/// `docs/diagrams/` (hello-<env>.mmd and .dot), which the documentation shows.
///
/// They are what `swift run Deploy diagram --env ENV [--format dot]` prints. Run the tests with
/// `BERTH_RECORD_GOLDEN=1` to re-record them instead of comparing; read every changed file
/// before committing it.
@Suite("Topology diagrams")
struct DiagramTests {
    static let diagrams = DiagramGoldens(
        directory: URL(filePath: #filePath).appending(path: "../../../../../docs/diagrams"), suite: "HelloTopologyTests"
    )

    static func stacks(_ environment: Environment) -> [Stack] {
        hello.stacks(environment)
    }

    @Test("renders the golden diagrams byte for byte", arguments: hello.environments)
    func matchesGolden(environment: Environment) throws {
        for mismatch in try Self.diagrams.mismatches(Self.stacks(environment), in: environment, name: "hello") {
            Issue.record(Comment(rawValue: mismatch))
        }
    }

    @Test("docs/diagrams.md shows the dev diagram as recorded")
    func documentationEmbedsIt() throws {
        guard !GoldenFile.isRecording else { return }
        let diagram = try #require(try Self.diagrams.golden.text(named: "hello-dev.mmd"))
        let page = Self.diagrams.golden.sourceDirectory.deletingLastPathComponent().appending(path: "diagrams.md")
        #expect(
            try String(contentsOf: page, encoding: .utf8).contains("```mermaid\n" + diagram + "```\n"),
            "docs/diagrams.md must show docs/diagrams/hello-dev.mmd as it is: copy it into the mermaid block.")
    }

    @Test(
        "the real `dot -Tsvg` draws the DOT diagram without a complaint",
        .enabled(if: diagrams.graphviz.shouldRun, Comment(rawValue: diagrams.graphviz.skipReason)),
        arguments: hello.environments)
    func graphvizDrawsIt(environment: Environment) async throws {
        let complaint = try await Self.diagrams.graphvizComplaint(Self.stacks(environment), in: environment)
        #expect(complaint == nil, "\(complaint ?? "")")
    }
}
