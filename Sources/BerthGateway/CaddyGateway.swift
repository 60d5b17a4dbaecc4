import BerthCore

extension Gateway.Kind {
    /// Caddy v2, configured by a Caddyfile Berth renders from every stack's routes, with
    /// automatic HTTPS.
    public static let caddy = Gateway.Kind("caddy")
}

extension Gateway {
    /// A Caddy gateway.
    /// - Parameters:
    ///   - service: The gateway's service name in the owner's stack.
    ///   - network: The network it reaches routed services on.
    ///   - httpsPort: The host port its HTTPS is published on, when not 443; redirects to
    ///     HTTPS keep it (`https://shop.localhost:32443/…`).
    public static func caddy(service: String = "caddy", network: SharedNetwork, httpsPort: Int? = nil) -> Gateway {
        Gateway(.caddy, service: service, network: network, httpsPort: httpsPort)
    }
}

/// A Caddy gateway: its container's layout, its main Caddyfile, the routes file rendered from
/// every stack's routes, and the service that runs it.
///
/// ```swift
/// let caddy = CaddyGateway(AcmeInfra.gateway, certificates: .automatic(email: "ops@acme.example"))
/// // In the shared-infrastructure stack:
/// caddy.stackPart(image: "caddy:2.11.2-alpine", httpPort: 80, httpsPort: 443, hostIP: "0.0.0.0", for: environment)
/// ```
///
/// Caddy gets certificates for every HTTPS host by itself: from Let's Encrypt or ZeroSSL for
/// public names (``Certificates/automatic(email:)``), or from its own local authority
/// (``Certificates/internal``) on a development machine or in tests. A route with
/// `.certificate(certificate:key:)` uses those files instead.
///
/// Routes reach the running gateway as nginx's do (``GatewayRouteFiles``): staged in the
/// container, checked by `caddy validate`, made active, then `caddy reload`, which swaps the
/// configuration without closing a connection. Caddy resolves upstream names per request, so it
/// starts and reloads while a routed service is down; such a route answers 502 until it runs.
///
/// What Caddy has no built-in directive for is refused at the route's line: rate limits, and
/// basic authentication with other hashes than bcrypt.
public struct CaddyGateway: GatewayAdapter, GatewayRouteFiles, Hashable {
    /// Where Caddy's certificates come from.
    public enum Certificates: Sendable, Hashable {
        /// An ACME authority (Let's Encrypt, ZeroSSL) for every public host; the contact
        /// address, when given, is the account's.
        case automatic(email: String?)
        /// Caddy's own local certificate authority (`local_certs`), whose root clients must trust:
        /// for development machines and tests, where no ACME authority can reach the gateway.
        case `internal`
    }

    /// The gateway, as the shared infrastructure declares it.
    public var gateway: Gateway
    /// Where certificates for HTTPS hosts come from.
    public var certificates: Certificates
    /// What a request for a host no route has gets over plain HTTP.
    public var unknownHostStatus: Int
    /// The path Caddy itself answers `200 ok` on, for health checks.
    public var healthPath: String

    /// Describes a Caddy gateway.
    /// - Parameters:
    ///   - gateway: The gateway handle of the shared infrastructure; its kind should be `.caddy`.
    ///   - certificates: Where certificates come from; ACME by default.
    ///   - unknownHostStatus: The status for a host no route has.
    ///   - healthPath: The path Caddy itself answers `200 ok` on.
    public init(
        _ gateway: Gateway,
        certificates: Certificates = .automatic(email: nil),
        unknownHostStatus: Int = 404,
        healthPath: String = "/healthz"
    ) {
        self.gateway = gateway
        self.certificates = certificates
        self.unknownHostStatus = unknownHostStatus
        self.healthPath = healthPath
    }

    // MARK: Layout

    /// The main Caddyfile Caddy runs with.
    public static let mainConfigurationPath = "/etc/caddy/Caddyfile"
    /// The main Caddyfile that reads the staged routes, for `caddy validate` only.
    public static let stagedMainConfigurationPath = "/etc/caddy/Caddyfile.staged"
    /// Where the routes volume is mounted.
    public static let routesVolumePath = "/etc/caddy/berth"
    /// The routes Caddy serves.
    public static let activeRoutesDirectory = "/etc/caddy/berth/active"
    /// The routes being checked.
    public static let stagedRoutesDirectory = "/etc/caddy/berth/staged"
    /// The routes served before the last reload.
    public static let previousDirectory = "/etc/caddy/berth/previous"
    /// Where Caddy keeps its certificates and local authority, a volume.
    public static let dataPath = "/data"
    /// The routes file in a routes directory; every `*.caddy` file there is imported.
    public static let routesFileName = "routes.caddy"

    /// The main Caddyfile: global options, the routes of `routesDirectory`, and the plain-HTTP
    /// site for every other host, which answers the health path and ``unknownHostStatus``.
    public func mainConfiguration(routesDirectory: String = CaddyGateway.activeRoutesDirectory) -> String {
        var global = [
            // Reloads go through the admin API, reachable inside the container only.
            "admin localhost:2019",
            "persist_config off",
            // Redirects are the routes' to ask for (.redirectToHTTPS), and keep a published
            // HTTPS port Caddy cannot know.
            "auto_https disable_redirects",
        ]
        switch certificates {
        case .internal:
            global.append("local_certs")
        case .automatic(let email):
            if let email { global.append("email \(CaddyfileText.token(email))") }
        }
        return """
            # Caddy gateway \(gateway.owner)/\(gateway.service), rendered by Berth.
            {
            \(global.map { "\t" + $0 }.joined(separator: "\n"))
            }

            import \(routesDirectory)/*.caddy

            # Requests for no routed host: the health endpoint, else \(unknownHostStatus).
            http:// {
            \trespond \(CaddyfileText.token(healthPath)) "ok" 200
            \trespond \(unknownHostStatus)
            }

            """
    }

    /// The config that holds ``mainConfiguration(routesDirectory:)`` in the owner's stack.
    public var mainConfigName: String { "\(gateway.service)_caddyfile" }
    /// The config that holds the staged main Caddyfile.
    public var stagedConfigName: String { "\(gateway.service)_caddyfile_staged" }
    /// The volume the routes live in, kept across container replacements.
    public var routesVolumeName: String { "\(gateway.service)_routes" }
    /// The volume Caddy keeps certificates in.
    public var dataVolumeName: String { "\(gateway.service)_data" }

    // MARK: GatewayRouteFiles

    public var activeDirectory: String { Self.activeRoutesDirectory }
    public var stagedDirectory: String { Self.stagedRoutesDirectory }

    /// `caddy validate` on the staged routes; only when Caddy accepts them are they made active
    /// and `caddy reload` run, which keeps every open connection. A reload Caddy refuses puts
    /// the previous routes back.
    public var activationScript: String {
        """
        set -e
        if ! out=$(caddy validate --config \(Self.stagedMainConfigurationPath) --adapter caddyfile 2>&1); then
            printf '%s\\n' "$out" | grep -v '"level":"info"' >&2
            exit 1
        fi
        rm -rf \(Self.previousDirectory)
        if [ -e \(Self.activeRoutesDirectory) ]; then mv \(Self.activeRoutesDirectory) \(Self.previousDirectory); fi
        mv \(Self.stagedRoutesDirectory) \(Self.activeRoutesDirectory)
        if ! out=$(caddy reload --config \(Self.mainConfigurationPath) --adapter caddyfile 2>&1); then
            rm -rf \(Self.activeRoutesDirectory)
            if [ -e \(Self.previousDirectory) ]; then mv \(Self.previousDirectory) \(Self.activeRoutesDirectory); fi
            printf '%s\\n' "$out" | grep -v '"level":"info"' >&2
            exit 1
        fi
        """
    }

    public func configuration(_ routes: [GatewayRoute]) -> GatewayFiles {
        var renderer = CaddyRoutesRenderer(httpsPort: gateway.httpsPort)
        let content = renderer.render(routes, gateway: "\(gateway.owner)/\(gateway.service)")
        return GatewayFiles(
            files: [GatewayFiles.File(name: Self.routesFileName, content: content)], diagnostics: renderer.diagnostics)
    }

    // MARK: GatewayAdapter

    /// What Caddy cannot serve of the stack's routes: rate limits, basic authentication
    /// without bcrypt hashes, certificate paths that are not absolute, values a Caddyfile
    /// cannot hold. A route without a running server is left out: nothing runs before a deploy.
    public func diagnostics(of stack: Stack, for environment: Environment) -> [Diagnostic] {
        let routes = GatewayRoute.declared(in: stack, for: environment)
        guard !routes.isEmpty else { return [] }
        return configuration(routes).diagnostics
    }

    /// Caddy reads routes from files: the stack goes to the renderers as declared.
    public func resolved(_ stack: Stack, for environment: Environment) -> Stack { stack }

    /// Caddy serves the routes file Berth renders from every stack's routes.
    public var routeFiles: (any GatewayRouteFiles)? { self }

    /// The Caddy service, its two Caddyfiles as configs, and the volumes for its routes and
    /// certificates. It runs `caddy run` on the main Caddyfile, publishes 80 and (unless
    /// `httpsPort` is `nil`) 443, joins the gateway's network, and is healthy when Caddy answers
    /// its health path.
    public func stackPart(
        image: Image, httpPort: Int, httpsPort: Int?, hostIP: String, for environment: Environment,
        fileID: String = #fileID, line: Int = #line
    ) -> StackPart {
        let mode: Port.PublishMode = environment.orchestrator == .swarm ? .host : .ingress
        var service = Service(gateway.service, image: image, fileID: fileID, line: line)
            .command(["caddy", "run", "--config", Self.mainConfigurationPath, "--adapter", "caddyfile"])
            .environment("XDG_DATA_HOME", Self.dataPath, fileID: fileID, line: line)
            .environment("XDG_CONFIG_HOME", "/config", fileID: fileID, line: line)
            .networks(gateway.network.name)
            .publish(80, on: httpPort, hostIP: hostIP, mode: mode, fileID: fileID, line: line)
            .config(mainConfigName, at: Self.mainConfigurationPath, fileID: fileID, line: line)
            .config(stagedConfigName, at: Self.stagedMainConfigurationPath, fileID: fileID, line: line)
            .volume(routesVolumeName, at: Self.routesVolumePath, fileID: fileID, line: line)
            .volume(dataVolumeName, at: Self.dataPath, fileID: fileID, line: line)
            .healthCheck(
                HealthCheck(
                    .command(["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:80\(healthPath)"]),
                    interval: .seconds(5), timeout: .seconds(3), retries: 3, startPeriod: .seconds(5), fileID: fileID,
                    line: line))
        if let httpsPort {
            service = service.publish(443, on: httpsPort, hostIP: hostIP, mode: mode, fileID: fileID, line: line)
        }
        let main = Config(mainConfigName, .content(mainConfiguration()), fileID: fileID, line: line)
        let staged = Config(
            stagedConfigName, .content(mainConfiguration(routesDirectory: Self.stagedRoutesDirectory)), fileID: fileID,
            line: line)
        let routes = Volume(routesVolumeName, fileID: fileID, line: line)
        let data = Volume(dataVolumeName, fileID: fileID, line: line)
        return StackPart {
            service
            main
            staged
            routes
            data
        }
    }
}

extension Diagnostic.Code {
    /// A route asks for something Caddy has no built-in directive for.
    public static let caddyUnsupported = Self(rawValue: "caddy-unsupported")
    /// A value a Caddyfile cannot hold as written.
    public static let caddyUnrepresentableValue = Self(rawValue: "caddy-unrepresentable-value")
    /// Routes of one host ask for different TLS.
    public static let caddyMixedTLS = Self(rawValue: "caddy-mixed-tls")
    /// A route whose service has no running container on the gateway's network.
    public static let caddyRouteWithoutServers = Self(rawValue: "caddy-route-without-servers")
}

/// Caddyfile tokens: a word as it is when it can be, else a quoted string.
enum CaddyfileText {
    /// `text` as one Caddyfile token.
    static func token(_ text: String) -> String {
        let plain =
            !text.isEmpty
            && text.allSatisfy { $0.isASCII && !$0.isWhitespace && !"\"'`{}#\\".contains($0) && $0 != "\u{0}" }
        if plain { return text }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }

    /// Whether a path or host can be written in a Caddyfile and mean itself: no placeholder
    /// braces, quotes, whitespace or comment sign.
    static func isLiteral(_ text: String) -> Bool {
        !text.contains { $0.isWhitespace || "\"'`{}#\\".contains($0) || $0 == "\u{0}" || !$0.isASCII }
    }
}
