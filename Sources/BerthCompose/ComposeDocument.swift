import BerthCore
import BerthYAML

/// A stack rendered for Docker Compose: the structured document, ready to be written, and
/// what the renderer learnt on the way.
public struct ComposeDocument: Sendable {
    /// The Compose project name, `<stack>-<environment>`.
    public var projectName: String
    /// The document's structure.
    public var root: YAMLNode
    /// The configuration hash of each service, by name.
    public var serviceHashes: [String: ServiceHash]
    /// What the Compose dialect cannot express or refuses.
    public var diagnostics: [Diagnostic]

    /// The document as YAML text.
    public var yaml: String { YAMLEmitter.emit(root) }
}

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
        var fields: [String: String] = [:]
        for pair in label.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        return fields
    }

    /// The fields whose hashes differ from another hash's, sorted.
    public func changedFields(since previous: [String: String]) -> [String] {
        Set(fields.keys).union(previous.keys).filter { fields[$0] != previous[$0] }.sorted()
    }
}
