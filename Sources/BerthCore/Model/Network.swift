/// A network that services attach to.
///
/// Networks are bridge networks created by the stack unless declared `internal` (no route out
/// of the host) or `external` (owned by someone else, typically a shared-infrastructure stack,
/// and only referenced here). On Swarm, a stack's networks are overlay networks spanning every
/// node, and an external network must be swarm-scoped (`docker network create --driver overlay`).
public struct Network: Sendable, Hashable, Codable {
    /// The name services use to refer to the network.
    public var name: String
    /// Whether containers on it have no route to the outside world.
    public var isInternal: Bool
    /// The real name of a network that exists outside this stack, if it does.
    public var externalName: String?
    /// The stack that creates an external network, when it is a ``SharedNetwork``: named in
    /// the error when the network is missing on the target.
    public var owner: String?
    /// A fixed engine name for a network this stack creates for other stacks to join (a
    /// ``SharedNetwork`` in its owner's stack); `nil` lets the engine prefix it with the project.
    public var fixedName: String?
    /// The network driver (`bridge` on one host; the Swarm renderer makes `bridge` `overlay`).
    public var driver: String
    /// Whether containers started outside the stack (`docker run --network`) may join it on
    /// Swarm; Compose's networks always allow it.
    public var isAttachable: Bool
    /// Where the user declared the network.
    public var location: SourceLocation

    /// Declares a network created with the stack.
    /// - Parameters:
    ///   - name: The name services use; Compose rules (`[a-zA-Z0-9._-]`).
    ///   - internal: Whether the network has no route out of the host.
    ///   - attachable: Whether containers outside the stack may join it on Swarm.
    public init(
        _ name: String,
        internal: Bool = false,
        driver: String = "bridge",
        attachable: Bool = true,
        fileID: String = #fileID,
        line: Int = #line
    ) {
        self.name = name
        self.isInternal = `internal`
        self.externalName = nil
        self.owner = nil
        self.fixedName = nil
        self.driver = driver
        self.isAttachable = attachable
        self.location = SourceLocation(fileID: fileID, line: line)
    }

    /// Refers to a network that already exists, created by another stack or by hand.
    /// - Parameters:
    ///   - name: The name services of this stack use.
    ///   - realName: The network's name on the engine; defaults to `name`.
    public static func external(
        _ name: String,
        realName: String? = nil,
        fileID: String = #fileID,
        line: Int = #line
    ) -> Network {
        var network = Network(name, fileID: fileID, line: line)
        network.externalName = realName ?? name
        return network
    }

    /// Whether the network belongs to someone else.
    public var isExternal: Bool { externalName != nil }
}
