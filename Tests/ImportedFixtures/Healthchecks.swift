import Berth

/// The `healthchecks` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum Healthchecks {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("healthchecks") {
            Volume("meili-data")
            // A literal credential in the Compose file: export MEILI_MASTER_KEY where you deploy.
            Secret("meili_master_key", .environment("MEILI_MASTER_KEY"))
            Service("api", image: "ghcr.io/example/catalog-api:5.0.3")
                .expose(8080)
                .healthCheck(
                    HealthCheck(
                        .shell("curl -fsS http://localhost:8080/actuator/health | grep -q UP || exit 1"),
                        interval: .seconds(20), timeout: .seconds(10), retries: 5, startPeriod: .seconds(60))
                )
                .dependsOn("cache", condition: .healthy)
                .restart(.never)
            Service("cache", image: "valkey/valkey:7.2-alpine")
                .healthCheck(
                    HealthCheck(
                        .shell("valkey-cli ping | grep PONG"), interval: .seconds(1), timeout: .seconds(3), retries: 5,
                        startPeriod: .seconds(0))
                )
                .restart(.never)
            Service("gateway", image: "nginx:1.27-alpine")
                .publish(80, public: true)
                .healthCheck(
                    HealthCheck(
                        .command(["wget", "-q", "--spider", "http://127.0.0.1/healthz"]), interval: .seconds(30),
                        timeout: .seconds(5), retries: 3, startPeriod: .seconds(10))
                )
                .dependsOn("api", condition: .healthy)
                .dependsOn("search", condition: .healthy)
                .restart(.never)
            Service("log-shipper", image: "fluent/fluent-bit:3.0")
                .mount(.bind("fluent-bit.conf"), at: "/fluent-bit/etc/fluent-bit.conf", readOnly: true)
                // compose: healthcheck NONE (not imported)
                .restart(.never)
            Service("metrics-exporter", image: "oliver006/redis_exporter:v1.61.0")
                .environment("REDIS_ADDR", "redis://cache:6379")
                // compose: healthcheck disabled (not imported)
                .restart(.never)
            Service("search", image: "getmeili/meilisearch:v1.8")
                .environment("MEILI_ENV", "production")
                // MEILI_MASTER_KEY was a literal credential: the service reads MEILI_MASTER_KEY_FILE.
                .secret("meili_master_key", pathVariable: "MEILI_MASTER_KEY_FILE")
                .volume("meili-data", at: "/meili_data")
                .healthCheck(
                    HealthCheck(
                        .shell("curl -f http://localhost:7700/health"), interval: .seconds(10), timeout: .seconds(3),
                        retries: 10, startPeriod: .seconds(0))
                )
                .restart(.never)
        }
    }
}
