import Berth

/// The `gluetun-vpn` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum GluetunVpn {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("gluetun-vpn") {
            // compose: volumes.downloads.driver is not imported
            // compose: volumes.downloads.driver_opts is not imported
            Volume("downloads")
            // A literal credential in the Compose file: export WIREGUARD_PRIVATE_KEY where you deploy.
            Secret("wireguard_private_key", .environment("WIREGUARD_PRIVATE_KEY"))
            Service("gluetun", image: "qmcgaw/gluetun:v3.38")
                // compose: container_name: "gluetun" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
                // compose: devices: [{permissions: "rwm", source: "/dev/net/tun", target: "/dev/net/tun"}] — not imported: devices are not supported.
                .environment("HTTPPROXY", "on")
                .environment("SERVER_CITIES", "Amsterdam")
                .environment("TZ", "Europe/Amsterdam")
                .environment("UPDATER_PERIOD", "24h")
                .environment("VPN_SERVICE_PROVIDER", "mullvad")
                .environment("VPN_TYPE", "wireguard")
                .environment("WIREGUARD_ADDRESSES", "10.64.222.21/32")
                // WIREGUARD_PRIVATE_KEY was a literal credential: the service reads WIREGUARD_PRIVATE_KEY_FILE.
                .secret("wireguard_private_key", pathVariable: "WIREGUARD_PRIVATE_KEY_FILE")
                .publish(8888, public: true)
                .publish(8388, public: true)
                .publish(8388, public: true, transport: .udp)
                .publish(8090, public: true)
                .mount(.bind("gluetun"), at: "/gluetun")
                .capabilities(["NET_ADMIN"])
            Service("qbittorrent", image: "lscr.io/linuxserver/qbittorrent:4.6.5")
                // compose: container_name: "qbittorrent" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
                // compose: network_mode: "service:gluetun" — not imported: services attach to the stack's networks.
                .environment("PGID", "1000")
                .environment("PUID", "1000")
                .environment("TZ", "Europe/Amsterdam")
                .environment("WEBUI_PORT", "8090")
                .mount(.bind("qbittorrent"), at: "/config")
                .volume("downloads", at: "/downloads")
                .dependsOn("gluetun", condition: .started)
        }
    }
}
