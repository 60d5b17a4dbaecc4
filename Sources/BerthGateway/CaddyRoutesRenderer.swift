import BerthCore

/// Renders every stack's routes as one Caddyfile of site blocks.
///
/// - One site per host: `http://host` when none of its routes has TLS, `https://host` (with
///   `tls <cert> <key>` for certificate files) when they do; Caddy picks an exact host over a
///   wildcard one (`*.example.com`) by itself.
/// - Within a site, one `handle` per route, longest path prefix first, the route for `/` last:
///   `handle` blocks are exclusive, so a request is answered by exactly one route. A prefix
///   `/api` matches `/api` and everything under `/api/`, never `/apis`.
/// - A route's middlewares become `basic_auth` (bcrypt entries), `forward_auth`, a deferred
///   `header` block, `uri strip_prefix`, `request_body`; its upstream `reverse_proxy` to each
///   running container, round robin, with the route's health and timeouts.
/// - `.redirectToHTTPS` on a TLS host adds a plain-HTTP site that redirects there, keeping the
///   gateway's published HTTPS port.
/// - A route with something Caddy cannot serve answers 503, never unprotected; one without a
///   running container answers 503 until one runs.
///
/// The output depends only on the routes, not on their order.
struct CaddyRoutesRenderer {
    let httpsPort: Int?
    var diagnostics: [Diagnostic] = []

    init(httpsPort: Int?) {
        self.httpsPort = httpsPort
    }

    mutating func render(_ routes: [GatewayRoute], gateway: String) -> String {
        var byHost: [String: [GatewayRoute]] = [:]
        for route in routes {
            byHost[route.route.host.lowercased(), default: []].append(route)
        }
        var sites: [String] = []
        for host in byHost.keys.sorted() {
            let hostRoutes = byHost[host]!.sorted { order($0, $1) }
            sites += site(host, hostRoutes)
        }
        let header = "# Routes of the Caddy gateway \(gateway), rendered by Berth from every stack it serves.\n"
        return header + (sites.isEmpty ? "" : "\n" + sites.joined(separator: "\n"))
    }

    /// Longest path first, then by stack, environment and service, so equal input gives equal
    /// output whatever its order.
    private func order(_ a: GatewayRoute, _ b: GatewayRoute) -> Bool {
        let (pa, pb) = (a.route.normalizedPathPrefix, b.route.normalizedPathPrefix)
        if pa.count != pb.count { return pa.count > pb.count }
        return (pa, a.stack, a.environment, a.service) < (pb, b.stack, b.environment, b.service)
    }

    private mutating func site(_ host: String, _ routes: [GatewayRoute]) -> [String] {
        guard CaddyfileText.isLiteral(host) else {
            for route in routes {
                report(
                    .caddyUnrepresentableValue, route, "Its host '\(host)' cannot be written in a Caddyfile.",
                    fix: "Use a host of letters, digits, '-', '.' and a leading '*.'.")
            }
            return []
        }
        let tls = siteTLS(routes)
        var lines: [String] = []
        var served = Set<String>()
        for route in routes {
            let path = route.route.normalizedPathPrefix
            // Two stacks claiming one address are reported before a deploy; should both be on the
            // engine, the first in order serves it.
            guard served.insert(path).inserted else { continue }
            lines += handle(route, path: path, matcher: "route\(served.count)")
        }
        if !served.contains("/") {
            // Without it Caddy would answer other paths with an empty 200.
            lines += ["\thandle {", "\t\trespond 404", "\t}"]
        }
        var blocks: [String] = []
        let address = tls == nil ? "http://\(host)" : "https://\(host)"
        var body = lines
        if case .certificate(let certificate, let key)? = tls {
            body.insert("\ttls \(CaddyfileText.token(certificate)) \(CaddyfileText.token(key))", at: 0)
        }
        blocks.append(block(address, body))
        if tls != nil, routes.contains(where: { $0.route.middlewares.contains(.redirectToHTTPS) }) {
            let port = httpsPort.map { ":\($0)" } ?? ""
            blocks.append(block("http://\(host)", ["\tredir https://{host}\(port){uri} permanent"]))
        }
        return blocks
    }

    /// The TLS of a host's site: that of its routes with TLS, all of which must agree.
    private mutating func siteTLS(_ routes: [GatewayRoute]) -> RouteTLS? {
        let withTLS = routes.filter { $0.route.tls != .none }
        guard let first = withTLS.first else { return nil }
        for route in routes where route.route.tls != first.route.tls {
            report(
                .caddyMixedTLS, route,
                "Its route \(route.route.address) asks for other TLS than route \(first.route.address) of stack '\(first.stack)' on the same host; Caddy serves a host one way, so it is served as that route asks.",
                fix: "Give every route of host \(route.route.host) the same tls.", severity: .warning)
        }
        return first.route.tls
    }

    private func block(_ address: String, _ body: [String]) -> String {
        "\(address) {\n" + body.map { $0 + "\n" }.joined() + "}\n"
    }

    /// One route's `handle` block; a route with a problem answers 503.
    private mutating func handle(_ gatewayRoute: GatewayRoute, path: String, matcher name: String) -> [String] {
        let route = gatewayRoute.route
        var problems = 0
        func refuse(_ message: String, fix: String) {
            report(.caddyUnsupported, gatewayRoute, message, fix: fix)
            problems += 1
        }
        var directives: [String] = []
        if !CaddyfileText.isLiteral(path) {
            report(
                .caddyUnrepresentableValue, gatewayRoute, "Its path '\(path)' cannot be written in a Caddyfile.",
                fix: "Remove braces, quotes, '#', '\\' and spaces from the path.")
            problems += 1
        }
        if case .certificate(let certificate, let key) = route.tls {
            for file in [certificate, key] where !file.hasPrefix("/") || !CaddyfileText.isLiteral(file) {
                refuse(
                    "The certificate file '\(file)' of route \(route.address) is not an absolute path in the gateway's container.",
                    fix: "Write the absolute path where the gateway mounts the file.")
            }
        }
        for middleware in route.middlewares {
            switch middleware {
            case .rateLimit:
                refuse(
                    "Its route \(route.address) has a rate limit, which Caddy has no built-in directive for; the route would go unlimited.",
                    fix: "Remove the rate limit, or put the route behind an nginx or Traefik gateway.")
            case .basicAuth(let auth):
                var entries: [String] = []
                for (index, entry) in auth.users.enumerated() {
                    let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
                    guard parts.count == 2, ["$2y$", "$2a$", "$2b$"].contains(where: parts[1].hasPrefix),
                        CaddyfileText.isLiteral(parts[0]), CaddyfileText.isLiteral(parts[1])
                    else {
                        let user =
                            auth.userNames[index].isEmpty ? "entry \(index + 1)" : "user '\(auth.userNames[index])'"
                        refuse(
                            "The basic authentication \(user) of route \(route.address) is not a bcrypt hash, the only kind Caddy checks.",
                            fix:
                                "Hash the password with bcrypt (`htpasswd -nbB user password`, or `caddy hash-password`)."
                        )
                        continue
                    }
                    entries.append("\t\t\t\(parts[0]) \(parts[1])")
                }
                directives.append("\t\tbasic_auth {\n" + entries.joined(separator: "\n") + "\n\t\t}")
            case .forwardAuth(let auth):
                guard let target = Self.forwardAuthTarget(auth.address) else {
                    refuse(
                        "The forward authentication address '\(auth.address)' of route \(route.address) is not an http:// URL with a host Caddy can reach.",
                        fix: "Use http://service:port/path, such as http://oauth2-proxy:4180/oauth2/auth.")
                    continue
                }
                var lines = ["\t\tforward_auth \(target.upstream) {", "\t\t\turi \(CaddyfileText.token(target.uri))"]
                if !auth.responseHeaders.isEmpty {
                    lines.append(
                        "\t\t\tcopy_headers " + auth.responseHeaders.map(CaddyfileText.token).joined(separator: " "))
                }
                lines.append("\t\t}")
                directives.append(lines.joined(separator: "\n"))
            case .securityHeaders(let headers):
                var lines = ["\t\theader {", "\t\t\tdefer"]
                if headers.strictTransportSecuritySeconds > 0 {
                    lines.append(
                        "\t\t\tStrict-Transport-Security \"max-age=\(headers.strictTransportSecuritySeconds)\"")
                }
                if headers.frameDeny { lines.append("\t\t\tX-Frame-Options DENY") }
                if headers.contentTypeNosniff { lines.append("\t\t\tX-Content-Type-Options nosniff") }
                if let policy = headers.referrerPolicy {
                    lines.append("\t\t\tReferrer-Policy \(CaddyfileText.token(policy))")
                }
                if let policy = headers.contentSecurityPolicy {
                    lines.append("\t\t\tContent-Security-Policy \(CaddyfileText.token(policy))")
                }
                lines.append("\t\t}")
                directives.append(lines.joined(separator: "\n"))
            case .stripPrefix:
                if path != "/" { directives.append("\t\turi strip_prefix \(CaddyfileText.token(path))") }
            case .maxBodySize(let bytes):
                directives.append("\t\trequest_body {\n\t\t\tmax_size \(bytes)\n\t\t}")
            case .redirectToHTTPS, .websockets, .timeouts:
                // The redirect is a site of its own; Caddy proxies WebSockets as they are; the
                // timeouts go with the proxy below.
                break
            }
        }
        let matcher = path == "/" ? "" : "@\(name) "
        var lines: [String] = []
        if path != "/" {
            lines.append("\t@\(name) path \(CaddyfileText.token(path)) \(CaddyfileText.token(path + "/*"))")
        }
        lines.append("\t# \(gatewayRoute.stack) (\(gatewayRoute.environment)) \(gatewayRoute.service):\(route.port)")
        lines.append("\thandle \(matcher){")
        if problems > 0 {
            lines.append("\t\trespond \"route refused by the gateway's checks\" 503")
        } else if gatewayRoute.servers.isEmpty {
            diagnostics.append(
                Diagnostic(
                    .warning, .caddyRouteWithoutServers, element: element(gatewayRoute),
                    message: "Its route \(route.address) has no running container; it answers 503 until one runs.",
                    fix: "Start the service, or remove the route.", location: route.location))
            lines.append("\t\trespond \"no running server\" 503")
        } else {
            lines += directives
            lines.append(proxy(gatewayRoute))
        }
        lines.append("\t}")
        return lines
    }

    private func proxy(_ gatewayRoute: GatewayRoute) -> String {
        let route = gatewayRoute.route
        let upstreams = gatewayRoute.servers.sorted().map { "\($0):\(route.port)" }.joined(separator: " ")
        var lines = ["\t\treverse_proxy \(upstreams) {", "\t\t\tlb_policy round_robin"]
        if let health = route.health {
            lines += [
                "\t\t\thealth_uri \(CaddyfileText.token(health.path))",
                "\t\t\thealth_interval \(GoDuration.format(health.interval))",
                "\t\t\thealth_timeout \(GoDuration.format(health.timeout))",
                "\t\t\tfail_duration \(GoDuration.format(health.failTimeout))",
                "\t\t\tmax_fails \(health.maxFails)",
            ]
        }
        for case .timeouts(let timeouts) in route.middlewares {
            var transport: [String] = []
            if let connect = timeouts.connect { transport.append("\t\t\t\tdial_timeout \(GoDuration.format(connect))") }
            if let read = timeouts.read { transport.append("\t\t\t\tread_timeout \(GoDuration.format(read))") }
            if let send = timeouts.send { transport.append("\t\t\t\twrite_timeout \(GoDuration.format(send))") }
            if !transport.isEmpty {
                lines += ["\t\t\ttransport http {"] + transport + ["\t\t\t}"]
            }
        }
        lines.append("\t\t}")
        return lines.joined(separator: "\n")
    }

    /// `host:port` and the path of a forward-auth URL: `http://auth:4180/oauth2/auth`.
    static func forwardAuthTarget(_ address: String) -> (upstream: String, uri: String)? {
        guard address.hasPrefix("http://") else { return nil }
        let rest = address.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let upstream = String(rest[..<slash])
        let uri = slash == rest.endIndex ? "/" : String(rest[slash...])
        guard !upstream.isEmpty, CaddyfileText.isLiteral(upstream), CaddyfileText.isLiteral(uri) else { return nil }
        return (upstream, uri)
    }

    private func element(_ route: GatewayRoute) -> String {
        "service '\(route.service)' of stack '\(route.stack)' (\(route.environment))"
    }

    private mutating func report(
        _ code: Diagnostic.Code, _ route: GatewayRoute, _ message: String, fix: String,
        severity: Diagnostic.Severity = .error
    ) {
        diagnostics.append(
            Diagnostic(
                severity, code, element: element(route), message: message, fix: fix, location: route.route.location))
    }
}
