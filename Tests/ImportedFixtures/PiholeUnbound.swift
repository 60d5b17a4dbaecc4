import Berth

/// The `pihole-unbound` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum PiholeUnbound {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("pihole-unbound") {
            // compose: networks.dns.ipam is not imported
            Network("dns")
            Secret("pihole_webpassword", .file("secrets/pihole_webpassword.txt"))
            Service("pihole", image: "pihole/pihole:2024.06.0")
                // compose: container_name: "pihole" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
                // compose: dns: ["127.0.0.1", "1.1.1.1"] — not imported: no equivalent in Berth
                // compose: hostname: "pihole" — not imported: the service's name is its host name on its networks.
                .environment("DNSMASQ_LISTENING", "all")
                .environment("DNSSEC", "true")
                .environment("FTLCONF_LOCAL_IPV4", "192.168.1.2")
                .environment("PIHOLE_DNS_", "172.31.53.3#53")
                .environment("TZ", "Europe/London")
                .environment("WEBPASSWORD_FILE", "/run/secrets/pihole_webpassword")
                .publish(53, public: true)
                .publish(53, public: true, transport: .udp)
                .publish(80, on: 8053)
                .networks("dns")
                // compose: networks.dns settings (not imported)
                .mount(.bind("etc-pihole"), at: "/etc/pihole")
                .mount(.bind("etc-dnsmasq.d"), at: "/etc/dnsmasq.d")
                .secret("pihole_webpassword")
                .dependsOn("unbound", condition: .started)
                .capabilities(["NET_ADMIN", "SYS_NICE"])
            Service("unbound", image: "mvance/unbound:1.20.0")
                // compose: container_name: "unbound" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
                .networks("dns")
                // compose: networks.dns settings (not imported)
                .mount(.bind("unbound/unbound.conf"), at: "/opt/unbound/etc/unbound/unbound.conf", readOnly: true)
                .healthCheck(
                    HealthCheck(
                        .command(["drill", "@127.0.0.1", "example.com"]), interval: .seconds(30), timeout: .seconds(30),
                        retries: 3, startPeriod: .seconds(30)))
        }
    }
}
