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

    /// The Compose document `up` would apply.
    public var renderedCompose: String {
        ComposeRenderer().render(stack, for: environment).yaml
    }
}
