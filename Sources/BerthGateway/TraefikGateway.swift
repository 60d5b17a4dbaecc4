import BerthCore

/// A Traefik v3 gateway: routes become labels on the routed services, which Traefik's Docker
/// provider (Compose) or Swarm provider reads by itself, so nothing is handed to it after a
/// deploy.
///
/// ```swift
/// let traefik = TraefikGateway(AcmeInfra.gateway, acmeEmail: "ops@acme.example")
/// // In the shared-infrastructure stack:
/// traefik.stackPart(image: "traefik:v3.3.5", httpPort: 80, httpsPort: 443, hostIP: "0.0.0.0", for: environment)
/// ```
public struct TraefikGateway: GatewayAdapter, Hashable {
    /// The gateway, as the shared infrastructure declares it.
    public var gateway: Gateway
    /// The ACME account's contact address; `nil` for no ACME resolver.
    public var acmeEmail: String?
    /// The ACME resolver's name, which routes use in `.resolver(…)`.
    public var certificateResolver: String
    /// The host the dashboard answers on; `nil` for no dashboard.
    public var dashboardHost: String?
    /// `htpasswd` entries allowed into the dashboard.
    public var dashboardUsers: BasicAuth?

    /// Describes a Traefik gateway; the options are those of
    /// ``Traefik/service(gateway:image:acmeEmail:certificateResolver:dashboardHost:dashboardUsers:httpPort:httpsPort:hostIP:for:fileID:line:)``.
    public init(
        _ gateway: Gateway,
        acmeEmail: String? = nil,
        certificateResolver: String = "letsencrypt",
        dashboardHost: String? = nil,
        dashboardUsers: BasicAuth? = nil
    ) {
        self.gateway = gateway
        self.acmeEmail = acmeEmail
        self.certificateResolver = certificateResolver
        self.dashboardHost = dashboardHost
        self.dashboardUsers = dashboardUsers
    }

    /// What Traefik cannot serve of the stack's routes: certificate files named on a route
    /// (Traefik reads them from its file provider), resolver names it cannot declare, a
    /// redirect to HTTPS on a route without TLS, basic-auth entries hashed in a scheme
    /// Traefik does not check, and options its labels cannot carry (warnings).
    public func diagnostics(of stack: Stack, for environment: Environment) -> [Diagnostic] {
        stack.services.flatMap { service in
            service.routes.flatMap { route in
                tlsDiagnostics(route, of: service) + passwordHashDiagnostics(route, of: service)
                    + ignoredOptionDiagnostics(route, of: service)
            }
        }
    }

    /// Warnings for what a route asks of the gateway that Traefik's labels cannot say, since the
    /// route is served without it.
    private func ignoredOptionDiagnostics(_ route: Route, of service: Service) -> [Diagnostic] {
        route.middlewares.compactMap { middleware -> Diagnostic? in
            let message: String
            let fix: String
            switch middleware {
            case .timeouts:
                message =
                    "Route \(route.address) sets proxy timeouts, which Traefik takes from a serversTransport of its file provider and labels cannot define: the route keeps Traefik's defaults."
                fix =
                    "Remove .timeouts, or define a serversTransport in Traefik's dynamic configuration and point the service at it with a label."
            case .rateLimit(let limit) where limit.undelayed != nil:
                message =
                    "The rate limit of route \(route.address) delays part of a burst (undelayed: \(limit.undelayed ?? 0)), which Traefik cannot: it passes up to the burst at once and answers the rest 429."
                fix = "Remove undelayed to state what Traefik does, or put the route behind an nginx gateway."
            default:
                return nil
            }
            return Diagnostic(
                .warning, .traefikIgnoredRouteOption, element: "service '\(service.name)'", message: message, fix: fix,
                location: route.location)
        }
    }

    private func passwordHashDiagnostics(_ route: Route, of service: Service) -> [Diagnostic] {
        route.middlewares.flatMap { middleware -> [Diagnostic] in
            guard case .basicAuth(let auth) = middleware else { return [] }
            return TraefikPasswordHashes.uncheckedUsers(auth.users).map { user in
                Diagnostic(
                    .error, .traefikUnsupportedPasswordHash, element: "service '\(service.name)'",
                    message: TraefikPasswordHashes.message(
                        user: user, in: "The basic-auth middleware of route \(route.address)"),
                    fix: TraefikPasswordHashes.fix(user: user), location: route.location)
            }
        }
    }

    /// The stack with the labels Traefik reads on every routed service (``TraefikLabels``).
    public func resolved(_ stack: Stack, for environment: Environment) -> Stack {
        TraefikLabels.apply(to: stack, for: environment)
    }

    /// Traefik reads routes from the services' labels itself.
    public var routeFiles: (any GatewayRouteFiles)? { nil }

    public func stackPart(
        image: Image, httpPort: Int, httpsPort: Int?, hostIP: String, for environment: Environment, fileID: String,
        line: Int
    ) -> StackPart {
        Traefik.stackPart(
            gateway: gateway, image: image, acmeEmail: acmeEmail, certificateResolver: certificateResolver,
            dashboardHost: dashboardHost, dashboardUsers: dashboardUsers, httpPort: httpPort,
            httpsPort: httpsPort ?? 443, hostIP: hostIP, for: environment, fileID: fileID, line: line)
    }

    private func tlsDiagnostics(_ route: Route, of service: Service) -> [Diagnostic] {
        let element = "service '\(service.name)'"
        switch route.tls {
        case .none:
            guard route.middlewares.contains(.redirectToHTTPS) else { return [] }
            return [
                Diagnostic(
                    .warning, .traefikRedirectWithoutTLS, element: element,
                    message:
                        "Route \(route.address) redirects HTTP to HTTPS, but has no TLS: there is no HTTPS router to redirect to, so Berth writes no redirect.",
                    fix: "Give the route tls: .resolver(\"letsencrypt\"), or remove .redirectToHTTPS.",
                    location: route.location)
            ]
        case .resolver(let name):
            // A NUL is reported by the route's own checks, once.
            guard !name.contains("\u{0}") else { return [] }
            guard name.isEmpty || !name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                return []
            }
            return [
                Diagnostic(
                    .error, .unsupportedTLS, element: element,
                    message:
                        "The certificate resolver name '\(name)' of route \(route.address) is not one Traefik can declare.",
                    fix: "Use letters, digits, '-' and '_', the name of a resolver the gateway declares.",
                    location: route.location)
            ]
        case .certificate:
            return [
                Diagnostic(
                    .error, .unsupportedTLS, element: element,
                    message:
                        "Route \(route.address) names certificate files, which Traefik reads from its own file provider, never from a service's labels.",
                    fix:
                        "Use .resolver(\"letsencrypt\") with a resolver the gateway declares, or list the files in Traefik's dynamic configuration and use .gatewayCertificates.",
                    location: route.location)
            ]
        case .gatewayCertificates:
            return []
        }
    }
}

/// The password hashes Traefik's basic authentication checks.
///
/// Checked against Traefik 3.7 on the wire: it admits bcrypt (`$2a$`, `$2b$`, `$2y$`), apr1,
/// MD5-crypt (`$1$`) and `{SHA}` entries, and answers 401 to a SHA-crypt entry (`$5$`, `$6$`,
/// which `openssl passwd -6` and `mkpasswd` write) whatever the password, while keeping the
/// router enabled. nginx checks those through crypt(3), so Berth's own check accepts them.
enum TraefikPasswordHashes {
    /// The schemes Traefik never matches a password against.
    static let unchecked = ["$5$", "$6$"]

    /// The user names of the `user:hash` entries whose hash Traefik does not check.
    static func uncheckedUsers(_ entries: [String]) -> [String] {
        entries.compactMap { entry in
            let parts = entry.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, unchecked.contains(where: { parts[1].hasPrefix($0) }) else { return nil }
            return String(parts[0])
        }
    }

    static func message(user: String, in subject: String) -> String {
        "\(subject) gives user '\(user)' a SHA-crypt hash ($5$ or $6$), which Traefik does not check: it answers 401 to that user whatever the password."
    }

    static func fix(user: String) -> String {
        "Hash the password with bcrypt (`htpasswd -nB \(user)`) or apr1 (`openssl passwd -apr1`)."
    }
}
