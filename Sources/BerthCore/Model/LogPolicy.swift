/// Where the engine sends a service's output, and how much of it it keeps (`logging:`).
///
/// ```swift
/// Service("api", image: "ghcr.io/acme/api:1.5")
///     .logging(.rotated(maxSize: "10m", files: 5))
/// Service("worker", image: "ghcr.io/acme/api:1.5")
///     .logging(.loki(url: "http://127.0.0.1:3100/loki/api/v1/push"))
/// ```
///
/// Docker's default `json-file` driver never rotates: a chatty service fills the disk. A log
/// driver runs in the Docker daemon, not in the stack's networks, so a Loki URL must be one the
/// daemon reaches (a port Loki publishes on the host), never a service name; Berth says so at
/// validation. Loki's streams are labelled with the Compose project (stack and environment) or
/// Swarm stack, and the service.
public struct LogPolicy: Sendable, Hashable, Codable {
    public enum Driver: Sendable, Hashable, Codable {
        /// Docker's `local` driver: compressed files, rotated.
        case local(maxSize: MemorySize, files: Int)
        /// `json-file`, rotated: what `docker logs` reads, kept to `files` × `maxSize`.
        case jsonFile(maxSize: MemorySize, files: Int)
        /// Grafana Loki's Docker driver (the `loki` plugin), non-blocking, so a Loki that is down
        /// never stalls the service's writes.
        case loki(url: String)
        /// No logs kept.
        case none
    }

    public var driver: Driver
    /// Where the user declared it.
    public var location: SourceLocation

    public init(driver: Driver, location: SourceLocation) {
        self.driver = driver
        self.location = location
    }
}

extension LogPolicy.Driver {
    /// Rotated files in Docker's `local` format: the choice for most services.
    public static func rotated(maxSize: MemorySize = "10m", files: Int = 5) -> LogPolicy.Driver {
        .local(maxSize: maxSize, files: files)
    }
}

extension Service {
    /// Sets where the engine sends the service's output; see ``LogPolicy``.
    public func logging(_ driver: LogPolicy.Driver, fileID: String = #fileID, line: Int = #line) -> Service {
        var copy = self
        copy.logging = LogPolicy(driver: driver, location: SourceLocation(fileID: fileID, line: line))
        return copy
    }
}
