import Foundation

/// Where Berth deploys: the local engine (`DOCKER_HOST` or the default socket), a docker
/// context, or an engine address such as `ssh://deploy@203.0.113.5` named by a ``Host``.
public struct Target: Sendable, Hashable, CustomStringConvertible {
    /// The docker context to use, or `nil` for the current one.
    public var context: String?
    /// The engine's address (`ssh://user@host[:port]`, `unix:///path`, `tcp://…`), passed to
    /// the CLI as `--host`; it wins over `context`.
    public var host: String?

    /// Creates a target.
    public init(context: String? = nil, host: String? = nil) {
        self.context = context
        self.host = host
    }

    /// Whether commands reach the engine over ssh, where files on this machine are out of reach.
    public var isSSH: Bool {
        (host ?? (context == nil ? ProcessInfo.processInfo.environment["DOCKER_HOST"] : nil))?.hasPrefix("ssh://")
            ?? false
    }

    public var description: String {
        if let host { return host }
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
    /// Environment variables every command gets: the values of the secrets Docker Compose
    /// copies into containers. Never printed.
    public var environment: [String: String] = [:]

    /// Creates an engine client.
    public init(target: Target = Target(), runner: any CommandRunner = ProcessRunner()) {
        self.target = target
        self.runner = runner
    }

    /// The argument prefix selecting the target.
    var prefix: [String] {
        if let host = target.host { return ["docker", "--host", host] }
        return ["docker"] + (target.context.map { ["--context", $0] } ?? [])
    }

    /// Runs `docker ARGUMENTS`.
    /// - Throws: ``EngineError`` when the connection to the engine failed or was lost (an ssh
    ///   connection that dropped), which no caller can take for the command's own answer.
    public func run(_ arguments: [String], input: [UInt8]? = nil) async throws -> CommandResult {
        let result =
            environment.isEmpty
            ? try await runner.run(prefix + arguments, input: input)
            : try await runner.run(prefix + arguments, input: input, environment: environment)
        if !result.succeeded, let problem = Self.connectionProblem(in: result.standardError) {
            throw EngineError(
                "The connection to the engine at \(target) failed during `docker \(Self.summary(of: arguments))`: \(problem)\(target.isSSH ? " (ssh to the host failed or was cut; `ssh USER@HOST docker info` shows why)" : ""). Berth changed nothing after that point; once the engine answers, run the command again: `up` converges from the state this left."
            )
        }
        return result
    }

    /// A command as an error names it: `compose up`, `container inspect`.
    static func summary(of arguments: [String]) -> String {
        guard arguments.first == "compose" else { return arguments.prefix(2).joined(separator: " ") }
        let verbs: Set = ["up", "down", "ps", "logs", "exec", "create", "start", "stop", "rm", "config", "pull"]
        return "compose " + (arguments.first(where: verbs.contains) ?? "")
    }

    /// The line of the CLI's error output that says the engine could not be reached, if it does.
    static func connectionProblem(in standardError: String) -> String? {
        let markers = [
            "error during connect", "Cannot connect to the Docker daemon", "connection reset by peer",
            "has exited with exit status 255", "broken pipe", "use of closed network connection",
        ]
        return standardError.split(whereSeparator: \.isNewline).map(String.init).first { line in
            markers.contains { line.localizedCaseInsensitiveContains($0) }
        }?.trimmed
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

    /// `docker version` for the server's version and API, as the CLI answered it: a connection
    /// that fails is this command's answer, not an error of a deploy cut short.
    public func serverVersion() async throws -> CommandResult {
        let arguments = prefix + ["version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})"]
        return environment.isEmpty
            ? try await runner.run(arguments, input: nil)
            : try await runner.run(arguments, input: nil, environment: environment)
    }

    /// Checks that the engine answers, with an error that says what to do when it does not.
    ///
    /// A target that answered once in this process is not asked again: one command checks
    /// before it takes the lock and again in the deploy, and each check costs two processes.
    public func checkReachable() async throws {
        if Self.reachable.value.contains(target) { return }
        async let version = serverVersion()
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
                "No Docker engine answers on \(target): \(result.standardError.trimmed) \(Self.advice(unreachable: target, standardError: result.standardError))"
            )
        }
        guard compose.succeeded else {
            throw EngineError(
                "Docker Compose v2 is not installed as a docker CLI plugin (`docker compose version` failed). Install it, for example the docker-compose-plugin package."
            )
        }
        Self.reachable.mutate { $0.insert(target) }
    }

    /// What to do when `docker version` could not reach `target`, told apart from what the
    /// docker CLI wrote: a context that does not exist, a socket this user may not open, an SSH
    /// connection that failed, or nothing listening.
    public static func advice(unreachable target: Target, standardError: String) -> String {
        let text = standardError.lowercased()
        if text.contains("context not found") || text.contains("does not exist") && text.contains("context") {
            let name = target.context ?? ProcessInfo.processInfo.environment["DOCKER_CONTEXT"] ?? "the current one"
            return
                "The docker context \(name) does not exist: `docker context ls` lists those that do; pass one with --context NAME, or create it with `docker context create`."
        }
        if text.contains("permission denied") && (text.contains("socket") || text.contains(".sock")) {
            return
                "The engine runs, but this user may not open its socket: add the user to the `docker` group (then log in again), or run as a user who may."
        }
        if target.isSSH || text.contains("ssh:") || text.contains("ssh ") {
            return
                "The SSH connection failed: check the host, user, port and key with `ssh USER@HOST docker version`, which must print the engine's version without asking anything."
        }
        return "Start the engine, set DOCKER_HOST, or pass --context NAME."
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
