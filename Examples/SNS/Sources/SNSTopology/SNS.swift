import Berth

/// The SNS product (seed 001), ported onto Berth: FastAPI behind a rate-limited nginx, Celery
/// workers and beat, PostgreSQL with pgvector, Redis, MinIO, a nightly encrypted database dump
/// kept 30 days and an hourly Redis snapshot kept two days (Berth backups on a schedule), and
/// Prometheus with the eight alerts of its runbook.
///
/// `dev` runs on one machine with images built locally (Debian's PostgreSQL, Redis, nginx and
/// Prometheus; busybox stand-ins where the product's own images would be); `prod` is the real
/// thing. Everything else — networks, secrets, the composed `DATABASE_URL`, the migration before
/// each release, routes, rate limit, backups, alert rules — is the same in both.
public enum SNS {
    public static let environments: [Environment] = [.dev, .prod]

    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The port the gateway publishes: 80 in production, a loopback port on a dev machine.
    public static func httpPort(_ environment: Environment) -> Int { environment.isProduction ? 80 : 18610 }

    /// The public host name.
    public static func host(_ environment: Environment) -> String {
        environment.isProduction ? "sns.example.com" : "sns.localhost"
    }

    /// The network the gateway shares with the services it routes to.
    public static let edge = SharedNetwork("edge", engineName: "sns_edge", owner: "sns")

    public static let gateway = Gateway.nginx(service: "nginx", network: edge)

    /// The runbook's eight alerts (section 4 of the seed), with its thresholds.
    public static let alerts: [AlertRule] = [
        .highLatency(quantile: 0.95, above: .milliseconds(800), for: .seconds(300)),
        .queueLength(above: 200),
        AlertRule(
            "SlowQueries", expression: "pg_stat_activity_max_tx_duration{state=\"active\"} > 0.1",
            summary: "a query of {{ $labels.service }} has run {{ $value | humanizeDuration }}"),
        .redisMemory(above: 0.8),
        .highErrorRate(above: 0.05),
        AlertRule(
            "WebSocketConnections", expression: "sum(websocket_connections) > 800", severity: .warning,
            summary: "{{ $value }} WebSocket connections"),
        .diskFull(above: 0.8),
        AlertRule(
            "CeleryWorkerDown", expression: "sum(celery_workers) == 0", for: .seconds(60), severity: .critical,
            summary: "no Celery worker is running"),
    ]

    public static func monitoring(_ environment: Environment) -> Monitoring {
        Monitoring(
            prometheus: environment.isProduction ? "prom/prometheus:v2.53.0" : "berth-test/prometheus:2",
            // Grafana and the exporters have no local stand-in; production runs them.
            grafana: environment.isProduction ? "grafana/grafana:11.1.0" : nil,
            scrapeInterval: environment.isProduction ? .seconds(15) : .seconds(2),
            rules: alerts + [.serviceDown()],
            exporters: environment.isProduction
                ? [.postgres("postgres", user: "sns", database: "sns", passwordSecret: "db_password"), .redis("redis")]
                : [])
    }

    public static func stack(for environment: Environment) -> Stack {
        let base = Stack("sns") {
            edge
            gateway
            Network("backend", internal: true)
            Volume("postgres_data")
            Volume("redis_data")
            Volume("minio_data")
            Volume("backups")
            Secret.generated("db_password")
            Secret.generated("s3_access_key", length: 20)
            Secret.generated("s3_secret_key")
            backupKey(environment)
            postgres(environment)
            redis(environment)
            minio(environment)
            backend(environment)
            celery(
                "celery-worker",
                [
                    "celery", "-A", "app.tasks.celery_app", "worker", "--concurrency=4", "-Q",
                    "critical,high,medium,low",
                ], Resources(cpuLimit: 2, memoryLimit: "1g"), environment)
            celery(
                "celery-beat", ["celery", "-A", "app.tasks.celery_app", "beat"],
                Resources(cpuLimit: 0.5, memoryLimit: "256m"), environment)
            frontend(environment)
            NginxGateway(gateway, workerUser: environment.isProduction ? "nginx" : "www-data").stackPart(
                image: environment.isProduction ? "nginx:1.27.3-alpine" : "berth-test/nginx:1",
                httpPort: httpPort(environment), hostIP: environment.isProduction ? "0.0.0.0" : "127.0.0.1",
                resources: Resources(cpuLimit: 1, memoryLimit: "256m"))
        }
        return monitoring(environment).apply(to: base, for: environment).schedulingBackups(for: environment)
    }

    // MARK: Stand-ins

    static let standIn: Image = "berth-test/busybox:1"

    static func image(_ production: Image, in environment: Environment) -> Image {
        environment.isProduction ? production : standIn
    }

    /// A stand-in web server: `pages` (path → text) under `/www`, on `port`; stops on SIGTERM.
    static func standInServer(port: Int, pages: [String: String]) -> [String] {
        let writes = pages.keys.sorted().map { path in
            "mkdir -p \"$(dirname /www\(path))\" && printf '%s\\n' '\(pages[path]!)' > /www\(path)"
        }
        return [
            "sh", "-c", (writes + ["trap 'exit 0' TERM; httpd -f -p \(port) -h /www & wait"]).joined(separator: " && "),
        ]
    }

    /// A stand-in that only waits to be stopped.
    static let idle = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]

    static func httpCheck(port: Int, path: String) -> HealthCheck {
        .http(port: port, path: path, interval: .seconds(2), timeout: .seconds(10), retries: 15)
    }

    // MARK: Services

    /// The key of the database dumps: in production from the deployer's environment, so every
    /// machine that restores has it (and a copy is kept off the server); generated on a dev machine.
    static func backupKey(_ environment: Environment) -> Secret {
        environment.isProduction ? Secret("backup_key", .environment("SNS_BACKUP_KEY")) : .generated("backup_key")
    }

    static func postgres(_ environment: Environment) -> Service {
        // The real PostgreSQL in both: Debian's, built locally, on a dev machine.
        Service(
            "postgres", image: environment.isProduction ? "pgvector/pgvector:pg16" : "berth-test/postgres:15"
        )
        .environment("POSTGRES_DB", "sns")
        .environment("POSTGRES_USER", "sns")
        .secret("db_password", pathVariable: "POSTGRES_PASSWORD_FILE")
        .volume("postgres_data", at: "/var/lib/postgresql/data")
        .networks("backend")
        .expose(5432)
        .resources(Resources(cpuLimit: 2, memoryLimit: "2g"))
        .healthCheck(
            HealthCheck(
                .command(["pg_isready", "-U", "sns", "-d", "sns"]),
                interval: environment.isProduction ? .seconds(10) : .seconds(2), timeout: .seconds(10),
                retries: 15)
        )
        .stopGracePeriod(.seconds(30))
        // The runbook's nightly dump, kept 30 days, encrypted.
        .backup(
            .postgres(database: "sns", user: "sns", password: "db_password"), keep: 30,
            encryptedWith: "backup_key", schedule: "0 3 * * *")
    }

    static func redis(_ environment: Environment) -> Service {
        // The real Redis in both: Debian's, built locally, on a dev machine.
        Service("redis", image: environment.isProduction ? "redis:7.4-alpine" : "berth-test/redis:7")
            .command(["redis-server", "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"])
            .volume("redis_data", at: "/data")
            .networks("backend")
            .expose(6379)
            .resources(Resources(cpuLimit: 0.5, memoryLimit: "320m"))
            .healthCheck(
                HealthCheck(
                    .command(["redis-cli", "ping"]),
                    interval: environment.isProduction ? .seconds(10) : .seconds(2), timeout: .seconds(10),
                    retries: 15)
            )
            // The runbook's hourly snapshot, kept two days: Redis saves, then its files are archived.
            .backup(.redis(volume: "redis_data"), keep: 48, schedule: "0 * * * *")
    }

    static func minio(_ environment: Environment) -> Service {
        let service = Service("minio", image: image("minio/minio:RELEASE.2024-11-07T00-52-20Z", in: environment))
            // MinIO reads its root user and password from the files these variables name.
            .secret("s3_access_key", pathVariable: "MINIO_ROOT_USER_FILE")
            .secret("s3_secret_key", pathVariable: "MINIO_ROOT_PASSWORD_FILE")
            .volume("minio_data", at: "/data")
            .networks("backend")
            .expose(9000)
            .resources(Resources(cpuLimit: 1, memoryLimit: "1g"))
        return environment.isProduction
            ? service.command(["server", "/data", "--console-address", ":9001"])
                .healthCheck(.http(port: 9000, path: "/minio/health/live", interval: .seconds(10)))
            : service.command(standInServer(port: 9000, pages: ["/minio/health/live": "minio stand-in"]))
                .healthCheck(httpCheck(port: 9000, path: "/minio/health/live"))
    }

    /// What the backend and its workers read: the database URL composed from the password at
    /// start, never written anywhere.
    static let application = EnvironmentGroup(
        "application", ["REDIS_URL": "redis://redis:6379/0", "S3_ENDPOINT": "http://minio:9000"]
    )
    .secret("s3_access_key", pathVariable: "S3_ACCESS_KEY_FILE")
    .secret("s3_secret_key", pathVariable: "S3_SECRET_KEY_FILE")

    static func backend(_ environment: Environment) -> Service {
        var service = Service("backend", image: image("ghcr.io/acme/sns-backend:1.0.0", in: environment))
            .environment(application)
            .environment("APP_ENV", environment.isProduction ? "production" : "development")
            .environment(
                "DATABASE_URL", .composed("postgresql://sns:\(secret: "db_password")@postgres:5432/sns")
            )
            .secret("db_password")
            .networks("backend", edge.name)
            .expose(8000)
            .metrics(port: 8000)
            .dependsOn("postgres", condition: .healthy)
            .dependsOn("redis", condition: .healthy)
            .resources(Resources(cpuLimit: 2, memoryLimit: "1g"))
            .logging(.rotated(maxSize: "20m", files: 5))
            .route(host(environment), path: "/api", port: 8000, middlewares: [.rateLimit(.perMinute(60, burst: 20))])
        if environment.isProduction {
            service = service.entrypoint([])
                .command(["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"])
                .healthCheck(.http(port: 8000, path: "/health", interval: .seconds(10)))
                .beforeRelease(["alembic", "upgrade", "head"], timeout: .seconds(300))
        } else {
            let metrics = "# TYPE http_requests_total counter\nhttp_requests_total{status=\"200\"} 1"
            service = service.entrypoint([])
                .command(
                    standInServer(
                        port: 8000,
                        pages: ["/health": "ok", "/api/index.html": "sns-backend", "/metrics": metrics])
                )
                .healthCheck(httpCheck(port: 8000, path: "/health"))
                .beforeRelease(["sh", "-c", "test -n \"$DATABASE_URL\" && echo migrated"], timeout: .seconds(120))
        }
        return service
    }

    static func celery(_ name: String, _ command: [String], _ resources: Resources, _ environment: Environment)
        -> Service
    {
        Service(name, image: image("ghcr.io/acme/sns-backend:1.0.0", in: environment))
            .entrypoint([])
            .command(environment.isProduction ? command : idle)
            .environment(application)
            .environment("DATABASE_URL", .composed("postgresql://sns:\(secret: "db_password")@postgres:5432/sns"))
            .secret("db_password")
            .networks("backend")
            .dependsOn("backend", condition: .healthy)
            .stopGracePeriod(.seconds(30))
            .resources(resources)
            .logging(.rotated(maxSize: "20m", files: 5))
    }

    static func frontend(_ environment: Environment) -> Service {
        let service = Service("frontend", image: image("ghcr.io/acme/sns-frontend:1.0.0", in: environment))
            .networks(edge.name)
            .expose(3000)
            .resources(Resources(cpuLimit: 1, memoryLimit: "512m"))
            .route(host(environment), port: 3000)
        return environment.isProduction
            ? service.healthCheck(.http(port: 3000, path: "/", interval: .seconds(10)))
            : service.command(standInServer(port: 3000, pages: ["/index.html": "sns-frontend"]))
                .healthCheck(httpCheck(port: 3000, path: "/index.html"))
    }
}
