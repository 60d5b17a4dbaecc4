/// What identifies a service's rendered configuration.
public struct ServiceHash: Sendable, Hashable {
    /// The hash of the whole configuration.
    public var configuration: String
    /// A short hash of each top-level field, by the field's Compose key.
    public var fields: [String: String]

    /// Creates a hash from its parts.
    public init(configuration: String, fields: [String: String]) {
        self.configuration = configuration
        self.fields = fields
    }

    /// The form stored in the ``OwnershipLabel/fieldHashes`` label: `key=hash,key=hash`, sorted.
    public var fieldsLabel: String {
        fields.keys.sorted().map { "\($0)=\(fields[$0]!)" }.joined(separator: ",")
    }

    /// Reads the form stored in the ``OwnershipLabel/fieldHashes`` label.
    public static func fields(fromLabel label: String) -> [String: String] {
        OwnershipLabel.pairs(label)
    }

    /// The fields whose hashes differ from another hash's, sorted.
    public func changedFields(since previous: [String: String]) -> [String] {
        Set(fields.keys).union(previous.keys).filter { fields[$0] != previous[$0] }.sorted()
    }
}
