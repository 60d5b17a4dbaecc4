import BerthProcess
import Foundation
import Testing

@testable import BerthDeploy

/// The `RolloutFixture` executable (`Tests/RolloutFixture`): an application's `Deploy` program,
/// run as a process so tests can load it, race it and kill it as production does.
struct FixtureDeploy {
    /// The package folder it runs in (`.berth/` goes there).
    let directory: URL
    /// FIXTURE_STACK.
    let stack: String
    /// FIXTURE_PORT: the gateway's port; `pinned` publishes the next one.
    let port: Int
    /// Other FIXTURE_ settings for every run.
    var settings: [String: String] = [:]

    /// The Compose project.
    var project: String { "\(stack)-dev" }
    /// The host `web` is routed at.
    var webHost: String { "web.\(stack).localhost" }

    /// The executable, built beside the test bundle by `swift build --build-tests`.
    static var executable: URL {
        get throws {
            let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            var directory = bundle.deletingLastPathComponent()
            // On macOS the test binary sits inside the .xctest bundle.
            while directory.path != "/" && directory.pathExtension == "xctest" || directory.lastPathComponent == "MacOS"
                || directory.lastPathComponent == "Contents"
            {
                directory.deleteLastPathComponent()
            }
            let candidate = directory.appendingPathComponent("RolloutFixture")
            try #require(
                FileManager.default.isExecutableFile(atPath: candidate.path),
                "RolloutFixture is not built at \(candidate.path): run `swift build --build-tests` first (scripts/test.sh does)."
            )
            return candidate
        }
    }

    /// A running deploy.
    final class Running: Sendable {
        let program: RunningProgram
        let log: URL

        init(program: RunningProgram, log: URL) {
            self.program = program
            self.log = log
        }

        var output: String { String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self) }

        /// Waits for the exit, bounded; `nil` when it had to be killed.
        func wait(timeout: Duration = .seconds(240)) async throws -> Int32? {
            await program.wait(timeout: timeout, grace: .zero)
        }

        func signal(_ number: Int32) { program.send(number) }
    }

    /// Starts `Deploy ARGUMENTS` with `VERSION` and the settings.
    func start(_ arguments: [String], version: String, _ extra: [String: String] = [:]) async throws -> Running {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent(
            "berth-fixture-\(UUID().uuidString).log")
        var environment = [
            "FIXTURE_STACK": stack, "FIXTURE_PORT": String(port), "FIXTURE_VERSION": version,
        ]
        for (key, value) in settings.merging(extra, uniquingKeysWith: { $1 }) { environment[key] = value }
        let program = try await RunningProgram.start(
            [try Self.executable.path] + arguments, environment: .inherited(adding: environment), directory: directory,
            log: log)
        return Running(program: program, log: log)
    }

    /// Runs `Deploy ARGUMENTS` to its end.
    @discardableResult
    func run(_ arguments: [String], version: String, _ extra: [String: String] = [:]) async throws -> (
        status: Int32?, output: String
    ) {
        let running = try await start(arguments, version: version, extra)
        let status = try await running.wait()
        let output = running.output
        try? FileManager.default.removeItem(at: running.log)
        return (status, output)
    }

    /// Removes everything the stack created, and its lock, whatever state it is in.
    func tearDown() async {
        _ = try? await run(["lock", "release"], version: "0")
        _ = try? await run(["down", "--volumes", "--yes", "--lock-wait", "60"], version: "0")
    }
}

/// What `hey` counted.
struct LoadResult: CustomStringConvertible {
    var succeeded = 0
    var failedStatus = 0
    var errors = 0
    var rate = ""

    var failed: Int { failedStatus + errors }
    var total: Int { succeeded + failed }

    var description: String {
        "\(total) requests at \(rate)/s: \(succeeded) 2xx, \(failedStatus) other status, \(errors) connection errors"
    }

    /// Parses hey's summary: the status code and error distributions.
    static func parse(_ text: String) -> LoadResult {
        var result = LoadResult()
        var section = 0
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("Status code distribution") {
                section = 1
                continue
            }
            if line.hasPrefix("Error distribution") {
                section = 2
                continue
            }
            if line.hasPrefix("Requests/sec:") {
                result.rate = line.split(whereSeparator: \.isWhitespace).last.map(String.init) ?? ""
            }
            guard section > 0, line.hasPrefix("[") else {
                if !line.isEmpty && !line.hasPrefix("[") { section = 0 }
                continue
            }
            // "[200]\t5021 responses" or "[12]\tGet "http://…": EOF"
            let inner = line.dropFirst().prefix { $0 != "]" }
            let rest = line.drop { $0 != "]" }.dropFirst().trimmingCharacters(in: .whitespaces)
            let count = Int(rest.prefix { $0.isNumber }) ?? 0
            if section == 2 {
                result.errors += Int(inner) ?? 0
            } else if let status = Int(inner), (200...299).contains(status) {
                result.succeeded += count
            } else {
                result.failedStatus += count
            }
        }
        return result
    }
}

/// A steady load through the gateway on loopback while something changes, with `hey`.
struct Load {
    let running: RunningProgram
    let log: URL

    /// Starts `hey` at `concurrency × perWorker` requests a second for `seconds`, with the
    /// given `Host` header, against 127.0.0.1 only.
    static func start(port: Int, host: String, seconds: Int, concurrency: Int = 10, perWorker: Int = 20) async throws
        -> Load
    {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("berth-hey-\(UUID().uuidString).log")
        let noProxy = Dictionary(
            uniqueKeysWithValues: ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"].map { ($0, "") })
        let running = try await RunningProgram.start(
            [
                "hey", "-z", "\(seconds)s", "-c", String(concurrency), "-q", String(perWorker), "-t", "5",
                "-host", host, "http://127.0.0.1:\(port)/",
            ], environment: .inherited(adding: noProxy), log: log)
        return Load(running: running, log: log)
    }

    /// Waits for the end (bounded) and counts.
    func finish() async throws -> LoadResult {
        await running.wait(timeout: .seconds(120), grace: .seconds(5))
        let text = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
        try? FileManager.default.removeItem(at: log)
        return LoadResult.parse(text)
    }
}
