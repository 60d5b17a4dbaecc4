import ArgumentParser
import BerthCore
import BerthProcess
import Foundation
import Testing

@testable import BerthDeploy

/// `exec` and `shell` without an engine: parsing, flags, and which container is chosen.
@Suite("exec and shell")
struct ExecCommandTests {
    static let stack = Stack("exectest") {
        Service("web", image: "berth-test/busybox:1").command(["httpd", "-f", "-p", "8080"])
        Service("worker", image: "berth-test/busybox:1").command(["sleep", "3600"])
    }
    static let deployment = Deployment(environments: [.dev]) { _ in stack }

    @Test("everything after `--` is the command, options included; no `--` is a usage error")
    func parsing() throws {
        let parsed = try #require(
            try DeployCommand.parseAsRoot([
                "exec", "web", "--user", "nobody", "--", "sh", "-c", "exit 3", "--index", "2",
            ])
                as? ExecCommand)
        #expect(parsed.service == "web")
        #expect(parsed.user == "nobody")
        #expect(parsed.index == 1)
        #expect(parsed.command == ["sh", "-c", "exit 3", "--index", "2"])

        #expect(throws: (any Error).self) { try DeployCommand.parseAsRoot(["exec", "web"]) }
        #expect(throws: (any Error).self) { try DeployCommand.parseAsRoot(["exec", "web", "ls"]) }
        #expect(throws: (any Error).self) {
            try DeployCommand.parseAsRoot(["exec", "web", "--index", "0", "--", "ls"])
        }
        let shell = try #require(try DeployCommand.parseAsRoot(["shell", "web", "--index", "2"]) as? ShellCommand)
        #expect(shell.index == 2)
    }

    @Test("-i only while standard input is open, -t only when input and output are terminals")
    func streamFlags() {
        #expect(StandardStreams(inputIsOpen: false, areTerminals: false).execFlags == [])
        #expect(StandardStreams(inputIsOpen: true, areTerminals: false).execFlags == ["--interactive"])
        #expect(StandardStreams(inputIsOpen: true, areTerminals: true).execFlags == ["--interactive", "--tty"])
    }

    @Test("an unknown service names the services the stack has, before any engine is asked")
    func unknownService() async throws {
        let tmp = try TemporaryDirectory("berth-exec")
        defer { tmp.remove() }
        let error = await #expect(throws: ValidationError.self) {
            _ = try await Self.deployment.run(arguments: ["exec", "db", "--directory", tmp.path, "--", "true"])
        }
        #expect(error?.message.contains("no service 'db'") == true)
        #expect(error?.message.contains("web, worker") == true)
    }

    @Test("runs `docker exec` attached in the service's running container, as the given user")
    func execArguments() async throws {
        let tmp = try TemporaryDirectory("berth-exec")
        defer { tmp.remove() }
        let prepared = try ComposeDeployer(engine: DockerEngine(), workspace: Workspace(root: tmp.url))
            .prepare(Self.stack, for: .dev)
        let docker = FakeDocker(deploying: prepared)
        _ = try await docker.run(["docker", "compose", "up"], input: nil)
        var exec = ServiceExec(engine: DockerEngine(runner: docker), stack: Self.stack, environment: .dev)
        exec.streams = StandardStreams(inputIsOpen: true, areTerminals: false)

        let container = try await exec.container(of: "worker", index: 1)
        #expect(container.name == "exectest-dev-worker-1")
        #expect(try await exec.run(["cat", "/etc/hostname"], in: container, user: "nobody") == 0)
        #expect(
            docker.calls.last?.arguments == [
                "docker", "exec", "--interactive", "--user", "nobody", container.id, "cat", "/etc/hostname",
            ])

        let error = await #expect(throws: EngineError.self) { try await exec.container(of: "worker", index: 2) }
        #expect(error?.message.contains("runs 1 container(s)") == true)
    }
}

/// `exec` and `shell` as users run them: the `RolloutFixture` Deploy program as a process with
/// its own standard input, output and error, against the local engine and a remote one.
@Suite(
    "End to end: exec and shell",
    .serialized,
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(5)))
struct ExecEndToEndTests {
    @Test("exec passes output, error output, standard input and the exit status through")
    func localExec() async throws {
        try RealEngine.require()
        let tmp = try TemporaryDirectory("berth-exec-e2e")
        defer { tmp.remove() }
        try await Self.withWeb(FixtureDeploy(directory: tmp.url, stack: RealEngine.uniqueName("exec"), port: 0)) {
            fixture in
            let failing = try await fixture.runSeparated(
                ["exec", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 3"])
            #expect(failing.status == 3)
            #expect(failing.output == "out\n")
            #expect(failing.errors.contains("err"))

            let config = try await fixture.runSeparated(["exec", "web", "--", "cat", "/etc/motd"])
            #expect(config.status == 0)
            #expect(config.output == "welcome\n")

            let piped = try await fixture.runSeparated(["exec", "web", "--", "cat"], input: "through stdin\n")
            #expect(piped.output == "through stdin\n")

            let options = try await fixture.runSeparated(
                ["exec", "web", "--user", "nobody", "--", "sh", "-c", "id -u; echo \"$@\"", "sh", "--index", "5"])
            #expect(options.status == 0)
            #expect(options.output == "65534\n--index 5\n")

            let shell = try await fixture.runSeparated(["shell", "web"], input: "echo \"$0\"; exit 4\n")
            #expect(shell.status == 4)
            #expect(shell.output == "/bin/sh\n")

            let missing = try await fixture.runSeparated(["exec", "db", "--", "true"])
            #expect(missing.status == 64)
            #expect(missing.errors.contains("Its services: web."))

            let index = try await fixture.runSeparated(["exec", "web", "--index", "2", "--", "true"])
            #expect(index.status == 1)
            #expect(index.errors.contains("runs 1 container(s)"))
        }
        let gone = try await FixtureDeploy(directory: tmp.url, stack: "exec-never-deployed", port: 0)
            .runSeparated(["exec", "web", "--", "true"])
        #expect(gone.status == 1)
        #expect(gone.errors.contains("has no container"))
    }

    @Test(
        "exec reaches a container on a remote engine through ssh",
        .enabled(if: RemoteEngines.shouldRun, "needs the ssh lab (see the WARNING line)"))
    func remoteExec() async throws {
        let lab = try RemoteEngines.require()
        let directory = try RemoteEngines.clientDirectory("berth-exec-remote")
        defer { try? FileManager.default.removeItem(at: directory) }
        var fixture = FixtureDeploy(directory: directory, stack: RealEngine.uniqueName("exec-remote"), port: 0)
        fixture.settings["DOCKER_HOST"] = lab.core.engine
        try await Self.withWeb(fixture) { fixture in
            let containers = try await lab.core.containers(ofStack: fixture.stack)
            #expect(containers == ["\(fixture.project)-web-1"])
            #expect(try await RealEngine.labelled(fixture.stack).containers == [], "deployed to the local engine")

            let hostname = try await fixture.runSeparated(["exec", "web", "--", "sh", "-c", "hostname; exit 9"])
            #expect(hostname.status == 9)
            let id = try await lab.core.output(["inspect", "--format", "{{.Config.Hostname}}", containers[0]])
            #expect(hostname.output == id)

            let piped = try await fixture.runSeparated(["exec", "web", "--", "cat"], input: "over ssh\n")
            #expect(piped.output == "over ssh\n")

            // In-process, by address rather than DOCKER_HOST.
            var exec = ServiceExec(
                engine: DockerEngine(target: lab.core.target),
                stack: Stack(fixture.stack) { Service("web", image: "berth-test/busybox:1") }, environment: .dev)
            exec.streams = StandardStreams(inputIsOpen: false, areTerminals: false)
            let container = try await exec.container(of: "web", index: 1)
            #expect(container.name == containers[0])
            #expect(try await exec.run(["sh", "-c", "exit 5"], in: container, user: nil) == 5)
        }
        #expect(try await lab.core.containers(ofStack: fixture.stack) == [])
    }

    /// Deploys the fixture's `web` alone, runs `body`, and removes the stack whatever happened.
    static func withWeb(_ fixture: FixtureDeploy, _ body: (FixtureDeploy) async throws -> Void) async throws {
        var fixture = fixture
        fixture.settings["FIXTURE_ONLY"] = "web"
        var failure: (any Error)?
        do {
            let up = try await fixture.run(["up"], version: "1")
            try #require(up.status == 0, "up failed:\n\(up.output)")
            try await body(fixture)
        } catch {
            failure = error
        }
        await fixture.tearDown()
        if let failure { throw failure }
    }
}

extension FixtureDeploy {
    /// Runs `Deploy ARGUMENTS` to its end with `input` on standard input (`/dev/null` without),
    /// keeping standard output and standard error apart.
    func runSeparated(_ arguments: [String], input: String? = nil) async throws -> (
        status: Int32?, output: String, errors: String
    ) {
        let environment = ["FIXTURE_STACK": stack, "FIXTURE_PORT": String(port), "FIXTURE_VERSION": "1"].merging(
            settings
        ) { $1 }
        let executable = try Self.executable.path
        guard
            let outcome = try await Command.run(
                [executable] + arguments, input: input.map { Array($0.utf8) },
                environment: .inherited(adding: environment), directory: directory, timeout: .seconds(120))
        else { return (nil, "", "") }
        return (outcome.status, outcome.outputText, outcome.errorText)
    }
}
