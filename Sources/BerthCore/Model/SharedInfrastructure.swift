/// A network that one stack, the shared infrastructure, creates under a fixed engine name and
/// other stacks join.
///
/// A shared-infrastructure package declares its networks once, as handles in a library that
/// app packages import:
/// ```swift
/// public enum AcmeInfra {
///     public static let edge = SharedNetwork("edge", engineName: "acme_edge", owner: "acme-infra")
/// }
/// ```
/// Written in a stack, the handle means what that stack needs: in `acme-infra` it creates the
/// network as `acme_edge`; in any other stack it refers to it as an external network, which
/// Berth checks exists on the target before applying ("deploy acme-infra first").
public struct SharedNetwork: Sendable, Hashable, Codable {
    /// The name services use in `.networks(…)`.
    public var name: String
    /// The network's name on the engine, the same for every stack.
    public var engineName: String
    /// The name of the stack that creates it.
    public var owner: String
    /// Whether containers on it have no route to the outside world.
    public var isInternal: Bool

    /// Declares a shared network.
    /// - Parameters:
    ///   - name: The name services use.
    ///   - engineName: The engine's name for it; on Swarm it is an overlay network.
    ///   - owner: The stack that creates it.
    ///   - internal: Whether it has no route out of the host.
    public init(_ name: String, engineName: String, owner: String, internal: Bool = false) {
        self.name = name
        self.engineName = engineName
        self.owner = owner
        self.isInternal = `internal`
    }

    /// The network as the stack named `stack` declares it: created there if it is the owner,
    /// referred to as external otherwise.
    public func network(in stack: String, location: SourceLocation) -> Network {
        var network = Network(name, internal: isInternal, fileID: location.fileID, line: location.line)
        if stack == owner {
            network.fixedName = engineName
        } else {
            network.externalName = engineName
            network.owner = owner
        }
        return network
    }
}

/// A service of the shared infrastructure that app stacks connect to by name over a
/// ``SharedNetwork``: a database, a cache, an auth proxy.
///
/// ```swift
/// public static let postgres = SharedService("postgres", port: 5432, network: edge)
/// // in an app: .environment("DATABASE_HOST", AcmeInfra.postgres.host)
/// ```
public struct SharedService: Sendable, Hashable, Codable {
    /// The service's name in the owner's stack, which is its DNS name on the network.
    public var name: String
    /// The port it listens on.
    public var port: Int
    /// The network app services join to reach it.
    public var network: SharedNetwork

    /// Declares a shared service.
    public init(_ name: String, port: Int, network: SharedNetwork) {
        self.name = name
        self.port = port
        self.network = network
    }

    /// The host name app services connect to.
    public var host: String { name }
    /// `host:port`.
    public var address: String { "\(name):\(port)" }

    /// A URL to the service: `url(scheme: "postgres", path: "/shop")` is `postgres://postgres:5432/shop`.
    public func url(scheme: String, path: String = "") -> String {
        "\(scheme)://\(address)\(path)"
    }
}

/// The gateway of the shared infrastructure: the one service that takes requests from outside
/// and passes them to services by their ``Route``s.
///
/// ```swift
/// public static let gateway = Gateway.nginx(service: "nginx", network: edge)
/// ```
/// A stack that writes the handle routes its services through it: with Traefik, routes become
/// labels on the services; with nginx, Berth regenerates the gateway's configuration from every
/// stack's routes after each `up` and `down`. In the owner's stack the handle marks the
/// gateway's own service, the only one allowed to publish host ports.
public struct Gateway: Sendable, Hashable, Codable {
    /// The software that runs the gateway.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Traefik v3, configured by labels on the routed services.
        case traefik
        /// nginx, configured by a file Berth renders from every stack's routes.
        case nginx
    }

    /// The software that runs the gateway.
    public var kind: Kind
    /// The gateway's service name in the owner's stack.
    public var service: String
    /// The network the gateway reaches routed services on; they must join it.
    public var network: SharedNetwork
    /// Traefik's entrypoint for plain HTTP.
    public var httpEntrypoint: String
    /// Traefik's entrypoint for HTTPS.
    public var httpsEntrypoint: String

    /// Declares a gateway.
    public init(
        _ kind: Kind,
        service: String,
        network: SharedNetwork,
        httpEntrypoint: String = "web",
        httpsEntrypoint: String = "websecure"
    ) {
        self.kind = kind
        self.service = service
        self.network = network
        self.httpEntrypoint = httpEntrypoint
        self.httpsEntrypoint = httpsEntrypoint
    }

    /// A Traefik gateway.
    public static func traefik(
        service: String = "traefik",
        network: SharedNetwork,
        httpEntrypoint: String = "web",
        httpsEntrypoint: String = "websecure"
    ) -> Gateway {
        Gateway(
            .traefik, service: service, network: network, httpEntrypoint: httpEntrypoint,
            httpsEntrypoint: httpsEntrypoint)
    }

    /// An nginx gateway.
    public static func nginx(service: String = "nginx", network: SharedNetwork) -> Gateway {
        Gateway(.nginx, service: service, network: network)
    }

    /// The stack that runs the gateway: the owner of its network.
    public var owner: String { network.owner }
}
