import Berth

/// The `plausible` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum Plausible {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("plausible") {
            // compose: volumes.db-data.driver is not imported
            Volume("db-data")
            // compose: volumes.event-data.driver is not imported
            Volume("event-data")
            // compose: volumes.event-logs.driver is not imported
            Volume("event-logs")
            // A literal credential in the Compose file: export DATABASE_URL where you deploy.
            Secret("database_url", .environment("DATABASE_URL"))
            // A literal credential in the Compose file: export TOTP_VAULT_KEY where you deploy.
            Secret("totp_vault_key", .environment("TOTP_VAULT_KEY"))
            // A literal credential in the Compose file: export POSTGRES_PASSWORD where you deploy.
            Secret("postgres_password", .environment("POSTGRES_PASSWORD"))
            Service("mail", image: "bytemark/smtp")
                .restart(.always)
            Service("plausible", image: "ghcr.io/plausible/community-edition:v2.1.1")
                .command([
                    "sh", "-c",
                    "sleep 10 && /entrypoint.sh db createdb && /entrypoint.sh db migrate && /entrypoint.sh run",
                ])
                .environment("BASE_URL", "https://stats.example.test")
                .environment("CLICKHOUSE_DATABASE_URL", "http://plausible_events_db:8123/plausible_events_db")
                // DATABASE_URL was a literal credential: the service reads DATABASE_URL_FILE.
                .secret("database_url", pathVariable: "DATABASE_URL_FILE")
                .environment("DISABLE_REGISTRATION", "invite_only")
                .environment("SECRET_KEY_BASE", "not-a-real-secret-key-base-0000000000000000000000000000000000000000")
                // TOTP_VAULT_KEY was a literal credential: the service reads TOTP_VAULT_KEY_FILE.
                .secret("totp_vault_key", pathVariable: "TOTP_VAULT_KEY_FILE")
                .publish(8000)
                .dependsOn("mail", condition: .started)
                .dependsOn("plausible_db", condition: .started)
                .dependsOn("plausible_events_db", condition: .started)
                .restart(.always)
            Service("plausible_db", image: "postgres:16-alpine")
                // POSTGRES_PASSWORD was a literal credential: the service reads POSTGRES_PASSWORD_FILE.
                .secret("postgres_password", pathVariable: "POSTGRES_PASSWORD_FILE")
                .volume("db-data", at: "/var/lib/postgresql/data")
                .restart(.always)
            Service("plausible_events_db", image: "clickhouse/clickhouse-server:24.3.3.102-alpine")
                // compose: ulimits: {nofile: {hard: 262144, soft: 262144}} — not imported: not supported yet.
                .volume("event-data", at: "/var/lib/clickhouse")
                .volume("event-logs", at: "/var/log/clickhouse-server")
                .mount(
                    .bind("clickhouse/clickhouse-config.xml"), at: "/etc/clickhouse-server/config.d/logging.xml",
                    readOnly: true
                )
                .mount(
                    .bind("clickhouse/clickhouse-user-config.xml"), at: "/etc/clickhouse-server/users.d/logging.xml",
                    readOnly: true
                )
                .restart(.always)
        }
    }
}
