import BerthCore
import BerthYAML

/// The files an nginx gateway's routes directory holds: the routes file rendered from every
/// stack's routes, and one `htpasswd` file per set of basic-auth users.
///
/// Hand them to the gateway as ``NginxGateway`` describes under "Reloading the routes": every
/// file goes into the staged directory under its ``File/name``, and the files refer to each other
/// by their paths in ``NginxGateway/activeDirectory``, where they are once activated.
public struct NginxRoutesConfiguration: Sendable, Hashable {
    /// One file of the routes directory.
    public typealias File = GatewayFiles.File

    /// The files, the routes file (``NginxGateway/routesFileName``) first, then the rest by name.
    public var files: [File]
    /// What could not be rendered as declared, and how the rendering dealt with it. A route with
    /// an error here is answered with 503, never served without the protection it asked for.
    public var diagnostics: [Diagnostic]
    /// The host names nginx resolves when it loads the routes: upstream servers and
    /// forward-auth services. `nginx -t` fails unless every one resolves.
    public var resolvedHosts: [String]

    /// Creates a routes configuration.
    public init(files: [File], diagnostics: [Diagnostic], resolvedHosts: [String]) {
        self.files = files
        self.diagnostics = diagnostics
        self.resolvedHosts = resolvedHosts
    }

    /// The routes file's content.
    public var routesFile: String {
        files.first { $0.name == NginxGateway.routesFileName }?.content ?? ""
    }
}

extension NginxGateway {
    /// Renders the routes of every stack on the engine into the files of the gateway's routes
    /// directory.
    ///
    /// The routes file holds, in `http` context:
    /// - `map $http_upgrade $connection_upgrade` when a route passes WebSockets on;
    /// - one `limit_req_zone` per rate-limited route (nginx refuses them inside `server`);
    /// - one `upstream` per service port, a `server` line per container with the route's
    ///   `max_fails`/`fail_timeout`, and `keepalive` connections;
    /// - per host, a `server` on port 80 and, for certificate TLS, one on 443 with the
    ///   certificate; a route that redirects to HTTPS answers 301 on port 80.
    ///
    /// A route with path prefix `/api` becomes `location /api/` and `location = /api`, which
    /// match `/api` and everything under it, never `/apis`; the longest prefix wins, as it does
    /// for routes. Every location sets its own proxy headers and repeats its security headers
    /// with `always`, since nginx drops inherited `add_header`s in a block that has any. A host
    /// without a route for `/` answers other paths with 404.
    ///
    /// Forward authentication uses `auth_request`: a 2xx from the auth service lets the request
    /// through and a 401 or 403 is returned to the client, but any other answer (a redirect to
    /// a login page) becomes a 500, unlike Traefik, which returns it as it is. Point it at an
    /// endpoint that answers 401, such as oauth2-proxy's `/oauth2/auth`.
    ///
    /// The output depends only on the routes, not on their order: hosts are sorted, locations go
    /// longest prefix first, and upstream servers are sorted.
    /// - Parameter routes: The routes of every stack the gateway serves.
    public func routesConfiguration(_ routes: [GatewayRoute]) -> NginxRoutesConfiguration {
        var renderer = NginxRoutesRenderer(capabilities: capabilities, httpsPort: gateway.httpsPort)
        return renderer.render(routes)
    }
}

/// Renders routes in two passes: a plan per route, with its diagnostics reported once, then the
/// servers of each host built from the plans.
private struct NginxRoutesRenderer {
    typealias D = NginxDirective

    let capabilities: NginxCapabilities
    /// The port HTTPS is published on, when not 443; redirects name it.
    let httpsPort: Int?
    var diagnostics: [Diagnostic] = []
    var extraFiles: [String: String] = [:]
    var upstreams: [String: D] = [:]
    var zones: [String: D] = [:]
    var resolvedHosts: Set<String> = []
    var needsUpgradeMap = false
    var needsResolver = false

    init(capabilities: NginxCapabilities, httpsPort: Int?) {
        self.capabilities = capabilities
        self.httpsPort = httpsPort
    }

    /// Where a location sends its requests.
    enum ProxyTarget {
        /// An `upstream` block of several servers, whose names nginx resolves when it loads the
        /// configuration.
        case group(String)
        /// One server, resolved by the gateway's network's DNS when a request comes, so the
        /// configuration loads while the server is down (the request then gets 502).
        case resolvedAtRequest(host: String, port: Int)
    }

    /// What one route renders to, whichever server it appears in.
    struct Plan {
        var route: GatewayRoute
        var path: String
        /// What a location that proxies the route holds.
        var proxyBody: [D]
        /// What the port-80 location holds when the route redirects to HTTPS.
        var redirectBody: [D]?
        /// The internal location forward authentication asks, to add to the route's servers.
        var authLocation: D?
    }

    mutating func render(_ routes: [GatewayRoute]) -> NginxRoutesConfiguration {
        let sorted = routes.sorted { a, b in
            (a.route.host.lowercased(), a.route.normalizedPathPrefix, a.stack, a.environment, a.service)
                < (b.route.host.lowercased(), b.route.normalizedPathPrefix, b.stack, b.environment, b.service)
        }
        var hosts: [(host: String, plans: [Plan])] = []
        var claimed: [String: GatewayRoute] = [:]
        for route in sorted {
            let host = route.route.host.lowercased()
            let path = route.route.normalizedPathPrefix
            if let earlier = claimed[host + path] {
                report(
                    .warning, .nginxShadowedRoute, route,
                    "Its route \(route.route.address) is not rendered: \(origin(earlier)) claims the same host and path, and nginx takes one location per path.",
                    fix: "Give one of the routes another host or path prefix.")
                continue
            }
            claimed[host + path] = route
            let plan = self.plan(route, path: path)
            if hosts.last?.host == host {
                hosts[hosts.count - 1].plans.append(plan)
            } else {
                hosts.append((host, [plan]))
            }
        }

        var servers: [D] = []
        for (host, plans) in hosts {
            servers += self.servers(host: host, plans: plans)
        }

        var http: [D] = []
        if needsResolver {
            http += [
                D(
                    "resolver", [.word(NginxGateway.resolverAddress), .word("valid=5s"), .word("ipv6=off")],
                    comment:
                        "Docker's DNS on the gateway's network: upstream names are resolved per request, so the gateway starts while a routed service is down."
                ),
                .words("resolver_timeout", "3s"),
            ]
        }
        if needsUpgradeMap {
            http.append(
                D(
                    "map", [.expression("$http_upgrade"), .expression("$connection_upgrade")],
                    block: [.words("default", "upgrade"), .words("", "close")],
                    comment: "WebSocket upgrades: pass `Connection: upgrade` on only when the client asked."))
        }
        http += zones.keys.sorted().map { zones[$0]! }
        http += upstreams.keys.sorted().map { upstreams[$0]! }
        http += servers
        if http.contains(where: \.needsDollarVariable) {
            var definition = D.dollarDefinition
            definition.comment = "A literal `$` in text where nginx expands variables."
            http.insert(definition, at: 0)
        }

        let header =
            "# Every stack's routes for the nginx gateway, rendered by Berth; each reload replaces this file.\n"
        let routesFile = ([header] + http.map { $0.render() }).joined(separator: "\n")
        let files =
            [NginxRoutesConfiguration.File(name: NginxGateway.routesFileName, content: routesFile)]
            + extraFiles.keys.sorted().map { NginxRoutesConfiguration.File(name: $0, content: extraFiles[$0]!) }
        return NginxRoutesConfiguration(files: files, diagnostics: diagnostics, resolvedHosts: resolvedHosts.sorted())
    }

    // MARK: Servers

    private mutating func servers(host: String, plans: [Plan]) -> [D] {
        // One nginx server per host and port, so TLS is decided for the host as a whole.
        var certificate: (certificate: String, key: String, route: GatewayRoute)?
        var plain: [GatewayRoute] = []
        for plan in plans {
            switch plan.route.route.tls {
            case .none: plain.append(plan.route)
            case .resolver(let name):
                report(
                    .error, .nginxUnsupportedTLS, plan.route,
                    "Its route \(plan.route.route.address) asks for certificates from ACME resolver '\(name)', which nginx does not have; it is served over plain HTTP only.",
                    fix: "Use .certificate(certificate:key:) with files mounted into the gateway.")
                plain.append(plan.route)
            case .gatewayCertificates:
                report(
                    .error, .nginxUnsupportedTLS, plan.route,
                    "Its route \(plan.route.route.address) asks for the gateway's own certificates, which an nginx server does not have; it is served over plain HTTP only.",
                    fix: "Use .certificate(certificate:key:) with files mounted into the gateway.")
                plain.append(plan.route)
            case .certificate(let file, let key):
                if let certificate {
                    if certificate.certificate != file || certificate.key != key {
                        report(
                            .error, .nginxConflictingCertificates, plan.route,
                            "Its route \(plan.route.route.address) names certificate '\(file)', but \(origin(certificate.route)) names '\(certificate.certificate)' for the same host, and nginx serves one certificate per host; '\(certificate.certificate)' is used.",
                            fix: "Name the same certificate and key in every route of host \(host).")
                    }
                } else {
                    certificate = (file, key, plan.route)
                }
            }
        }
        if let first = certificate, !capabilities.hasSSL {
            report(
                .error, .nginxMissingModule, first.route,
                "Its route \(first.route.route.address) names a certificate, but the gateway's nginx has no ssl module; host \(host) is served over plain HTTP only.",
                fix: "Use an nginx image built --with-http_ssl_module, such as the official one.")
            certificate = nil
        }
        if let certificate {
            for route in plain {
                report(
                    .warning, .nginxMixedTLS, route,
                    "Its route \(route.route.address) has no TLS, but \(origin(certificate.route)) serves host \(host) with a certificate, so nginx serves this route over HTTPS too.",
                    fix: "Give every route of host \(host) the same TLS setting.")
            }
        }

        let ordered = plans.sorted { ($0.path.count, $1.path) > ($1.path.count, $0.path) }
        let hasRoot = ordered.contains { $0.path == "/" }
        var authLocations: [String: D] = [:]
        for plan in ordered {
            if let auth = plan.authLocation, case .word(let uri) = auth.arguments.last { authLocations[uri] = auth }
        }
        func server(_ listen: D, extra: [D], redirecting: Bool) -> D {
            var body: [D] = [listen, .words("server_name", Self.serverName(host))] + extra
            // The gateway's own static files for the host, if it declares any (`StaticFiles`).
            body.append(.words("include", NginxGateway.staticFilesFolder(host) + "/*.conf"))
            for plan in ordered {
                let redirect = redirecting ? plan.redirectBody : nil
                body += locations(for: plan, body: redirect ?? plan.proxyBody)
            }
            body += authLocations.keys.sorted().map { authLocations[$0]! }
            if !hasRoot {
                body.append(
                    D(
                        "location", [.word("/")], block: [.words("return", "404")],
                        comment: "No route takes the other paths of \(host)."))
            }
            return D("server", block: body, comment: host)
        }

        for plan in plans where plan.redirectBody != nil && certificate == nil {
            report(
                .warning, .nginxRedirectWithoutTLS, plan.route,
                "Its route \(plan.route.route.address) redirects to HTTPS, but the gateway serves host \(host) without a certificate, so the redirect leads nowhere unless something in front terminates TLS.",
                fix: "Give the route .certificate(certificate:key:), or remove .redirectToHTTPS.")
        }
        var result = [server(.words("listen", "80"), extra: [], redirecting: true)]
        if let certificate {
            result.append(
                server(
                    .words("listen", "443", "ssl"),
                    extra: [
                        .words("ssl_certificate", certificate.certificate),
                        .words("ssl_certificate_key", certificate.key),
                    ], redirecting: false))
        }
        return result
    }

    /// `location /api/` and `location = /api` for prefix `/api`; `location /` for `/`.
    private func locations(for plan: Plan, body: [D]) -> [D] {
        let comment = "\(origin(plan.route)): \(plan.route.route.address)"
        if plan.path == "/" { return [D("location", [.word("/")], block: body, comment: comment)] }
        return [
            D("location", [.word(plan.path + "/")], block: body, comment: comment),
            D("location", [.word("="), .word(plan.path)], block: body),
        ]
    }

    // MARK: Routes

    private mutating func plan(_ gatewayRoute: GatewayRoute, path: String) -> Plan {
        let route = gatewayRoute.route
        var access: [D] = []
        var requestHeaders: [D] = []
        var responseHeaders: [D] = []
        var hiddenHeaders: [D] = []
        var authLocation: D?
        var closed = false
        var websockets = false
        var stripsPrefix = false
        var redirects = false
        var timeouts = ProxyTimeouts()

        for middleware in route.middlewares {
            switch middleware {
            case .rateLimit(let limit):
                guard let rate = rate(limit, of: gatewayRoute) else { continue }
                let zone = "\(gatewayRoute.upstreamName)-\(shortHash(route.host.lowercased() + path))"
                zones[zone] = D(
                    "limit_req_zone",
                    [.expression("$binary_remote_addr"), .word("zone=\(zone):10m"), .word("rate=\(rate)")])
                var limitReq: [D.Argument] = [.word("zone=\(zone)")]
                if limit.burst > 0 {
                    limitReq.append(.word("burst=\(limit.burst)"))
                    switch limit.undelayed {
                    case nil: limitReq.append(.word("nodelay"))
                    case let undelayed? where undelayed >= limit.burst: limitReq.append(.word("nodelay"))
                    case let undelayed? where undelayed > 0: limitReq.append(.word("delay=\(undelayed)"))
                    default: break
                    }
                }
                access += [D("limit_req", limitReq), .words("limit_req_status", "429")]
            case .securityHeaders(let headers):
                for (name, value) in securityHeaders(headers, of: gatewayRoute) {
                    // The upstream's own copy would be sent too, and browsers read the stricter
                    // one or none.
                    hiddenHeaders.append(.words("proxy_hide_header", name))
                    responseHeaders.append(D("add_header", [.word(name), .text(value), .word("always")]))
                }
            case .basicAuth(let auth):
                if auth.users.isEmpty || auth.users.contains(where: { $0.contains(where: \.isNewline) || $0.isEmpty }) {
                    report(
                        .error, .nginxInvalidMiddleware, gatewayRoute,
                        "The basic-auth users of route \(route.address) include an empty entry or one with a line break, which would change the htpasswd file's other entries; the gateway answers 503 for it.",
                        fix: "Use one `htpasswd -nB user` line per entry.")
                    closed = true
                    continue
                }
                let content = auth.users.joined(separator: "\n") + "\n"
                let name = "basic-auth-\(shortHash(content)).htpasswd"
                extraFiles[name] = content
                access += [
                    D("auth_basic", [.text(route.address)]),
                    .words("auth_basic_user_file", NginxGateway.activeDirectory + "/" + name),
                ]
            case .forwardAuth(let auth):
                guard capabilities.hasAuthRequest else {
                    report(
                        .error, .nginxMissingModule, gatewayRoute,
                        "Its route \(route.address) uses forward authentication, but the gateway's nginx has no auth_request module; the gateway answers 503 for it rather than serve it unauthenticated.",
                        fix:
                            "Use an nginx image built --with-http_auth_request_module (the official images and Debian's packages are)."
                    )
                    closed = true
                    continue
                }
                guard let (location, directives, headers) = forwardAuth(auth, of: gatewayRoute) else {
                    closed = true
                    continue
                }
                authLocation = location
                access += directives
                requestHeaders += headers
            case .stripPrefix:
                stripsPrefix = path != "/"
            case .redirectToHTTPS:
                redirects = true
            case .websockets:
                websockets = true
                needsUpgradeMap = true
            case .timeouts(let value):
                timeouts.connect = value.connect ?? timeouts.connect
                timeouts.read = value.read ?? timeouts.read
                timeouts.send = value.send ?? timeouts.send
            case .maxBodySize(let bytes):
                if bytes >= 1 {
                    access.append(.words("client_max_body_size", "\(bytes)"))
                } else {
                    report(
                        .error, .nginxInvalidMiddleware, gatewayRoute,
                        "The max-body-size of route \(route.address) is \(bytes) bytes; nginx's default of 1 MB is used.",
                        fix: "Use a positive number of bytes.")
                }
            }
        }

        let target = closed ? nil : self.upstream(for: gatewayRoute)
        var proxyBody: [D]
        if let target {
            proxyBody = access + hiddenHeaders + responseHeaders
            switch target {
            case .group(let upstream):
                proxyBody.append(.words("proxy_pass", "http://\(upstream)" + (stripsPrefix ? "/" : "")))
            case .resolvedAtRequest(let host, let port):
                needsResolver = true
                proxyBody.append(D("set", [.expression("$berth_upstream"), .word(host)]))
                if stripsPrefix {
                    // With a variable, proxy_pass would replace the whole URI by its own; the
                    // rewrite strips just the prefix, as `proxy_pass http://group/` does.
                    proxyBody.append(
                        D(
                            "rewrite",
                            [
                                .expression("^" + Self.regexLiteral(path) + "(?:/(.*))?$"), .expression("/$1"),
                                .word("break"),
                            ]
                        ))
                }
                proxyBody.append(D("proxy_pass", [.expression("http://$berth_upstream:\(port)")]))
            }
            proxyBody += [
                .words("proxy_http_version", "1.1"),
                D("proxy_set_header", [.word("Host"), .expression("$host")]),
                D("proxy_set_header", [.word("X-Real-IP"), .expression("$remote_addr")]),
                D("proxy_set_header", [.word("X-Forwarded-For"), .expression("$proxy_add_x_forwarded_for")]),
                D("proxy_set_header", [.word("X-Forwarded-Proto"), .expression("$scheme")]),
                D("proxy_set_header", [.word("X-Forwarded-Host"), .expression("$host")]),
            ]
            if websockets {
                proxyBody += [
                    D("proxy_set_header", [.word("Upgrade"), .expression("$http_upgrade")]),
                    D("proxy_set_header", [.word("Connection"), .expression("$connection_upgrade")]),
                ]
                // A WebSocket is quiet for long stretches; nginx's 60 s would close it.
                timeouts.read = timeouts.read ?? .seconds(3600)
                timeouts.send = timeouts.send ?? .seconds(3600)
            } else {
                // Keeps upstream connections open for reuse (`keepalive` in the upstream).
                proxyBody.append(D("proxy_set_header", [.word("Connection"), .word("")]))
            }
            for (name, value) in [
                ("proxy_connect_timeout", timeouts.connect), ("proxy_read_timeout", timeouts.read),
                ("proxy_send_timeout", timeouts.send),
            ] {
                if let value { proxyBody.append(.words(name, Self.seconds(value))) }
            }
            proxyBody += requestHeaders
            proxyBody.append(.words("proxy_next_upstream", "error", "timeout", "http_502", "http_503", "http_504"))
        } else {
            proxyBody = responseHeaders + [.words("return", "503")]
            authLocation = nil
        }
        // `$host` has no port; a gateway published on another port than 443 names its own.
        let port = httpsPort.map { $0 == 443 ? "" : ":\($0)" } ?? ""
        let redirectBody: [D]? =
            redirects
            ? responseHeaders + [D("return", [.word("301"), .expression("https://$host\(port)$request_uri")])] : nil
        return Plan(
            route: gatewayRoute, path: path, proxyBody: proxyBody, redirectBody: redirectBody,
            authLocation: authLocation)
    }

    /// Where the route's requests go: its one server, resolved per request, or an upstream
    /// block of its servers, added once per upstream name; `nil` when no server remains.
    private mutating func upstream(for gatewayRoute: GatewayRoute) -> ProxyTarget? {
        let name = gatewayRoute.upstreamName
        if upstreams[name] != nil { return .group(name) }
        var hosts: [String] = []
        for server in Set(gatewayRoute.servers).sorted() {
            if isHostName(server) {
                hosts.append(server)
            } else {
                report(
                    .error, .nginxInvalidServer, gatewayRoute,
                    "Its upstream server '\(server)' is not a host name nginx can write in a server line; it is left out.",
                    fix: "Use the container's host name on the gateway's network: letters, digits, '.', '-' and '_'.")
            }
        }
        guard !hosts.isEmpty else {
            report(
                .warning, .nginxRouteWithoutServers, gatewayRoute,
                "Its route \(gatewayRoute.route.address) has no server to send requests to; the gateway answers 503 for it.",
                fix: "Start the service '\(gatewayRoute.service)', or remove its route.")
            return nil
        }
        if hosts.count == 1 {
            // `max_fails` and `keepalive` mean nothing for one server, and a name resolved per
            // request lets the gateway (re)start while the service is stopped.
            return .resolvedAtRequest(host: hosts[0], port: gatewayRoute.route.port)
        }
        var health: [D.Argument] = []
        if let policy = gatewayRoute.route.health {
            // `fail_timeout` takes whole seconds only.
            let (seconds, attoseconds) = policy.failTimeout.components
            let failTimeout = max(1, seconds + (attoseconds > 0 ? 1 : 0))
            if attoseconds > 0 || seconds < 1 {
                report(
                    .note, .nginxRoundedTime, gatewayRoute,
                    "The fail timeout \(GoDuration.format(policy.failTimeout)) of route \(gatewayRoute.route.address) is rounded up to \(failTimeout)s: nginx counts it in whole seconds.",
                    fix: "Use a whole number of seconds.")
            }
            health = [.word("max_fails=\(max(policy.maxFails, 0))"), .word("fail_timeout=\(failTimeout)s")]
        }
        let lines = hosts.map { host -> D in
            if !host.allSatisfy({ $0.isNumber || $0 == "." }) { resolvedHosts.insert(host) }
            return D("server", [.word("\(host):\(gatewayRoute.route.port)")] + health)
        }
        upstreams[name] = D(
            "upstream", [.word(name)], block: lines + [.words("keepalive", "16")],
            comment: "\(gatewayRoute.stack)/\(gatewayRoute.environment) service '\(gatewayRoute.service)'")
        return .group(name)
    }

    /// `10r/s` or `600r/m`; nginx counts nothing else, so other rates are rounded per minute.
    private mutating func rate(_ limit: RateLimit, of route: GatewayRoute) -> String? {
        let (seconds, attoseconds) = limit.period.components
        let period = Double(seconds) + Double(attoseconds) / 1e18
        guard limit.average >= 1, period > 0, limit.burst >= 0 else {
            report(
                .error, .nginxInvalidMiddleware, route,
                "The rate limit of route \(route.route.address) needs an average of 1 or more over a positive period and a burst of 0 or more; it is left out.",
                fix: "Use .perSecond(n) or .perMinute(n).")
            return nil
        }
        let perSecond = Double(limit.average) / period
        if perSecond == perSecond.rounded() { return "\(Int(perSecond))r/s" }
        let perMinute = perSecond * 60
        if perMinute == perMinute.rounded() { return "\(Int(perMinute))r/m" }
        let rounded = max(1, Int(perMinute.rounded()))
        report(
            .note, .nginxRoundedRate, route,
            "The rate limit of route \(route.route.address) is \(limit.average) per \(GoDuration.format(limit.period)), which nginx rounds to \(rounded) a minute.",
            fix: "Use a whole number of requests per second or per minute.")
        return "\(rounded)r/m"
    }

    /// The headers to add, by name, less any that no HTTP header can carry.
    private mutating func securityHeaders(_ headers: SecurityHeaders, of route: GatewayRoute) -> [(String, String)] {
        var pairs: [(String, String)] = []
        if headers.strictTransportSecuritySeconds > 0 {
            pairs.append(("Strict-Transport-Security", "max-age=\(headers.strictTransportSecuritySeconds)"))
        }
        if headers.frameDeny { pairs.append(("X-Frame-Options", "DENY")) }
        if headers.contentTypeNosniff { pairs.append(("X-Content-Type-Options", "nosniff")) }
        if let policy = headers.referrerPolicy { pairs.append(("Referrer-Policy", policy)) }
        if let policy = headers.contentSecurityPolicy { pairs.append(("Content-Security-Policy", policy)) }
        return pairs.filter { name, value in
            guard value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return true }
            report(
                .error, .nginxUnrepresentableValue, route,
                "The \(name) header of route \(route.route.address) has a control character or line break, which no HTTP header carries; it is left out.",
                fix: "Write the header's value on one line.")
            return false
        }
    }

    /// The internal location forward authentication asks, and what the route's location adds.
    private mutating func forwardAuth(_ auth: ForwardAuth, of route: GatewayRoute) -> (D, [D], [D])? {
        guard let target = forwardAuthTarget(auth.address) else {
            report(
                .error, .nginxInvalidMiddleware, route,
                "The forward-auth address '\(auth.address)' of route \(route.route.address) is not an http(s) URL nginx can proxy to (no spaces, quotes, `$` or braces); the gateway answers 503 for the route.",
                fix:
                    "Use the auth service's URL on the gateway's network, such as 'http://oauth2-proxy:4180/oauth2/auth'."
            )
            return nil
        }
        if let host = target.host { resolvedHosts.insert(host) }
        let uri = "/__berth_auth/" + shortHash(auth.address + (auth.trustForwardHeader ? "+trust" : ""))
        let location = D(
            "location", [.word("="), .word(uri)],
            block: [
                .words("internal"),
                .words("proxy_pass", target.url),
                .words("proxy_pass_request_body", "off"),
                D("proxy_set_header", [.word("Content-Length"), .word("")]),
                D("proxy_set_header", [.word("X-Original-URI"), .expression("$request_uri")]),
                D("proxy_set_header", [.word("X-Forwarded-Method"), .expression("$request_method")]),
                D("proxy_set_header", [.word("X-Forwarded-Proto"), .expression("$scheme")]),
                D("proxy_set_header", [.word("X-Forwarded-Host"), .expression("$host")]),
                D("proxy_set_header", [.word("X-Forwarded-Uri"), .expression("$request_uri")]),
                D(
                    "proxy_set_header",
                    [
                        .word("X-Forwarded-For"),
                        .expression(auth.trustForwardHeader ? "$proxy_add_x_forwarded_for" : "$remote_addr"),
                    ]),
            ],
            comment: "Forward authentication: \(auth.address)")
        var access: [D] = [.words("auth_request", uri)]
        var headers: [D] = []
        for name in auth.responseHeaders {
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                report(
                    .error, .nginxUnrepresentableValue, route,
                    "The forward-auth response header '\(name)' of route \(route.route.address) is not a header name (letters, digits and '-'); it is not copied.",
                    fix: "Name the header as the auth service sends it, such as 'X-Auth-Request-User'.")
                continue
            }
            let variable = "berth_auth_" + name.lowercased().replacing("-", with: "_")
            access.append(
                D(
                    "auth_request_set",
                    [
                        .expression("$" + variable),
                        .expression("$upstream_http_" + name.lowercased().replacing("-", with: "_")),
                    ]))
            headers.append(D("proxy_set_header", [.word(name), .expression("$" + variable)]))
        }
        return (location, access, headers)
    }

    /// The URL `proxy_pass` takes for a forward-auth address (a path of `/` when it has none),
    /// and its host when that is a name rather than an address.
    private func forwardAuthTarget(_ address: String) -> (url: String, host: String?)? {
        let scheme = address.hasPrefix("http://") ? "http://" : address.hasPrefix("https://") ? "https://" : nil
        guard let scheme else { return nil }
        let rest = address.dropFirst(scheme.count)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!&()*+,=%")
        guard !rest.isEmpty, !rest.hasPrefix("/"), rest.allSatisfy({ allowed.contains($0) }) else { return nil }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !address.contains("#") else { return nil }
        let path = rest.dropFirst(authority.count)
        var host: String? = nil
        if !authority.hasPrefix("[") {
            let name = String(authority.prefix { $0 != ":" })
            guard isHostName(name) else { return nil }
            if !name.allSatisfy({ $0.isNumber || $0 == "." }) { host = name }
        }
        return (scheme + authority + (path.isEmpty ? "/" : path), host)
    }

    // MARK: Helpers

    private mutating func report(
        _ severity: Diagnostic.Severity, _ code: Diagnostic.Code, _ route: GatewayRoute, _ message: String,
        fix: String
    ) {
        diagnostics.append(
            Diagnostic(
                severity, code, element: "service '\(route.service)' of stack '\(route.stack)' (\(route.environment))",
                message: message, fix: fix, location: route.route.location))
    }

    private func origin(_ route: GatewayRoute) -> String {
        "\(route.stack)/\(route.environment) service '\(route.service)'"
    }

    private func isHostName(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }
    }

    /// Whole seconds, rounded up: nginx's time units would take a fraction as an error.
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return "\(max(1, seconds + (attoseconds > 0 ? 1 : 0)))s"
    }

    /// The `server_name` of a route host. nginx's own `*.example.com` would take
    /// `a.shop.example.com` too, so a wildcard becomes a regular expression of exactly one label;
    /// nginx tries regular expressions after every exact name, so an exact host always wins.
    /// Two such wildcards never take the same host, so their order does not matter.
    static func serverName(_ host: String) -> String {
        guard host.hasPrefix("*.") else { return host }
        return "~^[^.]+" + regexLiteral(String(host.dropFirst())) + "$"
    }

    /// `text` as a PCRE pattern matching it literally.
    static func regexLiteral(_ text: String) -> String {
        var pattern = ""
        for character in text {
            if "\\^$.|?*+()[]{}".contains(character) { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern
    }

    private func shortHash(_ text: String) -> String {
        String(SHA256.hexDigest(text).prefix(8))
    }
}
