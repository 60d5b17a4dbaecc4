/// How the engine decides that a service is ready and still working.
///
/// Deploys wait for health: a service with a health check counts as deployed only once it
/// reports healthy, and a service that depends on it with the `healthy` condition starts only
/// then.
public struct HealthCheck: Sendable, Hashable, Codable {
    /// What the engine runs inside the container; exit status 0 means healthy.
    public enum Test: Sendable, Hashable, Codable {
        /// An executable and its arguments, run without a shell.
        case command([String])
        /// A command line run by the container's `/bin/sh -c`.
        case shell(String)
    }

    /// What the engine runs.
    public var test: Test
    /// The time between two checks.
    public var interval: Duration
    /// How long one check may take before it counts as failed.
    public var timeout: Duration
    /// How many consecutive failures make the service unhealthy.
    public var retries: Int
    /// A grace period after start during which failures do not count.
    public var startPeriod: Duration
    /// Where the user declared the check.
    public var location: SourceLocation

    /// Creates a health check.
    public init(
        _ test: Test,
        interval: Duration = .seconds(10),
        timeout: Duration = .seconds(5),
        retries: Int = 3,
        startPeriod: Duration = .seconds(0),
        fileID: String = #fileID,
        line: Int = #line
    ) {
        self.test = test
        self.interval = interval
        self.timeout = timeout
        self.retries = retries
        self.startPeriod = startPeriod
        self.location = SourceLocation(fileID: fileID, line: line)
    }

    /// A ready-made check that fetches an HTTP path inside the container with `wget`, which
    /// busybox- and Alpine-based images ship.
    /// - Parameters:
    ///   - port: The port the service listens on inside the container.
    ///   - path: The path that answers 2xx when the service is healthy.
    public static func http(
        port: Int,
        path: String = "/",
        interval: Duration = .seconds(10),
        timeout: Duration = .seconds(5),
        retries: Int = 3,
        startPeriod: Duration = .seconds(0),
        fileID: String = #fileID,
        line: Int = #line
    ) -> HealthCheck {
        let normalizedPath = path.hasPrefix("/") ? path : "/" + path
        return HealthCheck(
            .command(["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:\(port)\(normalizedPath)"]),
            interval: interval,
            timeout: timeout,
            retries: retries,
            startPeriod: startPeriod,
            fileID: fileID,
            line: line
        )
    }
}
