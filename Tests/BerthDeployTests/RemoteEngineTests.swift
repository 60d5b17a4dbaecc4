import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// The ssh lab answers, and Berth reaches it by address.
@Suite(
    "Remote engines over ssh",
    .enabled(
        if: RemoteEngines.shouldRun,
        "needs the ssh lab (see the WARNING line); BERTH_REMOTE_REQUIRED=1 makes it required"),
    // A bound on a hang, not a speed target: the context test deploys, plans and removes twice,
    // each docker command over its own ssh connection, beside the whole suite's load.
    .timeLimit(.minutes(6)))
struct RemoteEngineTests {
    @Test("both lab hosts answer `docker info` as separate engines, and Berth reaches them by address")
    func labAnswers() async throws {
        let lab = try RemoteEngines.require()
        let core = try await lab.core.output(["info", "--format", "{{.Name}} {{.ID}}"]).trimmed
        let edge = try await lab.edge.output(["info", "--format", "{{.Name}} {{.ID}}"]).trimmed
        #expect(core.hasPrefix("ssh-eng-core "))
        #expect(edge.hasPrefix("ssh-eng-edge "))
        #expect(core.split(separator: " ").last != edge.split(separator: " ").last)

        let engine = DockerEngine(target: lab.core.target)
        #expect(engine.target.isSSH)
        try await engine.checkReachable()
        let version = try await engine.output(["version", "--format", "{{.Server.Version}}"])
        #expect(!version.trimmed.isEmpty)
        #expect(try await lab.core.containers(ofStack: "no-such-stack-\(UUID().uuidString.prefix(6))") == [])
    }

    @Test("the test images are on both hosts: nothing can be pulled there")
    func imagesLoaded() async throws {
        let lab = try RemoteEngines.require()
        for host in [lab.core, lab.edge] {
            for image in ["berth-test/busybox:1", "berth-test/nginx:1"] {
                let result = try await host.docker(["image", "inspect", "--format", "{{.Id}}", image])
                #expect(result.succeeded, "\(image) is missing on \(host): \(result.standardError)")
            }
        }
    }

    @Test("a docker context over ssh: `--context NAME` and Server(engine: \"context:NAME\") deploy there, not locally")
    func dockerContext() async throws {
        let lab = try RemoteEngines.require()
        let name = "berth-test-core-\(UUID().uuidString.prefix(6).lowercased())"
        let created = try await ProcessRunner().run(
            ["docker", "context", "create", name, "--docker", "host=\(lab.core.engine)"], input: nil)
        try #require(created.succeeded, "docker context create: \(created.standardError)")
        defer {
            _ = try? Process.run(
                URL(fileURLWithPath: "/usr/bin/env"), arguments: ["docker", "context", "rm", "-f", name])
        }
        let package = try RemoteEngines.clientDirectory("context")
        defer { try? FileManager.default.removeItem(at: package) }
        let stackName = "ctx-\(UUID().uuidString.prefix(6).lowercased())"

        func deployment(on server: BerthCore.Server?) -> Deployment {
            Deployment(environments: [.dev]) { _ in
                Stack(stackName, on: server) {
                    Secret.generated("token")
                    Service("web", image: "berth-test/busybox:1")
                        .command(["sh", "-c", "test -s /run/secrets/token && exec sleep 86400"])
                        .secret("token").stopGracePeriod(.seconds(1))
                }
            }
        }
        for (deployment, arguments) in [
            (deployment(on: nil), ["--context", name]),
            (deployment(on: BerthCore.Server("core", engine: "context:\(name)")), []),
        ] {
            let options = ["--directory", package.path] + arguments
            #expect(try await deployment.run(arguments: ["up", "--timeout", "60"] + options) == 0)
            #expect(try await lab.core.containers(ofStack: stackName).count == 1)
            let local = try await ProcessRunner().run(
                ["docker", "ps", "--all", "--quiet", "--filter", "label=berth.stack=\(stackName)"], input: nil)
            #expect(local.standardOutput.isEmpty, "deployed to the local engine too")
            #expect(try await deployment.run(arguments: ["plan"] + options) == 0)
            #expect(try await deployment.run(arguments: ["down"] + options) == 0)
            #expect(try await lab.core.containers(ofStack: stackName).isEmpty)
        }
    }
}
