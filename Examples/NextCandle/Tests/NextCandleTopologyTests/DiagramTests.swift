import Berth
import BerthTesting
import Foundation
import NextCandleTopology
import Testing

/// The topology diagrams of both NextCandle stacks (the shared one and the environment's), compared byte for byte with the golden files in Berth's
/// `docs/diagrams/` (nextcandle-<env>.mmd and .dot), which the documentation shows.
///
/// They are what `swift run Deploy diagram --env ENV [--format dot]` prints. Run the tests with
/// `BERTH_RECORD_GOLDEN=1` to re-record them instead of comparing; read every changed file
/// before committing it.
@Suite("Topology diagrams")
struct DiagramTests {
    static let diagrams = DiagramGoldens(
        directory: URL(filePath: #filePath).appending(path: "../../../../../docs/diagrams"),
        suite: "NextCandleTopologyTests")

    static func stacks(_ environment: Environment) -> [Stack] {
        nextcandleShared.stacks(environment) + nextcandle.stacks(environment)
    }

    @Test("renders the golden diagrams byte for byte", arguments: NextCandle.environments)
    func matchesGolden(environment: Environment) throws {
        for mismatch in try Self.diagrams.mismatches(Self.stacks(environment), in: environment, name: "nextcandle") {
            Issue.record(Comment(rawValue: mismatch))
        }
    }

    @Test(
        "the real `dot -Tsvg` draws the DOT diagram without a complaint",
        .enabled(if: diagrams.graphviz.shouldRun, Comment(rawValue: diagrams.graphviz.skipReason)),
        arguments: NextCandle.environments)
    func graphvizDrawsIt(environment: Environment) async throws {
        let complaint = try await Self.diagrams.graphvizComplaint(Self.stacks(environment), in: environment)
        #expect(complaint == nil, "\(complaint ?? "")")
    }
}
