import BerthCore
import BerthRendering
import Foundation

/// One stack Berth deployed on an engine, as `berth status --json` prints it.
public struct DeployedStackReport: Codable, Sendable, Equatable {
    /// The stack's name.
    public var stack: String
    /// The environment it was deployed for.
    public var environment: String
    /// How many of its containers are running and healthy (or running without a check).
    public var ready: Int
    /// Its containers.
    public var containers: [Container]

    /// A container of the stack.
    public struct Container: Codable, Sendable, Equatable {
        public var service: String
        public var name: String
        public var state: String
        /// `nil` without a health check.
        public var health: String?
        public var image: String
    }

    /// The report of a stack's live state.
    public init(stack: String, environment: String, live: LiveState) {
        self.stack = stack
        self.environment = environment
        ready = live.containers.filter(\.isReady).count
        containers = live.containers.map {
            Container(service: $0.service, name: $0.name, state: $0.state, health: $0.health, image: $0.image)
        }
    }
}

/// The routes one gateway serves (or, without a gateway, that none reaches), as
/// `berth routes --json` prints them.
public struct RouteGroupReport: Codable, Sendable, Equatable {
    /// The gateway's container; `nil` for routes no running gateway reaches.
    public var gateway: Gateway?
    /// Its routes, sorted by host and path.
    public var routes: [Entry]

    /// A gateway container.
    public struct Gateway: Codable, Sendable, Equatable {
        /// The stack that owns it.
        public var stack: String?
        public var environment: String?
        public var service: String
        /// Published ports as `hostIP:hostPort->port/protocol`.
        public var ports: [String]
    }

    /// One route.
    public struct Entry: Codable, Sendable, Equatable {
        public var host: String
        public var path: String
        /// The stack that declared it.
        public var stack: String
        public var environment: String
        public var service: String
        public var port: Int
        /// Running upstreams; empty when nothing of the service runs.
        public var servers: [String]
    }

    enum CodingKeys: String, CodingKey {
        case gateway, routes
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        // `null` rather than a missing key: a reader sees routes no gateway reaches as such.
        try container.encode(gateway, forKey: .gateway)
        try container.encode(routes, forKey: .routes)
    }

    /// The report of a group ``DockerEngine/routesByGateway()`` returns.
    public init(gateway: LiveContainer?, routes: [LiveRoute]) {
        self.gateway = gateway.map {
            Gateway(
                stack: $0.labels[OwnershipLabel.stack], environment: $0.labels[OwnershipLabel.environment],
                service: $0.service, ports: $0.ports)
        }
        self.routes =
            routes
            .sorted { ($0.route.host, $0.route.pathPrefix) < ($1.route.host, $1.route.pathPrefix) }
            .map {
                Entry(
                    host: $0.route.host, path: $0.route.pathPrefix, stack: $0.stack, environment: $0.environment,
                    service: $0.service, port: $0.route.port, servers: $0.servers)
            }
    }
}
