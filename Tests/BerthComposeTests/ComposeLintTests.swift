import BerthTesting
import Foundation
import Testing

/// The security referee: compose-lint (PyPI, installed by `scripts/engine.sh`) on the production
/// files the examples render, at `--fail-on medium`. What stays by design (a gateway's public
/// ports, the engine's socket for Traefik's provider, digests pinned at deploy time) is
/// suppressed in each example's `.compose-lint.yml` with its reason; Berth's defaults answer
/// the findings about privileges, which are never suppressed: no service keeps the engine's
/// default capabilities (CL-0006) or, on Compose, may gain privileges (CL-0003).
@Suite("compose-lint on the examples' production files")
struct ComposeLintTests {
    static let lint = Referee.Availability.check(
        "compose-lint (PyPI compose-lint 0.36.2)", suite: "BerthComposeTests",
        hint: "scripts/engine.sh up installs it; or pip install compose-lint==0.36.2."
    ) { ExternalTool.find("compose-lint") == nil ? "no `compose-lint` on PATH" : nil }

    static let examples = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "Examples")

    /// Each example, the production files it renders (linted together, with its
    /// `.compose-lint.yml`), and whether they are Swarm stack files: a Swarm service cannot set
    /// no-new-privileges (`docker service create` has no security options), so CL-0003 may be
    /// suppressed there and nowhere else.
    static let examplesLinted = [
        ("InfraPlatform", ["Tests/InfraPlatformTests/Golden/infra-prod.yaml"], false),
        (
            "NextCandle",
            [
                "Tests/NextCandleTopologyTests/Golden/nextcandle-prod.yaml",
                "Tests/NextCandleTopologyTests/Golden/nextcandle-shared-prod.yaml",
            ], true
        ),
        ("SNS", ["Tests/SNSTopologyTests/Golden/sns-prod.yaml"], false),
    ]

    struct Report: Decodable {
        struct Finding: Decodable {
            var ruleID: String
            var severity: String
            var service: String?
            var suppressed: Bool?
            var suppressionReason: String?

            enum CodingKeys: String, CodingKey {
                case ruleID = "rule_id"
                case severity, service, suppressed
                case suppressionReason = "suppression_reason"
            }
        }
        var findings: [Finding]
    }

    @Test(
        "each example passes `--fail-on medium` with its .compose-lint.yml; no service keeps the default capabilities or may gain privileges",
        .enabled(if: lint.shouldRun, Comment(rawValue: lint.skipReason)))
    func examplesPass() async throws {
        try Self.lint.requireAvailable()
        let tool = try #require(ExternalTool.find("compose-lint"))
        for (example, files, swarm) in Self.examplesLinted {
            let directory = Self.examples.appending(path: example)
            // `--strict-config`: a suppression naming a service the files no longer have, or a
            // rule that does not exist, fails instead of silently suppressing nothing.
            let arguments = [
                "check", "--format", "json", "--fail-on", "medium", "--strict-config", "--config", ".compose-lint.yml",
            ]
            let output = try await tool.run(arguments + files, in: directory)
            #expect(output.status == 0, "\(example): compose-lint exits \(output.status): \(output.stderr)")
            let report = try JSONDecoder().decode(Report.self, from: Data(output.stdout.utf8))
            let counted = report.findings.filter { $0.suppressed != true && $0.severity != "low" }
            #expect(counted.isEmpty, "\(example): \(counted.map { "\($0.ruleID) \($0.service ?? "")" })")
            // Berth's defaults answer these, so they are never suppressed (CL-0003 on Swarm aside).
            let privileges = report.findings.filter {
                (swarm ? ["CL-0006"] : ["CL-0003", "CL-0006"]).contains($0.ruleID)
            }
            #expect(privileges.isEmpty, "\(example): \(privileges.map { "\($0.ruleID) \($0.service ?? "")" })")
            let unexplained = report.findings.filter {
                $0.suppressed == true && ($0.suppressionReason ?? "").count < 40
            }
            #expect(unexplained.isEmpty, "\(example): suppressed without a reason: \(unexplained.map(\.ruleID))")
            let counts = Dictionary(
                grouping: report.findings,
                by: {
                    "\($0.ruleID) \($0.severity)\($0.suppressed == true ? " suppressed" : "")"
                }
            ).mapValues(\.count)
            print(
                "compose-lint \(example): \(counts.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", "))"
            )
        }
    }
}
