import Foundation

/// An executable that tests call out to, run with an argument array and a bounded wait.
///
/// Runs take an argument array, never a shell command line, so paths with spaces or quotes need
/// no escaping and nothing in a test's input is ever interpreted by a shell.
///
/// ```swift
/// guard let docker = ExternalTool.find("docker") else { return }
/// let output = try await docker.run(["version", "--format", "json"])
/// #expect(output.status == 0)
/// ```
public struct ExternalTool: Sendable, Hashable {
    /// The absolute path of the executable.
    public var path: String

    /// Names the executable at `path`; ``find(_:searchPath:)`` looks one up by name.
    public init(path: String) {
        self.path = path
    }

    /// The executable called `name` in the first directory of `searchPath` that has one.
    ///
    /// `/usr/local/bin` and `/usr/bin` are searched last even when `searchPath` lacks them,
    /// because some test runners start tests with a trimmed `PATH`.
    ///
    /// - Parameter searchPath: A colon-separated list of directories; the process's `PATH` by
    ///   default.
    /// - Returns: `nil` when no directory has an executable file of that name.
    public static func find(
        _ name: String,
        searchPath: String? = ProcessInfo.processInfo.environment["PATH"]
    ) -> ExternalTool? {
        let directories = (searchPath ?? "").split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin"]
        for directory in directories where !directory.isEmpty {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return ExternalTool(path: candidate) }
        }
        return nil
    }

    /// What one run printed and how it ended.
    public struct Output: Sendable, Hashable {
        /// The exit status.
        public var status: Int32
        /// Everything the tool wrote to standard output, decoded as UTF-8.
        public var stdout: String
        /// Everything the tool wrote to standard error, decoded as UTF-8.
        public var stderr: String

        /// Records a run's result.
        public init(status: Int32, stdout: String, stderr: String) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    /// Runs the tool and waits at most `timeout` for it, without blocking a cooperative thread.
    ///
    /// - Parameters:
    ///   - arguments: The arguments, passed as they are (no shell).
    ///   - directory: The working directory; a fresh empty directory when `nil`, so nothing in
    ///     the test process's directory (a stray `yaml.py`, a `compose.yaml`) is picked up.
    ///   - environment: The tool's whole environment; the test process's when `nil`.
    ///   - standardInput: A file to feed on standard input; empty input when `nil`.
    ///   - timeout: How long the run may take before it is stopped and reported as a failure.
    /// - Throws: ``Referee/Failure`` when the run takes longer than `timeout` (the tool is
    ///   stopped first), or any error from starting it.
    public func run(
        _ arguments: [String],
        in directory: URL? = nil,
        environment: [String: String]? = nil,
        standardInput: URL? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> Output {
        let run = try Launch(self, arguments, directory, environment, standardInput)
        defer { run.removeFiles() }
        let deadline = ContinuousClock.now + timeout
        while run.process.isRunning {
            if ContinuousClock.now > deadline { throw run.stop(after: timeout) }
            do {
                // Polling rather than `waitUntilExit()`, which would hold a cooperative thread
                // for the whole run.
                try await Task.sleep(for: .milliseconds(5))
            } catch {
                _ = run.stop(after: timeout)
                throw error
            }
        }
        return try run.finish()
    }

    /// The blocking form of ``run(_:in:environment:standardInput:timeout:)``, for availability
    /// probes in `static let` initialisers, which cannot `await`.
    public func runBlocking(
        _ arguments: [String],
        in directory: URL? = nil,
        environment: [String: String]? = nil,
        standardInput: URL? = nil,
        timeout: Duration = .seconds(20)
    ) throws -> Output {
        let run = try Launch(self, arguments, directory, environment, standardInput)
        defer { run.removeFiles() }
        let deadline = ContinuousClock.now + timeout
        while run.process.isRunning {
            if ContinuousClock.now > deadline { throw run.stop(after: timeout) }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return try run.finish()
    }
}

/// One started process and the files that catch its output.
private struct Launch {
    let process = Process()
    let commandLine: String
    let scratch: URL
    let stdoutURL: URL
    let stderrURL: URL

    init(
        _ tool: ExternalTool, _ arguments: [String], _ directory: URL?, _ environment: [String: String]?,
        _ standardInput: URL?
    ) throws {
        commandLine = ([tool.path] + arguments).joined(separator: " ")
        scratch = try Referee.temporaryDirectory(prefix: "berth-tool")
        // Files rather than pipes: a large output (a whole Compose model) would fill a pipe and
        // block the child while nobody reads it.
        stdoutURL = scratch.appending(path: "stdout")
        stderrURL = scratch.appending(path: "stderr")
        do {
            try Data().write(to: stdoutURL)
            try Data().write(to: stderrURL)
            process.executableURL = URL(filePath: tool.path)
            process.arguments = arguments
            process.currentDirectoryURL = directory ?? scratch
            if let environment { process.environment = environment }
            process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
            process.standardError = try FileHandle(forWritingTo: stderrURL)
            process.standardInput = try standardInput.map { try FileHandle(forReadingFrom: $0) } ?? .nullDevice
            try process.run()
        } catch {
            removeFiles()
            throw error
        }
    }

    /// Stops the process and returns the failure that reports it.
    func stop(after timeout: Duration) -> Referee.Failure {
        process.terminate()
        process.waitUntilExit()
        closeHandles()
        return Referee.Failure("`\(commandLine)` took longer than \(timeout); stopped it.")
    }

    func finish() throws -> ExternalTool.Output {
        process.waitUntilExit()
        closeHandles()
        return ExternalTool.Output(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: stdoutURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self))
    }

    func removeFiles() {
        try? FileManager.default.removeItem(at: scratch)
    }

    private func closeHandles() {
        for handle in [process.standardOutput, process.standardError, process.standardInput] {
            if let handle = handle as? FileHandle, handle !== FileHandle.nullDevice { try? handle.close() }
        }
    }
}
