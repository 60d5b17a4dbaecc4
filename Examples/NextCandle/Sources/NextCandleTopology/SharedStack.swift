import Berth

/// The shared stack, deployed with `swift run DeployShared up --env dev|stg|prod` after the
/// environment stack, whose networks it joins.
///
/// - `minio` (S3-compatible object storage), `grafana` and `n8n` are reached through the
///   environment's tunnel and gateway, on `traefik-public`.
/// - `prometheus` scrapes Traefik, MinIO, the exporters and the applications; `loki` keeps the
///   logs `promtail` collects from every node's engine; `grafana` shows both.
/// - `node-exporter`, `cadvisor` and `promtail` run in global mode, one task on every node.
/// - `redis-exporter` reads the environment's Redis statistics over its `internal` network.
public let nextcandleShared = Deployment(environments: NextCandle.environments) { environment in
    NextCandle.sharedStack(for: environment)
}

extension NextCandle {
    /// The shared stack's name; Swarm calls it `nextcandle-shared-<environment>`.
    public static let sharedStackName = "nextcandle-shared"

    /// The shared stack of an environment.
    public static func sharedStack(for environment: Environment) -> Stack {
        Stack(sharedStackName) {
            // The environment stack's networks, joined under their engine names.
            Network.external("traefik-public", realName: networkName("traefik-public", in: environment))
            Network.external("internal", realName: networkName("internal", in: environment))
            // Scraping and log shipping; nothing on it needs the outside world.
            Network("monitoring", internal: true)
            Volume("minio-data")
            Volume("prometheus-data")
            Volume("grafana-data")
            Volume("loki-data")
            Volume("n8n-data")
            Secret.generated("minio_root_password")
            Secret.generated("grafana_admin_password")
            Secret.generated("n8n_encryption_key", length: 48)
            Config("prometheus", .content(prometheusConfiguration(environment)))
            Config("loki", .file("configs/loki/loki-config.yml"))
            Config("promtail", .file("configs/promtail/promtail-config.yml"))
            Config("grafana-datasources", .file("configs/grafana/provisioning/datasources/datasources.yml"))

            minio(environment)
            prometheus(environment)
            grafana(environment)
            loki(environment)
            promtail(environment)
            redisExporter(environment)
            nodeExporter(environment)
            cadvisor(environment)
            n8n(environment)
        }
    }

    /// A health check that fetches a URL inside the container with busybox `wget`.
    static func httpCheck(_ url: String, interval: Duration = .seconds(30), startPeriod: Duration = .seconds(10))
        -> HealthCheck
    {
        HealthCheck(
            .command(["wget", "-q", "--spider", url]), interval: interval, timeout: .seconds(10), retries: 3,
            startPeriod: startPeriod)
    }

    static func minio(_ environment: Environment) -> Service {
        Service("minio", image: Images.minio)
            .command(["server", "/data", "--console-address", ":9001"])
            .environment("MINIO_ROOT_USER", "nextcandle")
            .secret("minio_root_password", pathVariable: "MINIO_ROOT_PASSWORD_FILE")
            .environment("MINIO_PROMETHEUS_AUTH_TYPE", "public")
            .environment("MINIO_BROWSER_REDIRECT_URL", "https://\(hostname("minio", in: environment))")
            .volume("minio-data", at: "/data")
            .networks("traefik-public", "monitoring")
            .expose(9000)
            .expose(9001)
            .healthCheck(
                HealthCheck(
                    .command(["mc", "ready", "local"]), interval: .seconds(30), timeout: .seconds(10), retries: 3,
                    startPeriod: .seconds(10))
            )
            .routed("minio", host: hostname("minio", in: environment), port: 9001, in: environment)
            .routed("s3", host: hostname("s3", in: environment), port: 9000, in: environment)
            .resources(.application, in: environment)
            .restartOnFailure(in: environment)
            .rollout(.stopFirst)
    }

    /// Prometheus' scrape targets, by their Swarm DNS names (`tasks.<service>` lists every task).
    static func prometheusConfiguration(_ environment: Environment) -> String {
        let shared = SwarmRenderer.stackName(stack: sharedStackName, environment: environment.name)
        func tasks(_ service: String, port: Int) -> String {
            "[{ names: [\"tasks.\(service)\"], type: A, port: \(port) }]"
        }
        return """
            global:
              scrape_interval: 15s
              evaluation_interval: 15s
              external_labels:
                environment: \(environment.name)
            scrape_configs:
              - job_name: prometheus
                static_configs: [{ targets: ["localhost:9090"] }]
              - job_name: traefik
                dns_sd_configs: \(tasks(serviceName("traefik", in: environment), port: 8080))
              - job_name: minio
                metrics_path: /minio/v2/metrics/cluster
                static_configs: [{ targets: ["minio:9000"] }]
              - job_name: redis
                static_configs: [{ targets: ["redis-exporter:9121"] }]
              - job_name: node-exporter
                dns_sd_configs: \(tasks("\(shared)_node-exporter", port: 9100))
              - job_name: cadvisor
                dns_sd_configs: \(tasks("\(shared)_cadvisor", port: 8080))
              - job_name: loki
                static_configs: [{ targets: ["loki:3100"] }]
              # Application services, deployed apart from this package onto traefik-public.
              - job_name: auth
                dns_sd_configs: \(tasks(serviceName("auth", in: environment), port: 9090))

            """
    }

    static func prometheus(_ environment: Environment) -> Service {
        Service("prometheus", image: Images.prometheus)
            .command([
                "--config.file=/etc/prometheus/prometheus.yml",
                "--storage.tsdb.path=/prometheus",
                "--storage.tsdb.retention.time=15d",
            ])
            .config("prometheus", at: "/etc/prometheus/prometheus.yml")
            .volume("prometheus-data", at: "/prometheus")
            // traefik-public: Traefik's metrics and the applications'.
            .networks("monitoring", "traefik-public")
            .expose(9090)
            .healthCheck(httpCheck("http://127.0.0.1:9090/-/healthy"))
            .resources(.monitoring, in: environment)
            .restartOnFailure(in: environment)
            .rollout(.stopFirst)
    }

    static func grafana(_ environment: Environment) -> Service {
        Service("grafana", image: Images.grafana)
            .secret("grafana_admin_password", pathVariable: "GF_SECURITY_ADMIN_PASSWORD__FILE")
            .environment("GF_SERVER_ROOT_URL", "https://\(hostname("grafana", in: environment))")
            .environment("GF_USERS_ALLOW_SIGN_UP", "false")
            .environment("GF_ANALYTICS_REPORTING_ENABLED", "false")
            .config("grafana-datasources", at: "/etc/grafana/provisioning/datasources/datasources.yml")
            .volume("grafana-data", at: "/var/lib/grafana")
            .networks("monitoring", "traefik-public")
            .expose(3000)
            .healthCheck(httpCheck("http://127.0.0.1:3000/api/health"))
            .routed("grafana", host: hostname("grafana", in: environment), port: 3000, in: environment)
            .resources(.monitoring, in: environment)
            .restartOnFailure(in: environment)
            .rollout(.stopFirst)
    }

    static func loki(_ environment: Environment) -> Service {
        Service("loki", image: Images.loki)
            .command(["-config.file=/etc/loki/config.yml"])
            .config("loki", at: "/etc/loki/config.yml")
            .volume("loki-data", at: "/loki")
            .networks("monitoring")
            .expose(3100)
            .healthCheck(httpCheck("http://127.0.0.1:3100/ready"))
            .resources(.monitoring, in: environment)
            .restartOnFailure(in: environment)
            .rollout(.stopFirst)
    }

    static func promtail(_ environment: Environment) -> Service {
        Service("promtail", image: Images.promtail)
            .command(["-config.file=/etc/promtail/config.yml"])
            .config("promtail", at: "/etc/promtail/config.yml")
            // Reads every container's logs, with their Swarm labels, from the node's engine.
            .mount(.bind("/var/run/docker.sock"), at: "/var/run/docker.sock", readOnly: true)
            .networks("monitoring")
            .deployMode(.global)
            .healthCheck(
                HealthCheck(
                    .command(["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9080"]), interval: .seconds(30),
                    timeout: .seconds(10), retries: 3, startPeriod: .seconds(10))
            )
            .resources(.exporter, in: environment)
            .restartOnFailure(in: environment)
            .rollout(.startFirst)
    }

    static func redisExporter(_ environment: Environment) -> Service {
        let user = redisStatisticsUser
        return Service("redis-exporter", image: Images.redisExporter)
            // The statistics user is `nopass`: Redis takes any password from it, and the
            // exporter only authenticates when it has one to send.
            .environment(
                "REDIS_ADDR",
                .notSecret("redis://\(user.name):\(user.password)@\(serviceName("redis", in: environment)):6379")
            )
            // The statistics user may not run CONFIG.
            .environment("REDIS_EXPORTER_CONFIG_COMMAND", "-")
            .networks("internal", "monitoring")
            .expose(9121)
            // The image has nothing but the exporter: no shell, no HTTP client.
            .healthCheck(
                HealthCheck(
                    .command(["/redis_exporter", "-version"]), interval: .seconds(30), timeout: .seconds(10),
                    retries: 3)
            )
            .resources(.exporter, in: environment)
            .restartOnFailure(in: environment)
            .rollout(.startFirst)
    }

    static func nodeExporter(_ environment: Environment) -> Service {
        Service("node-exporter", image: Images.nodeExporter)
            .command(["--path.rootfs=/host"])
            .mount(.bind("/"), at: "/host", readOnly: true)
            .networks("monitoring")
            .deployMode(.global)
            .expose(9100)
            .healthCheck(httpCheck("http://127.0.0.1:9100/metrics"))
            .readOnlyRootFilesystem()
            .resources(.exporter, in: environment)
            .restartOnFailure(in: environment)
            .rollout(.startFirst)
    }

    static func cadvisor(_ environment: Environment) -> Service {
        Service("cadvisor", image: Images.cadvisor)
            .command(["--docker_only=true", "--housekeeping_interval=30s"])
            .mount(.bind("/"), at: "/rootfs", readOnly: true)
            .mount(.bind("/var/run"), at: "/var/run", readOnly: true)
            .mount(.bind("/sys"), at: "/sys", readOnly: true)
            .mount(.bind("/var/lib/docker"), at: "/var/lib/docker", readOnly: true)
            .networks("monitoring")
            .deployMode(.global)
            .expose(8080)
            .healthCheck(httpCheck("http://127.0.0.1:8080/healthz"))
            .resources(.exporter, in: environment)
            .restartOnFailure(in: environment)
            .rollout(.startFirst)
    }

    static func n8n(_ environment: Environment) -> Service {
        let host = hostname("n8n", in: environment)
        return Service("n8n", image: Images.n8n)
            .environment("N8N_HOST", host)
            .environment("N8N_PROTOCOL", "https")
            .environment("WEBHOOK_URL", "https://\(host)/")
            .environment("GENERIC_TIMEZONE", "Asia/Seoul")
            .environment("N8N_DIAGNOSTICS_ENABLED", "false")
            .secret("n8n_encryption_key", pathVariable: "N8N_ENCRYPTION_KEY_FILE")
            .volume("n8n-data", at: "/home/node/.n8n")
            .networks("traefik-public")
            .expose(5678)
            .healthCheck(httpCheck("http://127.0.0.1:5678/healthz", startPeriod: .seconds(30)))
            .routed("n8n", host: host, port: 5678, in: environment)
            .resources(.application, in: environment)
            .restartOnFailure(in: environment)
            .rollout(.stopFirst)
    }
}
