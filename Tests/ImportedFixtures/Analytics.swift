import Berth

/// The `analytics` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum Analytics {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("analytics") {
            Volume("metabase-db")
            // A literal credential in the Compose file: export POSTGRES_PASSWORD where you deploy.
            Secret("postgres_password", .environment("POSTGRES_PASSWORD"))
            // A literal credential in the Compose file: export MB_ENCRYPTION_SECRET_KEY where you deploy.
            Secret("mb_encryption_secret_key", .environment("MB_ENCRYPTION_SECRET_KEY"))
            Service("backup", image: "postgres:16-alpine")
                .entrypoint(["/bin/sh"])
                .command([
                    "-c",
                    "while true; do\n  pg_dump -h db -U metabase metabase | gzip > /backups/metabase-$(date +%F).sql.gz\n  find /backups -name '*.sql.gz' -mtime +${BACKUP_KEEP_DAYS} -delete\n  sleep 86400\ndone\n",
                ])
                .environment("BACKUP_KEEP_DAYS", "14")
                .environment("PGPASSWORD", "not-a-real-password")
                .mount(.bind("backups"), at: "/backups")
                .dependsOn("db", condition: .started)
            Service("db", image: "postgres:16-alpine")
                .environment("PGDATA", "/var/lib/postgresql/data/pgdata")
                .environment("POSTGRES_DB", "metabase")
                // POSTGRES_PASSWORD was a literal credential: the service reads POSTGRES_PASSWORD_FILE.
                .secret("postgres_password", pathVariable: "POSTGRES_PASSWORD_FILE")
                .environment("POSTGRES_USER", "metabase")
                .volume("metabase-db", at: "/var/lib/postgresql/data")
                .healthCheck(
                    HealthCheck(
                        .shell("pg_isready -U ${POSTGRES_USER} -d ${POSTGRES_DB}"), interval: .seconds(10),
                        timeout: .seconds(5), retries: 5, startPeriod: .seconds(0)))
            Service("metabase", image: "metabase/metabase:v0.50.6")
                .environment("JAVA_TIMEZONE", "Europe/Amsterdam")
                .environment("MB_ANON_TRACKING_ENABLED", "false")
                .environment("MB_DB_DBNAME", "metabase")
                .environment("MB_DB_HOST", "db")
                // MB_DB_PASS was a literal credential: the service reads MB_DB_PASS_FILE.
                .secret("postgres_password", pathVariable: "MB_DB_PASS_FILE")
                .environment("MB_DB_PORT", "5432")
                .environment("MB_DB_TYPE", "postgres")
                .environment("MB_DB_USER", "metabase")
                .environment("MB_EMAIL_SMTP_HOST", "smtp.example.test")
                // MB_ENCRYPTION_SECRET_KEY was a literal credential: the service reads MB_ENCRYPTION_SECRET_KEY_FILE.
                .secret("mb_encryption_secret_key", pathVariable: "MB_ENCRYPTION_SECRET_KEY_FILE")
                .environment("MB_SITE_URL", "https://bi.example.test/")
                .publish(3000, on: 3001)
                .healthCheck(
                    HealthCheck(
                        .shell("curl --fail -I http://localhost:3000/api/health || exit 1"), interval: .seconds(15),
                        timeout: .seconds(5), retries: 5, startPeriod: .seconds(0))
                )
                .dependsOn("db", condition: .healthy)
        }
    }
}
