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

/// A ``CommandRunner`` that starts real processes with Foundation's `Process`.
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
        let process = try makeProcess(arguments, environment: extra)
        let output = Pipe()
        let errors = Pipe()
        let standardInput = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input == nil ? FileHandle.nullDevice : standardInput
        // Cancelling the task stops the command: a deploy that gave up must not leave Compose
        // creating containers behind its back.
        return try await withTaskCancellationHandler {
            try await collect(
                process, arguments: arguments, output: output, errors: errors,
                standardInput: standardInput, input: input)
        } onCancel: {
            if process.isRunning { process.terminate() }
        }
    }

    private func collect(
        _ process: Process,
        arguments: [String],
        output: Pipe,
        errors: Pipe,
        standardInput: Pipe,
        input: [UInt8]?
    ) async throws -> CommandResult {
        return try await withCheckedThrowingContinuation { continuation in
            // Waiting on a process blocks a thread. Threads of their own, not Dispatch's pool:
            // the pool grows by about one thread a second once its threads are all blocked,
            // which stalls every command when a few run at once.
            Thread.detachNewThread {
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: CommandError.cannotStart(arguments[0], error.localizedDescription))
                    return
                }
                // Both pipes are drained concurrently: a full pipe would block the child.
                let errorsRead = DispatchSemaphore(value: 0)
                nonisolated(unsafe) var errorData = Data()
                Thread.detachNewThread {
                    errorData = errors.fileHandleForReading.readDataToEndOfFile()
                    errorsRead.signal()
                }
                if let input {
                    let handle = standardInput.fileHandleForWriting
                    Thread.detachNewThread {
                        handle.write(Data(input))
                        try? handle.close()
                    }
                }
                let outputData = output.fileHandleForReading.readDataToEndOfFile()
                errorsRead.wait()
                // Both streams have ended, so the process has exited or is about to:
                // `waitUntilExit()` spins on a thread like this one, but only for that moment,
                // and answers sooner than a termination handler (see `pipeline`).
                process.waitUntilExit()
                continuation.resume(
                    returning: CommandResult(
                        exitCode: process.terminationStatus,
                        standardOutput: String(decoding: outputData, as: UTF8.self),
                        standardError: String(decoding: errorData, as: UTF8.self)))
            }
        }
    }

    public func runAttached(_ arguments: [String]) async throws -> Int32 {
        guard let name = arguments.first else { throw CommandError.cannotStart("", "no command given") }
        let path = try Self.locate(name)
        var merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if Self.isDocker(name) { merged.merge(SSHKeepAlive.environment(base: merged)) { $1 } }
        let environment = merged
        return try await withCheckedThrowingContinuation { continuation in
            // Waiting blocks a thread: one of its own, as in `collect`.
            Thread.detachNewThread {
                continuation.resume(
                    with: Result { try ForegroundProcess.run(path, arguments: arguments, environment: environment) })
            }
        }
    }

    func makeProcess(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Process {
        guard let name = arguments.first else { throw CommandError.cannotStart("", "no command given") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.locate(name))
        process.arguments = Array(arguments.dropFirst())
        var added = environment.merging(extra) { $1 }
        if Self.isDocker(name) { added.merge(SSHKeepAlive.environment(base: added)) { $1 } }
        if !added.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(added) { $1 }
        }
        return process
    }

    /// Whether a command is the Docker CLI, whose ssh connections get keep-alive probes
    /// (``SSHKeepAlive``).
    static func isDocker(_ name: String) -> Bool {
        name == "docker" || name.hasSuffix("/docker")
    }

    /// Finds an executable on `PATH`, as a shell would, without running a shell.
    static func locate(_ name: String) throws -> String {
        if name.contains("/") { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw CommandError.notFound(name)
    }
}

/// A process started in this process's own process group, as a shell starts a foreground job.
///
/// Foundation's `Process` puts every child in a process group of its own. That suits commands
/// whose output Berth collects, but not one attached to the user's terminal: a process outside
/// the terminal's foreground group is stopped when it reads from the terminal or sets its mode
/// (`docker exec --tty`), and Ctrl-C never reaches it.
enum ForegroundProcess {
    /// Runs a program to its end with this process's standard streams.
    /// - Returns: Its exit status, or 128 + the signal's number when a signal ended it.
    static func run(_ path: String, arguments: [String], environment: [String: String]) throws -> Int32 {
        #if canImport(Darwin)
            var attributes: posix_spawnattr_t? = nil
        #else
            var attributes = posix_spawnattr_t()
        #endif
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handling and nothing blocked, whatever this
        // process ignores or blocks.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGCHLD, SIGHUP] {
            sigaddset(&defaults, signal)
        }
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, nil, &attributes, argv, envp)
        guard spawned == 0 else {
            throw CommandError.cannotStart(arguments[0], String(cString: strerror(spawned)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw CommandError.cannotStart(arguments[0], String(cString: strerror(errno))) }
        }
        // The wait status: the exit code in bits 8-15 when the low 7 bits are 0, else the signal.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

/// A command that could not be run at all.
public enum CommandError: Error, CustomStringConvertible, Sendable {
    case notFound(String)
    case cannotStart(String, String)

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
