import Berth

/// The `traefik-apps` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum TraefikApps {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("traefik-apps") {
            Network.external("proxy")
            Network.external("socket-proxy")
            Volume("letsencrypt")
            Volume("uptime-kuma")
            Service("traefik", image: "traefik:v3.0")
                // compose: container_name: "traefik" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
                .command([
                    "--api.dashboard=true", "--entrypoints.web.address=:80",
                    "--entrypoints.web.http.redirections.entrypoint.to=websecure",
                    "--entrypoints.websecure.address=:443", "--providers.docker.endpoint=tcp://socket-proxy:2375",
                    "--providers.docker.exposedbydefault=false", "--providers.docker.network=proxy",
                    "--providers.file.directory=/etc/traefik/dynamic",
                    "--certificatesresolvers.le.acme.email=ops@example.test",
                    "--certificatesresolvers.le.acme.storage=/letsencrypt/acme.json",
                    "--certificatesresolvers.le.acme.tlschallenge=true",
                ])
                .publish(80, public: true)
                .publish(443, public: true)
                .networks("proxy", "socket-proxy")
                .volume("letsencrypt", at: "/letsencrypt")
                .mount(.bind("traefik/dynamic"), at: "/etc/traefik/dynamic", readOnly: true)
                .label("traefik.enable", "true")
                .label("traefik.http.routers.dashboard.entrypoints", "websecure")
                .label("traefik.http.routers.dashboard.middlewares", "dashboard-auth@file")
                .label("traefik.http.routers.dashboard.rule", "Host(`traefik.example.test`)")
                .label("traefik.http.routers.dashboard.service", "api@internal")
                .label("traefik.http.routers.dashboard.tls.certresolver", "le")
            Service("uptime-kuma", image: "louislam/uptime-kuma:1.23.13")
                .networks("proxy")
                .volume("uptime-kuma", at: "/app/data")
                .label("com.example.team", "platform")
                .label("traefik.enable", "true")
                .label("traefik.http.routers.status.entrypoints", "websecure")
                .label("traefik.http.routers.status.rule", "Host(`status.example.test`)")
                .label("traefik.http.routers.status.tls.certresolver", "le")
                .label("traefik.http.services.status.loadbalancer.server.port", "3001")
            Service("whoami", image: "traefik/whoami:v1.10")
                .networks("proxy")
                .label("traefik.enable", "true")
                .label("traefik.http.routers.whoami.entrypoints", "websecure")
                .label("traefik.http.routers.whoami.rule", "Host(`whoami.example.test`)")
                .label("traefik.http.routers.whoami.tls.certresolver", "le")
                .label("traefik.http.services.whoami.loadbalancer.server.port", "80")
        }
    }
}
