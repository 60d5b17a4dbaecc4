import Foundation
import Testing

/// The outside referees these tests consult: PyYAML, a YAML 1.1 parser other than Berth's
/// emitter, and the real Docker Compose v2 (`docker compose config` needs no daemon).
///
/// When one is missing, its tests are skipped loudly, or fail when `BERTH_ENGINE_REQUIRED` is
/// set (CI).
enum ExternalTools {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// How long one run may take before it is stopped and reported.
    static let timeout: Duration = .seconds(60)

    /// Whether the environment demands the referees (CI): then their absence is a failure.
    static let isRequired: Bool = {
        let value = ProcessInfo.processInfo.environment["BERTH_ENGINE_REQUIRED"] ?? ""
        return !value.isEmpty && value != "0"
    }()

    static let python = executable("python3")
    static let docker = executable("docker")

    /// `nil` when `python3` can `import yaml`, otherwise why not.
    static let pyYAMLUnavailable: String? = announce("PyYAML") {
        guard let python else { return "no `python3` executable on PATH" }
        let output = try runBlocking(python, ["-c", "import yaml; print(yaml.__version__)"])
        return output.status == 0 ? nil : "`python3 -c 'import yaml'` exited \(output.status): \(output.stderr)"
    }

    /// `nil` when `docker compose` is the real Compose v2, otherwise why not.
    static let composeUnavailable: String? = announce("docker compose") {
        guard let docker else { return "no `docker` executable on PATH" }
        let output = try runBlocking(docker, ["compose", "version"])
        guard output.status == 0 else { return "`docker compose version` exited \(output.status): \(output.stderr)" }
        return output.stdout.contains("Docker Compose version v2")
            ? nil : "`docker compose version` printed an unexpected version: \(output.stdout)"
    }

    /// Run a referee test when the referee is there, and also when it is required but missing, so
    /// the test fails with ``require(_:_:)``'s message.
    static var shouldRunPyYAML: Bool { pyYAMLUnavailable == nil || isRequired }
    static var shouldRunCompose: Bool { composeUnavailable == nil || isRequired }

    static let pyYAMLSkip: Comment =
        "Needs python3 with PyYAML; skipped because it is unavailable. Set BERTH_ENGINE_REQUIRED=1 to fail instead."
    static let composeSkip: Comment =
        """
        Needs the real `docker compose` (v2 plugin); skipped because it is unavailable. \
        Set BERTH_ENGINE_REQUIRED=1 to fail instead.
        """

    /// Throws a clear error when a referee is missing.
    static func require(_ name: String, _ unavailable: String?) throws {
        if let unavailable {
            throw Failure(
                description: "\(name) is required (BERTH_ENGINE_REQUIRED is set) but unavailable: \(unavailable)")
        }
    }

    private static func announce(_ name: String, _ probe: () throws -> String?) -> String? {
        let reason: String?
        do { reason = try probe() } catch { reason = "\(error)" }
        if let reason {
            let consequence =
                isRequired
                ? "BERTH_ENGINE_REQUIRED is set, so every test that needs it FAILS."
                : "Tests that need it are SKIPPED; set BERTH_ENGINE_REQUIRED=1 to make this a failure."
            FileHandle.standardError.write(
                Data(
                    """

                    ⚠️⚠️⚠️ BerthCloudflareTests: \(name) is unavailable: \(reason)
                    ⚠️⚠️⚠️ \(consequence)


                    """.utf8))
        }
        return reason
    }

    private static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin"] {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appending(path: "berth-cloudflare-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs a command (an argument array, no shell) with a bounded wait, without blocking a
    /// cooperative thread.
    static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil) async throws -> Output {
        let (process, files) = try launch(executable, arguments, in: directory)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                process.waitUntilExit()
                throw Failure(
                    description: "`\(([executable] + arguments).joined(separator: " "))` took over \(timeout).")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        process.waitUntilExit()
        return try collect(process, files)
    }

    private static func runBlocking(_ executable: String, _ arguments: [String]) throws -> Output {
        let (process, files) = try launch(executable, arguments, in: nil)
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                process.waitUntilExit()
                throw Failure(description: "`\(executable) \(arguments.joined(separator: " "))` took over 20 s.")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        process.waitUntilExit()
        return try collect(process, files)
    }

    private static func launch(
        _ executable: String,
        _ arguments: [String],
        in directory: URL?
    ) throws -> (Process, (URL, URL, URL)) {
        let scratch = try makeTemporaryDirectory()
        let process = Process()
        process.executableURL = URL(filePath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? scratch
        process.environment = ProcessInfo.processInfo.environment.filter { key, _ in !key.hasPrefix("COMPOSE_") }
        // Files rather than pipes: a large output would fill a pipe and block the child.
        let stdout = scratch.appending(path: "stdout")
        let stderr = scratch.appending(path: "stderr")
        try Data().write(to: stdout)
        try Data().write(to: stderr)
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, (scratch, stdout, stderr))
    }

    private static func collect(_ process: Process, _ files: (URL, URL, URL)) throws -> Output {
        (process.standardOutput as? FileHandle)?.closeFile()
        (process.standardError as? FileHandle)?.closeFile()
        defer { try? FileManager.default.removeItem(at: files.0) }
        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: files.1), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: files.2), as: UTF8.self))
    }
}

/// A JSON value, to compare what a referee read with what a test expects, written as literals.
enum JSON: Sendable, Hashable, Decodable, CustomStringConvertible {
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

    static func parse(_ text: String) throws -> JSON {
        try JSONDecoder().decode(JSON.self, from: Data(text.utf8))
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

    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return "\(value)"
        case .number(let value): return "\(value)"
        case .string(let value): return value.debugDescription
        case .array(let values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .object(let object):
            return "{" + object.keys.sorted().map { "\($0.debugDescription): \(object[$0]!)" }.joined(separator: ", ")
                + "}"
        }
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .number(Double(value)) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: JSON...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
