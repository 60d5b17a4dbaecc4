import Berth

extension BehindyOps {
    /// `swift package deploy up --env dev|prod` in behindy-ops.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The shared infrastructure of an environment: PostgreSQL, Redis and the nginx gateway on
    /// the `internal` network.
    public static func stack(for environment: Environment) -> Stack {
        Stack(stackName) {
            network
            gateway
            Volume("postgres-data")
            Volume("redis-data")
            Secret.generated("postgres_password")
            postgresService(environment)
            redisService(environment)
            // The Alpine image has the busybox `wget` the gateway's health check runs; its
            // workers run as `nginx`, Debian's (the local test image's) as `www-data`.
            gatewayPart(environment)
        }
    }

    static func gatewayPart(_ environment: Environment) -> StackPart {
        NginxGateway(gateway, workerUser: environment.isProduction ? "nginx" : "www-data").stackPart(
            image: environment.isProduction ? "nginx:1.27.3-alpine" : "berth-test/nginx:1",
            httpPort: httpPort(environment),
            // Only production serves HTTPS, with certbot's certificates from the host.
            httpsPort: environment.isProduction ? 443 : nil,
            hostIP: environment.isProduction ? "0.0.0.0" : "127.0.0.1",
            certificatesDirectory: environment.isProduction ? certificatesDirectory : nil)
    }

    static func postgresService(_ environment: Environment) -> Service {
        var service = Service(BehindyOps.postgres.name, image: image("postgres:15.10-alpine", in: environment))
            .environment("POSTGRES_USER", "behindy")
            .environment("POSTGRES_DB", "behindy")
            .secret("postgres_password", pathVariable: "POSTGRES_PASSWORD_FILE")
            .volume("postgres-data", at: "/var/lib/postgresql/data")
            .networks(network.name)
            .expose(BehindyOps.postgres.port)
            .resources(Resources(cpuLimit: 1, memoryLimit: "1g"))
        if environment.isProduction {
            service = service.healthCheck(
                HealthCheck(.command(["pg_isready", "-U", "behindy", "-d", "behindy"]), interval: .seconds(10)))
        } else {
            // A stand-in that listens where PostgreSQL would.
            service = service.command(standInServer(port: BehindyOps.postgres.port, text: "postgres stand-in"))
                .healthCheck(httpCheck(port: BehindyOps.postgres.port))
        }
        return service
    }

    static func redisService(_ environment: Environment) -> Service {
        var service = Service(BehindyOps.redis.name, image: image("redis:7.4-alpine", in: environment))
            .volume("redis-data", at: "/data")
            .networks(network.name)
            .expose(BehindyOps.redis.port)
            .resources(Resources(cpuLimit: 0.5, memoryLimit: "256m"))
        if environment.isProduction {
            // LRU eviction, no append-only file: Redis holds caches and sessions, nothing that
            // cannot be rebuilt.
            service = service.command([
                "redis-server", "--maxmemory", "200mb", "--maxmemory-policy", "allkeys-lru", "--appendonly", "no",
            ])
            .healthCheck(HealthCheck(.command(["redis-cli", "ping"]), interval: .seconds(10)))
        } else {
            service = service.command(standInServer(port: BehindyOps.redis.port, text: "redis stand-in"))
                .healthCheck(httpCheck(port: BehindyOps.redis.port))
        }
        return service
    }
}
