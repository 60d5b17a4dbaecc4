import Foundation
import Testing

/// Runs the real Docker Compose v2 (`docker compose config --format json`) on rendered files:
/// the outside referee that says whether Compose accepts a file and what it reads from it.
///
/// `docker compose config` is offline: it needs no daemon. When the binary is missing, tests
/// that need it are skipped loudly, or fail when `BERTH_ENGINE_REQUIRED` is set (CI).
enum ComposeReferee {
    /// How long one `docker compose` run may take before it is stopped and reported.
    static let timeout: Duration = .seconds(60)

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Whether the environment demands the referee (CI): then its absence is a failure.
    static let isRequired: Bool = {
        let value = ProcessInfo.processInfo.environment["BERTH_ENGINE_REQUIRED"] ?? ""
        return !value.isEmpty && value != "0"
    }()

    /// The `docker` executable found on `PATH`, if any.
    static let dockerPath: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin"] {
            let candidate = directory + "/docker"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    /// `nil` when `docker compose` works, otherwise why it does not.
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

                    ⚠️⚠️⚠️ BerthComposeTests: `docker compose` is unavailable: \(reason)
                    ⚠️⚠️⚠️ \(consequence)
                    ⚠️⚠️⚠️ See /work/shared/ENGINE.md to install the real Compose v2 plugin (not the `docker-compose` wrapper).


                    """.utf8))
        }
        return reason
    }()

    /// The condition of every referee test: run when Compose is there, and also when it is
    /// required but missing, so the test fails with ``requireAvailable()``'s message.
    static var shouldRun: Bool { unavailableReason == nil || isRequired }

    static let skipComment: Comment =
        "Needs the real `docker compose` (v2 plugin); skipped because it is unavailable. Set BERTH_ENGINE_REQUIRED=1 to fail instead."

    /// Throws a clear error when the referee is missing.
    static func requireAvailable() throws {
        if let unavailableReason {
            throw Failure(
                description:
                    "`docker compose` is required (BERTH_ENGINE_REQUIRED is set) but unavailable: \(unavailableReason)"
            )
        }
    }

    private static func probe() -> String? {
        guard let docker = dockerPath else { return "no `docker` executable on PATH" }
        do {
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let result = try runBlocking(
                docker, ["compose", "version"], in: directory, environment: environment([:]))
            guard result.status == 0 else {
                return "`docker compose version` exited \(result.status): \(result.stderr)"
            }
            guard result.stdout.contains("Docker Compose version v2") else {
                return "`docker compose version` printed an unexpected version: \(result.stdout)"
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    // MARK: Running

    /// What Compose read from a file, and where the file was.
    struct Verdict: Sendable {
        /// The normalised model.
        var model: JSON
        /// The absolute path relative package paths resolve under.
        var packageDirectory: String
        /// The absolute path of the compose file's directory.
        var fileDirectory: String
        /// The environment Compose ran with, which interpolation read.
        var variables: [String: String]
    }

    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Writes `yaml` as `<temp>/pkg/<relativePath>` and runs `docker compose -f FILE config
    /// --format json` on it, in that file's directory. Relative paths in the file resolve under
    /// `<temp>/pkg`, which is returned as `packageDirectory`.
    ///
    /// Every rendered file and golden file in these tests must get exit status 0 here.
    ///
    /// - Parameter environment: Variables added to the referee's environment (for interpolation);
    ///   `COMPOSE_*` variables and `BERTH_TEST_VAR` of the test process are never passed on.
    static func config(
        _ yaml: String,
        relativePath: String = ".berth/stack/env/compose.yaml",
        environment extra: [String: String] = [:]
    ) async throws -> Verdict {
        try requireAvailable()
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let package = root.appending(path: "pkg")
        let file = package.appending(path: relativePath)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(yaml.utf8).write(to: file)

        let variables = environment(extra)
        let output = try await run(
            dockerPath!, ["compose", "-f", file.path, "config", "--format", "json"],
            in: file.deletingLastPathComponent(), environment: variables)
        guard output.status == 0 else {
            throw Failure(
                description:
                    "`docker compose config` rejected the file (exit \(output.status)):\n\(output.stderr)\n--- file ---\n\(yaml)"
            )
        }
        do {
            let model = try JSONDecoder().decode(JSON.self, from: Data(output.stdout.utf8))
            // Compose resolves symbolic links in the temporary directory's path (/tmp → /private/tmp).
            let resolved = package.resolvingSymlinksInPath().path
            let directory = (resolved + "/" + relativePath).split(separator: "/").dropLast().joined(
                separator: "/")
            return Verdict(
                model: model, packageDirectory: resolved, fileDirectory: "/" + directory, variables: variables
            )
        } catch {
            throw Failure(
                description:
                    "`docker compose config` printed JSON that does not parse: \(error)\n\(output.stdout)")
        }
    }

    private static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("COMPOSE_") && key != "BERTH_TEST_VAR"
        }
        environment.merge(extra) { _, new in new }
        return environment
    }

    static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appending(
            path: "berth-compose-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private static func launch(
        _ executable: String, _ arguments: [String], in directory: URL, environment: [String: String]
    ) throws -> (Process, URL, URL) {
        let process = Process()
        process.executableURL = URL(filePath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = environment
        // Files rather than pipes: a large JSON model would fill a pipe and block the child.
        let stdoutURL = directory.appending(path: ".referee-stdout-\(UUID().uuidString)")
        let stderrURL = directory.appending(path: ".referee-stderr-\(UUID().uuidString)")
        try Data().write(to: stdoutURL)
        try Data().write(to: stderrURL)
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, stdoutURL, stderrURL)
    }

    private static func collect(_ process: Process, _ stdoutURL: URL, _ stderrURL: URL) throws -> Output {
        (process.standardOutput as? FileHandle)?.closeFile()
        (process.standardError as? FileHandle)?.closeFile()
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
        _ executable: String, _ arguments: [String], in directory: URL, environment: [String: String]
    ) async throws -> Output {
        let (process, stdoutURL, stderrURL) = try launch(
            executable, arguments, in: directory, environment: environment)
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
    private static func runBlocking(
        _ executable: String, _ arguments: [String], in directory: URL, environment: [String: String]
    ) throws -> Output {
        let (process, stdoutURL, stderrURL) = try launch(
            executable, arguments, in: directory, environment: environment)
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                process.waitUntilExit()
                throw Failure(description: "`docker compose version` took longer than 20 s; stopped it.")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        process.waitUntilExit()
        return try collect(process, stdoutURL, stderrURL)
    }
}

/// The JSON model `docker compose config --format json` prints.
enum JSON: Sendable, Equatable, Decodable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
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

    var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
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
        case .bool(let value): return "\(value)"
        case .number(let value): return "\(value)"
        case .string(let value): return value.debugDescription
        case .array(let values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .object(let object):
            return "{"
                + object.keys.sorted().map { "\($0.debugDescription): \(object[$0]!)" }.joined(
                    separator: ", ") + "}"
        }
    }
}

/// A string compared scalar by scalar: Swift's `==` treats canonically equivalent strings
/// (`é` and `e` + U+0301) as equal, which would hide a normalisation on the way.
struct Exact: Equatable, CustomStringConvertible {
    var text: String?

    init(_ text: String?) { self.text = text }

    static func == (lhs: Exact, rhs: Exact) -> Bool {
        switch (lhs.text, rhs.text) {
        case (nil, nil): return true
        case (let a?, let b?): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        default: return false
        }
    }

    var description: String {
        guard let text else { return "nil" }
        return "\""
            + text.unicodeScalars.map { scalar -> String in
                switch scalar {
                case "\n": return "\\n"
                case "\t": return "\\t"
                case "\r": return "\\r"
                case "\"": return "\\\""
                case "\\": return "\\\\"
                case _ where scalar.value < 0x20 || (scalar.value >= 0x7F && !scalar.properties.isAlphabetic):
                    return "\\u{\(String(scalar.value, radix: 16))}"
                default: return String(scalar)
                }
            }.joined() + "\""
    }
}

/// How `docker compose config --format json` prints a string the user wrote literally: every
/// `$` re-escaped as `$$`.
func composeJSON(literal text: String) -> String {
    // Scalar by scalar, as Go does it: `String.replacing` would compare grapheme clusters and
    // miss the `$` in `$` + U+0301.
    var escaped = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        if scalar == "$" { escaped.append(scalar) }
        escaped.append(scalar)
    }
    return String(escaped)
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
        else {
            return nil
        }
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
