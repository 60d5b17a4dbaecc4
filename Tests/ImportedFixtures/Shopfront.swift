import Berth

/// The `shopfront` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum Shopfront {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("shopfront") {
            Volume("db-data")
            // A literal credential in the Compose file: export POSTGRES_PASSWORD where you deploy.
            Secret("postgres_password", .environment("POSTGRES_PASSWORD"))
            // A literal credential in the Compose file: export DATABASE_URL where you deploy.
            Secret("database_url", .environment("DATABASE_URL"))
            Service("adminer", image: "adminer:4.8.1")
                // compose: profiles: ["debug"] — not imported: Berth deploys every service of the stack; put optional services in a stack of their own or an environment.
                .environment("ADMINER_DEFAULT_SERVER", "db")
                .publish(8080, on: 8082)
                .dependsOn("db", condition: .started)
                .restart(.never)
            Service("db", image: "postgres:16-alpine")
                .environment("POSTGRES_DB", "shop")
                // POSTGRES_PASSWORD was a literal credential: the service reads POSTGRES_PASSWORD_FILE.
                .secret("postgres_password", pathVariable: "POSTGRES_PASSWORD_FILE")
                .environment("POSTGRES_USER", "shop")
                .volume("db-data", at: "/var/lib/postgresql/data")
            Service("e2e", image: "mcr.microsoft.com/playwright:v1.44.1-jammy")
                // compose: ipc: "host" — not imported: no equivalent in Berth
                // compose: profiles: ["e2e"] — not imported: Berth deploys every service of the stack; put optional services in a stack of their own or an environment.
                .command(["npx", "playwright", "test"])
                .mount(.bind("e2e"), at: "/tests")
                .dependsOn("mailpit", condition: .started)
                .dependsOn("web", condition: .started)
                .restart(.never)
                .workingDirectory("/tests")
            Service("mailpit", image: "axllent/mailpit:v1.18")
                // compose: profiles: ["debug", "e2e"] — not imported: Berth deploys every service of the stack; put optional services in a stack of their own or an environment.
                .expose(1025)
                .publish(8025)
                .restart(.never)
            Service("seed", image: "postgres:16-alpine")
                // compose: profiles: ["tools"] — not imported: Berth deploys every service of the stack; put optional services in a stack of their own or an environment.
                .entrypoint(["psql", "-h", "db", "-U", "shop", "-d", "shop", "-f", "/seed/demo.sql"])
                .environment("PGPASSWORD", "not-a-real-password")
                .mount(.bind("seed"), at: "/seed", readOnly: true)
                .dependsOn("db", condition: .started)
                .restart(.never)
            Service("web", image: "ghcr.io/example/shopfront:1.8.2")
                // DATABASE_URL was a literal credential: the service reads DATABASE_URL_FILE.
                .secret("database_url", pathVariable: "DATABASE_URL_FILE")
                .environment("SMTP_HOST", "mailpit")
                .environment("SMTP_PORT", "1025")
                .publish(3000, public: true)
                .dependsOn("db", condition: .started)
        }
    }
}
