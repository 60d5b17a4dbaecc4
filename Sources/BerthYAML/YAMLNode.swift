/// A YAML value built from structured data, ready to be emitted by ``YAMLEmitter``.
///
/// Rendered Compose files are produced from these values rather than from concatenated text, so that
/// quoting and escaping are decided in exactly one place (the emitter) and can never be forgotten by a
/// caller. The cases deliberately mirror JSON's data model plus a distinction between integers and
/// doubles, because that is all Docker Compose needs and every case has one unambiguous spelling in both
/// YAML 1.1 and YAML 1.2 loaders.
public enum YAMLNode: Sendable, Hashable {
    /// A text scalar; always emitted double-quoted so no loader can reinterpret it as another type.
    case string(String)
    /// A whole number, emitted in plain decimal.
    case integer(Int)
    /// A floating-point number, emitted with a decimal point so it always loads as a float.
    case double(Double)
    /// A boolean, emitted as `true` or `false`, the only spellings both YAML 1.1 and 1.2 agree on.
    case boolean(Bool)
    /// The null value, emitted as `null`.
    case null
    /// An ordered list of nodes.
    case sequence([YAMLNode])
    /// An ordered string-keyed mapping.
    case mapping(YAMLMapping)
}

extension YAMLNode: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    /// Creates a ``string(_:)`` node from a literal, so tests and builders can write `"80:80"` directly.
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension YAMLNode: ExpressibleByIntegerLiteral {
    /// Creates an ``integer(_:)`` node from an integer literal.
    public init(integerLiteral value: Int) {
        self = .integer(value)
    }
}

extension YAMLNode: ExpressibleByFloatLiteral {
    /// Creates a ``double(_:)`` node from a floating-point literal.
    public init(floatLiteral value: Double) {
        self = .double(value)
    }
}

extension YAMLNode: ExpressibleByBooleanLiteral {
    /// Creates a ``boolean(_:)`` node from `true` or `false`.
    public init(booleanLiteral value: Bool) {
        self = .boolean(value)
    }
}

extension YAMLNode: ExpressibleByArrayLiteral {
    /// Creates a ``sequence(_:)`` node from an array literal.
    public init(arrayLiteral elements: YAMLNode...) {
        self = .sequence(elements)
    }
}

extension YAMLNode: ExpressibleByDictionaryLiteral {
    /// Creates a ``mapping(_:)`` node from a dictionary literal, keeping the order the entries were
    /// written in (unlike `Dictionary`), because output order is part of the rendered file.
    public init(dictionaryLiteral elements: (String, YAMLNode)...) {
        self = .mapping(YAMLMapping(elements))
    }
}
