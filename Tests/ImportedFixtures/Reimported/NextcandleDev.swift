import Berth

/// The `nextcandle` stack as Berth rendered it for dev (the Compose project
/// `nextcandle-dev`), imported by `berth import`. IMPORT-REPORT.md lists what was not carried over
/// as it was; each such place is also a comment below.
public enum NextcandleDev {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [Environment.dev.on(.swarm)]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("nextcandle") {
            Network("traefik-public")
            Network("internal", internal: true)
            Volume("postgres-data")
            Volume("redis-data")
            Secret("postgres_password", .environment("BERTH_SECRET_postgres_password"))
            Secret("redis_password", .environment("BERTH_SECRET_redis_password"))
            Secret("tunnel_token", .environment("BERTH_SECRET_tunnel_token"))
            Config("postgresql", .file("configs/postgres/postgresql.conf"))
            Config("traefik-dynamic", .file("configs/traefik/dynamic.yml"))
            Service("traefik", image: "traefik:v3.6.1")
                .command([
                    "--global.checkNewVersion=false", "--global.sendAnonymousUsage=false",
                    "--entrypoints.web.address=:80", "--providers.swarm.endpoint=unix:///var/run/docker.sock",
                    "--providers.swarm.exposedByDefault=false",
                    "--providers.swarm.network=nextcandle-dev_traefik-public",
                    "--providers.swarm.constraints=Label(`io.nextcandle.environment`,`dev`)",
                    "--providers.file.filename=/etc/traefik/dynamic.yml", "--ping=true", "--metrics.prometheus=true",
                    "--api.dashboard=true", "--accesslog=true", "--log.level=INFO",
                ])
                .networks("traefik-public")
                .mount(.bind("/var/run/docker.sock"), at: "/var/run/docker.sock", readOnly: true)
                .config("traefik-dynamic", at: "/etc/traefik/dynamic.yml")
                .healthCheck(
                    HealthCheck(
                        .command(["traefik", "healthcheck", "--ping"]), interval: .seconds(10), timeout: .seconds(5),
                        retries: 3, startPeriod: .seconds(10))
                )
                .constraint("node.role == manager")
                .restart(.onFailure(maxAttempts: 3), delay: .seconds(5))
                .updatePolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .rollback, monitor: .seconds(45),
                        maxFailureRatio: 0, order: .startFirst)
                )
                .rollbackPolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .pause, monitor: .seconds(45), maxFailureRatio: 0,
                        order: .startFirst)
                )
                .serviceLabel("traefik.enable", "true")
                .serviceLabel("io.nextcandle.environment", "dev")
                .serviceLabel("traefik.swarm.network", "nextcandle-dev_traefik-public")
                .serviceLabel("traefik.http.routers.dashboard-dev.rule", "Host(`traefik-dev.nextcandle.io`)")
                .serviceLabel("traefik.http.routers.dashboard-dev.entrypoints", "web")
                .serviceLabel("traefik.http.routers.dashboard-dev.middlewares", "security-headers@file,rate-limit@file")
                .serviceLabel("traefik.http.routers.dashboard-dev.service", "api@internal")
                .serviceLabel("traefik.http.services.dashboard-dev.loadbalancer.server.port", "8080")
                .resources(Resources(cpuLimit: 0.5, memoryLimit: "256M", cpuReservation: 0.1, memoryReservation: "64M"))
            Service("cloudflared", image: "cloudflare/cloudflared:2025.4.0")
                .command(["tunnel", "--no-autoupdate", "--metrics", "0.0.0.0:2000", "run"])
                .environment("TUNNEL_TOKEN_FILE", "/run/secrets/tunnel_token")
                .networks("traefik-public")
                .secret("tunnel_token")
                .healthCheck(
                    HealthCheck(
                        .command(["cloudflared", "tunnel", "--metrics", "0.0.0.0:2000", "ready"]),
                        interval: .seconds(10), timeout: .seconds(5), retries: 6, startPeriod: .seconds(10))
                )
                .running(
                    Tunnel(id: "2d6c1f5e-7a0b-4c1e-9f3a-1b2c3d4e5f60", token: "tunnel_token", network: "traefik-public")
                    {
                        IngressRule("traefik-dev.nextcandle.io", service: "http://traefik:80")
                        IngressRule("grafana-dev.nextcandle.io", service: "http://traefik:80")
                        IngressRule("minio-dev.nextcandle.io", service: "http://traefik:80")
                        IngressRule("s3-dev.nextcandle.io", service: "http://traefik:80")
                        IngressRule("n8n-dev.nextcandle.io", service: "http://traefik:80")
                        IngressRule("app-dev.nextcandle.io", service: "http://traefik:80")
                        IngressRule("api-dev.nextcandle.io", service: "http://traefik:80")
                        IngressRule("auth-dev.nextcandle.io", service: "http://traefik:80")
                    }
                )
                .user("65532:65532")
                .readOnlyRootFilesystem()
                .restart(.onFailure(maxAttempts: 3), delay: .seconds(5))
                .updatePolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .rollback, monitor: .seconds(90),
                        maxFailureRatio: 0, order: .startFirst)
                )
                .rollbackPolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .pause, monitor: .seconds(90), maxFailureRatio: 0,
                        order: .startFirst)
                )
                .resources(Resources(cpuLimit: 0.5, memoryLimit: "256M", cpuReservation: 0.1, memoryReservation: "64M"))
            Service("postgres", image: "pgvector/pgvector:0.8.0-pg17")
                .command(["postgres", "-c", "config_file=/etc/postgresql/postgresql.conf"])
                .environment("POSTGRES_USER", "nextcandle")
                .environment("POSTGRES_DB", "nextcandle")
                .environment("PGDATA", "/var/lib/postgresql/data/pgdata")
                .environment("POSTGRES_PASSWORD_FILE", "/run/secrets/postgres_password")
                .networks("internal")
                .volume("postgres-data", at: "/var/lib/postgresql/data")
                .secret("postgres_password")
                .config("postgresql", at: "/etc/postgresql/postgresql.conf")
                .healthCheck(
                    HealthCheck(
                        .command(["pg_isready", "-U", "nextcandle", "-d", "nextcandle"]), interval: .seconds(10),
                        timeout: .seconds(5), retries: 5, startPeriod: .seconds(30))
                )
                .capabilities(["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"])
                .restart(.onFailure(maxAttempts: 3), delay: .seconds(5))
                .updatePolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .rollback, monitor: .seconds(75),
                        maxFailureRatio: 0, order: .stopFirst)
                )
                .rollbackPolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .pause, monitor: .seconds(75), maxFailureRatio: 0,
                        order: .stopFirst)
                )
                .resources(
                    Resources(cpuLimit: 0.5, memoryLimit: "512M", cpuReservation: 0.1, memoryReservation: "256M"))
            Service("redis", image: "redis:7.4.1-alpine")
                .command([
                    "sh", "-c",
                    "exec docker-entrypoint.sh redis-server --appendonly yes - <<EOF\nrequirepass $(cat /run/secrets/redis_password)\nuser exporter on nopass -@all +ping +info +client|list +slowlog|get +slowlog|len +latency|latest +dbsize +select\nEOF",
                ])
                .networks("internal")
                .volume("redis-data", at: "/data")
                .secret("redis_password")
                .healthCheck(
                    HealthCheck(
                        .shell("redis-cli --no-auth-warning --user exporter --pass stats-only ping | grep -q PONG"),
                        interval: .seconds(10), timeout: .seconds(5), retries: 5, startPeriod: .seconds(10))
                )
                .capabilities(["CHOWN", "SETGID", "SETUID"])
                .restart(.onFailure(maxAttempts: 3), delay: .seconds(5))
                .updatePolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .rollback, monitor: .seconds(75),
                        maxFailureRatio: 0, order: .stopFirst)
                )
                .rollbackPolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .pause, monitor: .seconds(75), maxFailureRatio: 0,
                        order: .stopFirst)
                )
                .resources(
                    Resources(cpuLimit: 0.5, memoryLimit: "512M", cpuReservation: 0.1, memoryReservation: "256M"))
        }
    }
}
