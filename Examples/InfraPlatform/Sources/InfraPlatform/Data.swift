import Berth

extension InfraPlatform {
    /// The backing services: PostgreSQL, Redis and MinIO.
    ///
    /// None publishes a port: apps reach them by name on `infra_net`, and only MinIO's console
    /// is routed (it has its own login). PostgreSQL creates a role and a database for Keycloak
    /// when its data directory is initialised (`configs/postgres/create-databases.sh`); apps get
    /// theirs the same way or by migration.
    public static func dataPart(_ environment: Environment) -> StackPart {
        StackPart {
            Volume("mng-pg-data")
            Volume("redis-data")
            Volume("minio-data")
            Secret.generated("postgres_password")
            Secret.generated("redis_password")
            Secret.generated("minio_root_password")
            Config("postgres-create-databases", .file("configs/postgres/create-databases.sh"))
            postgresService()
            redisService(environment)
            minioService(environment)
        }
    }

    static func postgresService() -> Service {
        Service(postgres.name, image: Images.postgres)
            // The image's own user, written out: Compose secret files are made readable for it.
            .user("postgres")
            .environment("PGDATA", "/var/lib/postgresql/data/pgdata")
            .secret("postgres_password", pathVariable: "POSTGRES_PASSWORD_FILE")
            // Read by the initialisation script, with psql's \set, never on a command line.
            .secret("keycloak_db_password")
            .config("postgres-create-databases", at: "/docker-entrypoint-initdb.d/10-create-databases.sh")
            .volume("mng-pg-data", at: "/var/lib/postgresql/data")
            .networks(network.name)
            .expose(postgres.port)
            .healthCheck(
                HealthCheck(
                    .command(["pg_isready", "-U", "postgres", "-d", "postgres"]), interval: .seconds(10),
                    timeout: .seconds(5), retries: 5, startPeriod: .seconds(30))
            )
            .resources(Resources(cpuLimit: 2, memoryLimit: "2g"))
    }

    static func redisService(_ environment: Environment) -> Service {
        // The password reaches redis-server on standard input (`-`), never its command line; the
        // image's entrypoint drops root before starting the server and keeps standard input.
        let start = """
            exec docker-entrypoint.sh redis-server --appendonly yes --maxmemory \(environment.isProduction ? "1gb" : "256mb") --maxmemory-policy noeviction - <<EOF
            requirepass $(cat /run/secrets/redis_password)
            EOF
            """
        return Service(redis.name, image: Images.redis)
            .command(["sh", "-c", start])
            .secret("redis_password")
            .volume("redis-data", at: "/data")
            .networks(network.name)
            .expose(redis.port)
            .healthCheck(
                HealthCheck(
                    .shell("REDISCLI_AUTH=\"$(cat /run/secrets/redis_password)\" redis-cli ping | grep -q PONG"),
                    interval: .seconds(10), timeout: .seconds(5), retries: 5, startPeriod: .seconds(10))
            )
            .resources(Resources(cpuLimit: 1, memoryLimit: environment.isProduction ? "1280m" : "384m"))
    }

    static func minioService(_ environment: Environment) -> Service {
        Service(minio.name, image: Images.minio)
            .command(["server", "/data", "--console-address", ":9001"])
            .environment([
                "MINIO_ROOT_USER": "infra-admin",
                "MINIO_BROWSER_REDIRECT_URL": url("minio", in: environment),
                // Prometheus scrapes /minio/v2/metrics/cluster without a token, on infra_net only.
                "MINIO_PROMETHEUS_AUTH_TYPE": "public",
            ])
            .secret("minio_root_password", pathVariable: "MINIO_ROOT_PASSWORD_FILE")
            .volume("minio-data", at: "/data")
            .networks(network.name)
            .expose(minio.port)
            .expose(9001)
            .healthCheck(
                HealthCheck(
                    .command(["mc", "ready", "local"]), interval: .seconds(15), timeout: .seconds(10), retries: 3,
                    startPeriod: .seconds(10))
            )
            .resources(Resources(cpuLimit: 1, memoryLimit: "1g"))
            .route(
                host("minio", in: environment), port: 9001, tls: tls(in: environment),
                // The console signs users in itself.
                middlewares: middlewares(in: environment, signIn: false))
    }
}
