import Berth

/// The `behindy-front` stack as Berth rendered it for prod (the Compose project
/// `behindy-front-prod`), imported by `berth import`. IMPORT-REPORT.md lists what was not carried over
/// as it was; each such place is also a comment below.
public enum BehindyFrontProd {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [Environment.prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("behindy-front") {
            // The gateway the routes go through, and the stack that runs it, are not in the file: use that stack's handle.
            Gateway.nginx(
                service: "nginx",
                network: SharedNetwork("internal", engineName: "behindy_internal", owner: "shared-infrastructure"))
            Service("front", image: "ghcr.io/behindy3359/behindy-front:1.0.0")
                .command(["node", "server.js"])
                .environment("NEXT_PUBLIC_API_URL", "https://behindy.me/api")
                .expose(3000)
                .networks("internal")
                .healthCheck(
                    HealthCheck(
                        .command(["timeout", "3", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3000/"]),
                        interval: .seconds(2), timeout: .seconds(4), retries: 15, startPeriod: .seconds(0))
                )
                .route(
                    "behindy.me", port: 3000,
                    tls: .certificate(
                        certificate: "/etc/letsencrypt/live/behindy.me/fullchain.pem",
                        key: "/etc/letsencrypt/live/behindy.me/privkey.pem"),
                    middlewares: [
                        .redirectToHTTPS,
                        .securityHeaders(
                            SecurityHeaders(
                                strictTransportSecuritySeconds: 31_536_000, frameDeny: true, contentTypeNosniff: true,
                                referrerPolicy: "strict-origin-when-cross-origin", contentSecurityPolicy: nil)),
                        .websockets,
                    ],
                    health: UpstreamHealth(
                        path: "/health", interval: .seconds(10), timeout: .seconds(3), maxFails: 3,
                        failTimeout: .seconds(10))
                )
                .resources(Resources(cpuLimit: 0.5, memoryLimit: "256m"))
        }
    }
}
