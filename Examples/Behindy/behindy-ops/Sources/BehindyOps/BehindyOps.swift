import Berth

/// The handles of Behindy's shared infrastructure, for the app repositories' `Deploy` targets.
///
/// ```swift
/// Stack("behindy-back") {
///     BehindyOps.gateway                       // routes go through the shared nginx
///     Service("api", image: …)
///         .networks(BehindyOps.network.name)   // the shared `internal` network
///         .environment("DB_HOST", BehindyOps.postgres.host)
///         .route(BehindyOps.host(environment), path: "/api", port: 8080)
/// }
/// ```
public enum BehindyOps {
    /// The stack that owns the shared infrastructure.
    public static let stackName = "behindy-ops"

    /// The network every Behindy service joins; the engine calls it `behindy_internal`.
    public static let network = SharedNetwork("internal", engineName: "behindy_internal", owner: stackName)

    /// The nginx gateway: the only service that takes traffic from outside.
    public static let gateway = Gateway.nginx(service: "nginx", network: network)

    /// PostgreSQL 15, shared by every app.
    public static let postgres = SharedService("postgres", port: 5432, network: network)

    /// Redis 7: sessions, refresh tokens, caches and rate-limit counters.
    public static let redis = SharedService("redis", port: 6379, network: network)

    /// The environments: `dev` runs on one machine with stand-in images built locally, `prod`
    /// is the real server.
    public static let environments: [Environment] = [.dev, .prod]

    /// The public host name of an environment.
    public static func host(_ environment: Environment) -> String {
        environment.isProduction ? "behindy.me" : "behindy.localhost"
    }

    /// How the gateway terminates TLS for Behindy's host: certbot's files on the production
    /// server (renewed on the host and mounted into the gateway), plain HTTP elsewhere.
    public static func tls(_ environment: Environment) -> RouteTLS {
        guard environment.isProduction else { return .none }
        let live = "\(certificatesDirectory)/live/\(host(environment))"
        return .certificate(certificate: "\(live)/fullchain.pem", key: "\(live)/privkey.pem")
    }

    /// What every route of Behindy adds in front of its own middlewares: HTTPS only, in
    /// production.
    public static func edgeMiddlewares(_ environment: Environment) -> [Middleware] {
        environment.isProduction ? [.redirectToHTTPS, .securityHeaders(.strict)] : [.securityHeaders(.strict)]
    }

    /// Where certbot keeps certificates, on the host and in the gateway.
    public static let certificatesDirectory = "/etc/letsencrypt"

    /// The host port the gateway publishes plain HTTP on.
    public static func httpPort(_ environment: Environment) -> Int {
        environment.isProduction ? 80 : 18088
    }

    /// The image a service runs: the real one in production, a stand-in built locally from
    /// busybox elsewhere (nothing is pulled on development machines and in tests).
    public static func image(_ production: Image, in environment: Environment) -> Image {
        environment.isProduction ? production : standIn
    }

    /// The locally built stand-in image.
    public static let standIn: Image = "berth-test/busybox:1"

    /// A stand-in web server: serves `text` at `/` and at each path in `paths`, on `port`.
    public static func standInServer(port: Int, text: String, paths: [String] = []) -> [String] {
        let pages = (["/"] + paths).map { path in
            "mkdir -p /www\(path) && echo '\(text)' > /www\(path)/index.html"
        }
        return ["sh", "-c", (pages + ["exec httpd -f -p \(port) -h /www"]).joined(separator: " && ")]
    }

    /// A health check that fetches a page over loopback with busybox `wget`.
    public static func httpCheck(port: Int, path: String = "/") -> HealthCheck {
        HealthCheck(
            .command(["timeout", "3", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:\(port)\(path)"]),
            interval: .seconds(2), timeout: .seconds(4), retries: 15)
    }
}
