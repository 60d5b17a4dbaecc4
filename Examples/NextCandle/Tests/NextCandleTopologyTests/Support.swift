import Berth
import BerthTesting
import Foundation
import NextCandleTopology
import Testing

/// Every stack of the package in every environment: what the tests go through.
struct Rendition: Sendable, CustomTestStringConvertible {
    var deployment: String
    var environment: Environment
    var stack: Stack

    var testDescription: String { "\(stack.name) (\(environment.name))" }

    /// The golden file's name: `nextcandle-dev`, `nextcandle-shared-prod`, …
    var goldenName: String { "\(stack.name)-\(environment.name)" }

    /// Where `swift run Deploy render` writes the stack file inside the package.
    var relativePath: String { ".berth/\(stack.name)/\(environment.name)/stack.yaml" }

    static let all: [Rendition] = [("nextcandle", nextcandle), ("nextcandleShared", nextcandleShared)].flatMap {
        name, deployment in
        deployment.environments.map {
            Rendition(deployment: name, environment: $0, stack: deployment.describe($0))
        }
    }
}

/// The package's directory in the source tree, for its `configs/` folder and the golden files.
let packageDirectory = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Whether the environment demands the Docker CLI and engine (CI): then their absence fails the
/// tests that need them instead of skipping them.
let engineIsRequired: Bool = {
    let value = ProcessInfo.processInfo.environment["BERTH_ENGINE_REQUIRED"] ?? ""
    return !["", "0", "false", "no"].contains(value.lowercased())
}()

/// Prints a warning that a skip cannot be missed in the log.
func warnLoudly(_ lines: String...) {
    let text = lines.map { "⚠️⚠️⚠️ NextCandleTopologyTests: \($0)" }.joined(separator: "\n")
    FileHandle.standardError.write(Data("\n\(text)\n\n".utf8))
}

/// A fresh folder under the system's temporary directory.
func makeTemporaryDirectory(_ prefix: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appending(
        path: "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

// MARK: - External commands

/// A finished external command.
struct CommandOutput: Sendable {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

struct CommandFailure: Error, CustomStringConvertible {
    var description: String
}

/// The path of an executable on `PATH`, if there is one.
func executable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for directory in path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin"] {
        let candidate = directory + "/" + name
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// Runs a program with an argument array (no shell), output in temporary files so a large
/// output cannot block it, and stops it (by its own pid) when it outlives the time limit.
func runCommand(
    _ executable: String,
    _ arguments: [String],
    in directory: URL,
    environment: [String: String]? = nil,
    timeout: Duration = .seconds(60)
) async throws -> CommandOutput {
    let output = try await ExternalTool(path: executable).run(
        arguments, in: directory, environment: environment, timeout: timeout)
    return CommandOutput(status: output.status, standardOutput: output.stdout, standardError: output.stderr)
}

/// The Docker CLI, when the machine has one.
enum DockerCLI {
    static let path = executable("docker")

    /// Whether the tests that need the CLI run: with the CLI, or without it when it is required
    /// (so they fail); otherwise they are skipped, loudly.
    static var shouldRun: Bool {
        if path != nil || engineIsRequired { return true }
        _ = warnOnce
        return false
    }

    private static let warnOnce: Void = warnLoudly(
        "there is no `docker` on PATH, so the `docker stack config` tests are SKIPPED.",
        "Install the docker CLI (see /work/shared/ENGINE.md), or set BERTH_ENGINE_REQUIRED=1 to make this a failure.")

    static func require(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> String {
        try #require(
            path, "BERTH_ENGINE_REQUIRED is set but there is no `docker` on PATH.", sourceLocation: sourceLocation)
    }
}
