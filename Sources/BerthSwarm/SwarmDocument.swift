import BerthCore
import BerthRendering
import BerthYAML

/// A stack rendered for Docker Swarm (`docker stack deploy`): the structured document, ready to
/// be written, and what a deploy needs to know besides it.
public struct SwarmDocument: Sendable {
    /// The Swarm stack name, `<stack>-<environment>`; services run as `<stackName>_<service>`.
    public var stackName: String
    /// The document's structure.
    public var root: YAMLNode
    /// The configuration hash of each service, by name.
    public var serviceHashes: [String: ServiceHash]
    /// What the Swarm dialect cannot express or refuses.
    public var diagnostics: [Diagnostic]
    /// The engine name of each secret, by its name in the stack: the versioned name Berth
    /// creates it under before the deploy, or the real name of an external secret.
    public var secretNames: [String: String]
    /// The engine name of each config, by its name in the stack: the versioned name Berth
    /// creates it under before the deploy.
    public var configNames: [String: String]
    /// The real names of the external networks the stack joins: they must exist, swarm-scoped
    /// (overlay), before the deploy.
    public var externalNetworks: [String]

    /// The document as YAML text.
    public var yaml: String { YAMLEmitter.emit(root) }
}
