import Berth

/// The `extends` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum Extends {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("extends") {
            Volume("db-data")
            // A literal credential in the Compose file: export DATABASE_URL where you deploy.
            Secret("database_url", .environment("DATABASE_URL"))
            // A literal credential in the Compose file: export POSTGRES_PASSWORD where you deploy.
            Secret("postgres_password", .environment("POSTGRES_PASSWORD"))
            // A literal credential in the Compose file: export WEBHOOK_SIGNING_SECRET where you deploy.
            Secret("webhook_signing_secret", .environment("WEBHOOK_SIGNING_SECRET"))
            Service("api", image: "node:20-bookworm-slim")
                // compose: init: true — not imported: use an image whose entrypoint reaps its children (tini, dumb-init).
                .command(["node", "dist/api/server.js"])
                // DATABASE_URL was a literal credential: the service reads DATABASE_URL_FILE.
                .secret("database_url", pathVariable: "DATABASE_URL_FILE")
                .environment("NODE_ENV", "production")
                .environment("PORT", "3000")
                .environment("TZ", "UTC")
                .publish(3000, public: true)
                .mount(.bind("api"), at: "/home/node/app", readOnly: true)
                .healthCheck(
                    HealthCheck(
                        .command([
                            "node", "-e",
                            "require('http').get('http://localhost:3000/health', r => process.exit(r.statusCode === 200 ? 0 : 1))",
                        ]), interval: .seconds(30), timeout: .seconds(5), retries: 3, startPeriod: .seconds(0))
                )
                .dependsOn("db", condition: .healthy)
                .user("node")
                .workingDirectory("/home/node/app")
                .logging(.local(maxSize: "10m", files: 5))
            Service("db", image: "postgres:16-alpine")
                .environment("POSTGRES_DB", "api")
                // POSTGRES_PASSWORD was a literal credential: the service reads POSTGRES_PASSWORD_FILE.
                .secret("postgres_password", pathVariable: "POSTGRES_PASSWORD_FILE")
                .environment("POSTGRES_USER", "app")
                .volume("db-data", at: "/var/lib/postgresql/data")
                .healthCheck(
                    HealthCheck(
                        .shell("pg_isready -U app"), interval: .seconds(10), timeout: .seconds(5), retries: 5,
                        startPeriod: .seconds(0)))
            Service("webhooks", image: "node:20-bookworm-slim")
                // compose: init: true — not imported: use an image whose entrypoint reaps its children (tini, dumb-init).
                .command(["node", "dist/webhooks/server.js"])
                // DATABASE_URL was a literal credential: the service reads DATABASE_URL_FILE.
                .secret("database_url", pathVariable: "DATABASE_URL_FILE")
                .environment("NODE_ENV", "production")
                .environment("PORT", "3000")
                .environment("TZ", "UTC")
                // WEBHOOK_SIGNING_SECRET was a literal credential: the service reads WEBHOOK_SIGNING_SECRET_FILE.
                .secret("webhook_signing_secret", pathVariable: "WEBHOOK_SIGNING_SECRET_FILE")
                .publish(3000, on: 3001, public: true)
                .mount(.bind("api"), at: "/home/node/app", readOnly: true)
                .healthCheck(
                    HealthCheck(
                        .command([
                            "node", "-e",
                            "require('http').get('http://localhost:3000/health', r => process.exit(r.statusCode === 200 ? 0 : 1))",
                        ]), interval: .seconds(30), timeout: .seconds(5), retries: 3, startPeriod: .seconds(0))
                )
                .dependsOn("api", condition: .started)
                .user("node")
                .workingDirectory("/home/node/app")
                .logging(.local(maxSize: "10m", files: 5))
            Service("webhooks-replay", image: "node:20-bookworm-slim")
                // compose: init: true — not imported: use an image whose entrypoint reaps its children (tini, dumb-init).
                .command(["node", "dist/webhooks/replay.js", "--since", "24h"])
                // DATABASE_URL was a literal credential: the service reads DATABASE_URL_FILE.
                .secret("database_url", pathVariable: "DATABASE_URL_FILE")
                .environment("NODE_ENV", "production")
                .environment("PORT", "3000")
                .environment("TZ", "UTC")
                // WEBHOOK_SIGNING_SECRET was a literal credential: the service reads WEBHOOK_SIGNING_SECRET_FILE.
                .secret("webhook_signing_secret", pathVariable: "WEBHOOK_SIGNING_SECRET_FILE")
                .mount(.bind("api"), at: "/home/node/app", readOnly: true)
                .healthCheck(
                    HealthCheck(
                        .command([
                            "node", "-e",
                            "require('http').get('http://localhost:3000/health', r => process.exit(r.statusCode === 200 ? 0 : 1))",
                        ]), interval: .seconds(30), timeout: .seconds(5), retries: 3, startPeriod: .seconds(0))
                )
                .dependsOn("api", condition: .started)
                .restart(.never)
                .user("node")
                .workingDirectory("/home/node/app")
                .logging(.local(maxSize: "10m", files: 5))
        }
    }
}
