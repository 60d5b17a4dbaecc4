import BerthProcess
import Foundation
import Testing

@testable import BerthYAML

// MARK: - Double-quoted scalar decoder

/// A test-only decoder for the double-quoted scalar syntax the emitter produces.
///
/// It accepts only what the emitter is meant to write: printable characters raw, and the escapes
/// `\\`, `\"`, `\n`, `\t`, `\r`, `\xNN`, `\uNNNN` and `\UNNNNNNNN`. Anything else (a raw control or
/// format character, another escape, a missing closing quote) is a decoding error, so the decoder
/// checks both that the emitted text is well-formed and that it means the original string.
enum QuotedScalar {
    struct DecodingError: Error, CustomStringConvertible {
        let description: String
    }

    /// Decodes the quoted scalar starting at `scalars[start]`; returns it and the index after it.
    static func decode(
        _ scalars: [Unicode.Scalar],
        from start: Int
    ) throws -> (String.UnicodeScalarView, Int) {
        guard start < scalars.count, scalars[start] == "\"" else {
            throw DecodingError(description: "expected an opening quote at \(start)")
        }
        var result = String.UnicodeScalarView()
        var index = start + 1
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "\"":
                return (result, index + 1)
            case "\\":
                guard index + 1 < scalars.count else {
                    throw DecodingError(description: "dangling backslash")
                }
                let escape = scalars[index + 1]
                index += 2
                switch escape {
                case "\\": result.append("\\")
                case "\"": result.append("\"")
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "r": result.append("\r")
                case "x", "u", "U":
                    let digits = escape == "x" ? 2 : escape == "u" ? 4 : 8
                    guard index + digits <= scalars.count else {
                        throw DecodingError(description: "truncated \\\(escape) escape")
                    }
                    let hex = String(String.UnicodeScalarView(scalars[index..<(index + digits)]))
                    guard let value = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(value) else {
                        throw DecodingError(description: "bad \\\(escape) escape \(hex)")
                    }
                    if escape == "x" && value >= 0x80 {
                        throw DecodingError(description: "\\x used for non-ASCII U+\(hex)")
                    }
                    result.append(decoded)
                    index += digits
                default:
                    throw DecodingError(description: "unexpected escape \\\(escape)")
                }
            default:
                guard isRawPrintable(scalar) else {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    throw DecodingError(description: "raw non-printable U+\(hex) inside quotes")
                }
                result.append(scalar)
                index += 1
            }
        }
        throw DecodingError(description: "missing closing quote")
    }

    /// Decodes a whole document made of one quoted scalar and a newline.
    static func decodeDocument(_ document: String) throws -> String.UnicodeScalarView {
        let scalars = Array(document.unicodeScalars)
        let (value, end) = try decode(scalars, from: 0)
        guard end == scalars.count - 1, scalars[end] == "\n" else {
            throw DecodingError(description: "trailing text after the scalar: \(document.debugDescription)")
        }
        return value
    }

    /// An independent statement of which characters may appear unescaped inside the quotes.
    static func isRawPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            return scalar.value >= 0x20 && scalar.value < 0x7F
        }
        switch scalar.properties.generalCategory {
        case .control, .format, .privateUse, .unassigned, .surrogate, .lineSeparator, .paragraphSeparator:
            return false
        default:
            return true
        }
    }
}

/// Compares two strings scalar by scalar; `String.==` would treat canonically equivalent text (such as
/// a precomposed and a decomposed "é") as equal, which is too lenient for a round-trip check.
func sameScalars(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
    lhs.unicodeScalars.elementsEqual(rhs.unicodeScalars)
}

func sameScalars(_ lhs: String.UnicodeScalarView, _ rhs: String) -> Bool {
    lhs.elementsEqual(rhs.unicodeScalars)
}

// MARK: - Deterministic random numbers

/// SplitMix64, a tiny deterministic generator, so property tests are reproducible from their seed.
struct SplitMix64: RandomNumberGenerator {
    private(set) var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - PyYAML

/// A YAML loader run as a subprocess rejected the emitted document.
struct LoaderFailure: Error, CustomStringConvertible {
    let description: String
}

/// Runs the emitted YAML through PyYAML's `safe_load`, a real YAML 1.1 loader, and returns its JSON.
enum PyYAML {
    /// Whether `python3` with the `yaml` module can be run; checked once per test process.
    static let isAvailable: Bool = {
        guard let result = try? Subprocess.run(["python3", "-c", "import yaml"]) else { return false }
        return result.status == 0
    }()

    static let unavailableMessage: Comment =
        "python3 with PyYAML is not available; skipping the check against a real YAML loader"

    /// Loads `document` with `yaml.safe_load` and returns `json.dumps` of the result (ASCII-only JSON).
    static func loadAsJSON(_ document: String) throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("berth-yaml-\(UUID().uuidString).yaml")
        try Data(document.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let script =
            "import yaml,json,sys; print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding='utf-8'))))"
        let result = try Subprocess.run(["python3", "-c", script, url.path])
        guard result.status == 0 else {
            throw LoaderFailure(description: "PyYAML failed (\(result.status)): \(result.standardError)")
        }
        var output = result.standardOutput
        if output.hasSuffix("\n") {
            output.removeLast()
        }
        return output
    }
}

// MARK: - Subprocesses

/// Runs a command found on `PATH` with an argument vector (no shell), capturing its output.
enum Subprocess {
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static func run(_ arguments: [String]) throws -> Result {
        // Blocking: the callers are availability probes and synchronous tests.
        guard let outcome = try Command.runBlocking(arguments, timeout: .seconds(120)) else {
            throw Command.Failure.cannotStart(arguments[0], "no answer within 120 s; stopped it")
        }
        return Result(status: outcome.status, standardOutput: outcome.outputText, standardError: outcome.errorText)
    }
}

// MARK: - Docker Compose

/// Runs the emitted YAML through `docker compose config`, i.e. the Go YAML loader Compose really uses.
enum DockerCompose {
    /// Whether the Docker Compose CLI can be run; checked once per test process.
    static let isAvailable: Bool = {
        guard let result = try? Subprocess.run(["docker", "compose", "version"]) else { return false }
        return result.status == 0
    }()

    static let unavailableMessage: Comment =
        "the docker compose CLI is not available; skipping the check against Compose's own loader"

    /// Loads `document` as a Compose file without interpolation and returns Compose's JSON rendering.
    static func configJSON(_ document: String) throws -> Data {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("berth-yaml-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("compose.yaml")
        try Data(document.utf8).write(to: file)
        let result = try Subprocess.run([
            "docker", "compose", "--project-name", "berth-yaml-tests", "--file", file.path,
            "config", "--no-interpolate", "--format", "json",
        ])
        guard result.status == 0 else {
            throw LoaderFailure(description: "docker compose config failed: \(result.standardError)")
        }
        return Data(result.standardOutput.utf8)
    }
}

// MARK: - Expected JSON

/// Produces the exact text Python's `json.dumps` (default settings) writes for a loaded node, so the
/// PyYAML output can be compared textually, including key order and every code point.
enum PythonJSON {
    static func encode(_ node: YAMLNode) -> String {
        var output = ""
        write(node, to: &output)
        return output
    }

    private static func write(_ node: YAMLNode, to output: inout String) {
        switch node {
        case .string(let string):
            writeString(string, to: &output)
        case .integer(let value):
            output += String(value)
        case .double(let value):
            if value.isNaN {
                output += "NaN"
            } else if value.isInfinite {
                output += value < 0 ? "-Infinity" : "Infinity"
            } else {
                // Matches Python's repr for the values the tests use.
                output += value.description
            }
        case .boolean(let value):
            output += value ? "true" : "false"
        case .null:
            output += "null"
        case .sequence(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 {
                    output += ", "
                }
                write(item, to: &output)
            }
            output += "]"
        case .mapping(let mapping):
            output += "{"
            for (index, entry) in mapping.entries.enumerated() {
                if index > 0 {
                    output += ", "
                }
                writeString(entry.key, to: &output)
                output += ": "
                write(entry.value, to: &output)
            }
            output += "}"
        }
    }

    private static func writeString(_ string: String, to output: inout String) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value >= 0x20 && scalar.value < 0x7F {
                    output.unicodeScalars.append(scalar)
                } else {
                    for unit in String(scalar).utf16 {
                        let hex = String(unit, radix: 16)
                        output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    }
                }
            }
        }
        output += "\""
    }
}
