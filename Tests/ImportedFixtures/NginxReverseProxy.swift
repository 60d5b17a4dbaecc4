import Berth

/// The `nginx-reverse-proxy` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum NginxReverseProxy {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("nginx-reverse-proxy") {
            Network("apps", internal: true)
            Network("edge")
            Service("api", image: "ghcr.io/example/public-api:7.3.1")
                .environment("FORWARDED_ALLOW_IPS", "*")
                .environment("TRUSTED_PROXIES", "172.16.0.0/12")
                .expose(9000)
                .networks("apps")
                .restart(.always)
            Service("docs", image: "ghcr.io/example/docs-site:2024.06")
                .expose(8080)
                .networks("apps")
                .restart(.always)
            Service("proxy", image: "nginx:1.27.0-alpine")
                // compose: container_name: "edge-proxy" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
                .publish(80, public: true)
                .publish(443, public: true)
                .publish(443, public: true, transport: .udp)
                .networks("apps", "edge")
                .mount(.bind("nginx/nginx.conf"), at: "/etc/nginx/nginx.conf", readOnly: true)
                .mount(.bind("nginx/conf.d"), at: "/etc/nginx/conf.d", readOnly: true)
                .mount(.bind("nginx/certs"), at: "/etc/nginx/certs", readOnly: true)
                .mount(.bind("html"), at: "/usr/share/nginx/html", readOnly: true)
                .healthCheck(
                    HealthCheck(
                        .command(["nginx", "-t"]), interval: .seconds(60), timeout: .seconds(30), retries: 3,
                        startPeriod: .seconds(0))
                )
                .dependsOn("api", condition: .started)
                .dependsOn("docs", condition: .started)
                .restart(.always)
                .writablePaths(["/var/cache/nginx", "/var/run", "/tmp"])
                .dropCapabilities(["ALL"])
                .capabilities(["NET_BIND_SERVICE", "CHOWN", "SETGID", "SETUID"])
            // compose: logging driver syslog (not imported)
        }
    }
}
