import Berth

/// The `nextcandle-shared` stack as Berth rendered it for prod (the Compose project
/// `nextcandle-shared-prod`), imported by `berth import`. IMPORT-REPORT.md lists what was not carried over
/// as it was; each such place is also a comment below.
public enum NextcandleSharedProd {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [Environment.prod.on(.swarm)]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("nextcandle-shared") {
            Network.external("traefik-public", realName: "nextcandle-prod_traefik-public")
            Network.external("internal", realName: "nextcandle-prod_internal")
            Network("monitoring", internal: true)
            Volume("minio-data")
            Volume("prometheus-data")
            Volume("grafana-data")
            Volume("loki-data")
            Volume("n8n-data")
            Secret("minio_root_password", .environment("BERTH_SECRET_minio_root_password"))
            Secret("grafana_admin_password", .environment("BERTH_SECRET_grafana_admin_password"))
            Secret("n8n_encryption_key", .environment("BERTH_SECRET_n8n_encryption_key"))
            Config(
                "prometheus",
                .content(
                    "global:\n  scrape_interval: 15s\n  evaluation_interval: 15s\n  external_labels:\n    environment: prod\nscrape_configs:\n  - job_name: prometheus\n    static_configs: [{ targets: [\"localhost:9090\"] }]\n  - job_name: traefik\n    dns_sd_configs: [{ names: [\"tasks.nextcandle-prod_traefik\"], type: A, port: 8080 }]\n  - job_name: minio\n    metrics_path: /minio/v2/metrics/cluster\n    static_configs: [{ targets: [\"minio:9000\"] }]\n  - job_name: redis\n    static_configs: [{ targets: [\"redis-exporter:9121\"] }]\n  - job_name: node-exporter\n    dns_sd_configs: [{ names: [\"tasks.nextcandle-shared-prod_node-exporter\"], type: A, port: 9100 }]\n  - job_name: cadvisor\n    dns_sd_configs: [{ names: [\"tasks.nextcandle-shared-prod_cadvisor\"], type: A, port: 8080 }]\n  - job_name: loki\n    static_configs: [{ targets: [\"loki:3100\"] }]\n  # Application services, deployed apart from this package onto traefik-public.\n  - job_name: auth\n    dns_sd_configs: [{ names: [\"tasks.nextcandle-prod_auth\"], type: A, port: 9090 }]\n"
                ))
            Config("loki", .file("configs/loki/loki-config.yml"))
            Config("promtail", .file("configs/promtail/promtail-config.yml"))
            Config("grafana-datasources", .file("configs/grafana/provisioning/datasources/datasources.yml"))
            Service("minio", image: "minio/minio:RELEASE.2025-04-22T22-12-26Z")
                .command(["server", "/data", "--console-address", ":9001"])
                .environment("MINIO_ROOT_USER", "nextcandle")
                .environment("MINIO_PROMETHEUS_AUTH_TYPE", "public")
                .environment("MINIO_BROWSER_REDIRECT_URL", "https://minio.nextcandle.io")
                .environment("MINIO_ROOT_PASSWORD_FILE", "/run/secrets/minio_root_password")
                .networks("traefik-public", "monitoring")
                .volume("minio-data", at: "/data")
                .secret("minio_root_password")
                .healthCheck(
                    HealthCheck(
                        .command(["mc", "ready", "local"]), interval: .seconds(30), timeout: .seconds(10), retries: 3,
                        startPeriod: .seconds(10))
                )
                .restart(.onFailure(maxAttempts: 5), delay: .seconds(5))
                .updatePolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .rollback, monitor: .seconds(120),
                        maxFailureRatio: 0, order: .stopFirst)
                )
                .rollbackPolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .pause, monitor: .seconds(120), maxFailureRatio: 0,
                        order: .stopFirst)
                )
                .serviceLabel("traefik.enable", "true")
                .serviceLabel("io.nextcandle.environment", "prod")
                .serviceLabel("traefik.swarm.network", "nextcandle-prod_traefik-public")
                .serviceLabel("traefik.http.routers.minio-prod.rule", "Host(`minio.nextcandle.io`)")
                .serviceLabel("traefik.http.routers.minio-prod.entrypoints", "web")
                .serviceLabel("traefik.http.routers.minio-prod.middlewares", "security-headers@file,rate-limit@file")
                .serviceLabel("traefik.http.routers.minio-prod.service", "minio-prod")
                .serviceLabel("traefik.http.services.minio-prod.loadbalancer.server.port", "9001")
                .serviceLabel("traefik.http.routers.s3-prod.rule", "Host(`s3.nextcandle.io`)")
                .serviceLabel("traefik.http.routers.s3-prod.entrypoints", "web")
                .serviceLabel("traefik.http.routers.s3-prod.middlewares", "security-headers@file,rate-limit@file")
                .serviceLabel("traefik.http.routers.s3-prod.service", "s3-prod")
                .serviceLabel("traefik.http.services.s3-prod.loadbalancer.server.port", "9000")
                .resources(Resources(cpuLimit: 1, memoryLimit: "1024M", cpuReservation: 0.2, memoryReservation: "256M"))
            Service("prometheus", image: "prom/prometheus:v3.4.0")
                .command([
                    "--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus",
                    "--storage.tsdb.retention.time=15d",
                ])
                .networks("monitoring", "traefik-public")
                .volume("prometheus-data", at: "/prometheus")
                .config("prometheus", at: "/etc/prometheus/prometheus.yml")
                .healthCheck(
                    HealthCheck(
                        .command(["wget", "-q", "--spider", "http://127.0.0.1:9090/-/healthy"]), interval: .seconds(30),
                        timeout: .seconds(10), retries: 3, startPeriod: .seconds(10))
                )
                .restart(.onFailure(maxAttempts: 5), delay: .seconds(5))
                .updatePolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .rollback, monitor: .seconds(120),
                        maxFailureRatio: 0, order: .stopFirst)
                )
                .rollbackPolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .pause, monitor: .seconds(120), maxFailureRatio: 0,
                        order: .stopFirst)
                )
                .resources(
                    Resources(cpuLimit: 0.6, memoryLimit: "512M", cpuReservation: 0.1, memoryReservation: "128M"))
            Service("grafana", image: "grafana/grafana:12.0.0")
                .environment("GF_SERVER_ROOT_URL", "https://grafana.nextcandle.io")
                .environment("GF_USERS_ALLOW_SIGN_UP", "false")
                .environment("GF_ANALYTICS_REPORTING_ENABLED", "false")
                .environment("GF_SECURITY_ADMIN_PASSWORD__FILE", "/run/secrets/grafana_admin_password")
                .networks("monitoring", "traefik-public")
                .volume("grafana-data", at: "/var/lib/grafana")
                .secret("grafana_admin_password")
                .config("grafana-datasources", at: "/etc/grafana/provisioning/datasources/datasources.yml")
                .healthCheck(
                    HealthCheck(
                        .command(["wget", "-q", "--spider", "http://127.0.0.1:3000/api/health"]),
                        interval: .seconds(30), timeout: .seconds(10), retries: 3, startPeriod: .seconds(10))
                )
                .restart(.onFailure(maxAttempts: 5), delay: .seconds(5))
                .updatePolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .rollback, monitor: .seconds(120),
                        maxFailureRatio: 0, order: .stopFirst)
                )
                .rollbackPolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .pause, monitor: .seconds(120), maxFailureRatio: 0,
                        order: .stopFirst)
                )
                .serviceLabel("traefik.enable", "true")
                .serviceLabel("io.nextcandle.environment", "prod")
                .serviceLabel("traefik.swarm.network", "nextcandle-prod_traefik-public")
                .serviceLabel("traefik.http.routers.grafana-prod.rule", "Host(`grafana.nextcandle.io`)")
                .serviceLabel("traefik.http.routers.grafana-prod.entrypoints", "web")
                .serviceLabel("traefik.http.routers.grafana-prod.middlewares", "security-headers@file,rate-limit@file")
                .serviceLabel("traefik.http.routers.grafana-prod.service", "grafana-prod")
                .serviceLabel("traefik.http.services.grafana-prod.loadbalancer.server.port", "3000")
                .resources(
                    Resources(cpuLimit: 0.6, memoryLimit: "512M", cpuReservation: 0.1, memoryReservation: "128M"))
            Service("loki", image: "grafana/loki:3.5.0")
                .command(["-config.file=/etc/loki/config.yml"])
                .networks("monitoring")
                .volume("loki-data", at: "/loki")
                .config("loki", at: "/etc/loki/config.yml")
                .healthCheck(
                    HealthCheck(
                        .command(["wget", "-q", "--spider", "http://127.0.0.1:3100/ready"]), interval: .seconds(30),
                        timeout: .seconds(10), retries: 3, startPeriod: .seconds(10))
                )
                .restart(.onFailure(maxAttempts: 5), delay: .seconds(5))
                .updatePolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .rollback, monitor: .seconds(120),
                        maxFailureRatio: 0, order: .stopFirst)
                )
                .rollbackPolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .pause, monitor: .seconds(120), maxFailureRatio: 0,
                        order: .stopFirst)
                )
                .resources(
                    Resources(cpuLimit: 0.6, memoryLimit: "512M", cpuReservation: 0.1, memoryReservation: "128M"))
            Service("promtail", image: "grafana/promtail:3.5.0")
                .command(["-config.file=/etc/promtail/config.yml"])
                .networks("monitoring")
                .mount(.bind("/var/run/docker.sock"), at: "/var/run/docker.sock", readOnly: true)
                .config("promtail", at: "/etc/promtail/config.yml")
                .healthCheck(
                    HealthCheck(
                        .command(["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9080"]), interval: .seconds(30),
                        timeout: .seconds(10), retries: 3, startPeriod: .seconds(10))
                )
                .deployMode(.global)
                .restart(.onFailure(maxAttempts: 5), delay: .seconds(5))
                .updatePolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .rollback, monitor: .seconds(120),
                        maxFailureRatio: 0, order: .startFirst)
                )
                .rollbackPolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .pause, monitor: .seconds(120), maxFailureRatio: 0,
                        order: .startFirst)
                )
                .resources(Resources(cpuLimit: 0.4, memoryLimit: "256M", cpuReservation: 0.1, memoryReservation: "64M"))
            Service("redis-exporter", image: "oliver006/redis_exporter:v1.67.0")
                .environment("REDIS_ADDR", .notSecret("redis://exporter:stats-only@nextcandle-prod_redis:6379"))
                .environment("REDIS_EXPORTER_CONFIG_COMMAND", "-")
                .networks("internal", "monitoring")
                .healthCheck(
                    HealthCheck(
                        .command(["/redis_exporter", "-version"]), interval: .seconds(30), timeout: .seconds(10),
                        retries: 3, startPeriod: .seconds(0))
                )
                .restart(.onFailure(maxAttempts: 5), delay: .seconds(5))
                .updatePolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .rollback, monitor: .seconds(120),
                        maxFailureRatio: 0, order: .startFirst)
                )
                .rollbackPolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .pause, monitor: .seconds(120), maxFailureRatio: 0,
                        order: .startFirst)
                )
                .resources(Resources(cpuLimit: 0.4, memoryLimit: "256M", cpuReservation: 0.1, memoryReservation: "64M"))
            Service("node-exporter", image: "prom/node-exporter:v1.9.1")
                .command(["--path.rootfs=/host"])
                .networks("monitoring")
                .mount(.bind("/"), at: "/host", readOnly: true)
                .healthCheck(
                    HealthCheck(
                        .command(["wget", "-q", "--spider", "http://127.0.0.1:9100/metrics"]), interval: .seconds(30),
                        timeout: .seconds(10), retries: 3, startPeriod: .seconds(10))
                )
                .readOnlyRootFilesystem()
                .deployMode(.global)
                .restart(.onFailure(maxAttempts: 5), delay: .seconds(5))
                .updatePolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .rollback, monitor: .seconds(120),
                        maxFailureRatio: 0, order: .startFirst)
                )
                .rollbackPolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .pause, monitor: .seconds(120), maxFailureRatio: 0,
                        order: .startFirst)
                )
                .resources(Resources(cpuLimit: 0.4, memoryLimit: "256M", cpuReservation: 0.1, memoryReservation: "64M"))
            Service("cadvisor", image: "gcr.io/cadvisor/cadvisor:v0.49.1")
                .command(["--docker_only=true", "--housekeeping_interval=30s"])
                .networks("monitoring")
                .mount(.bind("/"), at: "/rootfs", readOnly: true)
                .mount(.bind("/var/run"), at: "/var/run", readOnly: true)
                .mount(.bind("/sys"), at: "/sys", readOnly: true)
                .mount(.bind("/var/lib/docker"), at: "/var/lib/docker", readOnly: true)
                .healthCheck(
                    HealthCheck(
                        .command(["wget", "-q", "--spider", "http://127.0.0.1:8080/healthz"]), interval: .seconds(30),
                        timeout: .seconds(10), retries: 3, startPeriod: .seconds(10))
                )
                .deployMode(.global)
                .restart(.onFailure(maxAttempts: 5), delay: .seconds(5))
                .updatePolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .rollback, monitor: .seconds(120),
                        maxFailureRatio: 0, order: .startFirst)
                )
                .rollbackPolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .pause, monitor: .seconds(120), maxFailureRatio: 0,
                        order: .startFirst)
                )
                .resources(Resources(cpuLimit: 0.4, memoryLimit: "256M", cpuReservation: 0.1, memoryReservation: "64M"))
            Service("n8n", image: "n8nio/n8n:1.91.3")
                .environment("N8N_HOST", "n8n.nextcandle.io")
                .environment("N8N_PROTOCOL", "https")
                .environment("WEBHOOK_URL", "https://n8n.nextcandle.io/")
                .environment("GENERIC_TIMEZONE", "Asia/Seoul")
                .environment("N8N_DIAGNOSTICS_ENABLED", "false")
                .environment("N8N_ENCRYPTION_KEY_FILE", "/run/secrets/n8n_encryption_key")
                .networks("traefik-public")
                .volume("n8n-data", at: "/home/node/.n8n")
                .secret("n8n_encryption_key")
                .healthCheck(
                    HealthCheck(
                        .command(["wget", "-q", "--spider", "http://127.0.0.1:5678/healthz"]), interval: .seconds(30),
                        timeout: .seconds(10), retries: 3, startPeriod: .seconds(30))
                )
                .restart(.onFailure(maxAttempts: 5), delay: .seconds(5))
                .updatePolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .rollback, monitor: .seconds(120),
                        maxFailureRatio: 0, order: .stopFirst)
                )
                .rollbackPolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .zero, failureAction: .pause, monitor: .seconds(120), maxFailureRatio: 0,
                        order: .stopFirst)
                )
                .serviceLabel("traefik.enable", "true")
                .serviceLabel("io.nextcandle.environment", "prod")
                .serviceLabel("traefik.swarm.network", "nextcandle-prod_traefik-public")
                .serviceLabel("traefik.http.routers.n8n-prod.rule", "Host(`n8n.nextcandle.io`)")
                .serviceLabel("traefik.http.routers.n8n-prod.entrypoints", "web")
                .serviceLabel("traefik.http.routers.n8n-prod.middlewares", "security-headers@file,rate-limit@file")
                .serviceLabel("traefik.http.routers.n8n-prod.service", "n8n-prod")
                .serviceLabel("traefik.http.services.n8n-prod.loadbalancer.server.port", "5678")
                .resources(Resources(cpuLimit: 1, memoryLimit: "1024M", cpuReservation: 0.2, memoryReservation: "256M"))
        }
    }
}
