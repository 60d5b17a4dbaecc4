import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

@Suite("up against a recording engine")
struct SecretLeakTests {
    static func stack() -> Stack {
        Stack("leaktest") {
            Network("backend")
            Volume("data")
            Secret("api_key", .environment("LEAKTEST_API_KEY"))
            Secret.generated("session")
            Service("api", image: "berth-test/busybox:1")
                .entrypoint([])
                .command(["sh", "-c", "sleep 3600"])
                .environment("MODE", "normal")
                // Composed in the container at start: the value must stay out of everything here.
                .environment("UPSTREAM_URL", .composed("https://client:\(secret: "api_key")@upstream.example/v1"))
                .secret("api_key", pathVariable: "API_KEY_FILE")
                .secret("session")
                .networks("backend")
                .volume("data", at: "/data")
                .healthCheck(HealthCheck(.shell("test -s \"$API_KEY_FILE\""), interval: .seconds(1)))
            Service("web", image: "berth-test/busybox:1")
                .command(["httpd", "-f", "-p", "8080"])
                .publish(8080, on: 18170)
                .networks("backend")
                .dependsOn("api", condition: .healthy)
        }
    }

    @Test(
        "an environment secret's value, also composed into a variable, appears in no argv, no rendered file, no plan and no console output"
    )
    func secretNeverLeaks() async throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let marker = "leak-marker-\(UUID().uuidString)"
        let captured = CapturedConsole()
        let probe = ComposeDeployer(engine: DockerEngine(), workspace: Workspace(root: tmp.url))
        let prepared = try probe.prepare(Self.stack(), for: .dev)
        let fake = FakeDocker(deploying: prepared)
        var deployer = ComposeDeployer(
            engine: DockerEngine(runner: fake),
            workspace: Workspace(root: tmp.url),
            console: captured.console,
            processEnvironment: ["LEAKTEST_API_KEY": marker, "PATH": "/usr/bin:/bin"])
        deployer.pollInterval = .milliseconds(10)

        let plan = try await deployer.up(prepared, timeout: .seconds(10))
        #expect(plan.services.map(\.action) == [.create, .create])
        #expect(!String(decoding: try JSONEncoder().encode(plan), as: UTF8.self).contains(marker))
        #expect(!plan.summary.contains(marker))
        // Compose only creates and starts: a start-first call and a stop-first call (a host port).
        let ups = fake.composeUps
        #expect(!ups.isEmpty)
        for up in ups {
            #expect(up.starts(with: ["docker", "compose", "--project-name", "leaktest-dev", "--file"]))
            #expect(up.contains("--no-deps") && up.contains("--detach"))
        }

        // The value is in its own file and nowhere else.
        let secrets = Workspace(root: tmp.url).secretsDirectory(stack: "leaktest", environment: "dev")
        let secretFile = secrets.appendingPathComponent("api_key")
        #expect(try String(contentsOf: secretFile, encoding: .utf8) == marker)
        #expect(try permissions(of: secretFile) == 0o600)
        let files = allFiles(under: Workspace(root: tmp.url).berthDirectory)
        // .gitignore, compose.yaml, secrets/api_key, secrets/session, secrets/.version-key,
        // secrets/.checksums
        #expect(files.count == 6)
        for file in files where file.standardizedFileURL != secretFile.standardizedFileURL {
            let contents = String(decoding: try Data(contentsOf: file), as: UTF8.self)
            #expect(!contents.contains(marker), "\(file.path) holds the secret's value")
        }
        let compose = try String(
            contentsOf: Workspace(root: tmp.url).composeFile(stack: "leaktest", environment: "dev"),
            encoding: .utf8)
        // The document names the variable `docker compose` reads the value from, never a path.
        #expect(compose.contains("environment: \"BERTH_SECRET_api_key\""))
        #expect(!compose.contains("./secrets/"))
        // The composed variable is the shim's, from the secret's file at start.
        #expect(compose.contains("berth_secret_1=$$(cat '/run/secrets/api_key')"))
        #expect(!compose.contains("UPSTREAM_URL:"))

        for call in fake.calls {
            #expect(
                !call.arguments.joined(separator: " ").contains(marker),
                "argv \(call.arguments) holds the secret")
            #expect(call.input.map { !String(decoding: $0, as: UTF8.self).contains(marker) } ?? true)
        }
        #expect(!captured.text.isEmpty)
        #expect(captured.text.contains("Deployed leaktest (dev)"))
        #expect(!captured.text.contains(marker))

        // A second `up` finds nothing to apply and does not run Compose again.
        let again = try await deployer.up(prepared, timeout: .seconds(10))
        #expect(!again.hasChanges)
        #expect(fake.composeUps.count == ups.count)
        #expect(captured.text.contains("Nothing to apply"))
        #expect(!captured.text.contains(marker))
        #expect(fake.calls.allSatisfy { !$0.arguments.joined(separator: " ").contains(marker) })
    }

    @Test("a network the description dropped is removed by `up`, as the plan says")
    func droppedNetworkIsRemoved() async throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let probe = ComposeDeployer(engine: DockerEngine(), workspace: Workspace(root: tmp.url))
        let prepared = try probe.prepare(Self.stack(), for: .dev)
        let fake = FakeDocker(deploying: prepared)
        var deployer = ComposeDeployer(
            engine: DockerEngine(runner: fake), workspace: Workspace(root: tmp.url),
            console: CapturedConsole().console, processEnvironment: ["LEAKTEST_API_KEY": "x"])
        deployer.pollInterval = .milliseconds(10)
        try await deployer.up(prepared, timeout: .seconds(10))

        // An earlier version of the stack had a second network.
        fake.seedNetwork("leaktest-dev_legacy")
        let plan = try await deployer.plan(prepared)
        #expect(plan.networks == [.init(name: "leaktest-dev_legacy", action: .remove)])
        let applied = try await deployer.up(prepared, timeout: .seconds(10))
        #expect(applied == plan)
        #expect(fake.calls.contains { $0.arguments == ["docker", "network", "rm", "leaktest-dev_legacy"] })
        #expect(try await !deployer.plan(prepared).hasChanges)
    }

    @Test("a missing secret stops `up` before the engine is asked anything")
    func missingSecretTouchesNothing() async throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let captured = CapturedConsole()
        let probe = ComposeDeployer(engine: DockerEngine(), workspace: Workspace(root: tmp.url))
        let prepared = try probe.prepare(Self.stack(), for: .dev)
        let fake = FakeDocker(deploying: prepared)
        let deployer = ComposeDeployer(
            engine: DockerEngine(runner: fake), workspace: Workspace(root: tmp.url),
            console: captured.console, processEnvironment: [:])
        let error = await #expect(throws: SecretError.self) {
            try await deployer.up(prepared, timeout: .seconds(5))
        }
        #expect(error?.description.contains("LEAKTEST_API_KEY") == true)
        #expect(fake.calls.isEmpty)
        let secrets = Workspace(root: tmp.url).secretsDirectory(stack: "leaktest", environment: "dev")
        #expect(!FileManager.default.fileExists(atPath: secrets.path))
    }
}
