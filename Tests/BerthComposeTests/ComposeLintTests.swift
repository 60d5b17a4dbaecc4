import BerthTesting
import Foundation
import Testing

/// The security referee: compose-lint (PyPI, installed by `scripts/engine.sh`) on the production
/// files the examples render. Berth's defaults answer its findings about privileges: no service
/// may keep the engine's default capabilities (CL-0006) or, on Compose, gain privileges (CL-0003).
@Suite("compose-lint on the examples' production files")
struct ComposeLintTests {
    static let lint = Referee.Availability.check(
        "compose-lint (PyPI compose-lint 0.36.2)", suite: "BerthComposeTests",
        hint: "scripts/engine.sh up installs it; or pip install compose-lint==0.36.2."
    ) { ExternalTool.find("compose-lint") == nil ? "no `compose-lint` on PATH" : nil }

    static let examples = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "Examples")

    /// Each file, and whether it is a Swarm stack file: a Swarm service cannot set
    /// no-new-privileges (`docker service create` has no security options), so CL-0003 stays.
    static let files = [
        ("InfraPlatform/Tests/InfraPlatformTests/Golden/infra-prod.yaml", false),
        ("NextCandle/Tests/NextCandleTopologyTests/Golden/nextcandle-prod.yaml", true),
        ("NextCandle/Tests/NextCandleTopologyTests/Golden/nextcandle-shared-prod.yaml", true),
        ("SNS/Tests/SNSTopologyTests/Golden/sns-prod.yaml", false),
    ]

    struct Report: Decodable {
        struct Finding: Decodable {
            var ruleID: String
            var severity: String
            var service: String?

            enum CodingKeys: String, CodingKey {
                case ruleID = "rule_id"
                case severity, service
            }
        }
        var findings: [Finding]
    }

    @Test(
        "no service keeps the default capabilities or may gain privileges; the other findings are printed",
        .enabled(if: lint.shouldRun, Comment(rawValue: lint.skipReason)))
    func privileges() async throws {
        try Self.lint.requireAvailable()
        let tool = try #require(ExternalTool.find("compose-lint"))
        for (file, swarm) in Self.files {
            let output = try await tool.run(
                ["check", "--format", "json", "--fail-on", "critical", Self.examples.appending(path: file).path])
            let report = try JSONDecoder().decode(Report.self, from: Data(output.stdout.utf8))
            let privileges = report.findings.filter {
                (swarm ? ["CL-0006"] : ["CL-0003", "CL-0006"]).contains($0.ruleID)
            }
            #expect(privileges.isEmpty, "\(file): \(privileges.map { "\($0.ruleID) \($0.service ?? "")" })")
            let counts = Dictionary(grouping: report.findings, by: { "\($0.ruleID) \($0.severity)" }).mapValues(
                \.count)
            print(
                "compose-lint \(file): \(counts.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", "))"
            )
        }
    }
}
