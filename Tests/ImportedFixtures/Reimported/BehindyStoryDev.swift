import Berth

/// The `behindy-story` stack as Berth rendered it for dev (the Compose project
/// `behindy-story-dev`), imported by `berth import`. IMPORT-REPORT.md lists what was not carried over
/// as it was; each such place is also a comment below.
public enum BehindyStoryDev {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [Environment.dev]

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
            Service("llm", image: "berth-test/busybox:1")
                .command([
                    "sh", "-c",
                    "mkdir -p /www/ && echo 'behindy-story' > /www//index.html && exec httpd -f -p 8000 -h /www",
                ])
                .environment("REDIS_URL", "redis://redis:6379/1")
                .expose(8000)
                .networks("internal")
                .healthCheck(
                    HealthCheck(
                        .command(["timeout", "3", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8000/"]),
                        interval: .seconds(2), timeout: .seconds(4), retries: 15, startPeriod: .seconds(0))
                )
                .route(
                    "behindy.localhost", path: "/llm", port: 8000,
                    middlewares: [
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
