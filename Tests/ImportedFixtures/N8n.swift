import Berth

/// The `n8n` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum N8n {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("n8n") {
            Volume("db_storage")
            Volume("n8n_storage")
            // A literal credential in the Compose file: export DB_POSTGRESDB_PASSWORD where you deploy.
            Secret("db_postgresdb_password", .environment("DB_POSTGRESDB_PASSWORD"))
            // A literal credential in the Compose file: export POSTGRES_PASSWORD where you deploy.
            Secret("postgres_password", .environment("POSTGRES_PASSWORD"))
            Service("n8n", image: "docker.n8n.io/n8nio/n8n:1.48.0")
                // compose: links: ["postgres"] — not imported: no equivalent in Berth
                .environment("DB_POSTGRESDB_DATABASE", "n8n")
                .environment("DB_POSTGRESDB_HOST", "postgres")
                // DB_POSTGRESDB_PASSWORD was a literal credential: the service reads DB_POSTGRESDB_PASSWORD_FILE.
                .secret("db_postgresdb_password", pathVariable: "DB_POSTGRESDB_PASSWORD_FILE")
                .environment("DB_POSTGRESDB_PORT", "5432")
                .environment("DB_POSTGRESDB_USER", "n8n")
                .environment("DB_TYPE", "postgresdb")
                .environment("GENERIC_TIMEZONE", "Europe/Berlin")
                .environment("N8N_DIAGNOSTICS_ENABLED", "false")
                .environment("N8N_HOST", "automation.example.test")
                .environment("N8N_PROTOCOL", "https")
                .environment("WEBHOOK_URL", "https://automation.example.test/")
                .publish(5678, mode: .host)
                .volume("n8n_storage", at: "/home/node/.n8n")
                .dependsOn("postgres", condition: .healthy)
                .restart(.always)
            Service("postgres", image: "postgres:16")
                .environment("POSTGRES_DB", "n8n")
                // POSTGRES_NON_ROOT_PASSWORD was a literal credential: the service reads POSTGRES_NON_ROOT_PASSWORD_FILE.
                .secret("db_postgresdb_password", pathVariable: "POSTGRES_NON_ROOT_PASSWORD_FILE")
                .environment("POSTGRES_NON_ROOT_USER", "n8n")
                // POSTGRES_PASSWORD was a literal credential: the service reads POSTGRES_PASSWORD_FILE.
                .secret("postgres_password", pathVariable: "POSTGRES_PASSWORD_FILE")
                .environment("POSTGRES_USER", "changeUser")
                .volume("db_storage", at: "/var/lib/postgresql/data")
                .mount(.bind("init-data.sh"), at: "/docker-entrypoint-initdb.d/init-data.sh", readOnly: true)
                .healthCheck(
                    HealthCheck(
                        .shell("pg_isready -h localhost -U changeUser -d n8n"), interval: .seconds(5),
                        timeout: .seconds(5), retries: 10, startPeriod: .seconds(0))
                )
                .restart(.always)
        }
    }
}
