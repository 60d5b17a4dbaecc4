import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// A program started in the background, whose output goes to a file: a deployer a test kills
/// at a random point, a load generator that runs beside a rollout.
public final class RunningProgram: Sendable {
    /// The program's process ID.
    public let processIdentifier: Int32
    private let state: State
    private let task: Task<Int32, any Error>

    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var status: Int32?
    }

    private init(processIdentifier: Int32, state: State, task: Task<Int32, any Error>) {
        self.processIdentifier = processIdentifier
        self.state = state
        self.task = task
    }

    /// Starts a program, its standard output and error both written to `log` (created or
    /// truncated), its standard input empty.
    /// - Parameters:
    ///   - arguments: The executable's name or path, then its arguments.
    ///   - environment: Its environment.
    ///   - directory: Its working directory; this process's when `nil`.
    ///   - log: The file its output goes to.
    public static func start(
        _ arguments: [String],
        environment: Command.Environment = .inherited,
        directory: URL? = nil,
        log: URL
    ) async throws -> RunningProgram {
        let configuration = try Command.configuration(arguments, environment: environment, directory: directory)
        let file = try FileDescriptor.open(
            FilePath(log.path), .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite])
        let state = State()
        let started = Started()
        let task = Task<Int32, any Error> {
            do {
                let result = try await Subprocess.run(
                    configuration, input: .none, output: .fileDescriptor(file, closeAfterSpawningProcess: true),
                    error: .combinedWithOutput
                ) { execution in started.resume(.success(execution.processIdentifier.value)) }
                let status = Command.status(result.terminationStatus)
                state.lock.withLock { state.status = status }
                return status
            } catch {
                // Before it started, the caller hears why; after, it has ended (swift-subprocess
                // reaps it whatever happens), with no status to tell.
                started.resume(.failure(Command.Failure.cannotStart(arguments[0], "\(error)")))
                state.lock.withLock { state.status = state.status ?? -1 }
                throw error
            }
        }
        let pid = try await started.value()
        return RunningProgram(processIdentifier: pid, state: state, task: task)
    }

    /// Whether the program is still running.
    public var isRunning: Bool { state.lock.withLock { state.status == nil } }

    /// Its exit status once it has ended (128 + the signal's number when a signal ended it; -1
    /// when collecting its output failed).
    public var status: Int32? { state.lock.withLock { state.status } }

    /// Sends a signal to the program, if it is still running.
    /// - Parameter toProcessGroup: Whether the processes it started get the signal too: the
    ///   program leads a process group of its own.
    public func send(_ signal: Int32, toProcessGroup: Bool = false) {
        state.lock.withLock {
            // Only while its status is unset: once the program has been reaped, its number may
            // belong to another process.
            if state.status == nil { _ = kill(toProcessGroup ? -processIdentifier : processIdentifier, signal) }
        }
    }

    /// Waits for the end, at most `timeout`; then sends SIGTERM, and SIGKILL `grace` later.
    /// - Returns: The exit status, or `nil` when it had to be stopped.
    @discardableResult
    public func wait(timeout: Duration = .seconds(3600), grace: Duration = .seconds(20)) async -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while isRunning && clock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        guard isRunning else { return status }
        send(SIGTERM)
        let killAt = clock.now + grace
        while isRunning && clock.now < killAt { try? await Task.sleep(for: .milliseconds(50)) }
        if isRunning { send(SIGKILL) }
        _ = try? await task.value
        return nil
    }
}

/// The process ID a starting task hands back once, or its failure to start.
private final class Started: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Int32, any Error>?
    private var waiter: CheckedContinuation<Int32, any Error>?

    func resume(_ value: Result<Int32, any Error>) {
        let waiting: CheckedContinuation<Int32, any Error>? = lock.withLock {
            guard result == nil else { return nil }
            result = value
            defer { waiter = nil }
            return waiter
        }
        waiting?.resume(with: value)
    }

    func value() async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Int32, any Error>? = lock.withLock {
                if result == nil { waiter = continuation }
                return result
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
