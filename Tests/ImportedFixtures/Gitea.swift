import Berth

/// The `gitea` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum Gitea {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("gitea") {
            Network("gitea")
            // A literal credential in the Compose file: export POSTGRES_PASSWORD where you deploy.
            Secret("postgres_password", .environment("POSTGRES_PASSWORD"))
            Service("db", image: "postgres:14")
                .environment("POSTGRES_DB", "gitea")
                // POSTGRES_PASSWORD was a literal credential: the service reads POSTGRES_PASSWORD_FILE.
                .secret("postgres_password", pathVariable: "POSTGRES_PASSWORD_FILE")
                .environment("POSTGRES_USER", "gitea")
                .networks("gitea")
                .mount(.bind("postgres"), at: "/var/lib/postgresql/data")
                .restart(.always)
            Service("server", image: "gitea/gitea:1.22.1")
                // compose: container_name: "gitea" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
                .environment("GITEA__database__DB_TYPE", "postgres")
                .environment("GITEA__database__HOST", "db:5432")
                .environment("GITEA__database__NAME", "gitea")
                // GITEA__database__PASSWD was a literal credential: the service reads GITEA__database__PASSWD_FILE.
                .secret("postgres_password", pathVariable: "GITEA__database__PASSWD_FILE")
                .environment("GITEA__database__USER", "gitea")
                .environment("GITEA__server__ROOT_URL", "https://git.example.test/")
                .environment("GITEA__server__SSH_PORT", "2222")
                .environment("USER_GID", "1000")
                .environment("USER_UID", "1000")
                .publish(3000, public: true)
                .publish(22, on: 2222, public: true)
                .networks("gitea")
                .mount(.bind("data"), at: "/data")
                .mount(.bind("custom/templates"), at: "/data/gitea/templates", readOnly: true)
                .dependsOn("db", condition: .started)
                .restart(.always)
                .logging(.jsonFile(maxSize: "10m", files: 3))
        }
    }
}
