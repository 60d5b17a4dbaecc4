/// A port a service listens on, and whether and where it is published on the host.
///
/// Ports are internal by default: reachable by services on a shared network, not from the
/// host. Publishing binds to `127.0.0.1` unless the port is explicitly declared public, so a
/// forgotten firewall rule never exposes a database.
public struct Port: Sendable, Hashable, Codable {
    /// The transport protocol.
    public enum TransportProtocol: String, Sendable, Hashable, Codable {
        case tcp, udp
    }

    /// How Swarm publishes a port; Compose ignores it.
    public enum PublishMode: String, Sendable, Hashable, Codable {
        /// Through the routing mesh: every node accepts the port and forwards to any task.
        case ingress
        /// On the node running each task only, bypassing the routing mesh; one task per node
        /// can bind it.
        case host
    }

    /// The port inside the container.
    public var target: Int
    /// The host port, when the port is published.
    public var published: Int?
    /// The host address the published port binds to.
    public var hostIP: String?
    /// The transport protocol.
    public var transport: TransportProtocol
    /// How Swarm publishes the port.
    public var mode: PublishMode
    /// Where the user declared the port.
    public var location: SourceLocation

    /// Creates a port.
    public init(
        target: Int,
        published: Int? = nil,
        hostIP: String? = nil,
        transport: TransportProtocol = .tcp,
        mode: PublishMode = .ingress,
        location: SourceLocation
    ) {
        self.target = target
        self.published = published
        self.hostIP = hostIP
        self.transport = transport
        self.mode = mode
        self.location = location
    }

    /// Whether the port is reachable from the host.
    public var isPublished: Bool { published != nil }

    /// Whether the port is reachable from other machines, not only from the host's loopback.
    public var isPublic: Bool {
        guard isPublished, let hostIP else { return false }
        return !hostIP.hasPrefix("127.") && hostIP != "::1"
    }
}
