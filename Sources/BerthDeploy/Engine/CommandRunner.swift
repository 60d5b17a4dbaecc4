import BerthProcess
import Foundation

/// The outcome of one command.
public struct CommandResult: Sendable, Hashable {
    /// The exit status.
    public var exitCode: Int32
    /// Everything printed on standard output.
    public var standardOutput: String
    /// Everything printed on standard error.
    public var standardError: String

    /// Creates a result.
    public init(exitCode: Int32, standardOutput: String, standardError: String) {
        self.exitCode = exitCode
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// Whether the command exited with status 0.
    public var succeeded: Bool { exitCode == 0 }
}

/// Runs external commands as argument arrays, never through a shell.
///
/// ## Implementation guidance
/// The engine drives Docker only through this protocol, so tests can replay recorded output.
/// An implementation must pass `input` on standard input (secrets travel that way, never as
/// arguments) and must not log it.
public protocol CommandRunner: Sendable {
    /// Runs a command and collects its output.
    /// - Parameters:
    ///   - arguments: The executable's name or path, then its arguments.
    ///   - input: Bytes written to the command's standard input, which is then closed.
    func run(_ arguments: [String], input: [UInt8]?) async throws -> CommandResult

    /// Runs a command with extra environment variables, such as the secret values Docker
    /// Compose copies into containers (an environment is private to the process, unlike its
    /// arguments).
    func run(_ arguments: [String], input: [UInt8]?, environment: [String: String]) async throws -> CommandResult

    /// Runs a command whose output goes straight to this process's standard output and error,
    /// for commands the user watches (`logs --follow`).
    func runAttached(_ arguments: [String]) async throws -> Int32

    /// Runs `producer | consumer`: the producer's standard output streams into the consumer's
    /// standard input (`docker save IMAGE | docker --host … load`).
    ///
    /// An implementation streams without holding the whole output, and stops the other
    /// command when one fails.
    func pipe(_ producer: [String], into consumer: [String]) async throws -> PipelineResult

    /// Runs `first | second | …`, each command's standard output streaming into the next one's
    /// standard input (`docker exec db pg_dump … | openssl enc … | docker run -i … sh -c 'cat > …'`).
    ///
    /// An implementation streams without holding the output, and stops every other command
    /// when one fails.
    /// - Returns: Each command's result, in order; only the last has standard output.
    func pipeline(_ commands: [[String]]) async throws -> [CommandResult]
}

extension CommandRunner {
    /// Runners that replay recorded output have no use for the environment.
    public func run(_ arguments: [String], input: [UInt8]?, environment: [String: String]) async throws
        -> CommandResult
    {
        try await run(arguments, input: input)
    }
}

/// A ``CommandRunner`` that starts real processes, through ``BerthProcess/Command``
/// (swift-subprocess).
public struct ProcessRunner: CommandRunner {
    /// Extra environment variables for every command.
    public var environment: [String: String]

    /// Creates a runner.
    public init(environment: [String: String] = [:]) {
        self.environment = environment
    }

    public func run(_ arguments: [String], input: [UInt8]?) async throws -> CommandResult {
        try await run(arguments, input: input, environment: [:])
    }

    public func run(_ arguments: [String], input: [UInt8]?, environment extra: [String: String]) async throws
        -> CommandResult
    {
        // Cancelling the task stops the command (``BerthProcess/Command``): a deploy that gave
        // up must not leave Compose creating containers behind its back.
        let outcome = try await Self.translatingFailures {
            try await Command.run(arguments, input: input, environment: environment(for: arguments, adding: extra))
        }
        return CommandResult(
            exitCode: outcome.status, standardOutput: outcome.outputText, standardError: outcome.errorText)
    }

    public func runAttached(_ arguments: [String]) async throws -> Int32 {
        try await Self.translatingFailures {
            try await Command.runAttached(arguments, environment: environment(for: arguments, adding: [:]))
        }
    }

    /// Runs `producer | consumer` as two processes joined by a pipe, without a shell.
    public func pipe(_ producer: [String], into consumer: [String]) async throws -> PipelineResult {
        let results = try await pipeline([producer, consumer])
        return PipelineResult(producer: results[0], consumer: results[1])
    }

    /// Runs `first | second | …` as processes joined by pipes, without a shell: the bytes
    /// never pass through this process, and a command that fails stops the others
    /// (``BerthProcess/Command/pipeline(_:environment:)``).
    /// - Returns: Each command's exit status and error text, in order; the last one's output too.
    public func pipeline(_ commands: [[String]]) async throws -> [CommandResult] {
        let extra =
            commands.contains { Self.isDocker($0.first ?? "") } ? Self.dockerEnvironment(environment) : environment
        let outcomes = try await Self.translatingFailures {
            try await Command.pipeline(commands, environment: .inherited(adding: extra))
        }
        return outcomes.map {
            CommandResult(exitCode: $0.status, standardOutput: $0.outputText, standardError: $0.errorText)
        }
    }

    private func environment(for arguments: [String], adding extra: [String: String]) -> Command.Environment {
        let added = environment.merging(extra) { $1 }
        return .inherited(adding: Self.isDocker(arguments.first ?? "") ? Self.dockerEnvironment(added) : added)
    }

    /// The Docker CLI's ssh connections get keep-alive probes (``SSHKeepAlive``).
    private static func dockerEnvironment(_ added: [String: String]) -> [String: String] {
        added.merging(SSHKeepAlive.environment(base: added)) { $1 }
    }

    /// Whether a command is the Docker CLI.
    static func isDocker(_ name: String) -> Bool {
        name == "docker" || name.hasSuffix("/docker")
    }

    /// Finds an executable on `PATH`, as a shell would, without running a shell.
    static func locate(_ name: String) throws -> String {
        do {
            return try Command.locate(name)
        } catch let failure as Command.Failure {
            throw CommandError(failure)
        }
    }

    private static func translatingFailures<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let failure as Command.Failure {
            throw CommandError(failure)
        }
    }
}

/// A command that could not be run at all.
public enum CommandError: Error, CustomStringConvertible, Sendable {
    case notFound(String)
    case cannotStart(String, String)

    init(_ failure: Command.Failure) {
        switch failure {
        case .notFound(let name): self = .notFound(name)
        case .cannotStart(let name, let reason): self = .cannotStart(name, reason)
        }
    }

    public var description: String {
        switch self {
        case .notFound(let name):
            return
                "'\(name)' was not found on PATH. Install the Docker CLI (with the Compose v2 plugin) or add it to PATH."
        case .cannotStart(let name, let reason):
            return "Could not start '\(name)': \(reason)"
        }
    }
}
