import ArgumentParser
import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// The command tree over a deployment of several stacks on several servers, without an engine:
/// the servers' engines are addresses nothing answers on, so a command that reached one would
/// fail differently.
@Suite("Deployment.run(arguments:) over several servers")
struct MultiServerCommandTests {
    static let core = Server("core", engine: "ssh://nobody@127.0.0.1:9", address: "10.0.0.2")
    static let edge = Server("edge", engine: "ssh://nobody@127.0.0.1:9", address: "10.0.0.3")
    static let mistakeLine = #line + 11

    /// `good`: edge uses core's published app. `bad`: edge uses a port core does not publish.
    static let deployment = Deployment(environments: [Environment("good"), Environment("bad")]) { environment in
        let published = environment.name == "good"
        let core = Stack("shop-core", on: core) {
            Service("web", image: "berth-test/busybox:1").expose(8000)
                .publish(published ? 8000 : 8001, on: 8000, hostIP: "10.0.0.2")
        }
        let edge = Stack("shop-edge", on: edge) {
            Service("web", image: "berth-test/busybox:1")
                .environment(
                    "UPSTREAM",
                    core.address(of: "web", port: 8000)
                )
        }
        return [edge, core]
    }

    @Test("validate: a cross-server address to an unpublished port exits 1; up stops at it with file:line")
    func crossServerMistake() async throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        #expect(try await Self.deployment.run(arguments: ["validate", "--env", "good", "--directory", tmp.path]) == 0)
        #expect(try await Self.deployment.run(arguments: ["validate", "--env", "bad", "--directory", tmp.path]) == 1)
        for command in ["up", "plan", "down", "status"] {
            let failure = await #expect(throws: ValidationFailure.self) {
                try await Self.deployment.run(arguments: [command, "--env", "bad", "--directory", tmp.path])
            }
            let text = failure.map(String.init(describing:)) ?? ""
            #expect(text.contains("MultiServerCommandTests.swift:\(Self.mistakeLine)"), "\(command): \(text)")
            #expect(text.contains("address-unpublished-port"), "\(command): \(text)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
    }

    @Test("--host and --stack pick stacks; one-stack commands ask which when several match")
    func choosingStacks() async throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let options = ["--env", "good", "--directory", tmp.path]
        await #expect(throws: ValidationError.self) {
            try await Self.deployment.run(arguments: ["plan", "--host", "nowhere"] + options)
        }
        await #expect(throws: ValidationError.self) {
            try await Self.deployment.run(arguments: ["plan", "--stack", "shop-nothing"] + options)
        }
        // `web` is a service of both stacks: which one's logs is a question.
        let ambiguous = await #expect(throws: ValidationError.self) {
            try await Self.deployment.run(arguments: ["logs", "web"] + options)
        }
        #expect(String(describing: ambiguous).contains("--stack"))
        // Render needs no engine: one file per stack, in the order up deploys them.
        #expect(try await Self.deployment.run(arguments: ["render"] + options) == 0)
        let rendered = try FileManager.default.contentsOfDirectory(atPath: tmp.path + "/.berth").filter {
            !$0.hasPrefix(".")
        }.sorted()
        #expect(rendered == ["shop-core", "shop-edge"])
        #expect(
            DeploymentTopology.ordered(Self.deployment.stacks(Environment("good"))).map(\.name) == [
                "shop-core", "shop-edge",
            ])
    }
}
