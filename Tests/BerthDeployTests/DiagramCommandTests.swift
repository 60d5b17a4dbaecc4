import BerthCompose
import BerthCore
import BerthDiagram
import Foundation
import Testing

@testable import BerthDeploy

@Suite("diagram and plan --diagram")
struct DiagramCommandTests {
    @Test("diagram writes the environment's topology without an engine, in either language")
    func writesTheDiagram() async throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        for format in DiagramFormat.allCases {
            let path = tmp.path + "/topology.\(format.fileExtension)"
            let status = try await CommandTests.deployment.run(arguments: [
                "diagram", "--env", "dev", "--directory", tmp.path, "--format", format.rawValue, "--output", path,
            ])
            #expect(status == 0)
            let expected = format.renderer.render(
                Diagram(stacks: CommandTests.deployment.stacks(.dev), environment: .dev))
            #expect(try String(contentsOfFile: path, encoding: .utf8) == expected)
        }
        // Nothing rendered, nothing under .berth/: a diagram is not a deploy.
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/.berth"))
    }

    @Test("an invalid description is refused with its diagnostics, and nothing is written")
    func refusesInvalidStacks() async throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let path = tmp.path + "/topology.mmd"
        await #expect(throws: ValidationFailure.self) {
            try await CommandTests.deployment.run(arguments: [
                "diagram", "--env", "broken", "--directory", tmp.path, "--output", path,
            ])
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("an unknown --format is a usage error naming the formats")
    func unknownFormat() async throws {
        await #expect {
            try await CommandTests.deployment.run(arguments: ["diagram", "--format", "svg"])
        } throws: { error in
            DeployCommand.message(for: error).contains("Use one of: mermaid, dot.")
        }
        await #expect {
            try await CommandTests.deployment.run(arguments: ["plan", "--json", "--diagram"])
        } throws: { error in
            DeployCommand.message(for: error).contains("choose one")
        }
    }

    @Test("plan --diagram highlights what the plan creates, updates and removes")
    func planHighlights() throws {
        let stack = PlanTests.shop()
        let document = PlanTests.document(stack)
        // `worker` runs an older configuration; `web` is missing; `legacy` is no longer described.
        let live = LiveState(
            containers: [
                liveContainer("worker", hash: PlanTests.document(PlanTests.shop(mode: "slow")).serviceHashes["worker"]),
                liveContainer("legacy", hash: document.serviceHashes["web"]),
            ], networks: ["shop-dev_backend"], volumes: ["shop-dev_data"])
        let changes = PlanTests.plan(stack, live: live).diagramChanges
        #expect(changes["web"]?.action == .create)
        #expect(changes["worker"]?.action == .update)
        #expect(changes["worker"]?.fields.contains("environment") == true)
        #expect(changes["legacy"]?.action == .remove)

        // The same from a plan written by hand, as a deploy's would be read back.
        var fake = PlanTests.plan(stack, live: live)
        fake.services = [
            Plan.ServiceChange(service: "web", action: .update, changedFields: ["environment"]),
            Plan.ServiceChange(service: "worker", action: .unchanged, changedFields: []),
            Plan.ServiceChange(service: "legacy", action: .remove, changedFields: []),
        ]
        let diagram = Diagram(stacks: [stack], environment: .dev, plans: [fake])
        let marked = diagram.root.allNodes.compactMap { node in node.change.map { "\(node.lines[0]) \($0.line)" } }
        #expect(marked == ["web update: environment", "legacy remove"])
        let mermaid = MermaidRenderer().render(diagram)
        #expect(mermaid.contains("classDef update") && mermaid.contains("classDef remove"))
        #expect(!mermaid.contains("classDef create"))
    }
}
