import Foundation

/// A value of the JSON `docker compose config --format json` prints: the project Compose itself
/// resolved (interpolation, `.env`, anchors and merge keys, `extends`, `include`, profiles), so
/// the importer reads what Compose would run, never its own reading of the YAML.
public indirect enum ComposeJSON: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ComposeJSON])
    case object([String: ComposeJSON])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ComposeJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: ComposeJSON].self))
        }
    }

    /// Parses the text `docker compose config --format json` printed.
    public static func parse(_ data: Data) throws -> ComposeJSON {
        try JSONDecoder().decode(ComposeJSON.self, from: data)
    }

    public subscript(key: String) -> ComposeJSON? {
        if case .object(let object) = self, let value = object[key], value != .null { return value }
        return nil
    }

    var object: [String: ComposeJSON]? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// An object's keys.
    var keys: [String]? { object.map { Array($0.keys) } }

    var array: [ComposeJSON]? {
        if case .array(let array) = self { return array }
        return nil
    }

    /// A scalar as text, numbers without a needless `.0`. Compose prints a literal `$` as `$$`
    /// (its config is still subject to interpolation); Berth's DSL holds the text itself.
    var text: String? {
        switch self {
        case .string(let text): return text.replacingOccurrences(of: "$$", with: "$")
        case .number(let number):
            return number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let value): return value ? "true" : "false"
        default: return nil
        }
    }

    var int: Int? {
        switch self {
        case .number(let number): return Int(exactly: number)
        case .string(let text): return Int(text)
        default: return nil
        }
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var strings: [String]? { array?.compactMap(\.text) }
}

/// Go's duration syntax as Compose prints it (`1m30s`, `500ms`, `2h`).
enum ComposeDuration {
    /// The duration in milliseconds, or `nil` when the text is not one.
    static func milliseconds(_ text: String) -> Int? {
        let units: [(String, Double)] = [
            ("ms", 1), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("us", 0.001), ("µs", 0.001), ("ns", 0.000001),
        ]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        return Int(total.rounded())
    }

    /// Swift source for the duration: `.seconds(90)`, `.milliseconds(500)`.
    static func swift(_ text: String) -> String? {
        guard let milliseconds = milliseconds(text) else { return nil }
        return milliseconds % 1000 == 0 ? ".seconds(\(milliseconds / 1000))" : ".milliseconds(\(milliseconds))"
    }
}

/// Swift source text for values.
enum SwiftSource {
    /// A string literal.
    static func string(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case "\0": escaped += "\\0"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    escaped += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return "\"\(escaped)\""
    }

    /// An array of string literals.
    static func strings(_ values: [String]) -> String {
        "[" + values.map(string).joined(separator: ", ") + "]"
    }

    /// A type name from a project name: `wordpress-mysql` → `WordpressMysql`.
    static func typeName(_ name: String) -> String {
        let words = name.split { !$0.isLetter && !$0.isNumber }
        var result = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        if result.isEmpty || result.first!.isNumber { result = "Imported" + result }
        return result
    }

    /// A comment line's text, with nothing that ends it early.
    static func comment(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
    }
}
