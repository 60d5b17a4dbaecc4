import BerthProcess
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

    /// Runs the tool and waits at most `timeout` for it.
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
        let launch = try Launch(self, arguments, directory, environment, standardInput)
        defer { launch.removeFiles() }
        let outcome = try await Command.run(
            launch.arguments, input: launch.input, environment: launch.environment, directory: launch.directory,
            timeout: timeout)
        guard let outcome else {
            throw Referee.Failure("`\(launch.commandLine)` took longer than \(timeout); stopped it.")
        }
        return Output(status: outcome.status, stdout: outcome.outputText, stderr: outcome.errorText)
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
        let launch = try Launch(self, arguments, directory, environment, standardInput)
        defer { launch.removeFiles() }
        guard
            let outcome = try Command.runBlocking(
                launch.arguments, input: launch.input, environment: launch.environment, directory: launch.directory,
                timeout: timeout)
        else {
            throw Referee.Failure("`\(launch.commandLine)` took longer than \(timeout); stopped it.")
        }
        return Output(status: outcome.status, stdout: outcome.outputText, stderr: outcome.errorText)
    }
}

/// One run's arguments, and the scratch directory it starts in when none is given.
private struct Launch: Sendable {
    let arguments: [String]
    let commandLine: String
    let scratch: URL
    let directory: URL
    let environment: Command.Environment
    let input: [UInt8]?

    init(
        _ tool: ExternalTool, _ arguments: [String], _ directory: URL?, _ environment: [String: String]?,
        _ standardInput: URL?
    ) throws {
        self.arguments = [tool.path] + arguments
        commandLine = self.arguments.joined(separator: " ")
        scratch = try Referee.temporaryDirectory(prefix: "berth-tool")
        self.directory = directory ?? scratch
        self.environment = environment.map { .exactly($0) } ?? .inherited
        do {
            input = try standardInput.map { [UInt8](try Data(contentsOf: $0)) }
        } catch {
            try? FileManager.default.removeItem(at: scratch)
            throw error
        }
    }

    func removeFiles() {
        try? FileManager.default.removeItem(at: scratch)
    }
}
