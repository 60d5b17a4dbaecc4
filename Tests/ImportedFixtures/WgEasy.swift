import Berth

/// The `wg-easy` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum WgEasy {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("wg-easy") {
            Volume("etc_wireguard")
            Service("wg-easy", image: "ghcr.io/wg-easy/wg-easy:13")
                // compose: container_name: "wg-easy" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
                // compose: hostname: "wg-easy" — not imported: the service's name is its host name on its networks.
                // compose: stop_signal: "SIGINT" — not imported: no equivalent in Berth
                // compose: sysctls: {net.ipv4.conf.all.src_valid_mark: "1", net.ipv4.ip_forward: "1"} — not imported: not supported yet.
                .environment("LANG", "en")
                .environment("PASSWORD_HASH", "$2a$12$notarealhashnotarealhashnotarealhashnotarealhas")
                .environment("UI_TRAFFIC_STATS", "true")
                .environment("WG_ALLOWED_IPS", "10.0.0.0/8, 192.168.0.0/16")
                .environment("WG_DEFAULT_ADDRESS", "10.8.0.x")
                .environment("WG_DEFAULT_DNS", "1.1.1.1")
                .environment("WG_HOST", "vpn.example.test")
                .environment("WG_PERSISTENT_KEEPALIVE", "25")
                .environment("WG_PORT", "51820")
                .publish(51820, public: true, transport: .udp)
                .publish(51821)
                .volume("etc_wireguard", at: "/etc/wireguard")
                .capabilities(["NET_ADMIN", "SYS_MODULE"])
                .stopGracePeriod(.seconds(10))
        }
    }
}
