import BerthProcess
import BerthRendering
import Foundation
import Testing

@testable import BerthDeploy

/// The two Docker engines of the ssh lab (`scripts/remote-engines.sh`), for tests of remote
/// targets: `core` and `edge`, each a separate "host" reached only through `ssh://`.
///
/// `scripts/test.sh` starts the lab and exports their addresses. Without them the tests are
/// skipped loudly, unless `BERTH_REMOTE_REQUIRED` is set (CI): then they run and fail with a
/// message saying why.
struct RemoteEngines: Sendable {
    /// One lab host.
    struct Host: Sendable, CustomStringConvertible {
        /// The engine's address, `ssh://core@127.0.0.1:2222`.
        var engine: String
        /// The host's address on the lab's LAN, where other hosts reach its published ports.
        var address: String

        /// A Berth target for the engine.
        var target: Target { Target(host: engine) }

        var description: String { "\(engine) (\(address))" }
    }

    /// The host every test uses first.
    var core: Host
    /// The second host.
    var edge: Host

    private static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The lab's hosts as `scripts/remote-engines.sh up` exported them, or `nil` when unset.
    static var configured: RemoteEngines? {
        guard let core = environment["BERTH_REMOTE_CORE"], !core.isEmpty,
            let edge = environment["BERTH_REMOTE_EDGE"], !edge.isEmpty
        else { return nil }
        return RemoteEngines(
            core: Host(engine: core, address: environment["BERTH_REMOTE_CORE_ADDRESS"] ?? "10.250.0.2"),
            edge: Host(engine: edge, address: environment["BERTH_REMOTE_EDGE_ADDRESS"] ?? "10.250.0.3"))
    }

    static var isRequired: Bool {
        let value = environment["BERTH_REMOTE_REQUIRED"] ?? ""
        return !["", "0", "false", "no"].contains(value.lowercased())
    }

    /// Why the lab cannot be used, or `nil` when both engines answer; asked once per test run.
    static let unavailableReason: String? = {
        guard let lab = configured else {
            return "BERTH_REMOTE_CORE and BERTH_REMOTE_EDGE are not set"
        }
        for host in [lab.core, lab.edge] {
            let outcome = blockingDocker(["--host", host.engine, "info", "--format", "{{.ServerVersion}}"])
            if outcome.status != 0 {
                return "`docker --host \(host.engine) info` failed: \(outcome.output.trimmed)"
            }
        }
        return nil
    }()

    /// The condition of the remote suites: run with the lab, or without it when it is required
    /// (so the tests fail); otherwise skip, with a warning in the log.
    static var shouldRun: Bool {
        if unavailableReason == nil || isRequired { return true }
        _ = warnOnce
        return false
    }

    private static let warnOnce: Void = {
        print(
            "WARNING: the remote engines cannot be used (\(unavailableReason ?? "")): tests of ssh:// targets are SKIPPED. "
                + "Start them with `eval \"$(scripts/remote-engines.sh up)\"`, or set BERTH_REMOTE_REQUIRED=1 to make this a failure."
        )
    }()

    /// The lab's hosts; fails the calling test, with the reason, when they do not answer.
    static func require(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> RemoteEngines {
        if let reason = unavailableReason {
            Issue.record(
                "The remote engines are required but cannot be used: \(reason). Start them with `eval \"$(scripts/remote-engines.sh up)\"`.",
                sourceLocation: sourceLocation)
            throw RemoteEnginesUnavailable()
        }
        return configured!
    }

    /// A package folder in the client-side workspace the lab's engines cannot see (an empty
    /// tmpfs hides it from them), so a bind mount of a client path fails as on a real server.
    static func clientDirectory(_ name: String) throws -> URL {
        let directory = URL(fileURLWithPath: "/tmp/ssh-eng-client", isDirectory: true)
            .appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}

/// The remote engines were required and are not there; the recorded issue says why.
struct RemoteEnginesUnavailable: Error {}

extension RemoteEngines.Host {
    /// Runs `docker --host ENGINE ARGUMENTS`.
    func docker(_ arguments: [String], input: [UInt8]? = nil) async throws -> CommandResult {
        try await ProcessRunner().run(["docker", "--host", engine] + arguments, input: input)
    }

    /// Runs `docker --host ENGINE ARGUMENTS` and returns its standard output; throws with its
    /// error text when it fails.
    func output(_ arguments: [String]) async throws -> String {
        let result = try await docker(arguments)
        guard result.succeeded else {
            throw EngineError(
                "`docker --host \(engine) \(arguments.joined(separator: " "))`: \(result.standardError.trimmed)")
        }
        return result.standardOutput
    }

    /// The names of the containers, running or not, that carry `berth.stack=<stack>`: what a
    /// test left behind when it is not empty after its teardown.
    func containers(ofStack stack: String) async throws -> [String] {
        try await output([
            "ps", "--all", "--format", "{{.Names}}", "--filter", "label=\(OwnershipLabel.stack)=\(stack)",
        ])
        .split(whereSeparator: \.isNewline).map(String.init).sorted()
    }
}

/// Runs the docker CLI synchronously with a time limit, for checks made once while the test
/// run starts; status -1 when it could not run or outlived the limit.
private func blockingDocker(_ arguments: [String], timeout: TimeInterval = 30) -> (status: Int32, output: String) {
    do {
        guard
            let outcome = try Command.runBlocking(
                ["docker"] + arguments, environment: .inherited, timeout: .seconds(timeout))
        else { return (-1, "no answer within \(Int(timeout)) s") }
        return (outcome.status, outcome.outputText + outcome.errorText)
    } catch {
        return (-1, "\(error)")
    }
}
