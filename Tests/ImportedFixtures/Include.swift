import Berth

/// The `include` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum Include {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("include") {
            Volume("postgres-data")
            Volume("rabbitmq-data")
            // A literal credential in the Compose file: export SPRING_DATASOURCE_PASSWORD where you deploy.
            Secret("spring_datasource_password", .environment("SPRING_DATASOURCE_PASSWORD"))
            Service("app", image: "ghcr.io/example/inventory:3.2.0")
                .environment("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75")
                .environment("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector:4318")
                // SPRING_DATASOURCE_PASSWORD was a literal credential: the service reads SPRING_DATASOURCE_PASSWORD_FILE.
                .secret("spring_datasource_password", pathVariable: "SPRING_DATASOURCE_PASSWORD_FILE")
                .environment("SPRING_DATASOURCE_URL", "jdbc:postgresql://postgres:5432/inventory")
                .environment("SPRING_DATASOURCE_USERNAME", "inventory")
                .environment("SPRING_PROFILES_ACTIVE", "prod")
                .environment("SPRING_RABBITMQ_HOST", "rabbitmq")
                .publish(8080, public: true)
                .dependsOn("otel-collector", condition: .started)
                .dependsOn("postgres", condition: .healthy)
                .dependsOn("rabbitmq", condition: .healthy)
                .stopGracePeriod(.seconds(45))
            Service("otel-collector", image: "otel/opentelemetry-collector-contrib:0.102.1")
                .command(["--config=/etc/otelcol/config.yaml"])
                .environment("OTEL_BACKEND_ENDPOINT", "https://otlp.example.test:4318")
                .expose(4317)
                .expose(4318)
                .mount(.bind("observability/otel-collector.yaml"), at: "/etc/otelcol/config.yaml", readOnly: true)
            Service("postgres", image: "postgres:16-alpine")
                .environment("POSTGRES_DB", "inventory")
                // POSTGRES_PASSWORD was a literal credential: the service reads POSTGRES_PASSWORD_FILE.
                .secret("spring_datasource_password", pathVariable: "POSTGRES_PASSWORD_FILE")
                .environment("POSTGRES_USER", "inventory")
                .volume("postgres-data", at: "/var/lib/postgresql/data")
                .mount(.bind("infra/initdb"), at: "/docker-entrypoint-initdb.d", readOnly: true)
                .healthCheck(
                    HealthCheck(
                        .shell("pg_isready -U inventory -d inventory"), interval: .seconds(10), timeout: .seconds(5),
                        retries: 5, startPeriod: .seconds(0)))
            Service("rabbitmq", image: "rabbitmq:3.13-management-alpine")
                // compose: hostname: "rabbitmq" — not imported: the service's name is its host name on its networks.
                .publish(15672)
                .volume("rabbitmq-data", at: "/var/lib/rabbitmq")
                .healthCheck(
                    HealthCheck(
                        .shell("rabbitmq-diagnostics -q ping"), interval: .seconds(15), timeout: .seconds(10),
                        retries: 5, startPeriod: .seconds(0)))
        }
    }
}
