import BerthCore
import BerthRendering
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
