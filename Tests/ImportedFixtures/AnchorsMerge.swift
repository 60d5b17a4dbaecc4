import Berth

/// The `anchors-merge` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum AnchorsMerge {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("anchors-merge") {
            Network("internal", internal: true)
            Network("public")
            Volume("pgdata")
            // A literal credential in the Compose file: export DATABASE_URL where you deploy.
            Secret("database_url", .environment("DATABASE_URL"))
            // A literal credential in the Compose file: export POSTGRES_PASSWORD where you deploy.
            Secret("postgres_password", .environment("POSTGRES_PASSWORD"))
            Service("api", image: "registry.example.test/orders/app:2.14.0")
                // compose: init: true — not imported: use an image whose entrypoint reaps its children (tini, dumb-init).
                .command(["gunicorn", "orders.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4"])
                .environment("APP_ENV", "production")
                // DATABASE_URL was a literal credential: the service reads DATABASE_URL_FILE.
                .secret("database_url", pathVariable: "DATABASE_URL_FILE")
                .environment("LOG_LEVEL", "info")
                .environment("REDIS_URL", "redis://cache:6379/0")
                .environment("ROLE", "api")
                .publish(8000, public: true)
                .networks("internal", "public")
                .healthCheck(
                    HealthCheck(
                        .command(["curl", "-fsS", "http://localhost:8000/healthz"]), interval: .seconds(15),
                        timeout: .seconds(3), retries: 3, startPeriod: .seconds(20))
                )
                .dependsOn("cache", condition: .started)
                .dependsOn("db", condition: .healthy)
                .logging(.jsonFile(maxSize: "20m", files: 5))
            Service("cache", image: "redis:7.2-alpine")
                .networks("internal")
                .logging(.jsonFile(maxSize: "20m", files: 5))
            Service("db", image: "postgres:15-alpine")
                .environment("POSTGRES_DB", "orders")
                // POSTGRES_PASSWORD was a literal credential: the service reads POSTGRES_PASSWORD_FILE.
                .secret("postgres_password", pathVariable: "POSTGRES_PASSWORD_FILE")
                .environment("POSTGRES_USER", "orders")
                .networks("internal")
                .volume("pgdata", at: "/var/lib/postgresql/data")
                .healthCheck(
                    HealthCheck(
                        .shell("pg_isready -U orders"), interval: .seconds(15), timeout: .seconds(3), retries: 3,
                        startPeriod: .seconds(20))
                )
                .logging(.jsonFile(maxSize: "20m", files: 5))
            Service("scheduler", image: "registry.example.test/orders/app:2.14.0")
                // compose: cpus: 0.5 — not imported: no equivalent in Berth
                // compose: init: true — not imported: use an image whose entrypoint reaps its children (tini, dumb-init).
                // compose: mem_limit: "268435456" — not imported: no equivalent in Berth
                .command(["celery", "-A", "orders", "beat", "-l", "info"])
                .environment("APP_ENV", "production")
                // DATABASE_URL was a literal credential: the service reads DATABASE_URL_FILE.
                .secret("database_url", pathVariable: "DATABASE_URL_FILE")
                .environment("LOG_LEVEL", "info")
                .environment("REDIS_URL", "redis://cache:6379/0")
                .environment("ROLE", "scheduler")
                .networks("internal")
                .dependsOn("cache", condition: .started)
                .dependsOn("db", condition: .healthy)
                .logging(.jsonFile(maxSize: "20m", files: 5))
            Service("worker", image: "registry.example.test/orders/app:2.14.0")
                // compose: cpus: 0.5 — not imported: no equivalent in Berth
                // compose: init: true — not imported: use an image whose entrypoint reaps its children (tini, dumb-init).
                // compose: mem_limit: "268435456" — not imported: no equivalent in Berth
                .command(["celery", "-A", "orders", "worker", "-l", "info"])
                .environment("APP_ENV", "production")
                // DATABASE_URL was a literal credential: the service reads DATABASE_URL_FILE.
                .secret("database_url", pathVariable: "DATABASE_URL_FILE")
                .environment("LOG_LEVEL", "warning")
                .environment("REDIS_URL", "redis://cache:6379/0")
                .environment("ROLE", "worker")
                .networks("internal")
                .dependsOn("cache", condition: .started)
                .dependsOn("db", condition: .healthy)
                .logging(.jsonFile(maxSize: "20m", files: 5))
        }
    }
}
