/// An ordered YAML mapping whose keys are strings.
///
/// Order is preserved because rendered files must be deterministic and readable (for example `image`
/// before `environment`), which a `Dictionary` cannot guarantee. Keys and values are stored as two
/// parallel arrays: tuples are not `Hashable`, and parallel arrays keep appends and emission cheap.
/// Two mappings are equal only if they hold the same entries in the same order, because they render
/// differently otherwise.
public struct YAMLMapping: Sendable, Hashable {
    /// The keys, in insertion order.
    public private(set) var keys: [String]
    /// The values, in insertion order; `values[i]` belongs to `keys[i]`.
    public private(set) var values: [YAMLNode]

    /// Creates an empty mapping.
    public init() {
        keys = []
        values = []
    }

    /// Creates a mapping holding `entries` in the given order.
    ///
    /// Keys are expected to be unique, as YAML loaders reject duplicate keys; this initializer does not
    /// check, so that building large mappings stays linear.
    public init(_ entries: [(String, YAMLNode)]) {
        keys = []
        values = []
        keys.reserveCapacity(entries.count)
        values.reserveCapacity(entries.count)
        for (key, value) in entries {
            keys.append(key)
            values.append(value)
        }
    }

    /// The entries in insertion order, as labelled tuples.
    ///
    /// Setting this replaces every entry; like ``init(_:)`` it does not check keys for uniqueness.
    public var entries: [(key: String, value: YAMLNode)] {
        get {
            var result: [(key: String, value: YAMLNode)] = []
            result.reserveCapacity(keys.count)
            for index in keys.indices {
                result.append((key: keys[index], value: values[index]))
            }
            return result
        }
        set {
            keys = newValue.map(\.key)
            values = newValue.map(\.value)
        }
    }

    /// The number of entries.
    public var count: Int { keys.count }

    /// Whether the mapping has no entries (it is then emitted as `{}`).
    public var isEmpty: Bool { keys.isEmpty }

    /// Adds an entry at the end without looking for an existing one.
    ///
    /// Appending is O(1) so that builders can add thousands of services cheaply; the caller is
    /// responsible for not appending a key twice, since Docker Compose's loader rejects duplicate keys.
    /// Use the subscript to replace a value instead.
    public mutating func append(_ key: String, _ value: YAMLNode) {
        keys.append(key)
        values.append(value)
    }

    /// The value for `key`, found by a linear search (mappings in Compose files are small).
    ///
    /// Setting a value replaces the existing entry in place, keeping its position, or appends a new
    /// entry at the end; setting `nil` removes the entry.
    public subscript(key: String) -> YAMLNode? {
        get {
            guard let index = keys.firstIndex(of: key) else { return nil }
            return values[index]
        }
        set {
            if let index = keys.firstIndex(of: key) {
                if let newValue {
                    values[index] = newValue
                } else {
                    keys.remove(at: index)
                    values.remove(at: index)
                }
            } else if let newValue {
                append(key, newValue)
            }
        }
    }
}

extension YAMLMapping: ExpressibleByDictionaryLiteral {
    /// Creates a mapping from a dictionary literal, keeping the order the entries were written in.
    public init(dictionaryLiteral elements: (String, YAMLNode)...) {
        self.init(elements)
    }
}
