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

    /// Runs a command whose output goes straight to this process's standard output and error,
    /// for commands the user watches (`logs --follow`).
    func runAttached(_ arguments: [String]) async throws -> Int32
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
        let process = try makeProcess(arguments)
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
        let process = try makeProcess(arguments)
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: CommandError.cannotStart(arguments[0], error.localizedDescription))
                    return
                }
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }

    private func makeProcess(_ arguments: [String]) throws -> Process {
        guard let name = arguments.first else { throw CommandError.cannotStart("", "no command given") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.locate(name))
        process.arguments = Array(arguments.dropFirst())
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        return process
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
