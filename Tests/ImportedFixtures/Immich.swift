import Berth

/// The `immich` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum Immich {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("immich") {
            Volume("model-cache")
            // A literal credential in the Compose file: export POSTGRES_PASSWORD where you deploy.
            Secret("postgres_password", .environment("POSTGRES_PASSWORD"))
            Service(
                "database",
                image:
                    "docker.io/tensorchord/pgvecto-rs:pg14-v0.2.0@sha256:90724186f0a3517cf6914295b5ab410db9ce23190a2d9d0b9dd6463e3fa298f0"
            )
            // compose: container_name: "immich_postgres" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
            // compose: shm_size: "134217728" — not imported: mount a tmpfs at /dev/shm instead: .mount(.tmpfs(sizeBytes: …), at: "/dev/shm").
            .command([
                "postgres", "-c", "shared_preload_libraries=vectors.so", "-c", "search_path=\"$user\", public, vectors",
                "-c", "logging_collector=on", "-c", "max_wal_size=2GB", "-c", "shared_buffers=512MB", "-c",
                "wal_compression=on",
            ])
            .environment("POSTGRES_DB", "immich")
            .environment("POSTGRES_INITDB_ARGS", "--data-checksums")
            // POSTGRES_PASSWORD was a literal credential: the service reads POSTGRES_PASSWORD_FILE.
            .secret("postgres_password", pathVariable: "POSTGRES_PASSWORD_FILE")
            .environment("POSTGRES_USER", "postgres")
            .mount(.bind("postgres"), at: "/var/lib/postgresql/data")
            .healthCheck(
                HealthCheck(
                    .shell(
                        "pg_isready --dbname=\"${POSTGRES_DB}\" --username=\"${POSTGRES_USER}\" || exit 1; Chksum=\"$(psql --dbname=\"${POSTGRES_DB}\" --username=\"${POSTGRES_USER}\" --tuples-only --no-align --command='SELECT COALESCE(SUM(checksum_failures), 0) FROM pg_stat_database')\"; echo \"checksum failure count is $Chksum\"; [ \"$Chksum\" = '0' ] || exit 1"
                    ), interval: .seconds(300), timeout: .seconds(30), retries: 3, startPeriod: .seconds(300))
            )
            .restart(.always)
            Service("immich-machine-learning", image: "ghcr.io/immich-app/immich-machine-learning:v1.106.4")
                // compose: container_name: "immich_machine_learning" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
                .environment("DB_DATABASE_NAME", "immich")
                .environment("DB_DATA_LOCATION", "./postgres")
                // DB_PASSWORD was a literal credential: the service reads DB_PASSWORD_FILE.
                .secret("postgres_password", pathVariable: "DB_PASSWORD_FILE")
                .environment("DB_USERNAME", "postgres")
                .environment("IMMICH_VERSION", "v1.106.4")
                .environment("UPLOAD_LOCATION", "./library")
                .volume("model-cache", at: "/cache")
                .restart(.always)
            Service("immich-server", image: "ghcr.io/immich-app/immich-server:v1.106.4")
                // compose: container_name: "immich_server" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
                .environment("DB_DATABASE_NAME", "immich")
                .environment("DB_DATA_LOCATION", "./postgres")
                // DB_PASSWORD was a literal credential: the service reads DB_PASSWORD_FILE.
                .secret("postgres_password", pathVariable: "DB_PASSWORD_FILE")
                .environment("DB_USERNAME", "postgres")
                .environment("IMMICH_VERSION", "v1.106.4")
                .environment("UPLOAD_LOCATION", "./library")
                .publish(2283, public: true)
                .mount(.bind("library"), at: "/usr/src/app/upload")
                .mount(.bind("import"), at: "/mnt/photos", readOnly: true)
                .dependsOn("database", condition: .started)
                .dependsOn("redis", condition: .started)
                .restart(.always)
            Service(
                "redis",
                image:
                    "docker.io/redis:6.2-alpine@sha256:328fe6a5822256d065debb36617a8169dbfbd77b797c525288e465f56c1d392b"
            )
            // compose: container_name: "immich_redis" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
            .healthCheck(
                HealthCheck(
                    .shell("redis-cli ping || exit 1"), interval: .seconds(30), timeout: .seconds(30), retries: 3,
                    startPeriod: .seconds(0))
            )
            .restart(.always)
        }
    }
}
