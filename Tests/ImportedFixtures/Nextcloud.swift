import Berth

/// The `nextcloud` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum Nextcloud {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("nextcloud") {
            Volume("db")
            Volume("nextcloud")
            // A literal credential in the Compose file: export POSTGRES_PASSWORD where you deploy.
            Secret("postgres_password", .environment("POSTGRES_PASSWORD"))
            Service("app", image: "nextcloud:29-apache")
                // compose: extra_hosts: ["collabora.example.test=10.0.0.15", "host.docker.internal=host-gateway"] — not imported: reach other services by name on a shared network, or give the address in the environment.
                .environment("NEXTCLOUD_TRUSTED_DOMAINS", "cloud.example.test")
                .environment("OVERWRITEPROTOCOL", "https")
                .environment("PHP_MEMORY_LIMIT", "1G")
                .environment("PHP_UPLOAD_LIMIT", "10G")
                .environment("POSTGRES_DB", "nextcloud")
                .environment("POSTGRES_HOST", "db")
                // POSTGRES_PASSWORD was a literal credential: the service reads POSTGRES_PASSWORD_FILE.
                .secret("postgres_password", pathVariable: "POSTGRES_PASSWORD_FILE")
                .environment("POSTGRES_USER", "nextcloud")
                .environment("REDIS_HOST", "redis")
                .publish(80, on: 8081)
                .volume("nextcloud", at: "/var/www/html")
                .mount(
                    .bind("config/php-overrides.ini"), at: "/usr/local/etc/php/conf.d/zz-overrides.ini", readOnly: true
                )
                .dependsOn("db", condition: .healthy)
                .dependsOn("redis", condition: .started)
                .restart(.always)
                .stopGracePeriod(.seconds(60))
            Service("cron", image: "nextcloud:29-apache")
                .entrypoint(["/cron.sh"])
                .volume("nextcloud", at: "/var/www/html")
                .dependsOn("db", condition: .started)
                .dependsOn("redis", condition: .started)
                .restart(.always)
            Service("db", image: "postgres:16-alpine")
                .environment("POSTGRES_DB", "nextcloud")
                // POSTGRES_PASSWORD was a literal credential: the service reads POSTGRES_PASSWORD_FILE.
                .secret("postgres_password", pathVariable: "POSTGRES_PASSWORD_FILE")
                .environment("POSTGRES_USER", "nextcloud")
                .volume("db", at: "/var/lib/postgresql/data")
                .healthCheck(
                    HealthCheck(
                        .shell("pg_isready -U nextcloud -d nextcloud"), interval: .seconds(10), timeout: .seconds(5),
                        retries: 5, startPeriod: .seconds(0))
                )
                .restart(.always)
            Service("redis", image: "redis:7-alpine")
                .command(["redis-server", "--save", "", "--appendonly", "no"])
                .expose(6379)
                .restart(.always)
        }
    }
}
