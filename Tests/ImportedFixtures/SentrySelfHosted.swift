import Berth

/// The `sentry-self-hosted` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum SentrySelfHosted {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("sentry-self-hosted") {
            Volume.external("sentry-data")
            Volume("sentry-kafka")
            Volume.external("sentry-postgres")
            Volume("sentry-redis")
            Service("cron", image: "getsentry/sentry:24.5.0")
                .command(["run", "cron"])
                .environment("SENTRY_CONF", "/etc/sentry")
                .environment("SENTRY_EVENT_RETENTION_DAYS", "90")
                .environment("SNUBA", "http://snuba-api:1218")
                .mount(.bind("config"), at: "/etc/sentry", readOnly: true)
                .dependsOn("web", condition: .started)
                .mount(.tmpfs(sizeBytes: nil), at: "/tmp")
            Service("kafka", image: "confluentinc/cp-kafka:7.6.1")
                // compose: ulimits: {nofile: {hard: 4096, soft: 4096}} — not imported: not supported yet.
                .environment("CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk")
                .environment("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://kafka:29092")
                .environment("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
                .environment("KAFKA_CONTROLLER_QUORUM_VOTERS", "1001@127.0.0.1:29093")
                .environment("KAFKA_LISTENERS", "PLAINTEXT://0.0.0.0:29092,CONTROLLER://0.0.0.0:29093")
                .environment("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT")
                .environment("KAFKA_LOG_RETENTION_HOURS", "24")
                .environment("KAFKA_NODE_ID", "1001")
                .environment("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .environment("KAFKA_PROCESS_ROLES", "broker,controller")
                .expose(29092)
                .volume("sentry-kafka", at: "/var/lib/kafka/data")
            Service("postgres", image: "postgres:14.11-alpine")
                .command(["postgres", "-c", "max_connections=300", "-c", "wal_level=logical"])
                .environment("POSTGRES_HOST_AUTH_METHOD", "trust")
                .volume("sentry-postgres", at: "/var/lib/postgresql/data")
                .healthCheck(
                    HealthCheck(
                        .shell("pg_isready -U postgres"), interval: .seconds(5), timeout: .seconds(5), retries: 10,
                        startPeriod: .seconds(0)))
            Service("redis", image: "redis:6.2.14-alpine")
                // compose: sysctls: {net.core.somaxconn: "1024"} — not imported: not supported yet.
                // compose: ulimits: {nofile: {hard: 10032, soft: 10032}} — not imported: not supported yet.
                .volume("sentry-redis", at: "/data")
                .healthCheck(
                    HealthCheck(
                        .shell("redis-cli ping"), interval: .seconds(5), timeout: .seconds(5), retries: 5,
                        startPeriod: .seconds(0)))
            Service("web", image: "getsentry/sentry:24.5.0")
                .command(["run", "web"])
                .environment("SENTRY_CONF", "/etc/sentry")
                .environment("SENTRY_EVENT_RETENTION_DAYS", "90")
                .environment("SNUBA", "http://snuba-api:1218")
                .publish(9000, public: true)
                .volume("sentry-data", at: "/data")
                .mount(.bind("config"), at: "/etc/sentry", readOnly: true)
                .healthCheck(
                    HealthCheck(
                        .command([
                            "/bin/bash", "-c",
                            "exec 3<>/dev/tcp/127.0.0.1/9000 && echo -e \"GET /_health/ HTTP/1.1\\r\\nhost: 127.0.0.1\\r\\n\\r\\n\" >&3 && grep ok -s -m 1 <&3",
                        ]), interval: .seconds(10), timeout: .seconds(5), retries: 3, startPeriod: .seconds(0))
                )
                .dependsOn("kafka", condition: .started)
                .dependsOn("postgres", condition: .healthy)
                .dependsOn("redis", condition: .healthy)
            Service("worker", image: "getsentry/sentry:24.5.0")
                .command(["run", "worker", "--concurrency", "4"])
                .environment("SENTRY_CONF", "/etc/sentry")
                .environment("SENTRY_EVENT_RETENTION_DAYS", "90")
                .environment("SNUBA", "http://snuba-api:1218")
                .volume("sentry-data", at: "/data")
                .mount(.bind("config"), at: "/etc/sentry", readOnly: true)
                .dependsOn("web", condition: .started)
                .stopGracePeriod(.seconds(120))
        }
    }
}
