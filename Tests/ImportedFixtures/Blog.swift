import Berth

/// The `blog` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum Blog {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("blog") {
            Network("backend", internal: true)
            Network("frontend")
            Volume("db_data")
            Volume("wp_content")
            Secret("db_password", .file("secrets/db_password.txt"))
            Secret("db_root_password", .file("secrets/db_root_password.txt"))
            Service("db", image: "mysql:8.0")
                // compose: container_name: "blog-db" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
                .command(["--default-authentication-plugin=mysql_native_password", "--character-set-server=utf8mb4"])
                .environment("MYSQL_DATABASE", "wordpress")
                .environment("MYSQL_PASSWORD_FILE", "/run/secrets/db_password")
                .environment("MYSQL_ROOT_PASSWORD_FILE", "/run/secrets/db_root_password")
                .environment("MYSQL_USER", "wordpress")
                .networks("backend")
                .volume("db_data", at: "/var/lib/mysql")
                .secret("db_password")
                .secret("db_root_password")
                .healthCheck(
                    HealthCheck(
                        .command(["mysqladmin", "ping", "-h", "localhost"]), interval: .seconds(10),
                        timeout: .seconds(5), retries: 5, startPeriod: .seconds(30)))
            Service("wordpress", image: "wordpress:6.5-php8.2-apache")
                // compose: container_name: "blog-wordpress" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
                .environment("WORDPRESS_DB_HOST", "db:3306")
                .environment("WORDPRESS_DB_NAME", "wordpress")
                .environment("WORDPRESS_DB_PASSWORD_FILE", "/run/secrets/db_password")
                .environment("WORDPRESS_DB_USER", "wordpress")
                .environment("WORDPRESS_TABLE_PREFIX", "wp_")
                .publish(80, on: 8080, public: true)
                .networks("backend", "frontend")
                .volume("wp_content", at: "/var/www/html")
                .mount(.bind("php/uploads.ini"), at: "/usr/local/etc/php/conf.d/uploads.ini", readOnly: true)
                .secret("db_password")
                .dependsOn("db", condition: .healthy)
        }
    }
}
