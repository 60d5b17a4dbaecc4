import Berth

/// The `keycloak-postgres` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum KeycloakPostgres {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("keycloak-postgres") {
            Network.external("edge", realName: "edge-proxy")
            Network("keycloak-internal", internal: true)
            Volume("postgres_data")
            Secret("kc_admin_password", .environment("KEYCLOAK_ADMIN_PASSWORD"))
            Secret("kc_db_password", .file("secrets/kc_db_password.txt"))
            Service("keycloak", image: "quay.io/keycloak/keycloak:25.0.1")
                // compose: container_name: "keycloak" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
                // compose: hostname: "sso" — not imported: the service's name is its host name on its networks.
                .entrypoint([
                    "/bin/sh", "-c",
                    "export KC_DB_PASSWORD=$(cat /run/secrets/kc_db_password) KEYCLOAK_ADMIN_PASSWORD=$(cat /run/secrets/kc_admin_password); exec /opt/keycloak/bin/kc.sh \"$@\"",
                    "--",
                ])
                .command(["start", "--optimized", "--import-realm"])
                .environment("KC_DB", "postgres")
                .environment("KC_DB_URL", "jdbc:postgresql://postgres:5432/keycloak")
                .environment("KC_DB_USERNAME", "keycloak")
                .environment("KC_HEALTH_ENABLED", "true")
                .environment("KC_HOSTNAME", "sso.example.test")
                .environment("KC_HTTP_ENABLED", "true")
                .environment("KC_METRICS_ENABLED", "true")
                .environment("KC_PROXY_HEADERS", "xforwarded")
                .environment("KEYCLOAK_ADMIN", "admin")
                .publish(8080)
                .publish(9000)
                .networks("edge", "keycloak-internal")
                .mount(.bind("realm-export.json"), at: "/opt/keycloak/data/import/realm-export.json", readOnly: true)
                .mount(.bind("themes/example"), at: "/opt/keycloak/themes/example", readOnly: true)
                .secret("kc_db_password")
                .secret("kc_admin_password")
                // compose: secrets.kc_admin_password.uid is not imported
                // compose: secrets.kc_admin_password.gid is not imported
                // compose: secrets.kc_admin_password.mode is not imported
                .dependsOn("postgres", condition: .healthy)
                .stopGracePeriod(.seconds(30))
            Service("postgres", image: "postgres:16.3")
                .environment("POSTGRES_DB", "keycloak")
                .environment("POSTGRES_PASSWORD_FILE", "/run/secrets/kc_db_password")
                .environment("POSTGRES_USER", "keycloak")
                .networks("keycloak-internal")
                .volume("postgres_data", at: "/var/lib/postgresql/data")
                .secret("kc_db_password")
                .healthCheck(
                    HealthCheck(
                        .shell("pg_isready -U keycloak -d keycloak"), interval: .seconds(10), timeout: .seconds(5),
                        retries: 5, startPeriod: .seconds(0)))
        }
    }
}
