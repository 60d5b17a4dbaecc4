import BerthCore
import BerthGateway
import BerthRendering
import Foundation

/// A route another deploy already recorded on the engine, read back from its labels.
public struct LiveRoute: Sendable, Hashable {
    /// The route, as that stack declared it.
    public var route: Route
    /// The stack that declared it.
    public var stack: String
    /// The environment it was deployed for.
    public var environment: String
    /// The service that answers it.
    public var service: String
    /// Host names of running upstreams on the gateway's network: container names on Compose,
    /// the service name on Swarm. Empty when nothing of the service runs.
    public var servers: [String]
    /// The networks the service's containers are attached to: the gateway that serves the
    /// route is on one of them.
    public var networks: [String] = []

    /// The route as a gateway serves it.
    public var gatewayRoute: GatewayRoute {
        GatewayRoute(route: route, stack: stack, environment: environment, service: service, servers: servers)
    }
}

extension DockerEngine {
    /// Every route recorded on the engine's containers, whatever stack or environment deployed
    /// it; stopped containers still claim their routes but serve nothing.
    /// - Parameter network: When set, only containers attached to this network (the gateway's,
    ///   by its engine name) count as servers: a name the gateway cannot resolve would make
    ///   nginx refuse the whole configuration.
    /// - Parameter excluded: IDs of containers that must get no more requests: the old
    ///   containers of a service being updated, while they finish what they are answering.
    public func liveRoutes(servedOn network: String? = nil, excluding excluded: Set<String> = []) async throws
        -> [LiveRoute]
    {
        try Self.liveRoutes(
            in: try await containers(["--filter", "label=\(OwnershipLabel.routes)"]), servedOn: network,
            excluding: excluded)
    }

    static func liveRoutes(
        in containers: [LiveContainer], servedOn network: String? = nil, excluding excluded: Set<String> = []
    ) throws -> [LiveRoute] {
        // One entry per (stack, environment, service, route): replicas share their routes.
        var merged: [String: LiveRoute] = [:]
        var order: [String] = []
        for container in containers {
            // A gateway serves the routes of the containers attached to its network only: another
            // gateway's routes (and their certificates) are not its to render.
            if let network, !container.networks.contains(network) { continue }
            let labels = container.labels
            guard let value = labels[OwnershipLabel.routes], let stack = labels[OwnershipLabel.stack],
                let environment = labels[OwnershipLabel.environment], let service = labels[OwnershipLabel.service]
            else { continue }
            let routes: [Route]
            do {
                routes = try RouteLabel.decode(value)
            } catch {
                throw EngineError(
                    "Container \(container.name) has a \(OwnershipLabel.routes) label Berth cannot read (\(error)). Redeploy \(stack) (\(environment)) with this version of Berth."
                )
            }
            // A Swarm task is reached by its service's name; a Compose container by its own.
            let server = labels["com.docker.swarm.service.name"] ?? container.name
            for route in routes {
                let key = [stack, environment, service, route.host, route.pathPrefix, String(route.port)]
                    .joined(separator: "\u{0}")
                if merged[key] == nil {
                    merged[key] = LiveRoute(
                        route: route, stack: stack, environment: environment, service: service, servers: [])
                    order.append(key)
                }
                for name in container.networks where !merged[key]!.networks.contains(name) {
                    merged[key]!.networks.append(name)
                }
                let reachable = network.map(container.networks.contains) ?? true
                // A container whose health check fails gets no requests. One still starting
                // does: nginx learns servers only when Berth reloads it, and a container the
                // engine restarts would otherwise stay out until the next deploy.
                if container.state == "running", container.health != "unhealthy", reachable,
                    !excluded.contains(container.id),
                    !merged[key]!.servers.contains(server)
                {
                    merged[key]!.servers.append(server)
                }
            }
        }
        return order.map { key in
            var route = merged[key]!
            route.servers.sort()
            route.networks.sort()
            return route
        }
    }

    /// Every route on the engine, grouped by the gateway that serves it: a running container of
    /// a Berth stack that publishes host ports, has no routes of its own, and shares a network
    /// with the route's containers. Routes no such container can reach come last, under `nil`.
    public func routesByGateway() async throws -> [(gateway: LiveContainer?, routes: [LiveRoute])] {
        let containers = try await containers(["--filter", "label=\(OwnershipLabel.stack)"])
        let routes = try Self.liveRoutes(in: containers.filter(\.isRouted))
        let gateways = containers.filter { !$0.isRouted && !$0.ports.isEmpty && $0.state == "running" }
            .sorted {
                ($0.labels[OwnershipLabel.stack] ?? "", $0.name) < ($1.labels[OwnershipLabel.stack] ?? "", $1.name)
            }
        var groups: [(gateway: LiveContainer?, routes: [LiveRoute])] = gateways.map { ($0, []) }
        var unserved: [LiveRoute] = []
        for route in routes {
            let serving = gateways.indices.filter { !Set(gateways[$0].networks).isDisjoint(with: route.networks) }
            if serving.isEmpty { unserved.append(route) }
            for index in serving { groups[index].routes.append(route) }
        }
        groups = groups.filter { !$0.routes.isEmpty }
        if !unserved.isEmpty { groups.append((nil, unserved)) }
        return groups
    }

    /// Checks that every external network of the stack exists on the target, naming the stack
    /// that owns it when it is missing.
    /// - Parameter swarm: Whether the stack runs on Swarm, whose services can only join
    ///   swarm-scoped networks.
    public func checkExternalNetworks(of stack: Stack, swarm: Bool) async throws {
        for network in stack.networks {
            guard let name = network.externalName else { continue }
            let scope = try await run(["network", "inspect", "--format", "{{.Scope}}", name])
            let owner =
                network.owner.map { "deploy \($0) first" } ?? "create it, or deploy the stack that owns it, first"
            guard scope.succeeded else {
                throw EngineError("Network \(name) was not found on \(target): \(owner).")
            }
            if swarm, scope.standardOutput.trimmed != "swarm" {
                throw EngineError(
                    "Network \(name) on \(target) is \(scope.standardOutput.trimmed)-scoped; Swarm services can only join swarm-scoped (overlay) networks. Recreate it with --driver overlay --attachable."
                )
            }
        }
    }

    /// Refuses a stack whose routes claim a host and path another stack already serves on the
    /// target, naming the owner.
    /// - Returns: The routes on the engine, read for the check; none for a stack that has no
    ///   gateway and no routes.
    @discardableResult
    public func checkRouteConflicts(of stack: Stack, for environment: Environment) async throws -> [LiveRoute] {
        guard stack.gateway != nil || stack.services.contains(where: { !$0.routes.isEmpty }) else { return [] }
        let live = try await liveRoutes()
        let diagnostics = RouteConflicts.diagnostics(
            of: stack, for: environment, live: live, target: target.description)
        if diagnostics.containsErrors { throw ValidationFailure(diagnostics: diagnostics) }
        return live
    }
}

extension Diagnostic.Code {
    /// A route claims a host and path that another stack's deploy already serves.
    public static let routeClaimedByAnotherStack = Self(rawValue: "route-claimed-by-another-stack")
}

/// Cross-stack route conflicts: the check that stops two repositories from taking the same
/// host and path on one engine, which a gateway would otherwise resolve silently.
public enum RouteConflicts {
    /// The routes of `stack` that another stack (or the same stack in another environment)
    /// already serves, as errors naming the owner.
    public static func diagnostics(
        of stack: Stack,
        for environment: Environment,
        live: [LiveRoute],
        target: String
    ) -> [Diagnostic] {
        var claims: [String: LiveRoute] = [:]
        for other in live where !(other.stack == stack.name && other.environment == environment.name) {
            claims[other.route.claim] = claims[other.route.claim] ?? other
        }
        var diagnostics: [Diagnostic] = []
        for service in stack.services {
            for route in service.routes {
                guard let owner = claims[route.claim] else { continue }
                let declared = "\(owner.route.location)"
                diagnostics.append(
                    Diagnostic(
                        .error, .routeClaimedByAnotherStack, element: "service '\(service.name)'",
                        message:
                            "Its route \(route.address) is already served on \(target) by stack '\(owner.stack)' (\(owner.environment)), service '\(owner.service)', declared at \(declared). Nothing was changed.",
                        fix:
                            "Choose another host or path prefix, or take the route out of \(owner.stack) (or run its `down`) first.",
                        location: route.location))
            }
        }
        return diagnostics
    }
}
