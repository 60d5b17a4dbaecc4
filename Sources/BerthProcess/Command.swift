import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// How Berth starts every program it runs: argument arrays, never a shell, on swift-subprocess.
///
/// One implementation for the deploy engine's commands, the importer's formatter, the
/// benchmarks and the test support, so that signals, process groups, cancellation and exit
/// statuses behave the same wherever a program is started.
public enum Command {
    /// What a program printed and how it ended.
    public struct Outcome: Sendable, Hashable {
        /// The exit status, or 128 + the signal's number when a signal ended it, as a shell
        /// reports it.
        public var status: Int32
        /// Everything printed on standard output.
        public var output: [UInt8]
        /// Everything printed on standard error.
        public var errors: [UInt8]

        /// Standard output as text.
        public var outputText: String { String(decoding: output, as: UTF8.self) }
        /// Standard error as text.
        public var errorText: String { String(decoding: errors, as: UTF8.self) }
    }

    /// A program that could not be run at all.
    public enum Failure: Error, CustomStringConvertible, Sendable {
        case notFound(String)
        case cannotStart(String, String)

        public var description: String {
            switch self {
            case .notFound(let name): return "'\(name)' was not found on PATH."
            case .cannotStart(let name, let reason): return "Could not start '\(name)': \(reason)"
            }
        }
    }

    /// The environment a program gets.
    public enum Environment: Sendable, Hashable {
        /// This process's environment with these variables added or replaced.
        case inherited(adding: [String: String])
        /// Exactly these variables.
        case exactly([String: String])

        /// This process's environment, unchanged.
        public static let inherited = Environment.inherited(adding: [:])

        var subprocess: Subprocess.Environment {
            switch self {
            case .inherited(let added):
                return .inherit.updating(
                    Dictionary(
                        uniqueKeysWithValues: added.map {
                            (Subprocess.Environment.Key(stringLiteral: $0.key), $0.value)
                        }))
            case .exactly(let variables):
                return .custom(
                    Dictionary(
                        uniqueKeysWithValues: variables.map {
                            (Subprocess.Environment.Key(stringLiteral: $0.key), $0.value)
                        }))
            }
        }
    }

    /// Finds an executable on `PATH`, as a shell would, without running a shell.
    public static func locate(_ name: String) throws -> String {
        if name.contains("/") { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Failure.notFound(name)
    }

    /// Options every collected command shares.
    ///
    /// Each command starts in a process group of its own: Ctrl-C at the terminal reaches Berth,
    /// which decides what to stop, and not every `docker` it has running. A cancelled task
    /// stops its command with SIGTERM to that group (the `ssh` a `docker` started goes too),
    /// and SIGKILL ten seconds later: a deploy that gave up must not leave Compose creating
    /// containers behind its back.
    static var collectedOptions: PlatformOptions {
        var options = PlatformOptions()
        options.processGroupID = 0
        options.teardownSequence = [
            .send(signal: .terminate, toProcessGroup: true, allowedDurationToNextStep: .seconds(10))
        ]
        return options
    }

    /// Runs a program to its end and collects what it prints.
    /// - Parameters:
    ///   - arguments: The executable's name or path, then its arguments.
    ///   - input: Bytes written to its standard input, which is then closed; nothing when `nil`.
    ///   - environment: Its environment.
    ///   - directory: Its working directory; this process's when `nil`.
    public static func run(
        _ arguments: [String],
        input: [UInt8]? = nil,
        environment: Environment = .inherited,
        directory: URL? = nil
    ) async throws -> Outcome {
        let configuration = try configuration(arguments, environment: environment, directory: directory)
        if let input {
            return try await collect(configuration, name: arguments[0], input: .array(input))
        }
        return try await collect(configuration, name: arguments[0], input: .none)
    }

    /// ``run(_:input:environment:directory:)`` with a time limit: past it the program is
    /// stopped (SIGTERM, SIGKILL ten seconds later) and the result is `nil`.
    public static func run(
        _ arguments: [String],
        input: [UInt8]? = nil,
        environment: Environment = .inherited,
        directory: URL? = nil,
        timeout: Duration
    ) async throws -> Outcome? {
        try await withThrowingTaskGroup(of: Outcome?.self) { group in
            group.addTask { try await run(arguments, input: input, environment: environment, directory: directory) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next()!
            // Cancelling the run is what stops the program.
            group.cancelAll()
            return first
        }
    }

    private static func collect(_ configuration: Configuration, name: String, input: some InputProtocol)
        async throws -> Outcome
    {
        do {
            // `.max`: no limit, and no buffer of the limit's size reserved up front.
            let result = try await Subprocess.run(
                configuration, input: input, output: .bytes(limit: .max), error: .bytes(limit: .max))
            return Outcome(
                status: status(result.terminationStatus), output: result.standardOutput, errors: result.standardError)
        } catch let error as SubprocessError {
            throw Failure.cannotStart(name, "\(error)")
        }
    }

    /// Runs a program attached to this process's standard input, output and error, in this
    /// process's process group, as a shell runs a foreground job.
    ///
    /// A program outside the terminal's foreground group is stopped when it reads from the
    /// terminal or sets its mode (`docker exec --tty`), and Ctrl-C never reaches it.
    /// - Returns: Its exit status, or 128 + the signal's number when a signal ended it.
    public static func runAttached(_ arguments: [String], environment: Environment = .inherited) async throws
        -> Int32
    {
        let configuration = try configuration(arguments, environment: environment, directory: nil)
        do {
            let result = try await Subprocess.run(
                configuration, input: .currentStandardInput, output: .currentStandardOutput,
                error: .currentStandardError)
            return status(result.terminationStatus)
        } catch let error as SubprocessError {
            throw Failure.cannotStart(arguments[0], "\(error)")
        }
    }

    /// Runs `first | second | …` as programs joined by pipes, without a shell.
    ///
    /// The bytes go from one program to the next through the kernel's pipe buffers and never
    /// through this process, so a stream of any size takes no memory here. When one fails,
    /// every other one still running is stopped: a consumer that gave up leaves its producer
    /// blocked on a full pipe otherwise; one ended by SIGPIPE, whose reader had finished, stops
    /// nothing. Cancelling the task stops them all.
    /// - Returns: Each program's outcome, in order; only the last one has output.
    public static func pipeline(_ commands: [[String]], environment: Environment = .inherited) async throws
        -> [Outcome]
    {
        guard !commands.isEmpty else { return [] }
        let configurations = try commands.map { try configuration($0, environment: environment, directory: nil) }
        // Every end is close-on-exec, and each child closes all but its own three; the ends
        // this process holds are closed as each command starts, so each reader sees the end
        // of its stream once its writer exits.
        var links: [(readEnd: FileDescriptor, writeEnd: FileDescriptor)] = []
        do {
            for _ in 1..<commands.count {
                let link = try FileDescriptor.pipe()
                links.append(link)
                // Not inherited by a program started meanwhile without Subprocess (which
                // closes every other descriptor in its children): it would hold the pipe open.
                for end in [link.readEnd, link.writeEnd] { _ = fcntl(end.rawValue, F_SETFD, FD_CLOEXEC) }
            }
        } catch {
            for link in links {
                try? link.readEnd.close()
                try? link.writeEnd.close()
            }
            throw Failure.cannotStart(commands[0][0], "no pipe: \(error)")
        }
        let stages = Stages()
        return try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
            for (index, configuration) in configurations.enumerated() {
                let reads = index == 0 ? nil : links[index - 1].readEnd
                let writes = index == commands.count - 1 ? nil : links[index].writeEnd
                group.addTask {
                    let outcome = try await stage(configuration, name: commands[index][0], reads: reads, writes: writes)
                    {
                        stages.started(index, $0)
                    }
                    stages.finished(index)
                    // A command ended by SIGPIPE wrote to a reader that had finished (`head -c 1`
                    // closes its input before it exits): a consequence, as in a shell, not a
                    // failure that should stop the reader in its last instant.
                    if outcome.status != 0 && outcome.status != 128 + SIGPIPE { stages.stopAll() }
                    return (index, outcome)
                }
            }
            var outcomes = [Outcome?](repeating: nil, count: commands.count)
            do {
                for try await (index, outcome) in group { outcomes[index] = outcome }
            } catch {
                stages.stopAll()
                throw error
            }
            return outcomes.map { $0! }
        }
    }

    /// One command of a pipeline, reading from and writing to the pipes given (closed here
    /// once it has started), or from nothing and into a collected buffer.
    private static func stage(
        _ configuration: Configuration, name: String, reads: FileDescriptor?, writes: FileDescriptor?,
        started: @escaping @Sendable (ProcessIdentifier) -> Void
    ) async throws -> Outcome {
        do {
            switch (reads, writes) {
            case (nil, let writes?):
                let result = try await Subprocess.run(
                    configuration, input: .none, output: .fileDescriptor(writes, closeAfterSpawningProcess: true),
                    error: .bytes(limit: .max)
                ) { started($0.processIdentifier) }
                return Outcome(status: status(result.terminationStatus), output: [], errors: result.standardError)
            case (let reads?, let writes?):
                let result = try await Subprocess.run(
                    configuration, input: .fileDescriptor(reads, closeAfterSpawningProcess: true),
                    output: .fileDescriptor(writes, closeAfterSpawningProcess: true), error: .bytes(limit: .max)
                ) { started($0.processIdentifier) }
                return Outcome(status: status(result.terminationStatus), output: [], errors: result.standardError)
            case (let reads?, nil):
                let result = try await Subprocess.run(
                    configuration, input: .fileDescriptor(reads, closeAfterSpawningProcess: true),
                    output: .bytes(limit: .max), error: .bytes(limit: .max)
                ) { started($0.processIdentifier) }
                return Outcome(
                    status: status(result.terminationStatus), output: result.standardOutput,
                    errors: result.standardError)
            case (nil, nil):
                let result = try await Subprocess.run(
                    configuration, input: .none, output: .bytes(limit: .max), error: .bytes(limit: .max)
                ) { started($0.processIdentifier) }
                return Outcome(
                    status: status(result.terminationStatus), output: result.standardOutput,
                    errors: result.standardError)
            }
        } catch let error as SubprocessError {
            // Subprocess has closed the pipe ends it was given; the other commands are stopped.
            throw Failure.cannotStart(name, "\(error)")
        }
    }

    static func configuration(_ arguments: [String], environment: Environment, directory: URL?) throws
        -> Configuration
    {
        guard let name = arguments.first else { throw Failure.cannotStart("", "no command given") }
        return Configuration(
            executable: .path(FilePath(try locate(name))),
            arguments: Arguments(Array(arguments.dropFirst())),
            environment: environment.subprocess,
            workingDirectory: directory.map { FilePath($0.path) },
            platformOptions: collectedOptions)
    }

    /// An exit code as it is, a signal as a shell reports it.
    static func status(_ termination: TerminationStatus) -> Int32 {
        switch termination {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }
}

/// The running commands of one pipeline, so that one that fails can stop the others.
private final class Stages: @unchecked Sendable {
    private let lock = NSLock()
    private var running: [Int: ProcessIdentifier] = [:]
    private var stopping = false

    func started(_ index: Int, _ process: ProcessIdentifier) {
        let stopNow = lock.withLock {
            running[index] = process
            return stopping
        }
        if stopNow { kill(process.value, SIGTERM) }
    }

    func finished(_ index: Int) {
        lock.withLock { _ = running.removeValue(forKey: index) }
    }

    /// Sends SIGTERM to every command still running, and to any that starts later.
    func stopAll() {
        let others = lock.withLock {
            stopping = true
            return Array(running.values)
        }
        for process in others { kill(process.value, SIGTERM) }
    }
}
