import BerthCore
import Testing

/// Representative stacks, rendered into the golden files.
enum Fixtures {
    /// The smallest stack: one service with an image.
    static let minimal = Stack("minimal") {
        Service("web", image: "nginx:1.27")
    }

    /// A stack using every feature the Compose renderer knows.
    static let everything = Stack("shop") {
        Network("frontend")
        Network("backend", internal: true)
        Network.external("proxy", realName: "traefik_public")
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
            .environment("POSTGRES_INITDB_ARGS", "--auth=scram-sha-256")
            .secret("db_password", pathVariable: "POSTGRES_PASSWORD_FILE")
            .volume("db-data", at: "/var/lib/postgresql/data")
            .networks("backend")
            .expose(5432)
            .healthCheck(
                HealthCheck(
                    .shell("pg_isready -U \"${POSTGRES_USER:-postgres}\" -d shop || exit 1"),
                    interval: .seconds(5), timeout: .seconds(3), retries: 10, startPeriod: .seconds(20))
            )
            .resources(
                Resources(
                    cpuLimit: 2, memoryLimit: "1.5g", cpuReservation: 0.5, memoryReservation: .megabytes(512))
            )
            .restart(.always)
            .user("999:999")

        Service("migrate", image: "ghcr.io/acme/shop-migrate:2.3.1")
            .command(["migrate", "--database", "postgres://shop@db/shop", "--to", "latest"])
            .secret("db_password", target: "pw", pathVariable: "DB_PASSWORD_FILE")
            .dependsOn("db", condition: .healthy)
            .networks("backend")
            .restart(.onFailure(maxAttempts: 3))

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
        .expose(9125, transport: .udp)
        .secret("api_token")
        .secret("session_key", pathVariable: "SESSION_KEY_FILE")
        .secret("tls_key", target: "tls.key")
        .config("motd", at: "/etc/motd")
        .healthCheck(
            .http(
                port: 8080, path: "health", interval: .seconds(90), timeout: .milliseconds(2500), retries: 5,
                startPeriod: .milliseconds(1500))
        )
        .dependsOn("db", condition: .healthy)
        .dependsOn("migrate", condition: .completed)
        .networks("frontend", "backend")
        .label("com.acme.team", "payments")
        .label("traefik.http.routers.api.rule", "Host(`shop.example.com`) && PathPrefix(`/api`)")
        .label("com.acme.on-call", "no")
        .user("1000:1000")
        .workingDirectory("/srv/api")
        .readOnlyRootFilesystem()
        .dropCapabilities(["ALL"])
        .mount(.tmpfs(sizeBytes: 64 * 1024 * 1024), at: "/tmp")
        .replicas(3)
        .resources(
            Resources(cpuLimit: 1.5, memoryLimit: "1g", cpuReservation: 0.25, memoryReservation: "256m")
        )
        .restart(.unlessStopped)

        Service("web", image: "nginx:1.27.2")
            .publish(80, on: 8080)
            .publish(443, public: true)
            .publish(53, on: 5353, transport: .udp)
            .publish(9113, hostIP: "::1")
            .config("nginx_conf", at: "/etc/nginx/nginx.conf")
            .mount(.bind("static"), at: "/usr/share/nginx/html", readOnly: true)
            .mount(.bind("/var/log/shop"), at: "/var/log/nginx")
            .volume("backups", at: "/backups", readOnly: true)
            .mount(.tmpfs(sizeBytes: nil), at: "/var/cache/nginx")
            .networks("frontend", "proxy")
            .dependsOn("api", condition: .started)
            .restart(.onFailure(maxAttempts: nil))
            .resources(Resources(memoryLimit: "128m"))
            .dropCapabilities(["NET_RAW", "SYS_ADMIN"])

        Service("backup", image: "busybox:1.36")
            .command([
                "sh", "-c", "tar czf /backups/db-$(date +%F).tgz -C /data . && echo \"done: $HOSTNAME\"",
            ])
            .volume("db-data", at: "/data", readOnly: true)
            .volume("backups", at: "/backups")
            .restart(.never)
            .replicas(0)
    }

    /// A stack whose values depend on the environment, as real stacks do.
    static func catalog(_ environment: Environment) -> Stack {
        Stack("catalog") {
            Network("internal", internal: true)
            Volume("search-index")
            if environment.isProduction {
                Network.external("edge", realName: "edge-proxy")
            } else {
                // Docker publishes no port of a container that is only on internal networks.
                Network("frontend")
            }

            Service(
                "search",
                image: environment.isProduction
                    ? "opensearchproject/opensearch:2.17.1" : "opensearchproject/opensearch:2"
            )
            .environment("DISABLE_SECURITY_PLUGIN", "true")
            .environment(
                "OPENSEARCH_JAVA_OPTS", environment.isProduction ? "-Xms2g -Xmx2g" : "-Xms512m -Xmx512m"
            )
            .volume("search-index", at: "/usr/share/opensearch/data")
            .networks("internal")
            .healthCheck(
                HealthCheck(
                    .command(["curl", "-fsS", "http://localhost:9200/_cluster/health"]),
                    interval: .seconds(30))
            )
            .resources(
                environment.isProduction
                    ? Resources(cpuLimit: 4, memoryLimit: .gigabytes(4), memoryReservation: .gigabytes(3))
                    : Resources(memoryLimit: .gigabytes(1)))

            if environment.isProduction {
                Service("catalog", image: "ghcr.io/acme/catalog:5.0.2")
                    .environment("CATALOG_ENV", environment.name)
                    .environment("LOG_LEVEL", "warn")
                    .expose(8000)
                    .networks("internal", "edge")
                    .dependsOn("search", condition: .healthy)
                    .label("traefik.enable", "true")
                    .replicas(4)
                    .readOnlyRootFilesystem()
                    .mount(.tmpfs(sizeBytes: 16_777_216), at: "/tmp")
            } else {
                Service("catalog", image: "ghcr.io/acme/catalog:dev")
                    .environment("CATALOG_ENV", environment.name)
                    .environment("LOG_LEVEL", "debug")
                    .environment("RELOAD", "on")
                    .publish(8000, on: 18000)
                    .mount(.bind("Sources/Catalog"), at: "/app/src", readOnly: true)
                    .networks("internal", "frontend")
                    .dependsOn("search", condition: .healthy)
                    .restart(.never)
            }
        }
    }

    /// The golden files: their name and what they render.
    struct Golden: Sendable, CustomTestStringConvertible {
        var name: String
        var stack: Stack
        var environment: Environment

        var testDescription: String { name }

        /// Where the renderer's output sits inside the package, matching its default
        /// `pathToPackage` of `../../..`.
        var relativePath: String { ".berth/\(stack.name)/\(environment.name)/compose.yaml" }
    }

    static let goldens: [Golden] = [
        Golden(name: "minimal", stack: minimal, environment: .dev),
        Golden(name: "everything", stack: everything, environment: .dev),
        Golden(name: "catalog-dev", stack: catalog(.dev), environment: .dev),
        Golden(name: "catalog-prod", stack: catalog(.prod), environment: .prod),
    ]
}
