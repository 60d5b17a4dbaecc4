import Berth

/// The `monitoring` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum Monitoring {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("monitoring") {
            // compose: networks.monitoring.ipam is not imported
            Network("monitoring")
            Volume("alertmanager-data")
            Volume("grafana-data")
            Volume("loki-data")
            Volume("prometheus-data")
            Secret("grafana_admin_password", .file("grafana/admin_password.txt"))
            Config("alert_rules", .file("config/alerts.yml"))
            Config("alertmanager_config", .file("config/alertmanager.yml"))
            Config(
                "grafana_datasources",
                .content(
                    "apiVersion: 1\ndatasources:\n  - name: Prometheus\n    type: prometheus\n    url: http://prometheus:9090\n    isDefault: true\n  - name: Loki\n    type: loki\n    url: http://loki:3100\n"
                ))
            Config("prometheus_config", .file("config/prometheus.yml"))
            Service("alertmanager", image: "prom/alertmanager:v0.27.0")
                .command(["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"])
                .networks("monitoring")
                .volume("alertmanager-data", at: "/alertmanager")
                .config("alertmanager_config", at: "/etc/alertmanager/alertmanager.yml")
            // compose: configs.alertmanager_config.mode is not imported
            Service("grafana", image: "grafana/grafana-oss:11.1.0")
                .environment("GF_SECURITY_ADMIN_PASSWORD__FILE", "/run/secrets/grafana_admin_password")
                .environment("GF_SECURITY_ADMIN_USER", "admin")
                .environment("GF_SERVER_ROOT_URL", "https://grafana.example.test")
                .environment("GF_USERS_ALLOW_SIGN_UP", "false")
                .publish(3000, public: true)
                .networks("monitoring")
                .volume("grafana-data", at: "/var/lib/grafana")
                .mount(.bind("grafana/dashboards"), at: "/var/lib/grafana/dashboards", readOnly: true)
                .secret("grafana_admin_password")
                .config("grafana_datasources", at: "/etc/grafana/provisioning/datasources/datasources.yaml")
                .dependsOn("loki", condition: .started)
                .dependsOn("prometheus", condition: .started)
                .user("472")
            Service("loki", image: "grafana/loki:3.0.0")
                .command(["-config.file=/etc/loki/local-config.yaml"])
                .expose(3100)
                .networks("monitoring")
                .mount(.bind("loki/loki.yaml"), at: "/etc/loki/local-config.yaml", readOnly: true)
                .volume("loki-data", at: "/loki")
                .user("10001")
            Service("prometheus", image: "prom/prometheus:v2.53.0")
                .command([
                    "--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus",
                    "--storage.tsdb.retention.time=15d", "--web.enable-lifecycle",
                ])
                .publish(9090)
                .networks("monitoring")
                .volume("prometheus-data", at: "/prometheus")
                .config("prometheus_config", at: "/etc/prometheus/prometheus.yml")
                .config("alert_rules", at: "/etc/prometheus/rules/alerts.yml")
                .user("65534:65534")
        }
    }
}
