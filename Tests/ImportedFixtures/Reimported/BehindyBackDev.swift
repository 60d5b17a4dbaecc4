import Berth

/// The `behindy-back` stack as Berth rendered it for dev (the Compose project
/// `behindy-back-dev`), imported by `berth import`. IMPORT-REPORT.md lists what was not carried over
/// as it was; each such place is also a comment below.
public enum BehindyBackDev {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [Environment.dev]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("behindy-back") {
            // The gateway the routes go through, and the stack that runs it, are not in the file: use that stack's handle.
            Gateway.nginx(
                service: "nginx",
                network: SharedNetwork("internal", engineName: "behindy_internal", owner: "shared-infrastructure"))
            Service("api", image: "berth-test/busybox:1")
                .command([
                    "sh", "-c",
                    "mkdir -p /www/ && echo 'behindy-back' > /www//index.html && mkdir -p /www/api && echo 'behindy-back' > /www/api/index.html && exec httpd -f -p 8080 -h /www",
                ])
                .environment("SPRING_DATASOURCE_URL", "jdbc:postgresql://postgres:5432/behindy")
                .environment("SPRING_DATA_REDIS_HOST", "redis")
                .environment("SPRING_DATA_REDIS_PORT", "6379")
                .expose(8080)
                .networks("internal")
                .healthCheck(
                    HealthCheck(
                        .command(["timeout", "3", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/api/"]),
                        interval: .seconds(2), timeout: .seconds(4), retries: 15, startPeriod: .seconds(0))
                )
                .route(
                    "behindy.localhost", path: "/api", port: 8080,
                    middlewares: [
                        .securityHeaders(
                            SecurityHeaders(
                                strictTransportSecuritySeconds: 31_536_000, frameDeny: true, contentTypeNosniff: true,
                                referrerPolicy: "strict-origin-when-cross-origin", contentSecurityPolicy: nil)),
                        .rateLimit(RateLimit(average: 20, period: .seconds(1), burst: 40)), .maxBodySize(10_485_760),
                    ],
                    health: UpstreamHealth(
                        path: "/health", interval: .seconds(10), timeout: .seconds(3), maxFails: 3,
                        failTimeout: .seconds(10))
                )
                .route(
                    "api.behindy.localhost", port: 8080,
                    middlewares: [
                        .securityHeaders(
                            SecurityHeaders(
                                strictTransportSecuritySeconds: 31_536_000, frameDeny: true, contentTypeNosniff: true,
                                referrerPolicy: "strict-origin-when-cross-origin", contentSecurityPolicy: nil))
                    ]
                )
                .resources(Resources(cpuLimit: 1, memoryLimit: "768m"))
        }
    }
}
