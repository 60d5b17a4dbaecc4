import Berth
import BerthTesting
import Foundation
import SNSTopology
import Testing

/// The topology diagrams of SNS, compared byte for byte with the golden files in Berth's
/// `docs/diagrams/` (sns-<env>.mmd and .dot). `BERTH_RECORD_GOLDEN=1` re-records them.
@Suite("Topology diagrams")
struct DiagramTests {
    static let diagrams = DiagramGoldens(
        directory: URL(filePath: #filePath).appending(path: "../../../../../docs/diagrams"), suite: "SNSTopologyTests")

    @Test("renders the golden diagrams byte for byte", arguments: SNS.environments)
    func matchesGolden(environment: Environment) throws {
        for mismatch in try Self.diagrams.mismatches([SNS.stack(for: environment)], in: environment, name: "sns") {
            Issue.record(Comment(rawValue: mismatch))
        }
    }

    @Test(
        "the real `dot -Tsvg` draws the DOT diagram without a complaint",
        .enabled(if: diagrams.graphviz.shouldRun, Comment(rawValue: diagrams.graphviz.skipReason)),
        arguments: SNS.environments)
    func graphvizDrawsIt(environment: Environment) async throws {
        let complaint = try await Self.diagrams.graphvizComplaint([SNS.stack(for: environment)], in: environment)
        #expect(complaint == nil, "\(complaint ?? "")")
    }
}
