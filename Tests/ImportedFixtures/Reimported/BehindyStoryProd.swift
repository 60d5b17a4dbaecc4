import Berth

/// The `behindy-story` stack as Berth rendered it for prod (the Compose project
/// `behindy-story-prod`), imported by `berth import`. IMPORT-REPORT.md lists what was not carried over
/// as it was; each such place is also a comment below.
public enum BehindyStoryProd {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [Environment.prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("behindy-story") {
            // The gateway the routes go through, and the stack that runs it, are not in the file: use that stack's handle.
            Gateway.nginx(
                service: "nginx",
                network: SharedNetwork("internal", engineName: "behindy_internal", owner: "shared-infrastructure"))
            Service("llm", image: "ghcr.io/behindy3359/behindy-story:1.0.0")
                .command(["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"])
                .environment("REDIS_URL", "redis://redis:6379/1")
                .expose(8000)
                .networks("internal")
                .healthCheck(
                    HealthCheck(
                        .command(["timeout", "3", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8000/"]),
                        interval: .seconds(2), timeout: .seconds(4), retries: 15, startPeriod: .seconds(0))
                )
                .route(
                    "behindy.me", path: "/llm", port: 8000,
                    tls: .certificate(
                        certificate: "/etc/letsencrypt/live/behindy.me/fullchain.pem",
                        key: "/etc/letsencrypt/live/behindy.me/privkey.pem"),
                    middlewares: [
                        .redirectToHTTPS,
                        .securityHeaders(
                            SecurityHeaders(
                                strictTransportSecuritySeconds: 31_536_000, frameDeny: true, contentTypeNosniff: true,
                                referrerPolicy: "strict-origin-when-cross-origin", contentSecurityPolicy: nil)),
                        .stripPrefix, .rateLimit(RateLimit(average: 30, period: .seconds(60), burst: 10)),
                    ]
                )
                .resources(Resources(cpuLimit: 1, memoryLimit: "1g"))
        }
    }
}
