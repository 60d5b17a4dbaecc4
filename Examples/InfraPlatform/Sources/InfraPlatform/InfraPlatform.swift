import Berth

/// The infrastructure platform: one stack, `infra`, that every application of the organisation
/// runs on, and the handles app packages import to join it.
///
/// The stack is put together from one part per area, each in its own file:
///
/// | area | file | services |
/// | --- | --- | --- |
/// | gateway | `Gateway.swift` | `traefik` |
/// | single sign-on | `Auth.swift`, `Realm.swift` | `keycloak`, `oauth2-proxy` |
/// | observability | `Observability.swift` | `prometheus`, `loki`, `tempo`, `grafana` |
/// | data | `Data.swift` | `postgres`, `redis`, `minio` |
/// | messaging | `Messaging.swift` | `kafka` |
/// | inference | `Inference.swift` | `ollama` |
///
/// An app package deploys its own stack onto the platform with the handles:
/// ```swift
/// Stack("shop") {
///     InfraPlatform.gateway                          // routes become Traefik labels
///     Service("api", image: "ghcr.io/acme/shop-api:1.4.2")
///         .networks(InfraPlatform.network.name)      // the shared `infra_net`
///         .environment("DATABASE_HOST", InfraPlatform.postgres.host)
///         .expose(8080)
///         .healthCheck(.http(port: 8080, path: "/health"))
///         .route(
///             InfraPlatform.host("shop", in: environment), port: 8080,
///             tls: InfraPlatform.tls(in: environment),
///             middlewares: InfraPlatform.middlewares(in: environment, signIn: true))
/// }
/// ```
public enum InfraPlatform {
    /// The stack that owns the shared network and runs the gateway.
    public static let stackName = "infra"

    /// The bridge network every service of the platform and of the apps joins. The stack creates
    /// it as `infra_net`; other stacks refer to it as external, and Berth checks it exists
    /// before they deploy.
    public static let network = SharedNetwork("infra_net", engineName: "infra_net", owner: stackName)

    /// The Traefik gateway: the only service that takes traffic from outside, on ports 80 and 443.
    public static let gateway = Gateway.traefik(network: network)

    /// The environments: `dev` on a workstation over plain HTTP under `*.infra.localhost`,
    /// `prod` on the server over HTTPS with certificates from Let's Encrypt.
    public static let environments: [Environment] = [.dev, .prod]

    /// `swift run Deploy <command> --env dev|prod`.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The whole platform in an environment.
    public static func stack(for environment: Environment) -> Stack {
        Stack(stackName) {
            network
            gateway
            gatewayPart(environment)
            authPart(environment)
            observabilityPart(environment)
            dataPart(environment)
            messagingPart(environment)
            inferencePart(environment)
        }
    }

    // MARK: Host names and TLS

    /// The domain every host of an environment lives under.
    public static func domain(in environment: Environment) -> String {
        environment.isProduction ? "infra.example.com" : "infra.localhost"
    }

    /// `<name>.<domain>`: `grafana.infra.example.com` in production.
    public static func host(_ name: String, in environment: Environment) -> String {
        "\(name).\(domain(in: environment))"
    }

    /// The URL of a host as browsers reach it: `https://` in production, `http://` elsewhere.
    public static func url(_ name: String, in environment: Environment, path: String = "") -> String {
        "\(environment.isProduction ? "https" : "http")://\(host(name, in: environment))\(path)"
    }

    /// The ACME resolver Traefik obtains production certificates from.
    public static let certificateResolver = "letsencrypt"

    /// The address Let's Encrypt sends expiry notices to.
    public static let acmeEmail = "ops@example.com"

    /// How routes terminate TLS: certificates from ``certificateResolver`` in production, plain
    /// HTTP on a workstation (no public name, so no certificate to obtain).
    public static func tls(in environment: Environment) -> RouteTLS {
        environment.isProduction ? .resolver(certificateResolver) : .none
    }

    /// Asks oauth2-proxy whether the request carries a signed-in session; Keycloak is behind it.
    public static let signIn = Middleware.forwardAuth(.oauth2Proxy(host: oauth2Proxy.host, port: oauth2Proxy.port))

    /// The middlewares of a route on the platform, in order: in production a redirect from HTTP
    /// and security headers with HSTS; then, with `signIn`, the single sign-on check for tools
    /// that have no login of their own.
    /// - Parameters:
    ///   - signIn: Whether the route is behind ``signIn``.
    ///   - headers: The security headers; Keycloak needs its own framing policy.
    public static func middlewares(
        in environment: Environment, signIn: Bool, headers: SecurityHeaders = .strict
    ) -> [Middleware] {
        var result: [Middleware] = []
        var headers = headers
        if environment.isProduction {
            result.append(.redirectToHTTPS)
        } else {
            // HSTS on a plain-HTTP development host would only pin a name the browser cannot reach.
            headers.strictTransportSecuritySeconds = 0
        }
        result.append(.securityHeaders(headers))
        if signIn { result.append(Self.signIn) }
        return result
    }

    // MARK: Shared services

    /// PostgreSQL 16. Each app gets a role and a database of its own.
    public static let postgres = SharedService("postgres", port: 5432, network: network)
    /// Redis 7.4, with a password (the secret `redis_password`) and an append-only file.
    public static let redis = SharedService("redis", port: 6379, network: network)
    /// MinIO's S3 API.
    public static let minio = SharedService("minio", port: 9000, network: network)
    /// Kafka's broker listener (KRaft, one node).
    public static let kafka = SharedService("kafka", port: 9092, network: network)
    /// Loki's push API, `/loki/api/v1/push`.
    public static let loki = SharedService("loki", port: 3100, network: network)
    /// Tempo's OTLP/HTTP receiver; OTLP/gRPC is on 4317.
    public static let tempo = SharedService("tempo", port: 4318, network: network)
    /// Prometheus, which scrapes the platform and receives Tempo's span metrics.
    public static let prometheus = SharedService("prometheus", port: 9090, network: network)
    /// Keycloak's HTTP listener, for back-channel calls (token, keys, user info).
    public static let keycloak = SharedService("keycloak", port: 8080, network: network)
    /// oauth2-proxy, which the gateway asks before passing a request to a protected tool.
    public static let oauth2Proxy = SharedService("oauth2-proxy", port: 4180, network: network)
    /// Ollama's API.
    public static let ollama = SharedService("ollama", port: 11434, network: network)
}
