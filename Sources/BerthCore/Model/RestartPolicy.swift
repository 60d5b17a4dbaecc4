/// What the engine does when a service's container exits.
public enum RestartPolicy: Sendable, Hashable, Codable {
    /// Never restart: one-shot jobs and migrations.
    case never
    /// Always restart, also after the engine restarts.
    case always
    /// Restart after a non-zero exit, at most `maxAttempts` times when given.
    case onFailure(maxAttempts: Int?)
    /// Restart unless someone stopped the container on purpose.
    case unlessStopped
}

/// The state a dependency must reach before a service starts.
public enum DependencyCondition: String, Sendable, Hashable, Codable {
    /// The dependency's container has started.
    case started
    /// The dependency's health check passes.
    case healthy
    /// The dependency ran to completion with exit status 0.
    case completed
}

/// A service that must reach a condition before another one starts.
public struct Dependency: Sendable, Hashable, Codable {
    /// The service depended on.
    public var service: String
    /// The state it must reach.
    public var condition: DependencyCondition
    /// Where the user declared the dependency.
    public var location: SourceLocation

    /// Creates a dependency.
    public init(service: String, condition: DependencyCondition, location: SourceLocation) {
        self.service = service
        self.condition = condition
        self.location = location
    }
}
