import BerthCore
import BerthProcess
import BerthRendering
import Foundation
import Testing

@testable import BerthDeploy

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Whether the end-to-end tests can reach a Docker engine, and what to do when they cannot.
///
/// Without an engine the tests are skipped loudly, unless `BERTH_ENGINE_REQUIRED` is set (CI):
/// then they run and fail with a message saying why.
enum RealEngine {
    /// Whether `docker info` answers, asked once per test run.
    static let isAvailable: Bool = {
        // A DOCKER_HOST naming a dead TCP endpoint must not hang the test run.
        let outcome = try? Command.runBlocking(
            ["docker", "info", "--format", "{{.ServerVersion}}"], timeout: .seconds(20))
        return outcome?.status == 0
    }()

    static var isRequired: Bool {
        let value = ProcessInfo.processInfo.environment["BERTH_ENGINE_REQUIRED"] ?? ""
        return !["", "0", "false", "no"].contains(value.lowercased())
    }

    static var host: String { ProcessInfo.processInfo.environment["DOCKER_HOST"] ?? "(DOCKER_HOST unset)" }

    /// The condition of the end-to-end suites: run with an engine, or without one when it is
    /// required (so the tests fail); otherwise skip, with a warning in the log.
    static var shouldRun: Bool {
        if isAvailable || isRequired { return true }
        _ = warnOnce
        return false
    }

    /// The skip warning, printed once however many tests ask.
    private static let warnOnce: Void = {
        print(
            "WARNING: no Docker engine answers `docker info` at \(host): the BerthDeploy end-to-end tests are SKIPPED. "
                + "Start one with `eval \"$(scripts/engine.sh up)\"`, or set BERTH_ENGINE_REQUIRED=1 to make this a failure."
        )
    }()

    /// Fails the calling test, with a clear message, when no engine answers.
    static func require(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        try #require(
            isAvailable,
            "BERTH_ENGINE_REQUIRED is set but no Docker engine answers `docker info` at \(host). Start one with `eval \"$(scripts/engine.sh up)\"`.",
            sourceLocation: sourceLocation)
    }

    /// A stack name no other test run uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(6).lowercased())"
    }

    /// Everything on the engine carrying `berth.stack=<stack>`, read with the raw Docker CLI.
    static func labelled(_ stack: String) async throws -> (
        containers: [String], networks: [String], volumes: [String]
    ) {
        let filter = ["--filter", "label=\(OwnershipLabel.stack)=\(stack)"]
        func list(_ arguments: [String]) async throws -> [String] {
            let result = try await ProcessRunner().run(["docker"] + arguments + filter, input: nil)
            guard result.succeeded else { throw EngineError("docker \(arguments): \(result.standardError)") }
            return result.standardOutput.split(whereSeparator: \.isNewline).map(String.init)
        }
        return (
            try await list(["ps", "--all", "--quiet"]),
            try await list(["network", "ls", "--quiet"]),
            try await list(["volume", "ls", "--quiet"])
        )
    }

    /// Each service's container IDs.
    static func containerIDs(_ engine: DockerEngine, stack: String, environment: String = "dev") async throws
        -> [String: [String]]
    {
        let live = try await engine.liveState(stack: stack, environment: environment)
        return Dictionary(grouping: live.containers, by: \.service).mapValues { $0.map(\.id).sorted() }
    }

    /// Fetches a URL on the loopback interface, retrying a bounded number of times until it answers
    /// 200; `nil` when it never does.
    static func get(_ address: String, attempts: Int = 30) async -> String? {
        guard let url = URL(string: address), url.host == "127.0.0.1" else {
            Issue.record("test traffic goes to 127.0.0.1 only, not \(address)")
            return nil
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 3
        configuration.timeoutIntervalForResource = 5
        configuration.connectionProxyDictionary = [:]
        let session = URLSession(configuration: configuration)
        for attempt in 1...attempts {
            if let (data, response) = try? await session.data(from: url),
                (response as? HTTPURLResponse)?.statusCode == 200
            {
                return String(decoding: data, as: UTF8.self)
            }
            if attempt < attempts { try? await Task.sleep(for: .milliseconds(500)) }
        }
        return nil
    }

    /// A deployer for a package folder, printing progress with a prefix.
    static func deployer(root: URL, label: String) -> ComposeDeployer {
        let console = Console(isTerminal: false) { _, text in
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let prefixed = lines.enumerated().map {
                $0.offset == lines.count - 1 && $0.element.isEmpty ? "" : "[\(label)] \($0.element)"
            }
            FileHandle.standardError.write(Data(prefixed.joined(separator: "\n").utf8))
        }
        var deployer = ComposeDeployer(
            engine: DockerEngine(), workspace: Workspace(root: root), console: console)
        deployer.pollInterval = .milliseconds(250)
        return deployer
    }
}

/// The outcome of an external command run with a time limit.
struct ProcessOutcome {
    /// The exit status; `nil` when it was stopped at the time limit.
    var status: Int32?
    /// Standard output and standard error, interleaved.
    var output: String
}

/// Runs a command with its output in a temporary file, stopping it (by its own pid) when it
/// outlives the time limit.
func runProcess(_ arguments: [String], in directory: URL? = nil, timeout: Duration) async throws
    -> ProcessOutcome
{
    let log = FileManager.default.temporaryDirectory.appendingPathComponent(
        "berth-process-\(UUID().uuidString).log")
    defer { try? FileManager.default.removeItem(at: log) }
    let program = try await RunningProgram.start(arguments, directory: directory, log: log)
    // SIGTERM at the deadline, SIGKILL 20 s later: bounded even if it ignores SIGTERM.
    let status = await program.wait(timeout: timeout, grace: .seconds(20))
    return ProcessOutcome(
        status: status, output: String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))
}
