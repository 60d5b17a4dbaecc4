import Berth

/// The `static-site` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum StaticSite {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("static-site") {
            Volume("caddy_config")
            Volume("caddy_data")
            Service("site", image: "caddy:2.8-alpine")
                .environment("SITE_ADDRESS", "www.example.test")
                .publish(80, public: true)
                .publish(443, public: true)
                .publish(443, public: true, transport: .udp)
                .mount(.bind("Caddyfile"), at: "/etc/caddy/Caddyfile", readOnly: true)
                .mount(.bind("public"), at: "/srv", readOnly: true)
                .volume("caddy_data", at: "/data")
                .volume("caddy_config", at: "/config")
                .label("com.example.description", "Marketing site")
                .label("com.example.owner", "web-team")
        }
    }
}
