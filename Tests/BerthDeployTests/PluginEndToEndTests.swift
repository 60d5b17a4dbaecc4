import Foundation
import Testing

@testable import BerthDeploy

/// `swift package … deploy` on Examples/Hello, as users run it.
///
/// SwiftPM reports any non-zero exit of the command as its own exit 1 ("Plugin ended with exit
/// code N"), so non-zero statuses are checked in the output's text.
@Suite(
    "End to end: the deploy plugin on Examples/Hello",
    .serialized,
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(10)))
struct PluginEndToEndTests {
    /// The repository's root, from this file's path: Tests/BerthDeployTests/<file>.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let example = repository.appendingPathComponent("Examples/Hello")

    static func deploy(_ arguments: [String], timeout: Duration = .seconds(180)) async throws
        -> ProcessOutcome
    {
        let command =
            [
                "swift", "package", "--package-path", example.path,
                "--allow-writing-to-package-directory", "--allow-network-connections", "docker",
                "deploy",
            ] + arguments
        let outcome = try await runProcess(command, in: repository, timeout: timeout)
        print("$ \(command.joined(separator: " ")) -> \(outcome.status.map(String.init) ?? "timed out")")
        return outcome
    }

    static func helloIDs() async throws -> [String: [String]] {
        try await RealEngine.containerIDs(DockerEngine(), stack: "hello")
    }

    @Test("up, serve, up again unchanged, plan says no changes, down --volumes removes everything")
    func helloThroughThePlugin() async throws {
        try RealEngine.require()
        #expect(
            FileManager.default.fileExists(atPath: Self.example.appendingPathComponent("Package.swift").path))

        var failure: (any Error)?
        do {
            // The first run builds the example (and Berth with it): allow a few minutes.
            let up = try await Self.deploy(["up", "--env", "dev"], timeout: .seconds(360))
            try #require(up.status == 0, "deploy up failed:\n\(up.output)")
            let page = await RealEngine.get("http://127.0.0.1:18080/index.html")
            #expect(page?.contains("Hello from Berth") == true, "got \(page ?? "no answer")")
            let ids = try await Self.helloIDs()
            #expect(ids.keys.sorted() == ["web", "worker"])

            let again = try await Self.deploy(["up", "--env", "dev"])
            #expect(again.status == 0, "second deploy up failed:\n\(again.output)")
            #expect(again.output.contains("No changes"), "\(again.output)")
            #expect(try await Self.helloIDs() == ids)

            let plan = try await Self.deploy(["plan", "--env", "dev"])
            #expect(plan.status == 0, "deploy plan did not exit 0:\n\(plan.output)")
            #expect(plan.output.contains("No changes"), "\(plan.output)")
            #expect(!plan.output.contains("Plugin ended with exit code"))
        } catch {
            failure = error
        }

        let down = try await Self.deploy(["down", "--env", "dev", "--volumes", "--yes"])
        if down.status != 0 {
            Issue.record("deploy down --volumes failed:\n\(down.output)")
            // Clean up in-process so the engine is left as it was found.
            try? await ComposeDeployer(engine: DockerEngine(), workspace: Workspace(root: Self.example))
                .down(stack: "hello", environment: "dev", removeVolumes: true)
        }
        let left = try await RealEngine.labelled("hello")
        #expect(left.containers.isEmpty, "containers left: \(left.containers)")
        #expect(left.networks.isEmpty, "networks left: \(left.networks)")
        #expect(left.volumes.isEmpty, "volumes left: \(left.volumes)")
        if let failure { throw failure }
    }
}
