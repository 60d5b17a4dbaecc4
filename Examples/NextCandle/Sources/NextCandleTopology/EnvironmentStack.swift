import Berth

/// The environment stack, deployed with `swift run Deploy up --env dev|stg|prod`.
///
/// The seed's core stack (Traefik, cloudflared) and its per-environment database stack, as one
/// Swarm stack per environment (`nextcandle-dev`, …): each environment has its own tunnel and
/// gateway, so a mistake in development never reaches production's front door.
///
/// - `cloudflared` keeps outbound connections to Cloudflare open and sends every request for the
///   environment's hostnames to `traefik`; no service publishes a host port.
/// - `traefik` routes by hostname to the services that carry its labels, in this stack, the
///   shared stack and the applications, which all join `traefik-public`.
/// - `postgres` and `redis` sit on `internal`, which has no route out of the cluster; the
///   applications join it to reach them.
public let nextcandle = Deployment(environments: NextCandle.environments) { environment in
    NextCandle.stack(for: environment)
}

extension NextCandle {
    /// The environment stack's name; Swarm calls it `nextcandle-<environment>`.
    public static let stackName = "nextcandle"

    /// The PostgreSQL configuration file of an environment, relative to the package directory:
    /// production has its own, with parallel queries and larger buffers.
    public static func postgresConfigFile(_ environment: Environment) -> String {
        environment.isProduction ? "configs/postgres/postgresql-prod.conf" : "configs/postgres/postgresql.conf"
    }

    /// The variable of the deployer's environment holding the environment's tunnel token
    /// (`NEXTCANDLE_DEV_TUNNEL_TOKEN`): one per environment, so no deploy can start production's
    /// connector by mistake.
    public static func tunnelTokenVariable(_ environment: Environment) -> String {
        "NEXTCANDLE_\(environment.name.uppercased())_TUNNEL_TOKEN"
    }

    /// Each environment's tunnel, created in the Cloudflare dashboard (remotely managed).
    static let tunnelIDs = [
        "dev": "2d6c1f5e-7a0b-4c1e-9f3a-1b2c3d4e5f60",
        "stg": "8e41a0c2-5b7d-4f29-a6e8-0c1d2e3f4a5b",
        "prod": "c7f0e9d8-3a2b-4c5d-8e7f-6a5b4c3d2e1f",
    ]

    /// The hostnames the tunnel sends to the gateway: the infrastructure's own and the
    /// applications', which join `traefik-public` from their own stacks.
    public static let gatewayHostnames = ["traefik", "grafana", "minio", "s3", "n8n"] + applicationHostnames
    /// Hostnames served by application stacks deployed apart from this package.
    public static let applicationHostnames = ["app", "api", "auth"]

    /// The environment's Cloudflare Tunnel: remotely managed, so its token is the only thing the
    /// container needs, read from `TUNNEL_TOKEN_FILE`; every hostname goes to Traefik.
    public static func tunnel(for environment: Environment) -> Tunnel {
        Tunnel(id: tunnelIDs[environment.name] ?? "", token: "tunnel_token", network: "traefik-public") {
            for name in gatewayHostnames {
                IngressRule.route(hostname(name, in: environment), to: "traefik", port: 80)
            }
        }
    }

    /// The environment stack of an environment.
    public static func stack(for environment: Environment) -> Stack {
        Stack(stackName) {
            // Overlay networks. Traefik, the tunnel and everything it routes to share
            // `traefik-public`; the databases are on `internal`, which has no way out.
            Network("traefik-public")
            Network("internal", internal: true)
            Volume("postgres-data")
            Volume("redis-data")
            Secret.generated("postgres_password")
            Secret.generated("redis_password")
            Secret("tunnel_token", .environment(tunnelTokenVariable(environment)))
            Config("postgresql", .file(postgresConfigFile(environment)))
            Config("traefik-dynamic", .file("configs/traefik/dynamic.yml"))

            traefik(environment)
            tunnel(for: environment).service(image: Images.cloudflared)
                .resources(.gateway, in: environment)
                .restartOnFailure(in: environment)
                .rollout(.startFirst)
            postgres(environment)
            redis(environment)
        }
    }

    static func traefik(_ environment: Environment) -> Service {
        Service("traefik", image: Images.traefik)
            .command([
                "--global.checkNewVersion=false",
                "--global.sendAnonymousUsage=false",
                "--entrypoints.web.address=:80",
                // Only this environment's services, on this environment's network.
                "--providers.swarm.endpoint=unix:///var/run/docker.sock",
                "--providers.swarm.exposedByDefault=false",
                "--providers.swarm.network=\(networkName("traefik-public", in: environment))",
                "--providers.swarm.constraints=Label(`\(environmentLabel)`,`\(environment.name)`)",
                "--providers.file.filename=/etc/traefik/dynamic.yml",
                // Ping and Prometheus metrics on the `traefik` entry point (:8080), which only
                // the overlay networks reach.
                "--ping=true",
                "--metrics.prometheus=true",
                "--api.dashboard=true",
                "--accesslog=true",
                "--log.level=INFO",
            ])
            .config("traefik-dynamic", at: "/etc/traefik/dynamic.yml")
            // The Swarm provider reads services from a manager's engine.
            .mount(.bind("/var/run/docker.sock"), at: "/var/run/docker.sock", readOnly: true)
            .constraint("node.role == manager")
            .networks("traefik-public")
            .expose(80)
            .expose(8080)
            .healthCheck(
                HealthCheck(
                    .command(["traefik", "healthcheck", "--ping"]), interval: .seconds(10), timeout: .seconds(5),
                    retries: 3, startPeriod: .seconds(10))
            )
            .routed(
                "dashboard", host: hostname("traefik", in: environment), port: 8080, in: environment,
                service: "api@internal"
            )
            .resources(.gateway, in: environment)
            .restartOnFailure(in: environment)
            .rollout(.startFirst)
    }

    static func postgres(_ environment: Environment) -> Service {
        Service("postgres", image: Images.postgres)
            .command(["postgres", "-c", "config_file=/etc/postgresql/postgresql.conf"])
            .environment("POSTGRES_USER", "nextcandle")
            .environment("POSTGRES_DB", "nextcandle")
            .environment("PGDATA", "/var/lib/postgresql/data/pgdata")
            .secret("postgres_password", pathVariable: "POSTGRES_PASSWORD_FILE")
            .config("postgresql", at: "/etc/postgresql/postgresql.conf")
            .volume("postgres-data", at: "/var/lib/postgresql/data")
            .networks("internal")
            .expose(5432)
            .healthCheck(
                HealthCheck(
                    .command(["pg_isready", "-U", "nextcandle", "-d", "nextcandle"]), interval: .seconds(10),
                    timeout: .seconds(5), retries: 5, startPeriod: .seconds(30))
            )
            .resources(.database, in: environment)
            .restartOnFailure(in: environment)
            .rollout(.stopFirst)
    }

    /// The user the shared stack's Redis exporter logs in as. It may only read server statistics
    /// (it can neither read keys nor change the configuration), so it accepts any password: a
    /// generated secret of this stack could not be given to the shared stack. Clients only log
    /// in when they have a password, hence this placeholder, which protects nothing.
    public static let redisStatisticsUser = (name: "exporter", password: "stats-only")

    /// The Redis start script. The password goes to `redis-server` on standard input (`-`), never
    /// on its command line; the image's entrypoint drops root before starting the server.
    static func redisStart(_ environment: Environment) -> String {
        let persistence = environment.isProduction ? "--appendonly yes --appendfsync everysec" : "--appendonly yes"
        return """
            exec docker-entrypoint.sh redis-server \(persistence) - <<EOF
            requirepass $(cat /run/secrets/redis_password)
            user \(redisStatisticsUser.name) on nopass -@all +ping +info +client|list +slowlog|get +slowlog|len +latency|latest +dbsize +select
            EOF
            """
    }

    static func redis(_ environment: Environment) -> Service {
        Service("redis", image: Images.redis)
            .command(["sh", "-c", redisStart(environment)])
            .secret("redis_password")
            .volume("redis-data", at: "/data")
            .networks("internal")
            .expose(6379)
            .healthCheck(
                HealthCheck(
                    .shell(
                        "redis-cli --no-auth-warning --user \(redisStatisticsUser.name) --pass \(redisStatisticsUser.password) ping | grep -q PONG"
                    ), interval: .seconds(10),
                    timeout: .seconds(5), retries: 5, startPeriod: .seconds(10))
            )
            .resources(.database, in: environment)
            .restartOnFailure(in: environment)
            .rollout(.stopFirst)
    }
}
