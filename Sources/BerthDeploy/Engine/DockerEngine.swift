import Foundation

/// Where Berth deploys: the local engine (`DOCKER_HOST` or the default socket) or a docker
/// context, which covers `ssh://` hosts the way users already configure them.
public struct Target: Sendable, Hashable, CustomStringConvertible {
    /// The docker context to use, or `nil` for the current one.
    public var context: String?

    /// Creates a target.
    public init(context: String? = nil) {
        self.context = context
    }

    public var description: String {
        if let context { return "context '\(context)'" }
        if let host = ProcessInfo.processInfo.environment["DOCKER_HOST"], !host.isEmpty { return host }
        return "the local engine"
    }
}

/// The Docker CLI, bound to a target.
public struct DockerEngine: Sendable {
    /// Where commands go.
    public var target: Target
    /// What runs them.
    public var runner: any CommandRunner

    /// Creates an engine client.
    public init(target: Target = Target(), runner: any CommandRunner = ProcessRunner()) {
        self.target = target
        self.runner = runner
    }

    /// The argument prefix selecting the target.
    var prefix: [String] {
        ["docker"] + (target.context.map { ["--context", $0] } ?? [])
    }

    /// Runs `docker ARGUMENTS`.
    public func run(_ arguments: [String], input: [UInt8]? = nil) async throws -> CommandResult {
        try await runner.run(prefix + arguments, input: input)
    }

    /// Runs `docker ARGUMENTS` and returns its standard output, or throws with its error text.
    public func output(_ arguments: [String]) async throws -> String {
        let result = try await run(arguments)
        guard result.succeeded else {
            throw EngineError(
                "`docker \(arguments.joined(separator: " "))` failed on \(target) (exit \(result.exitCode)): \(result.standardError.trimmed)"
            )
        }
        return result.standardOutput
    }

    /// Runs `docker ARGUMENTS` with the output going straight to the user.
    public func runAttached(_ arguments: [String]) async throws -> Int32 {
        try await runner.runAttached(prefix + arguments)
    }

    /// Checks that the engine answers, with an error that says what to do when it does not.
    ///
    /// A target that answered once in this process is not asked again: one command checks
    /// before it takes the lock and again in the deploy, and each check costs two processes.
    public func checkReachable() async throws {
        if Self.reachable.value.contains(target) { return }
        async let version = run(["version", "--format", "{{.Server.Version}}"])
        async let composeVersion = run(["compose", "version", "--short"])
        let result: CommandResult
        let compose: CommandResult
        do {
            (result, compose) = try await (version, composeVersion)
        } catch let error as CommandError {
            throw EngineError(error.description)
        }
        guard result.succeeded else {
            throw EngineError(
                "No Docker engine answers on \(target): \(result.standardError.trimmed) Start the engine, set DOCKER_HOST, or pass --context NAME."
            )
        }
        guard compose.succeeded else {
            throw EngineError(
                "Docker Compose v2 is not installed as a docker CLI plugin (`docker compose version` failed). Install it, for example the docker-compose-plugin package."
            )
        }
        Self.reachable.mutate { $0.insert(target) }
    }

    /// The targets that answered in this process.
    private static let reachable = ReachableTargets()
}

/// The targets that answered ``DockerEngine/checkReachable()``, shared by every engine value.
final class ReachableTargets: @unchecked Sendable {
    private let lock = NSLock()
    private var targets: Set<Target> = []

    var value: Set<Target> { lock.withLock { targets } }

    func mutate(_ change: (inout Set<Target>) -> Void) { lock.withLock { change(&targets) } }
}

/// A failure of the engine or of a deploy, with what the user should know and do.
public struct EngineError: Error, CustomStringConvertible, Sendable {
    /// The explanation.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
