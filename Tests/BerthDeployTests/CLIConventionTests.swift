import ArgumentParser
import BerthCore
import BerthRendering
import Foundation
import Testing

@testable import BerthDeploy

@Suite("CLI conventions: --version")
struct CLIVersionTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let berth = repository.appendingPathComponent(".build/debug/berth").path

    @Test("Deploy --version prints `berth <version>` and exits 0")
    func deployVersion() async throws {
        let error = await #expect(throws: (any Error).self) {
            try await CommandTests.deployment.run(arguments: ["--version"])
        }
        let thrown = try #require(error)
        #expect(DeployCommand.exitCode(for: thrown) == .success)
        #expect(DeployCommand.message(for: thrown) == "berth \(BerthVersion.number)")
        #expect(BerthVersion.line == "berth \(BerthVersion.number)")
    }

    @Test(
        "berth --version prints the same line",
        .enabled(if: FileManager.default.isExecutableFile(atPath: berth), "the berth tool is not built"))
    func berthVersion() async throws {
        let result = try await ProcessRunner().run([Self.berth, "--version"], input: nil)
        #expect(result.succeeded)
        #expect(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == BerthVersion.line)
    }
}

extension Terminal {
    /// A terminal with every stream as given, answering questions with `answer`.
    static func fake(
        terminal: Bool, environment: [String: String] = [:], answer: String? = nil,
        written: Written = Written()
    ) -> Terminal {
        Terminal(
            inputIsTerminal: terminal, outputIsTerminal: terminal, errorIsTerminal: terminal,
            environment: environment, readLine: { answer }, writeError: { written.append($0) })
    }

    /// What a fake terminal wrote to standard error.
    final class Written: @unchecked Sendable {
        private let lock = NSLock()
        private var parts: [String] = []
        func append(_ text: String) { lock.withLock { parts.append(text) } }
        var text: String { lock.withLock { parts.joined() } }
    }
}

@Suite("CLI conventions: colour for severities")
struct CLIColourTests {
    static let diagnostic = Diagnostic(
        .error, .undeclaredNetwork, element: "service 'web'", message: "Network 'back' is not declared.",
        fix: "Declare it.", location: SourceLocation(fileID: "App/Deploy.swift", line: 12))

    @Test("on a terminal only the severity word is coloured; file:line: stays first")
    func colouredOnATerminal() {
        let text = Terminal.fake(terminal: true).format(Self.diagnostic, on: .error)
        #expect(text.hasPrefix("App/Deploy.swift:12: \u{1B}[1;31merror\u{1B}[0m: [undeclared-network]"))
        #expect(
            text.replacingOccurrences(of: "\u{1B}[1;31m", with: "").replacingOccurrences(of: "\u{1B}[0m", with: "")
                == Self.diagnostic.description)
        #expect(Terminal.fake(terminal: true).severity(.warning, on: .output) == "\u{1B}[1;33mwarning\u{1B}[0m")
    }

    @Test(
        "no colour without a terminal or with NO_COLOR set to anything non-empty",
        arguments: [
            (false, [String: String]()), (true, ["NO_COLOR": "1"]), (false, ["NO_COLOR": "1"]),
            (true, ["NO_COLOR": "yes"]),
        ])
    func plain(terminal: Bool, environment: [String: String]) {
        let console = Terminal.fake(terminal: terminal, environment: environment)
        #expect(console.format(Self.diagnostic, on: .error) == Self.diagnostic.description)
        #expect(console.format(Self.diagnostic, on: .output) == Self.diagnostic.description)
        #expect(console.severity(.note, on: .error) == "note")
    }

    @Test("an empty NO_COLOR does not disable colour")
    func emptyNoColour() {
        #expect(Terminal.fake(terminal: true, environment: ["NO_COLOR": ""]).usesColour(on: .error))
    }

    @Test("a validation failure colours each diagnostic's severity")
    func validationFailure() {
        let failure = ValidationFailure(diagnostics: [Self.diagnostic])
        let terminal = Terminal.fake(terminal: true)
        let text = failure.formatted { terminal.format($0, on: .error) }
        #expect(text.contains("\u{1B}[1;31merror\u{1B}[0m"))
        #expect(failure.formatted(\.description) == failure.description)
    }
}

@Suite("CLI conventions: down --volumes asks first")
struct CLIDestructiveTests {
    /// Records every docker command and fails it, so a test sees whether the engine was asked.
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var calls: [[String]] = []
        func record(_ call: [String]) { lock.withLock { calls.append(call) } }
        var all: [[String]] { lock.withLock { calls } }
        var runner: ScriptedRunner {
            ScriptedRunner { arguments in
                self.record(arguments)
                return CommandResult(exitCode: 1, standardOutput: "", standardError: "fake engine")
            }
        }
    }

    func down(_ arguments: [String], on terminal: Terminal, recorder: Recorder) async throws -> Int32 {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        return try await Terminal.$current.withValue(terminal) {
            try await StackDeployer.$runner.withValue(recorder.runner) {
                try await CommandTests.deployment.run(
                    arguments: ["down", "--env", "dev", "--directory", tmp.path] + arguments)
            }
        }
    }

    @Test("without a terminal and without --yes: a usage error naming --yes, and no docker command")
    func refusedWithoutATerminal() async throws {
        let recorder = Recorder()
        let error = await #expect(throws: (any Error).self) {
            try await down(["--volumes"], on: .fake(terminal: false), recorder: recorder)
        }
        let thrown = try #require(error)
        #expect(DeployCommand.exitCode(for: thrown).rawValue == 64)
        #expect(DeployCommand.message(for: thrown).contains("--yes"))
        #expect(recorder.all.isEmpty)
    }

    @Test("--yes proceeds without a terminal and without asking")
    func yesProceeds() async throws {
        let recorder = Recorder()
        let written = Terminal.Written()
        // The fake engine fails every command; reaching it is what this test checks.
        _ = try? await down(["--volumes", "--yes"], on: .fake(terminal: false, written: written), recorder: recorder)
        #expect(!recorder.all.isEmpty)
        #expect(written.text.isEmpty)
    }

    @Test("on a terminal: asks, and only y or yes proceeds")
    func asks() async throws {
        let declined = Recorder()
        let written = Terminal.Written()
        let status = try await down(
            ["--volumes"], on: .fake(terminal: true, answer: "", written: written), recorder: declined)
        #expect(status == 1)
        #expect(declined.all.isEmpty)
        #expect(written.text.contains("Remove the volumes of cmdtest (dev)"))
        #expect(written.text.contains("[y/N]"))

        let agreed = Recorder()
        _ = try? await down(["--volumes"], on: .fake(terminal: true, answer: "yes"), recorder: agreed)
        #expect(!agreed.all.isEmpty)
    }

    @Test("down without --volumes never asks")
    func keepsVolumesWithoutAsking() async throws {
        let recorder = Recorder()
        let written = Terminal.Written()
        _ = try? await down([], on: .fake(terminal: false, written: written), recorder: recorder)
        #expect(!recorder.all.isEmpty)
        #expect(written.text.isEmpty)
    }
}

@Suite("CLI conventions: --json")
struct CLIJSONTests {
    func validateReport(_ environment: String) throws -> ValidateCommand.Report {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let parsed = try DeployCommand.parseAsRoot([
            "validate", "--json", "--env", environment, "--directory", tmp.path,
        ])
        let command = try #require(parsed as? ValidateCommand)
        #expect(command.json)
        let text = try jsonText(try command.report(CommandTests.deployment))
        return try JSONDecoder().decode(ValidateCommand.Report.self, from: Data(text.utf8))
    }

    @Test("validate --json: environment, stacks, valid, errors and every diagnostic")
    func validate() throws {
        let valid = try validateReport("dev")
        #expect(valid.environment == "dev")
        #expect(valid.stacks == ["cmdtest"])
        #expect(valid.valid && valid.errors == 0)

        let broken = try validateReport("broken")
        #expect(!broken.valid)
        #expect(broken.errors == broken.diagnostics.filter { $0.severity == .error }.count)
        #expect(broken.errors > 0)
        #expect(broken.diagnostics.contains { $0.code == .undeclaredService && $0.location != nil })
    }
}

@Suite("CLI conventions: berth status --json and berth routes --json")
struct CLIEngineJSONTests {
    @Test("berth status --json: each stack with its ready count and containers")
    func status() throws {
        let live = LiveState(
            containers: [
                liveContainer("web", hash: nil, health: "healthy"),
                liveContainer("worker", hash: nil, state: "exited", exitCode: 1),
            ], networks: [], volumes: [])
        let text = try jsonText([DeployedStackReport(stack: "shop", environment: "dev", live: live)])
        let decoded = try JSONDecoder().decode([DeployedStackReport].self, from: Data(text.utf8))
        #expect(decoded.count == 1)
        #expect(decoded[0].stack == "shop" && decoded[0].environment == "dev")
        #expect(decoded[0].ready == 1)
        #expect(decoded[0].containers.map(\.service) == ["web", "worker"])
        #expect(decoded[0].containers[0].health == "healthy")
        #expect(decoded[0].containers[1].state == "exited")
    }

    @Test("berth routes --json: routes by gateway, sorted by host and path; no gateway is null")
    func routes() throws {
        var gateway = liveContainer("caddy", hash: nil, project: "edge-prod")
        gateway.labels = [OwnershipLabel.stack: "edge", OwnershipLabel.environment: "prod"]
        gateway.ports = ["0.0.0.0:443->443/tcp"]
        func route(_ host: String, _ path: String, servers: [String]) -> LiveRoute {
            LiveRoute(
                route: Route(
                    host: host, pathPrefix: path, port: 8080, location: SourceLocation(fileID: "A.swift", line: 1)),
                stack: "shop", environment: "prod", service: "web", servers: servers)
        }
        let groups = [
            RouteGroupReport(
                gateway: gateway,
                routes: [
                    route("shop.test", "/api", servers: ["shop-prod-web-1"]), route("shop.test", "/", servers: []),
                ]),
            RouteGroupReport(gateway: nil, routes: [route("lost.test", "/", servers: [])]),
        ]
        let decoded = try JSONDecoder().decode([RouteGroupReport].self, from: Data(try jsonText(groups).utf8))
        #expect(decoded == groups)
        #expect(decoded[0].gateway?.stack == "edge")
        #expect(decoded[0].gateway?.ports == ["0.0.0.0:443->443/tcp"])
        #expect(decoded[0].routes.map(\.path) == ["/", "/api"])
        #expect(decoded[0].routes[1].servers == ["shop-prod-web-1"])
        #expect(decoded[1].gateway == nil)
        // A missing gateway is written as null, so readers see the key.
        #expect(try jsonText(groups).contains("\"gateway\" : null"))
    }
}

@Suite("CLI conventions: names, usage and doctor")
struct CLINamingTests {
    /// A `Deploy` program as users build one: the rollout fixture.
    static func deploy(_ arguments: [String], name: String? = nil) async throws -> CommandResult {
        let program = try FixtureDeploy.executable.path
        let prefix = ["env", "FIXTURE_ONLY=web"] + (name.map { ["BERTH_COMMAND_NAME=\($0)"] } ?? [])
        return try await ProcessRunner().run(prefix + [program] + arguments, input: nil)
    }

    @Test("help and usage name the program as it was run, or as the plugin says it was")
    func helpNamesTheProgram() async throws {
        let help = try await Self.deploy(["--help"])
        #expect(help.standardOutput.contains("USAGE: RolloutFixture <subcommand>"), "\(help.standardOutput)")
        let plugin = try await Self.deploy(["up", "--help"], name: "swift package deploy")
        #expect(plugin.standardOutput.contains("USAGE: swift package deploy up"), "\(plugin.standardOutput)")
    }

    @Test("a usage error found by a subcommand prints that subcommand's usage and exits 64")
    func subcommandUsage() async throws {
        let unknown = try await Self.deploy(["plan", "--env", "nowhere"])
        #expect(unknown.exitCode == 64, "\(unknown.standardError)")
        #expect(unknown.standardError.contains("nowhere"), "\(unknown.standardError)")
        #expect(unknown.standardError.contains("Usage: RolloutFixture plan"), "\(unknown.standardError)")
        #expect(unknown.standardError.contains("See 'RolloutFixture plan --help'"), "\(unknown.standardError)")
        let nested = try await Self.deploy(["lock", "status", "--env", "nowhere"])
        #expect(nested.standardError.contains("See 'RolloutFixture lock status --help'"), "\(nested.standardError)")
        // One the parser finds names the subcommand too.
        let parsed = try await Self.deploy(["up", "--no-such-option"])
        #expect(parsed.exitCode == 64)
        #expect(parsed.standardError.contains("RolloutFixture up"), "\(parsed.standardError)")
    }

    @Test(
        "an unreachable engine's advice tells a missing context, a forbidden socket and a failed SSH connection apart")
    func unreachableAdvice() {
        let missing = DockerEngine.advice(
            unreachable: Target(context: "prod"),
            standardError:
                #"Failed to initialize: unable to resolve docker endpoint: context "prod": context not found: open /root/.docker/contexts/meta/x/meta.json: no such file or directory"#
        )
        #expect(missing.contains("docker context prod does not exist") && missing.contains("docker context ls"))
        let forbidden = DockerEngine.advice(
            unreachable: Target(),
            standardError:
                "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock")
        #expect(forbidden.contains("`docker` group"))
        let ssh = DockerEngine.advice(
            unreachable: Target(host: "ssh://deploy@core"),
            standardError: "error during connect: ssh: connect to host core port 22: Connection refused")
        #expect(ssh.contains("ssh USER@HOST docker version"))
        let down = DockerEngine.advice(
            unreachable: Target(host: "unix:///tmp/none.sock"),
            standardError: "Cannot connect to the Docker daemon at unix:///tmp/none.sock. Is the docker daemon running?"
        )
        #expect(down == "Start the engine, set DOCKER_HOST, or pass --context NAME.")
    }

    @Test(
        "berth doctor with a context that does not exist: the CLI is found, the context is named as the problem",
        .enabled(if: FileManager.default.isExecutableFile(atPath: CLIVersionTests.berth), "the berth tool is not built")
    )
    func doctorWrongContext() async throws {
        let name = "berth-no-such-context-\(UUID().uuidString.prefix(8))"
        let result = try await ProcessRunner().run([CLIVersionTests.berth, "doctor", "--context", name], input: nil)
        #expect(result.exitCode == 1)
        #expect(result.standardOutput.contains("ok    docker CLI: Docker version"), "\(result.standardOutput)")
        #expect(
            result.standardOutput.contains("docker context \(name) does not exist"), "\(result.standardOutput)")
        #expect(!result.standardOutput.contains("Install the Docker CLI"), "\(result.standardOutput)")

        // An engine that does not answer: the CLI's own words, then what to do.
        let socket = "unix:///tmp/berth-no-engine-\(UUID().uuidString.prefix(8)).sock"
        let silent = try await ProcessRunner().run(
            ["env", "DOCKER_HOST=\(socket)", CLIVersionTests.berth, "doctor"], input: nil)
        #expect(silent.exitCode == 1)
        #expect(silent.standardOutput.contains("ok    docker CLI"), "\(silent.standardOutput)")
        #expect(silent.standardOutput.contains("Cannot connect to the Docker daemon"), "\(silent.standardOutput)")
        #expect(silent.standardOutput.contains("Start the engine"), "\(silent.standardOutput)")
    }
}

@Suite("CLI conventions: diagnostics name files an editor opens")
struct CLISourcePathTests {
    @Test(
        "Module/File.swift is found under Sources/Module (or Tests/Module), relative or absolute; an ambiguous or unknown one keeps its #fileID"
    )
    func resolves() throws {
        let tmp = try TemporaryDirectory("berth-source-paths")
        defer { tmp.remove() }
        let files = [
            "Sources/App/Stacks/Deploy.swift", "Sources/App/Twice.swift", "Sources/App/More/Twice.swift",
            "Tests/AppTests/Check.swift",
        ]
        for file in files {
            let url = tmp.url.appendingPathComponent(file)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data().write(to: url)
        }
        let relative = SourcePaths(root: tmp.url)
        #expect(
            relative.describe(SourceLocation(fileID: "App/Deploy.swift", line: 7))
                == "Sources/App/Stacks/Deploy.swift:7")
        #expect(
            relative.path(of: SourceLocation(fileID: "AppTests/Check.swift", line: 1)) == "Tests/AppTests/Check.swift")
        #expect(relative.path(of: SourceLocation(fileID: "App/Twice.swift", line: 1)) == "App/Twice.swift")
        #expect(relative.path(of: SourceLocation(fileID: "Other/Deploy.swift", line: 1)) == "Other/Deploy.swift")
        let absolute = SourcePaths(root: tmp.url, absolute: true)
        let path = absolute.path(of: SourceLocation(fileID: "App/Deploy.swift", line: 7))
        #expect(path.hasPrefix("/") && path.hasSuffix("/Sources/App/Stacks/Deploy.swift"))
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test("a Deploy program's errors start with the file's path from the package, or its absolute path with --absolute")
    func deployProgram() async throws {
        let program = try FixtureDeploy.executable.path
        let environment = ["env", "FIXTURE_STACK=Bad_Name!", "FIXTURE_ONLY=web"]
        let repository = CLIVersionTests.repository.path
        let relative = try await ProcessRunner().run(
            environment + [program, "validate", "--directory", repository], input: nil)
        #expect(relative.exitCode == 1)
        #expect(relative.standardOutput.hasPrefix("Tests/RolloutFixture/main.swift:"), "\(relative.standardOutput)")
        #expect(relative.standardOutput.contains(": error: [invalid-name] stack 'Bad_Name!'"))
        let absolute = try await ProcessRunner().run(
            environment + [program, "validate", "--directory", repository, "--absolute"], input: nil)
        #expect(
            absolute.standardOutput.hasPrefix("\(repository)/Tests/RolloutFixture/main.swift:"),
            "\(absolute.standardOutput)")
    }
}
