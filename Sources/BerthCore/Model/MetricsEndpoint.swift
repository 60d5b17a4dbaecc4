/// Where a service serves Prometheus metrics: a port inside the container and a path.
///
/// ```swift
/// Service("api", image: "ghcr.io/acme/api:1.5")
///     .metrics(port: 8000, path: "/metrics")
/// ```
///
/// The stack's monitoring (`Monitoring` in BerthMonitoring) scrapes every service that declares
/// one, on every replica, from a network they share; the port need not be published.
public struct MetricsEndpoint: Sendable, Hashable, Codable {
    /// The port inside the container.
    public var port: Int
    /// The path, starting with `/`.
    public var path: String
    /// Where the user declared it.
    public var location: SourceLocation

    /// Creates an endpoint.
    public init(port: Int, path: String, location: SourceLocation) {
        self.port = port
        self.path = path
        self.location = location
    }
}

extension Service {
    /// Declares the service's Prometheus metrics endpoint; see ``MetricsEndpoint``.
    public func metrics(port: Int, path: String = "/metrics", fileID: String = #fileID, line: Int = #line) -> Service {
        var copy = self
        copy.metrics = MetricsEndpoint(port: port, path: path, location: SourceLocation(fileID: fileID, line: line))
        return copy
    }
}
