/// The environment a stack is described for: `dev`, `stg`, `prod`, or one the team names.
///
/// A stack is a function of its environment, so replicas, resources, image tags and hostnames
/// can differ between environments while the shape stays the same. The command line selects
/// one with `--env NAME`.
public struct Environment: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The name used on the command line, in labels and in the rendered paths.
    public var name: String
    /// Whether mistakes that are warnings elsewhere are errors here (an image without a tag).
    public var isProduction: Bool
    /// What runs the stack in this environment.
    public var orchestrator: Orchestrator
    /// The engines of Swarm nodes Berth reaches directly, by node name (``node(_:engine:)``).
    public var nodes: [String: String] = [:]

    /// Creates an environment.
    /// - Parameters:
    ///   - name: A lowercase name such as `qa`; it becomes part of the Compose project name.
    ///   - isProduction: Whether this environment serves real users.
    ///   - orchestrator: What runs the stack: Docker Compose on one engine, or Docker Swarm.
    public init(_ name: String, isProduction: Bool = false, orchestrator: Orchestrator = .compose) {
        self.name = name
        self.isProduction = isProduction
        self.orchestrator = orchestrator
    }

    /// The same environment, run by another orchestrator: `.prod.on(.swarm)`.
    public func on(_ orchestrator: Orchestrator) -> Environment {
        var copy = self
        copy.orchestrator = orchestrator
        return copy
    }

    /// The same environment, with the engine of one Swarm node: what happens on a node rather
    /// than through the manager (a backup or restore of the volumes of the services it runs)
    /// goes to it.
    ///
    /// ```swift
    /// Environment.prod.on(.swarm)
    ///     .node("db-1", engine: "ssh://deploy@10.0.0.5")
    /// ```
    /// - Parameters:
    ///   - name: The node's name, as `docker node ls` shows it (its hostname).
    ///   - engine: How Berth reaches the node's Docker engine: `ssh://user@host[:port]`,
    ///     `tcp://…` or `unix:///…`.
    public func node(_ name: String, engine: String) -> Environment {
        var copy = self
        copy.nodes[name] = engine
        return copy
    }

    /// Development, usually one machine.
    public static let dev = Environment("dev")
    /// Staging: production's shape with test data.
    public static let stg = Environment("stg")
    /// Production: the strictest validation.
    public static let prod = Environment("prod", isProduction: true)

    public var description: String { name }
}

/// What runs a stack's services.
public enum Orchestrator: String, Sendable, Hashable, Codable {
    /// Docker Compose on one engine: `docker compose up`.
    case compose
    /// Docker Swarm: `docker stack deploy`, with rolling updates and Docker secrets.
    case swarm
}
