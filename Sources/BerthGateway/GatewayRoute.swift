import BerthCore

/// A route as a gateway serves it: the ``Route`` and where its requests go on the gateway's
/// network, with the stack that declared it.
///
/// A Traefik gateway reads routes from labels on the services themselves; an nginx gateway
/// needs every stack's routes in one file, so Berth collects them from live state into these.
public struct GatewayRoute: Sendable, Hashable, Codable {
    /// The route as declared.
    public var route: Route
    /// The stack that declared it.
    public var stack: String
    /// The environment that stack was deployed for.
    public var environment: String
    /// The service that answers it.
    public var service: String
    /// The host names of the service's containers (or its Swarm service name) on the gateway's
    /// network, one upstream server each.
    public var servers: [String]

    /// Creates a gateway route.
    public init(route: Route, stack: String, environment: String, service: String, servers: [String]) {
        self.route = route
        self.stack = stack
        self.environment = environment
        self.service = service
        self.servers = servers
    }

    /// A name unique on the engine for the route's upstream: `<stack>-<environment>-<service>-<port>`.
    public var upstreamName: String { "\(stack)-\(environment)-\(service)-\(route.port)" }
}
