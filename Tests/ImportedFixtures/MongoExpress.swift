import Berth

/// The `mongo-express` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum MongoExpress {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("mongo-express") {
            Volume("mongo-config")
            Volume("mongo-data")
            Secret("mongo_root_password", .file("secrets/mongo_root_password"))
            // A literal credential in the Compose file: export ME_CONFIG_BASICAUTH_PASSWORD where you deploy.
            Secret("me_config_basicauth_password", .environment("ME_CONFIG_BASICAUTH_PASSWORD"))
            // A literal credential in the Compose file: export ME_CONFIG_MONGODB_URL where you deploy.
            Secret("me_config_mongodb_url", .environment("ME_CONFIG_MONGODB_URL"))
            Service("mongo", image: "mongo:7.0")
                // compose: container_name: "mongodb" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
                .command(["mongod", "--wiredTigerCacheSizeGB", "1", "--bind_ip_all"])
                .environment("MONGO_INITDB_DATABASE", "catalog")
                .environment("MONGO_INITDB_ROOT_PASSWORD_FILE", "/run/secrets/mongo_root_password")
                .environment("MONGO_INITDB_ROOT_USERNAME", "root")
                .publish(27017)
                .volume("mongo-data", at: "/data/db")
                .volume("mongo-config", at: "/data/configdb")
                .mount(.bind("mongo-init"), at: "/docker-entrypoint-initdb.d", readOnly: true)
                .secret("mongo_root_password")
                .healthCheck(
                    HealthCheck(
                        .shell("echo 'db.runCommand(\"ping\").ok' | mongosh localhost:27017/test --quiet"),
                        interval: .seconds(10), timeout: .seconds(10), retries: 5, startPeriod: .seconds(40))
                )
                .restart(.always)
                .label("com.example.backup", "true")
                .label("com.example.backup.schedule", "0 3 * * *")
            Service("mongo-express", image: "mongo-express:1.0.2-20")
                .environment("ME_CONFIG_BASICAUTH", "true")
                // ME_CONFIG_BASICAUTH_PASSWORD was a literal credential: the service reads ME_CONFIG_BASICAUTH_PASSWORD_FILE.
                .secret("me_config_basicauth_password", pathVariable: "ME_CONFIG_BASICAUTH_PASSWORD_FILE")
                .environment("ME_CONFIG_BASICAUTH_USERNAME", "admin")
                .environment("ME_CONFIG_MONGODB_ADMINPASSWORD", "not-a-real-password")
                .environment("ME_CONFIG_MONGODB_ADMINUSERNAME", "root")
                // ME_CONFIG_MONGODB_URL was a literal credential: the service reads ME_CONFIG_MONGODB_URL_FILE.
                .secret("me_config_mongodb_url", pathVariable: "ME_CONFIG_MONGODB_URL_FILE")
                .publish(8081)
                .dependsOn("mongo", condition: .healthy)
                .restart(.always)
        }
    }
}
