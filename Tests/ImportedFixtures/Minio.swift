import Berth

/// The `minio` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum Minio {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("minio") {
            Volume("minio-data")
            // A literal credential in the Compose file: export MC_HOST_LOCAL where you deploy.
            Secret("mc_host_local", .environment("MC_HOST_LOCAL"))
            // A literal credential in the Compose file: export MINIO_ROOT_PASSWORD where you deploy.
            Secret("minio_root_password", .environment("MINIO_ROOT_PASSWORD"))
            Service("createbuckets", image: "quay.io/minio/mc:RELEASE.2024-06-12T14-34-03Z")
                .entrypoint([
                    "/bin/sh", "-c",
                    " mc mb --ignore-existing local/backups; mc mb --ignore-existing local/uploads; mc anonymous set download local/uploads; mc ilm rule add --expire-days 30 local/backups; mc admin policy create local/app-rw /policies/app-rw.json; exit 0; ",
                ])
                // MC_HOST_local was a literal credential: the service reads MC_HOST_local_FILE.
                .secret("mc_host_local", pathVariable: "MC_HOST_local_FILE")
                .mount(.bind("policies"), at: "/policies", readOnly: true)
                .dependsOn("minio", condition: .healthy)
                .restart(.never)
            Service("minio", image: "quay.io/minio/minio:RELEASE.2024-06-13T22-53-53Z")
                // compose: hostname: "minio1" — not imported: the service's name is its host name on its networks.
                .command(["server", "/data", "--console-address", ":9001"])
                .environment("MINIO_BROWSER_REDIRECT_URL", "https://console.s3.example.test")
                .environment("MINIO_PROMETHEUS_AUTH_TYPE", "public")
                // MINIO_ROOT_PASSWORD was a literal credential: the service reads MINIO_ROOT_PASSWORD_FILE.
                .secret("minio_root_password", pathVariable: "MINIO_ROOT_PASSWORD_FILE")
                .environment("MINIO_ROOT_USER", "minioadmin")
                .publish(9000, public: true)
                .publish(9001)
                .volume("minio-data", at: "/data")
                .healthCheck(
                    HealthCheck(
                        .command(["mc", "ready", "local"]), interval: .seconds(5), timeout: .seconds(5), retries: 5,
                        startPeriod: .seconds(0)))
        }
    }
}
