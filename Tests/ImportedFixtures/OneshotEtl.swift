import Berth

/// The `oneshot-etl` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum OneshotEtl {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("oneshot-etl") {
            Volume("warehouse-data")
            // A literal credential in the Compose file: export POSTGRES_PASSWORD where you deploy.
            Secret("postgres_password", .environment("POSTGRES_PASSWORD"))
            Service("fetch", image: "curlimages/curl:8.8.0")
                .entrypoint(["curl"])
                .command([
                    "-fsSL", "--retry", "3", "-o", "/work/rates.csv", "https://data.example.test/exports/rates.csv",
                ])
                .mount(.bind("work"), at: "/work")
                .restart(.never)
                .user("1000:1000")
                .workingDirectory("/work")
            Service("import", image: "postgres:16-alpine")
                .command(["psql", "-v", "ON_ERROR_STOP=1", "-f", "/scripts/load.sql"])
                .environment("PGDATABASE", "warehouse")
                .environment("PGHOST", "warehouse")
                .environment("PGPASSWORD", "not-a-real-password")
                .environment("PGUSER", "etl")
                .mount(.bind("work"), at: "/work", readOnly: true)
                .mount(.bind("scripts"), at: "/scripts", readOnly: true)
                .dependsOn("transform", condition: .completed)
                .dependsOn("warehouse", condition: .healthy)
                .restart(.never)
                .workingDirectory("/work")
            Service("transform", image: "python:3.12-alpine")
                // compose: init: true — not imported: use an image whose entrypoint reaps its children (tini, dumb-init).
                .command(["python", "/scripts/transform.py", "rates.csv", "rates.clean.csv"])
                .mount(.bind("work"), at: "/work")
                .mount(.bind("scripts"), at: "/scripts", readOnly: true)
                .mount(.tmpfs(sizeBytes: 67_108_864), at: "/tmp")
                .dependsOn("fetch", condition: .completed)
                .restart(.never)
                .user("1000:1000")
                .workingDirectory("/work")
            Service("warehouse", image: "postgres:16-alpine")
                .environment("POSTGRES_DB", "warehouse")
                // POSTGRES_PASSWORD was a literal credential: the service reads POSTGRES_PASSWORD_FILE.
                .secret("postgres_password", pathVariable: "POSTGRES_PASSWORD_FILE")
                .environment("POSTGRES_USER", "etl")
                .volume("warehouse-data", at: "/var/lib/postgresql/data")
                .healthCheck(
                    HealthCheck(
                        .command(["pg_isready", "-U", "etl", "-d", "warehouse"]), interval: .seconds(2),
                        timeout: .seconds(2), retries: 30, startPeriod: .seconds(0))
                )
                .restart(.never)
        }
    }
}
