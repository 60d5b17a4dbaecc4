import Berth

extension InfraPlatform {
    /// Metrics, logs and traces, and Grafana to read them.
    ///
    /// - Prometheus scrapes the platform (`configs/prometheus/prometheus.yml`) and receives the
    ///   span metrics Tempo derives from traces. It has no login of its own, so its route is
    ///   behind single sign-on.
    /// - Loki (`configs/loki/loki.yaml`) takes logs pushed to `loki:3100`, Tempo
    ///   (`configs/tempo/tempo.yaml`) takes OTLP traces on `tempo:4317` and `tempo:4318`; neither
    ///   is routed, only Grafana reads them.
    /// - Grafana signs users in with Keycloak itself (generic OAuth, PKCE), so its route is not
    ///   behind the gateway's sign-in; its data sources are provisioned from
    ///   `configs/grafana/datasources.yaml`.
    public static func observabilityPart(_ environment: Environment) -> StackPart {
        StackPart {
            Volume("prometheus-data")
            Volume("loki-data")
            Volume("tempo-data")
            Volume("grafana-data")
            Secret.generated("grafana_admin_password")
            Config("prometheus", .file("configs/prometheus/prometheus.yml"))
            Config("loki", .file("configs/loki/loki.yaml"))
            Config("tempo", .file("configs/tempo/tempo.yaml"))
            Config("grafana-datasources", .file("configs/grafana/datasources.yaml"))
            prometheusService(environment)
            lokiService()
            tempoService()
            grafanaService(environment)
        }
    }

    static func prometheusService(_ environment: Environment) -> Service {
        Service(prometheus.name, image: Images.prometheus)
            .command([
                "--config.file=/etc/prometheus/prometheus.yml",
                "--storage.tsdb.path=/prometheus",
                "--storage.tsdb.retention.time=\(environment.isProduction ? "30d" : "7d")",
                "--web.external-url=\(url("prometheus", in: environment))",
                // Tempo's metrics generator writes span metrics and service graphs here.
                "--web.enable-remote-write-receiver",
            ])
            .config("prometheus", at: "/etc/prometheus/prometheus.yml")
            .volume("prometheus-data", at: "/prometheus")
            .networks(network.name)
            .expose(prometheus.port)
            .healthCheck(.http(port: prometheus.port, path: "/-/healthy", interval: .seconds(15)))
            .dropCapabilities(["ALL"])
            .resources(Resources(cpuLimit: 1, memoryLimit: "1g"))
            .route(
                host("prometheus", in: environment), port: prometheus.port, tls: tls(in: environment),
                middlewares: middlewares(in: environment, signIn: true))
    }

    static func lokiService() -> Service {
        Service(loki.name, image: Images.loki)
            .command(["-config.file=/etc/loki/loki.yaml"])
            .config("loki", at: "/etc/loki/loki.yaml")
            .volume("loki-data", at: "/loki")
            .networks(network.name)
            .expose(loki.port)
            .healthCheck(.http(port: loki.port, path: "/ready", interval: .seconds(15), startPeriod: .seconds(20)))
            .dropCapabilities(["ALL"])
            .resources(Resources(cpuLimit: 1, memoryLimit: "1g"))
    }

    static func tempoService() -> Service {
        Service("tempo", image: Images.tempo)
            .command(["-config.file=/etc/tempo/tempo.yaml"])
            .config("tempo", at: "/etc/tempo/tempo.yaml")
            .volume("tempo-data", at: "/var/tempo")
            .networks(network.name)
            .expose(3200)
            .expose(4317)
            .expose(tempo.port)
            .healthCheck(.http(port: 3200, path: "/ready", interval: .seconds(15), startPeriod: .seconds(20)))
            .dropCapabilities(["ALL"])
            .resources(Resources(cpuLimit: 1, memoryLimit: "1g"))
    }

    static func grafanaService(_ environment: Environment) -> Service {
        let realmURL = issuer(in: environment)
        return Service("grafana", image: Images.grafana)
            // The image's own user, written out: Compose secret files are made readable for it.
            .user("472")
            .environment([
                "GF_SERVER_ROOT_URL": url("grafana", in: environment),
                "GF_SECURITY_ADMIN_USER": "admin",
                "GF_SECURITY_COOKIE_SECURE": "\(environment.isProduction)",
                "GF_USERS_ALLOW_SIGN_UP": "false",
                "GF_ANALYTICS_REPORTING_ENABLED": "false",
                "GF_AUTH_GENERIC_OAUTH_ENABLED": "true",
                "GF_AUTH_GENERIC_OAUTH_NAME": "Keycloak",
                "GF_AUTH_GENERIC_OAUTH_ALLOW_SIGN_UP": "true",
                "GF_AUTH_GENERIC_OAUTH_CLIENT_ID": grafanaClientID,
                "GF_AUTH_GENERIC_OAUTH_SCOPES": "openid email profile",
                "GF_AUTH_GENERIC_OAUTH_USE_PKCE": "true",
                // The browser goes to Keycloak's public host; Grafana's own calls stay on infra_net.
                "GF_AUTH_GENERIC_OAUTH_AUTH_URL": "\(realmURL)/protocol/openid-connect/auth",
                "GF_AUTH_GENERIC_OAUTH_TOKEN_URL": backChannel("token"),
                "GF_AUTH_GENERIC_OAUTH_API_URL": backChannel("userinfo"),
                "GF_AUTH_GENERIC_OAUTH_ROLE_ATTRIBUTE_PATH":
                    "contains(roles[*], '\(grafanaAdminRole)') && 'Admin' || 'Viewer'",
                "GF_AUTH_SIGNOUT_REDIRECT_URL": "\(realmURL)/protocol/openid-connect/logout",
            ])
            // Grafana reads any setting from a file named by the setting's variable + `__FILE`.
            .secret("grafana_admin_password", pathVariable: "GF_SECURITY_ADMIN_PASSWORD__FILE")
            .secret("grafana_client_secret", pathVariable: "GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET__FILE")
            .config("grafana-datasources", at: "/etc/grafana/provisioning/datasources/datasources.yaml")
            .volume("grafana-data", at: "/var/lib/grafana")
            .networks(network.name)
            .expose(3000)
            .healthCheck(.http(port: 3000, path: "/api/health", interval: .seconds(15), startPeriod: .seconds(20)))
            .dropCapabilities(["ALL"])
            .resources(Resources(cpuLimit: 1, memoryLimit: "512m"))
            .route(
                host("grafana", in: environment), port: 3000, tls: tls(in: environment),
                middlewares: middlewares(in: environment, signIn: false))
    }
}
