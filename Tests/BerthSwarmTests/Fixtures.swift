import BerthCore
import Testing

/// The resource classes of the NextCandle seed (its "resource allocation pattern" table): the
/// kind of declaration a shared-infrastructure package makes once for every stack.
extension ResourceClass {
    static let gateway = ResourceClass(
        "gateway", Resources(cpuLimit: 0.5, memoryLimit: "256M", cpuReservation: 0.1, memoryReservation: "64M"))
    static let database = ResourceClass(
        "database", Resources(cpuLimit: 0.5, memoryLimit: "512M", cpuReservation: 0.1, memoryReservation: "256M"))
    static let monitoring = ResourceClass(
        "monitoring", Resources(cpuLimit: 0.3, memoryLimit: "256M", cpuReservation: 0.05, memoryReservation: "64M"))
    static let exporter = ResourceClass(
        "exporter", Resources(cpuLimit: 0.2, memoryLimit: "128M", cpuReservation: 0.05, memoryReservation: "32M"))
}

/// Representative stacks, rendered into the golden files.
enum Fixtures {
    /// The smallest stack: one service with an image.
    static let minimal = Stack("minimal") {
        Service("web", image: "nginx:1.27")
    }

    /// A stack using every setting the Swarm renderer knows.
    static let everything = Stack("shop") {
        Network("frontend")
        Network("backend", internal: true)
        Network("jobs", attachable: false)
        Network.external("proxy", realName: "traefik-public")
        Volume("db-data")
        Volume.external("backups", realName: "shared-backups")
        Secret("db_password", .file("secrets/db_password.txt"))
        Secret("api_token", .environment("SHOP_API_TOKEN"))
        Secret.generated("session_key", length: 48, alphabet: .urlSafe)
        Secret("tls_key", .external("shop_tls_key_v3"))
        Config("nginx_conf", .file("./config/nginx.conf"))
        Config("motd", .content("Welcome to $SHOP!\nprices: $5 and ${PRICE}\n"))

        Service("db", image: "postgres:16.4")
            .environment("POSTGRES_DB", "shop")
            .secret("db_password", pathVariable: "POSTGRES_PASSWORD_FILE")
            .volume("db-data", at: "/var/lib/postgresql/data")
            .networks("backend")
            .expose(5432)
            .healthCheck(
                HealthCheck(
                    .shell("pg_isready -U \"${POSTGRES_USER:-postgres}\" -d shop || exit 1"),
                    interval: .seconds(5), timeout: .seconds(3), retries: 10, startPeriod: .seconds(20))
            )
            .resources(ResourceClass.database.scaled(2))
            .restart(.onFailure(maxAttempts: 5), delay: .seconds(5), window: .seconds(120))
            .constraint("node.role == manager")
            .constraint("node.labels.storage != hdd")
            .maxReplicasPerNode(1)
            .user("999:999")

        Service(
            "api",
            image:
                "ghcr.io/acme/shop-api:2.3.1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        )
        .entrypoint(["/usr/local/bin/api"])
        .command(["serve", "--port", "8080", "--price-format", "$%.2f"])
        .environment("LOG_LEVEL", "info")
        .environment("GREETING", "Hello, $USER! It costs $$5.")
        .environment("IMAGE_TAG", .interpolated("${SHOP_TAG:-latest}"))
        .environment("FEATURE_FLAGS", "yes")
        .environment("UMASK", "0022")
        .expose(8080)
        .secret("api_token")
        .secret("session_key", pathVariable: "SESSION_KEY_FILE")
        .secret("tls_key", target: "tls.key")
        .secret("db_password", target: "pw", pathVariable: "DB_PASSWORD_FILE")
        .config("motd", at: "/etc/motd")
        .healthCheck(
            .http(
                port: 8080, path: "health", interval: .seconds(15), timeout: .milliseconds(2500), retries: 4,
                startPeriod: .milliseconds(1500))
        )
        .dependsOn("db", condition: .healthy)
        .networks("frontend", "backend", "proxy")
        .label("com.acme.team", "payments")
        .label("com.acme.on-call", "no")
        .serviceLabel("traefik.enable", "true")
        .serviceLabel("traefik.http.routers.api.rule", "Host(`shop.example.com`) && PathPrefix(`/api`)")
        .serviceLabel("traefik.http.services.api.loadbalancer.server.port", "8080")
        .serviceLabel("traefik.swarm.network", "traefik-public")
        .user("1000:1000")
        .workingDirectory("/srv/api")
        .readOnlyRootFilesystem()
        .dropCapabilities(["ALL"])
        .mount(.tmpfs(sizeBytes: 64 * 1024 * 1024), at: "/tmp")
        .replicas(3)
        .spread(over: "node.labels.zone")
        .resources(Resources(cpuLimit: 1.5, memoryLimit: "1g", cpuReservation: 0.25, memoryReservation: "256m"))

        Service("web", image: "nginx:1.27.2")
            .publish(80, on: 8080, public: true)
            .publish(443, public: true)
            .publish(53, on: 5353, public: true, transport: .udp)
            .config("nginx_conf", at: "/etc/nginx/nginx.conf")
            .mount(.bind("static"), at: "/usr/share/nginx/html", readOnly: true)
            .volume("backups", at: "/backups", readOnly: true)
            .mount(.tmpfs(sizeBytes: nil), at: "/var/cache/nginx")
            .networks("frontend")
            .replicas(2)
            .restart(.always)
            .updatePolicy(
                UpdatePolicy(
                    parallelism: 2, delay: .seconds(10), failureAction: .continue, monitor: .seconds(30),
                    maxFailureRatio: 0.25, order: .startFirst)
            )
            .rollbackPolicy(UpdatePolicy(parallelism: 0, failureAction: .pause, monitor: .seconds(5)))
            .resources(ResourceClass.gateway.scaled(1))
            .dropCapabilities(["NET_RAW", "SYS_ADMIN"])

        Service("resolver", image: "coredns/coredns:1.11.3")
            .publish(53, on: 1053, public: true, transport: .udp, mode: .host)
            .endpointMode(.dnsrr)
            .deployMode(.global)
            .networks("frontend")
            .restart(.unlessStopped)

        Service("backup", image: "busybox:1.36")
            .command([
                "sh", "-c", "tar czf /backups/db-$(date +%F).tgz -C /data . && echo \"done: $HOSTNAME\"",
            ])
            .volume("db-data", at: "/data", readOnly: true)
            .mount(.bind("/var/backups/shop"), at: "/backups")
            .networks("jobs")
            .restart(.never)
            .replicas(0)
    }

    /// The secret versions a deploy would pass for ``everything``.
    static let everythingSecretVersions = [
        "db_password": "0f1e2d3c4b5a6978", "api_token": "new", "session_key": "89abcdef01234567",
    ]
    static let everythingConfigVersions = ["nginx_conf": "c0ffee00c0ffee00"]

    /// Exporters in global mode: one task on every node, with a host-mode port, as the seed's
    /// shared stack runs them.
    static let exporters = Stack("monitoring") {
        Network.external("monitoring", realName: "monitoring-net")
        Service("node-exporter", image: "prom/node-exporter:v1.8.2")
            .command(["--path.rootfs=/host"])
            .deployMode(.global)
            .constraint("node.platform.os == linux")
            .publish(9100, public: true, mode: .host)
            .mount(.bind("/"), at: "/host", readOnly: true)
            .networks("monitoring")
            .resources(ResourceClass.exporter.scaled(1))
            .healthCheck(.http(port: 9100, path: "/metrics", interval: .seconds(30)))
            .readOnlyRootFilesystem()
        Service("cadvisor", image: "gcr.io/cadvisor/cadvisor:v0.49.1")
            .deployMode(.global)
            .mount(.bind("/var/run/docker.sock"), at: "/var/run/docker.sock", readOnly: true)
            .mount(.bind("/sys"), at: "/sys", readOnly: true)
            .networks("monitoring")
            .resources(ResourceClass.exporter.scaled(1))
            .healthCheck(.http(port: 8080, path: "/healthz"))
    }

    /// The NextCandle databases stack, the way each of its environments differs: production
    /// has twice the resources, more restart attempts, its own PostgreSQL configuration file and
    /// Redis' `appendfsync everysec`; development has an admin UI behind the gateway.
    static func nextCandle(_ environment: Environment) -> Stack {
        let factor: Double = environment.isProduction ? 2 : 1
        let restart = RestartPolicy.onFailure(maxAttempts: environment.isProduction ? 5 : 3)
        return Stack("nextcandle") {
            Network.external("traefik-public")
            Network("internal", internal: true)
            Volume("postgres-data")
            Volume("redis-data")
            Secret.generated("postgres_password")
            Secret.generated("redis_password")
            Config(
                "postgresql",
                .file(
                    environment.isProduction
                        ? "configs/postgres/postgresql-prod.conf" : "configs/postgres/postgresql.conf")
            )

            Service("postgres", image: "pgvector/pgvector:0.8.0-pg17")
                .command(["postgres", "-c", "config_file=/etc/postgresql/postgresql.conf"])
                .environment("POSTGRES_USER", "nextcandle")
                .environment("POSTGRES_DB", "nextcandle_\(environment.name)")
                .secret("postgres_password", pathVariable: "POSTGRES_PASSWORD_FILE")
                .config("postgresql", at: "/etc/postgresql/postgresql.conf")
                .volume("postgres-data", at: "/var/lib/postgresql/data")
                .networks("internal")
                .healthCheck(
                    HealthCheck(
                        .command(["pg_isready", "-U", "nextcandle"]), interval: .seconds(10), timeout: .seconds(5),
                        retries: 5)
                )
                .resources(ResourceClass.database.scaled(factor))
                .restart(restart, delay: .seconds(5))

            Service("redis", image: "redis:7.4.1-alpine")
                .command(
                    [
                        "sh", "-c",
                        "exec redis-server --requirepass \"$(cat /run/secrets/redis_password)\" --appendonly yes",
                    ]
                        + (environment.isProduction ? ["--appendfsync", "everysec"] : [])
                )
                .secret("redis_password")
                .volume("redis-data", at: "/data")
                .networks("internal")
                .healthCheck(HealthCheck(.shell("redis-cli ping | grep PONG"), interval: .seconds(10), retries: 5))
                .resources(ResourceClass.database.scaled(factor))
                .restart(restart, delay: .seconds(5))

            if !environment.isProduction {
                Service("adminer", image: "adminer:4.8.1")
                    .expose(8080)
                    .networks("internal", "traefik-public")
                    .healthCheck(.http(port: 8080))
                    .serviceLabel("traefik.enable", "true")
                    .serviceLabel(
                        "traefik.http.routers.adminer-\(environment.name).rule",
                        "Host(`db-\(environment.name).nextcandle.io`)"
                    )
                    .serviceLabel("traefik.http.services.adminer-\(environment.name).loadbalancer.server.port", "8080")
                    .resources(ResourceClass.gateway.scaled(factor))
                    .restart(restart, delay: .seconds(5))
            }
        }
    }

    /// The golden files: their name and what they render.
    struct Golden: Sendable, CustomTestStringConvertible {
        var name: String
        var stack: Stack
        var environment: Environment
        var secretVersions: [String: String] = [:]
        var configVersions: [String: String] = [:]

        var testDescription: String { name }

        /// Where the renderer's output sits inside the package, matching its default
        /// `pathToPackage` of `../../..`.
        var relativePath: String { ".berth/\(stack.name)/\(environment.name)/stack.yaml" }
    }

    static let goldens: [Golden] = [
        Golden(name: "minimal", stack: minimal, environment: .dev),
        Golden(
            name: "everything", stack: everything, environment: .stg, secretVersions: everythingSecretVersions,
            configVersions: everythingConfigVersions),
        Golden(name: "exporters", stack: exporters, environment: .prod),
        Golden(
            name: "nextcandle-dev", stack: nextCandle(.dev), environment: .dev,
            secretVersions: ["postgres_password": "1b2c3d4e5f607182", "redis_password": "aa00bb11cc22dd33"],
            configVersions: ["postgresql": "d3v0d3v0d3v0d3v0"]),
        Golden(
            name: "nextcandle-prod", stack: nextCandle(.prod), environment: .prod,
            secretVersions: ["postgres_password": "9e8d7c6b5a493827", "redis_password": "ffeeddccbbaa9988"],
            configVersions: ["postgresql": "0123abcd0123abcd"]),
    ]
}
