import Foundation

/// A JSON value as a referee printed it, to compare with what a test expects.
///
/// Tests write expectations as literals (`["CMD", "true"]`, `["edge": [:]]`) and look into a
/// model with subscripts that return `nil` rather than trap when a key or index is missing, so
/// a missing setting fails one expectation instead of the whole run.
public enum RefereeJSON: Sendable, Hashable, Decodable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([RefereeJSON])
    case object([String: RefereeJSON])

    /// Decodes any JSON value; `true` is a ``bool(_:)``, never the number 1.
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
        } else if let value = try? container.decode([RefereeJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: RefereeJSON].self))
        }
    }

    /// Parses JSON text, as a tool printed it.
    public static func parse(_ text: String) throws -> RefereeJSON {
        try JSONDecoder().decode(RefereeJSON.self, from: Data(text.utf8))
    }

    /// The member `key` of an object; `nil` for a missing key or a value that is not an object.
    public subscript(key: String) -> RefereeJSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The element at `index` of an array; `nil` out of range or for a value that is not an array.
    public subscript(index: Int) -> RefereeJSON? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    /// The string, when this is one.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number, when this is one.
    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The Boolean, when this is one.
    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, when this is an array.
    public var array: [RefereeJSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members, when this is an object.
    public var object: [String: RefereeJSON]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// An object of strings as a dictionary; `nil` when any value is not a string.
    public var stringMap: [String: String]? {
        guard let object else { return nil }
        var result: [String: String] = [:]
        for (key, value) in object {
            guard let text = value.string else { return nil }
            result[key] = text
        }
        return result
    }

    /// An array's elements as strings; an element that is not a string shows as
    /// `<not a string: …>`, so a comparison fails with the value in view.
    public var strings: [String]? {
        array?.map { $0.string ?? "<not a string: \($0)>" }
    }

    /// Compact JSON-like text with object keys sorted, so failure messages are stable.
    public var description: String {
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

extension RefereeJSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: RefereeJSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, RefereeJSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
