import Foundation
import Testing

/// Runs the real Docker CLI's stack loader (`docker stack config -c FILE`) on rendered files:
/// the outside referee that says whether `docker stack deploy` would accept a file and what it
/// reads from it.
///
/// `docker stack config` is offline: it needs no daemon. It prints YAML, which PyYAML's
/// `BaseLoader` turns into JSON with every scalar a string, so no YAML 1.1 rule (`1000:1000` as
/// a number in base 60) changes what the loader printed. When `docker` or PyYAML is missing,
/// tests that need them are skipped loudly, or fail when `BERTH_ENGINE_REQUIRED` is set (CI).
enum SwarmReferee {
    /// How long one command may take before it is stopped and reported.
    static let timeout: Duration = .seconds(60)

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Whether the environment demands the referee (CI): then its absence is a failure.
    static let isRequired: Bool = {
        let value = ProcessInfo.processInfo.environment["BERTH_ENGINE_REQUIRED"] ?? ""
        return !value.isEmpty && value != "0"
    }()

    private static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin"] {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static let dockerPath = executable("docker")
    static let pythonPath = executable("python3")

    /// Turns YAML on stdin into JSON on stdout, every scalar a string.
    private static let toJSON =
        "import sys, json, yaml; json.dump(yaml.load(sys.stdin, Loader=yaml.BaseLoader), sys.stdout)"

    /// `nil` when the referee works, otherwise why it does not.
    static let unavailableReason: String? = {
        let reason = probe()
        if let reason {
            let consequence =
                isRequired
                ? "BERTH_ENGINE_REQUIRED is set, so every referee test FAILS."
                : "Referee tests are SKIPPED; set BERTH_ENGINE_REQUIRED=1 to make this a failure."
            FileHandle.standardError.write(
                Data(
                    """

                    ⚠️⚠️⚠️ BerthSwarmTests: `docker stack config` is unavailable: \(reason)
                    ⚠️⚠️⚠️ \(consequence)
                    ⚠️⚠️⚠️ It needs the docker CLI on PATH and python3 with PyYAML (see /work/shared/ENGINE.md).


                    """.utf8))
        }
        return reason
    }()

    /// The condition of every referee test: run when the referee is there, and also when it is
    /// required but missing, so the test fails with ``requireAvailable()``'s message.
    static var shouldRun: Bool { unavailableReason == nil || isRequired }

    static let skipComment: Comment =
        "Needs `docker stack config` and python3 with PyYAML; skipped because they are unavailable. Set BERTH_ENGINE_REQUIRED=1 to fail instead."

    static func requireAvailable() throws {
        if let unavailableReason {
            throw Failure(
                description:
                    "`docker stack config` is required (BERTH_ENGINE_REQUIRED is set) but unavailable: \(unavailableReason)"
            )
        }
    }

    private static func probe() -> String? {
        guard let docker = dockerPath else { return "no `docker` executable on PATH" }
        guard let python = pythonPath else { return "no `python3` executable on PATH" }
        do {
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appending(path: "probe.yaml")
            try Data("version: \"3.8\"\nservices:\n  probe:\n    image: \"busybox:1\"\n".utf8).write(to: file)
            let stack = try runBlocking(docker, ["stack", "config", "-c", file.path], in: directory)
            guard stack.status == 0 else {
                return "`docker stack config` exited \(stack.status): \(stack.stderr)"
            }
            let yaml = try runBlocking(python, ["-c", "import yaml"], in: directory)
            guard yaml.status == 0 else { return "python3 cannot import yaml (PyYAML): \(yaml.stderr)" }
            return nil
        } catch {
            return "\(error)"
        }
    }

    // MARK: Running

    /// What the stack loader read from a file.
    struct Verdict: Sendable {
        /// The loaded stack, as `docker stack config` printed it; every scalar a string.
        var model: JSON
        /// The directory of the stack file, which relative bind mounts resolve from.
        var fileDirectory: URL
    }

    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Writes `yaml` as `<temp>/pkg/<relativePath>` and runs `docker stack config -c FILE` on
    /// it. Every rendered file in these tests must get exit status 0 here.
    static func config(_ yaml: String, relativePath: String = ".berth/stack/env/stack.yaml") async throws -> Verdict {
        try requireAvailable()
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appending(path: "pkg").appending(path: relativePath)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(yaml.utf8).write(to: file)

        let output = try await run(
            dockerPath!, ["stack", "config", "-c", file.path], in: file.deletingLastPathComponent())
        guard output.status == 0 else {
            throw Failure(
                description:
                    "`docker stack config` rejected the file (exit \(output.status)):\n\(output.stderr)\n--- file ---\n\(yaml)"
            )
        }
        let printed = root.appending(path: "printed.yaml")
        try Data(output.stdout.utf8).write(to: printed)
        let json = try await run(pythonPath!, ["-c", toJSON], in: root, stdin: printed)
        guard json.status == 0 else {
            throw Failure(description: "PyYAML could not read what `docker stack config` printed:\n\(json.stderr)")
        }
        do {
            let model = try JSONDecoder().decode(JSON.self, from: Data(json.stdout.utf8))
            return Verdict(model: model, fileDirectory: file.deletingLastPathComponent().resolvingSymlinksInPath())
        } catch {
            throw Failure(description: "The printed stack does not parse as JSON: \(error)\n\(json.stdout)")
        }
    }

    /// Runs `docker stack config` on a file that must be refused, and returns its error output.
    static func rejection(of yaml: String) async throws -> String {
        try requireAvailable()
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appending(path: "stack.yaml")
        try Data(yaml.utf8).write(to: file)
        let output = try await run(dockerPath!, ["stack", "config", "-c", file.path], in: root)
        guard output.status != 0 else {
            throw Failure(description: "`docker stack config` accepted a file it should refuse:\n\(yaml)")
        }
        return output.stderr
    }

    static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appending(path: "berth-swarm-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private static func launch(
        _ executable: String, _ arguments: [String], in directory: URL, stdin: URL?
    ) throws -> (Process, URL, URL) {
        let process = Process()
        process.executableURL = URL(filePath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        // `docker stack config` interpolates from the environment: none of the test process's
        // variables may leak into what it prints.
        process.environment = ProcessInfo.processInfo.environment.filter { key, _ in
            ["PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "DOCKER_CONFIG"].contains(key)
        }
        // Files rather than pipes: a large output would fill a pipe and block the child.
        let stdoutURL = directory.appending(path: ".referee-stdout-\(UUID().uuidString)")
        let stderrURL = directory.appending(path: ".referee-stderr-\(UUID().uuidString)")
        try Data().write(to: stdoutURL)
        try Data().write(to: stderrURL)
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        try process.run()
        return (process, stdoutURL, stderrURL)
    }

    private static func collect(_ process: Process, _ stdoutURL: URL, _ stderrURL: URL) throws -> Output {
        (process.standardOutput as? FileHandle)?.closeFile()
        (process.standardError as? FileHandle)?.closeFile()
        (process.standardInput as? FileHandle)?.closeFile()
        defer {
            try? FileManager.default.removeItem(at: stdoutURL)
            try? FileManager.default.removeItem(at: stderrURL)
        }
        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: stdoutURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self))
    }

    /// Runs a command with a bounded wait, without blocking a cooperative thread.
    static func run(
        _ executable: String, _ arguments: [String], in directory: URL, stdin: URL? = nil
    ) async throws -> Output {
        let (process, stdoutURL, stderrURL) = try launch(executable, arguments, in: directory, stdin: stdin)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                process.waitUntilExit()
                throw Failure(
                    description:
                        "`\(([executable] + arguments).joined(separator: " "))` took longer than \(timeout); stopped it."
                )
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        process.waitUntilExit()
        return try collect(process, stdoutURL, stderrURL)
    }

    /// The blocking form, for the one-time availability probe.
    private static func runBlocking(_ executable: String, _ arguments: [String], in directory: URL) throws -> Output {
        let (process, stdoutURL, stderrURL) = try launch(executable, arguments, in: directory, stdin: nil)
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                process.waitUntilExit()
                throw Failure(description: "`\(executable) \(arguments.joined(separator: " "))` took longer than 20 s.")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        process.waitUntilExit()
        return try collect(process, stdoutURL, stderrURL)
    }
}

/// What `docker stack config` printed, read with every scalar a string.
enum JSON: Sendable, Equatable, Decodable, CustomStringConvertible {
    case null
    case string(String)
    case array([JSON])
    case object([String: JSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSON].self))
        }
    }

    subscript(key: String) -> JSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    subscript(index: Int) -> JSON? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var array: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var object: [String: JSON]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// An object of strings as a dictionary; `nil` when any value is not a string.
    var stringMap: [String: String]? {
        guard let object else { return nil }
        var result: [String: String] = [:]
        for (key, value) in object {
            guard let text = value.string else { return nil }
            result[key] = text
        }
        return result
    }

    var strings: [String]? {
        array?.map { $0.string ?? "<not a string: \($0)>" }
    }

    var description: String {
        switch self {
        case .null: return "null"
        case .string(let value): return value.debugDescription
        case .array(let values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .object(let object):
            return "{" + object.keys.sorted().map { "\($0.debugDescription): \(object[$0]!)" }.joined(separator: ", ")
                + "}"
        }
    }
}

/// Parses a Go duration (`1m30s`, `1.5s`, `250ms`) into nanoseconds.
func goDurationNanoseconds(_ text: String) -> Int64? {
    if text == "0" { return 0 }
    let units: [(String, Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]
    var rest = Substring(text)
    var total: Double = 0
    guard !rest.isEmpty else { return nil }
    while !rest.isEmpty {
        let number = rest.prefix { $0.isNumber || $0 == "." }
        guard !number.isEmpty, let value = Double(number) else { return nil }
        rest = rest.dropFirst(number.count)
        // Longest unit first, so `ms` is not read as `m`.
        guard let unit = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { rest.hasPrefix($0.0) })
        else { return nil }
        total += value * unit.1
        rest = rest.dropFirst(unit.0.count)
    }
    return Int64(total.rounded())
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
