import BerthCompose
import BerthCore
import BerthDeploy

/// Questions an application's tests ask about its stack: who reaches whom, what the host
/// exposes, which secrets each service sees.
///
/// ```swift
/// let topology = Topology(helloStack(for: .prod), environment: .prod)
/// #expect(topology.validationErrors.isEmpty)
/// #expect(topology.canReach(from: "worker", to: "web"))
/// #expect(topology.publishedServices == ["web"])
/// ```
public struct Topology: Sendable {
    /// The stack examined.
    public let stack: Stack
    /// The environment it was described for.
    public let environment: Environment

    /// Examines a stack as described for an environment.
    public init(_ stack: Stack, environment: Environment) {
        self.stack = stack
        self.environment = environment
    }

    /// The stack's diagnostics, as `up` would print them, from the renderer of the
    /// environment's orchestrator.
    public var diagnostics: [Diagnostic] {
        Preflight.diagnostics(of: stack, for: environment)
    }

    /// The errors only, as text, so a failing expectation prints them.
    public var validationErrors: [String] {
        diagnostics.errors.map(\.description)
    }

    /// The networks a service is attached to; Compose's `default` network when none is named.
    public func networks(of service: String) -> Set<String> {
        guard let described = stack.service(named: service) else { return [] }
        return described.networks.isEmpty ? ["default"] : Set(described.networks)
    }

    /// The networks two services share.
    public func sharedNetworks(_ first: String, _ second: String) -> Set<String> {
        networks(of: first).intersection(networks(of: second))
    }

    /// Whether one service can open a connection to another: they share a network.
    public func canReach(from source: String, to destination: String) -> Bool {
        stack.service(named: source) != nil && stack.service(named: destination) != nil
            && !sharedNetworks(source, destination).isEmpty
    }

    /// Whether a service can reach addresses outside the host: it is attached to at least one
    /// network that is not internal.
    public func hasOutboundAccess(_ service: String) -> Bool {
        networks(of: service).contains { name in
            stack.networks.first { $0.name == name }.map { !$0.isInternal } ?? true
        }
    }

    /// One port published on the host.
    public struct PublishedPort: Sendable, Hashable, CustomStringConvertible {
        public var service: String
        public var hostIP: String
        public var hostPort: Int
        public var containerPort: Int

        public var description: String { "\(service): \(hostIP):\(hostPort)->\(containerPort)" }
    }

    /// Every port published on the host, in the order written.
    public var publishedPorts: [PublishedPort] {
        stack.services.flatMap { service in
            service.ports.compactMap { port in
                port.published.map {
                    PublishedPort(
                        service: service.name, hostIP: port.hostIP ?? "0.0.0.0", hostPort: $0,
                        containerPort: port.target)
                }
            }
        }
    }

    /// The services that publish at least one port, sorted.
    public var publishedServices: [String] {
        Array(Set(publishedPorts.map(\.service))).sorted()
    }

    /// The published ports reachable from other machines (not bound to loopback).
    public var publicPorts: [PublishedPort] {
        publishedPorts.filter { !$0.hostIP.hasPrefix("127.") && $0.hostIP != "::1" }
    }

    /// The secrets a service can read, sorted.
    public func secrets(of service: String) -> [String] {
        (stack.service(named: service)?.secrets.map(\.secret) ?? []).sorted()
    }

    /// The services that can read a secret, sorted.
    public func readers(of secret: String) -> [String] {
        stack.services.filter { $0.secrets.contains { $0.secret == secret } }.map(\.name).sorted()
    }

    /// The services without a health check, sorted.
    public var servicesWithoutHealthCheck: [String] {
        stack.services.filter { $0.healthCheck == nil }.map(\.name).sorted()
    }

    /// The services a service waits for before it starts, directly or not, sorted.
    public func startsAfter(_ service: String) -> [String] {
        DependencyGraph(stack: stack).transitiveDependencies(of: service).sorted()
    }

    // MARK: Routes and the gateway

    /// One route of the stack: a host and path prefix, and the service and port that answer it.
    public struct ServedRoute: Sendable, Hashable, CustomStringConvertible {
        /// The host, as written.
        public var host: String
        /// The path prefix, as written; `/` takes every path of the host.
        public var pathPrefix: String
        /// The service that answers it.
        public var service: String
        /// The service's port the gateway sends requests to.
        public var port: Int

        /// Creates a route as a test expects it.
        public init(host: String, pathPrefix: String = "/", service: String, port: Int) {
            self.host = host
            self.pathPrefix = pathPrefix
            self.service = service
            self.port = port
        }

        /// The host followed by the path prefix (`shop.example.com/api`), as validation writes it.
        public var address: String { pathPrefix == "/" ? host : host + pathPrefix }

        /// `shop.example.com/api -> api:8080`.
        public var description: String { "\(address) -> \(service):\(port)" }
    }

    /// Every route of the stack, in the order written.
    ///
    /// ```swift
    /// #expect(topology.routes.map(\.description) == ["shop.example.com/api -> api:8080"])
    /// ```
    public var routes: [ServedRoute] {
        stack.services.flatMap { service in
            service.routes.map {
                ServedRoute(host: $0.host, pathPrefix: $0.pathPrefix, service: service.name, port: $0.port)
            }
        }
    }

    /// The services with at least one route and no health check, sorted: a deploy cannot tell
    /// when they are ready for the gateway's requests.
    public var routedServicesWithoutHealthCheck: [String] {
        stack.services.filter { !$0.routes.isEmpty && $0.healthCheck == nil }.map(\.name).sorted()
    }

    /// Every port published on the host by a service other than the gateway, in the order
    /// written: what "only the gateway is public" forbids.
    ///
    /// The gateway is the gateway's service in the stack that owns it; in any other stack, or a
    /// stack without a gateway, every published port is listed. Ports bound to loopback count,
    /// since Swarm publishes every port on every node, and so do ports allowed with
    /// `allowPublishedPorts(_:)`, which pass validation but are open all the same, so a test
    /// names them:
    /// ```swift
    /// #expect(topology.publishedPortsBesideTheGateway.map(\.description) == ["db: 127.0.0.1:5432->5432"])
    /// ```
    public var publishedPortsBesideTheGateway: [PublishedPort] {
        let gateway = stack.gateway.flatMap { $0.owner == stack.name ? $0.service : nil }
        return publishedPorts.filter { $0.service != gateway }
    }

    /// The addresses (`host/path`) that both this stack and `other` route, as this stack writes
    /// them, sorted: requests for them would reach one of the two stacks' services only.
    ///
    /// Hosts compare without case and a trailing `/` does not count, as the gateway matches
    /// them and as validation compares the routes of one stack. An app's tests check its routes against the shared infrastructure's:
    /// ```swift
    /// #expect(topology.routeConflicts(with: AcmeInfra.stack(for: .prod)) == [])
    /// ```
    public func routeConflicts(with other: Stack) -> [String] {
        let claimed = Set(other.services.flatMap { $0.routes.map(\.claim) })
        let conflicts = stack.services.flatMap { $0.routes.filter { claimed.contains($0.claim) }.map(\.address) }
        return Array(Set(conflicts)).sorted()
    }

    /// The Compose document `up` would apply.
    public var renderedCompose: String {
        ComposeRenderer().render(Preflight.resolved(stack, for: environment), for: environment).yaml
    }
}
