import BerthCore
import BerthGateway
import Testing

/// Stacks behind a Traefik gateway, rendered into the Traefik golden files.
enum TraefikFixtures {
    /// The shared infrastructure's edge network: created by `acme-infra`, joined by the others.
    static let edge = SharedNetwork("edge", engineName: "acme_edge", owner: "acme-infra")
    /// The Traefik gateway on it.
    static let gateway = Gateway.traefik(network: edge)

    /// An entry as `htpasswd -nB admin` prints it: every `$` must reach Traefik as one `$`.
    static let adminEntry = "admin:$2y$05$Vz8qQm3yJb1s0cN5aX7kPe8Yl3s2QZt9QJmQ4uD1xWcR6oH7eK2gS"

    /// Development on Compose.
    static let compose = Environment("dev")
    /// Production on Swarm.
    static let swarm = Environment("prod", isProduction: true, orchestrator: .swarm)

    /// Routes carry fixed locations, which the rendered `berth.routes` label records, so that
    /// editing this file does not change the golden files.
    ///
    /// An application behind the gateway: a site with TLS, a redirect, headers and a rate
    /// limit; an API under a path with forward authentication and a body limit; an admin host
    /// behind basic authentication; a database the gateway never sees.
    static func shop() -> Stack {
        Stack("shop") {
            gateway
            Network("backend", internal: true)
            Service("web", image: "ghcr.io/acme/shop-web:1.4.2")
                .expose(8080)
                .networks("edge")
                .healthCheck(.http(port: 8080, path: "/health"))
                .route(
                    "shop.example.com", port: 8080, tls: .resolver("letsencrypt"),
                    middlewares: [.redirectToHTTPS, .securityHeaders(.strict), .rateLimit(.perSecond(20))],
                    health: UpstreamHealth(path: "/health"), fileID: "Shop/Stack.swift", line: 20)
            Service("api", image: "ghcr.io/acme/shop-api:2.1.0")
                .expose(9000)
                .networks("edge", "backend")
                .healthCheck(.http(port: 9000, path: "/health"))
                .route(
                    "shop.example.com", path: "/api/", port: 9000, tls: .resolver("letsencrypt"),
                    middlewares: [.stripPrefix, .forwardAuth(.oauth2Proxy()), .maxBodySize(10_485_760), .websockets],
                    fileID: "Shop/Stack.swift", line: 30
                )
                .route(
                    "admin.example.com", port: 9000, middlewares: [.basicAuth(BasicAuth(users: [adminEntry]))],
                    fileID: "Shop/Stack.swift", line: 33)
            Service("db", image: "postgres:16.4")
                .expose(5432)
                .networks("backend")
                .healthCheck(HealthCheck(.command(["pg_isready"])))
        }
    }

    /// The stack that owns the gateway: Traefik itself with ACME and its dashboard, and one
    /// routed service of its own.
    static func infra(for environment: Environment) -> Stack {
        Stack("acme-infra") {
            gateway
            Traefik.stackPart(
                gateway: gateway, image: "traefik:v3.3.5", acmeEmail: "ops@acme.example",
                dashboardHost: "traefik.acme.example", dashboardUsers: BasicAuth(users: [adminEntry]),
                for: environment)
            Service("whoami", image: "traefik/whoami:v1.10.3")
                .expose(80)
                .networks("edge")
                .healthCheck(HealthCheck(.command(["/whoami", "--help"])))
                .route(
                    "whoami.acme.example", port: 80, tls: .resolver("letsencrypt"), fileID: "AcmeInfra/Stack.swift",
                    line: 14)
        }
    }

    /// One rendered golden document.
    struct Golden: Sendable, CustomTestStringConvertible {
        var name: String
        var stack: Stack
        var environment: Environment

        var testDescription: String { name }
    }

    static let goldens: [Golden] = [
        Golden(name: "traefik-shop-compose", stack: shop(), environment: compose),
        Golden(name: "traefik-shop-swarm", stack: shop(), environment: swarm),
        Golden(name: "traefik-infra-compose", stack: infra(for: compose), environment: compose),
        Golden(name: "traefik-infra-swarm", stack: infra(for: swarm), environment: swarm),
    ]
}
