import BerthCore

/// A Prometheus alerting rule: an expression that fires while it has results, for as long as
/// `duration`, with a severity and a summary.
///
/// The ready-made rules cover what a team running web services watches (a service down, CPU,
/// memory against the service's own limit, disk, error rate, latency, database connections,
/// queue length, certificate expiry, Redis memory); each takes its thresholds as parameters.
/// A rule of one's own is ``init(_:expression:for:severity:summary:fileID:line:)``; its
/// expression is checked as PromQL when the stack is validated.
public struct AlertRule: Sendable, Hashable {
    /// How urgent a firing alert is; the `severity` label routes it in Alertmanager.
    public enum Severity: String, Sendable, Hashable {
        case info, warning, critical
    }

    /// The alert's name (`alert:`).
    public var name: String
    /// What it needs to know about the stack to write its expression: its services.
    var kind: Kind
    /// How long the expression must hold before the alert fires (`for:`).
    public var duration: Duration
    public var severity: Severity
    /// One line for whoever is paged; may use `{{ $labels.service }}` and `{{ $value }}`.
    public var summary: String
    /// Where the rule was declared.
    public var location: SourceLocation

    enum Kind: Sendable, Hashable {
        case expression(String)
        /// Resident memory above `ratio` of each service's memory limit.
        case memory(ratio: Double)
    }

    /// A rule of one's own.
    public init(
        _ name: String, expression: String, for duration: Duration = .seconds(5 * 60), severity: Severity = .warning,
        summary: String, fileID: String = #fileID, line: Int = #line
    ) {
        self.init(
            name, kind: .expression(expression), duration: duration, severity: severity, summary: summary,
            location: SourceLocation(fileID: fileID, line: line))
    }

    init(
        _ name: String, kind: Kind, duration: Duration, severity: Severity, summary: String, location: SourceLocation
    ) {
        self.name = name
        self.kind = kind
        self.duration = duration
        self.severity = severity
        self.summary = summary
        self.location = location
    }

    /// The expression for `stack`, or `nil` when the rule watches nothing there (a memory rule
    /// in a stack whose scraped services set no memory limit).
    public func expression(for stack: Stack) -> String? {
        switch kind {
        case .expression(let text):
            return text
        case .memory(let ratio):
            let watched = stack.services.filter { $0.metrics != nil }.compactMap { service -> String? in
                guard let limit = service.resources.memoryLimit?.bytes else { return nil }
                return "process_resident_memory_bytes{service=\"\(service.name)\"} > \(Self.number(ratio)) * \(limit)"
            }
            return watched.isEmpty ? nil : watched.joined(separator: " or ")
        }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    static func here(_ fileID: String, _ line: Int) -> SourceLocation { SourceLocation(fileID: fileID, line: line) }

    // MARK: Ready-made rules

    /// A scraped target that does not answer: its service is down or its metrics endpoint is.
    public static func serviceDown(
        for duration: Duration = .seconds(1 * 60), fileID: String = #fileID, line: Int = #line
    ) -> AlertRule {
        AlertRule(
            "ServiceDown", kind: .expression("up == 0"), duration: duration, severity: .critical,
            summary: "{{ $labels.service }} ({{ $labels.instance }}) does not answer its metrics scrape",
            location: here(fileID, line))
    }

    /// A service's processes using more than `cores` CPU cores (`process_cpu_seconds_total`,
    /// which every Prometheus client library exports).
    public static func highCPU(
        above cores: Double = 0.9, for duration: Duration = .seconds(10 * 60), fileID: String = #fileID,
        line: Int = #line
    ) -> AlertRule {
        AlertRule(
            "HighCPU",
            kind: .expression("sum by (service) (rate(process_cpu_seconds_total[5m])) > \(number(cores))"),
            duration: duration, severity: .warning,
            summary: "{{ $labels.service }} uses {{ $value | humanize }} CPU cores", location: here(fileID, line))
    }

    /// Resident memory above `ratio` of the memory limit each scraped service declares
    /// (`.resources(Resources(memoryLimit:))`), so it warns before the kernel kills the process.
    public static func highMemory(
        above ratio: Double = 0.8, for duration: Duration = .seconds(5 * 60), fileID: String = #fileID,
        line: Int = #line
    ) -> AlertRule {
        AlertRule(
            "HighMemory", kind: .memory(ratio: ratio), duration: duration, severity: .warning,
            summary: "{{ $labels.service }} uses {{ $value | humanize1024 }}B, near its memory limit",
            location: here(fileID, line))
    }

    /// A filesystem fuller than `ratio` (node_exporter's `node_filesystem_*`).
    public static func diskFull(
        above ratio: Double = 0.8, for duration: Duration = .seconds(5 * 60), fileID: String = #fileID,
        line: Int = #line
    ) -> AlertRule {
        AlertRule(
            "DiskFull",
            kind: .expression(
                "1 - node_filesystem_avail_bytes{fstype!~\"tmpfs|overlay\"} / node_filesystem_size_bytes{fstype!~\"tmpfs|overlay\"} > \(number(ratio))"
            ),
            duration: duration, severity: .critical,
            summary: "{{ $labels.mountpoint }} on {{ $labels.instance }} is {{ $value | humanizePercentage }} full",
            location: here(fileID, line))
    }

    /// More than `ratio` of a service's requests answered with a 5xx status.
    /// - Parameters:
    ///   - requests: The counter of requests, with a status label.
    ///   - statusLabel: The label holding the status code.
    public static func highErrorRate(
        above ratio: Double = 0.05, requests: String = "http_requests_total", statusLabel: String = "status",
        for duration: Duration = .seconds(5 * 60), fileID: String = #fileID, line: Int = #line
    ) -> AlertRule {
        AlertRule(
            "HighErrorRate",
            kind: .expression(
                "sum by (service) (rate(\(requests){\(statusLabel)=~\"5..\"}[5m])) / sum by (service) (rate(\(requests)[5m])) > \(number(ratio))"
            ),
            duration: duration, severity: .critical,
            summary: "{{ $labels.service }} answers {{ $value | humanizePercentage }} of requests with an error",
            location: here(fileID, line))
    }

    /// The `quantile` of a service's request durations above `threshold`, from a histogram.
    /// - Parameter histogram: The histogram's name without `_bucket`, in seconds.
    public static func highLatency(
        quantile: Double = 0.95, above threshold: Duration = .milliseconds(800),
        histogram: String = "http_request_duration_seconds", for duration: Duration = .seconds(5 * 60),
        fileID: String = #fileID, line: Int = #line
    ) -> AlertRule {
        let seconds = Double(threshold.components.seconds) + Double(threshold.components.attoseconds) / 1e18
        return AlertRule(
            "HighLatency",
            kind: .expression(
                "histogram_quantile(\(number(quantile)), sum by (service, le) (rate(\(histogram)_bucket[5m]))) > \(number(seconds))"
            ),
            duration: duration, severity: .warning,
            summary: "{{ $labels.service }} answers in {{ $value | humanizeDuration }} at p\(number(quantile * 100))",
            location: here(fileID, line))
    }

    /// PostgreSQL connections above `ratio` of `max_connections` (postgres_exporter).
    public static func databaseConnections(
        above ratio: Double = 0.8, for duration: Duration = .seconds(5 * 60), fileID: String = #fileID,
        line: Int = #line
    ) -> AlertRule {
        AlertRule(
            "DatabaseConnections",
            kind: .expression(
                "sum by (service) (pg_stat_activity_count) / on (service) max by (service) (pg_settings_max_connections) > \(number(ratio))"
            ),
            duration: duration, severity: .warning,
            summary: "{{ $labels.service }} uses {{ $value | humanizePercentage }} of its connections",
            location: here(fileID, line))
    }

    /// A queue longer than `length`, from a gauge of its length.
    /// - Parameter metric: The gauge (`celery_queue_length` for Celery's exporter).
    public static func queueLength(
        above length: Int = 200, metric: String = "celery_queue_length", for duration: Duration = .seconds(5 * 60),
        fileID: String = #fileID, line: Int = #line
    ) -> AlertRule {
        AlertRule(
            "QueueLength", kind: .expression("sum by (queue_name) (\(metric)) > \(length)"), duration: duration,
            severity: .warning, summary: "queue {{ $labels.queue_name }} holds {{ $value }} tasks",
            location: here(fileID, line))
    }

    /// A TLS certificate that expires within `within`.
    /// - Parameter metric: A gauge of the expiry's Unix time (`probe_ssl_earliest_cert_expiry` of
    ///   the blackbox exporter, `traefik_tls_certs_not_after` of Traefik).
    public static func certificateExpiry(
        within: Duration = .seconds(14 * 86_400), metric: String = "probe_ssl_earliest_cert_expiry",
        fileID: String = #fileID, line: Int = #line
    ) -> AlertRule {
        AlertRule(
            "CertificateExpiry", kind: .expression("\(metric) - time() < \(within.components.seconds)"),
            duration: .seconds(10 * 60), severity: .warning,
            summary: "a certificate of {{ $labels.instance }} expires in {{ $value | humanizeDuration }}",
            location: here(fileID, line))
    }

    /// Redis using more than `ratio` of its `maxmemory` (redis_exporter).
    public static func redisMemory(
        above ratio: Double = 0.8, for duration: Duration = .seconds(5 * 60), fileID: String = #fileID,
        line: Int = #line
    ) -> AlertRule {
        AlertRule(
            "RedisMemory",
            kind: .expression("redis_memory_used_bytes / (redis_memory_max_bytes > 0) > \(number(ratio))"),
            duration: duration, severity: .warning,
            summary: "{{ $labels.service }} uses {{ $value | humanizePercentage }} of its maxmemory",
            location: here(fileID, line))
    }
}
