extension Diagnostic.Code {
    /// A service has routes but the stack names no gateway.
    public static let routeWithoutGateway = Self(rawValue: "route-without-gateway")
    /// A routed service does not join the gateway's network, so the gateway cannot reach it.
    public static let routeOffGatewayNetwork = Self(rawValue: "route-off-gateway-network")
    /// A route's host is not a DNS host name, a one-label wildcard (`*.example.com`) or an IPv6
    /// literal in brackets (`[::1]`).
    public static let invalidRouteHost = Self(rawValue: "invalid-route-host")
    /// A route's path prefix is not an absolute, literal path.
    public static let invalidRoutePath = Self(rawValue: "invalid-route-path")
    /// A route goes to a port the service does not declare.
    public static let routePortNotDeclared = Self(rawValue: "route-port-not-declared")
    /// Two routes of the stack claim the same host and path.
    public static let duplicateRoute = Self(rawValue: "duplicate-route")
    /// A middleware's settings no gateway accepts.
    public static let invalidMiddleware = Self(rawValue: "invalid-middleware")
    /// A basic-auth entry that is not `user:hash`.
    public static let unhashedBasicAuth = Self(rawValue: "unhashed-basic-auth")
    /// A TLS setting the stack's gateway cannot serve.
    public static let unsupportedTLS = Self(rawValue: "unsupported-tls")
    /// A routed service without a health check: a deploy cannot tell when it can take traffic.
    public static let routedWithoutHealthCheck = Self(rawValue: "routed-without-health-check")
    /// A service other than the gateway publishes a host port in a stack behind a gateway.
    public static let publishedPortBehindGateway = Self(rawValue: "published-port-behind-gateway")
    /// The stack declares a network of its own under the name of the gateway's shared network.
    public static let gatewayNetworkMismatch = Self(rawValue: "gateway-network-mismatch")
    /// The gateway's owner stack has no service with the gateway's name.
    public static let gatewayMissingService = Self(rawValue: "gateway-missing-service")
}

extension StackValidator {
    // MARK: Routes

    mutating func checkRoutes() {
        var claimed: [String: (service: String, location: SourceLocation)] = [:]
        for service in stack.services {
            for route in service.routes {
                checkRoute(route, of: service)
                let key = route.claim
                if let earlier = claimed[key] {
                    report(
                        .error, .duplicateRoute, "service '\(service.name)'",
                        "Its route \(route.address) is already claimed by service '\(earlier.service)' at \(earlier.location): the gateway would send every request to one of them.",
                        fix: "Give one of the routes another host or path prefix, or remove it.",
                        at: route.location)
                } else {
                    claimed[key] = (service.name, route.location)
                }
            }
        }
        checkGateway()
    }

    private mutating func checkRoute(_ route: Route, of service: Service) {
        let element = "service '\(service.name)'"
        guard let gateway = stack.gateway else {
            report(
                .error, .routeWithoutGateway, element,
                "It has a route for \(route.address), but the stack names no gateway to take it.",
                fix:
                    "Add the shared infrastructure's gateway handle to the stack (for example AcmeInfra.gateway), or remove the route.",
                at: route.location)
            return
        }
        let network = gateway.network.name
        if !service.networks.contains(network) {
            report(
                .error, .routeOffGatewayNetwork, element,
                "It has a route for \(route.address), but it does not join network '\(network)', the only one the gateway '\(gateway.service)' reaches services on.",
                fix: "Add .networks(\"\(network)\") to the service.",
                at: route.location)
        }
        // A NUL byte in the host, path or resolver is reported on its own (checkNULBytes).
        if !Naming.containsNUL(route.host), let problem = Self.hostProblem(route.host) {
            report(
                .error, .invalidRouteHost, element,
                "Its route host '\(route.host)' \(problem.message).",
                fix: problem.fix
                    ?? "Write the bare host name, such as 'shop.example.com'; put paths in the path: argument.",
                at: route.location)
        }
        if !Naming.containsNUL(route.pathPrefix), let problem = Self.pathProblem(route.pathPrefix) {
            report(
                .error, .invalidRoutePath, element,
                "Its route path '\(route.pathPrefix)' \(problem).",
                fix: "Write a literal path prefix starting with '/', such as '/api'.",
                at: route.location)
        }
        if !service.ports.contains(where: { $0.target == route.port && $0.transport == .tcp }) {
            report(
                .error, .routePortNotDeclared, element,
                "Its route for \(route.address) goes to port \(route.port), which the service does not declare.",
                fix: "Add .expose(\(route.port)) to the service, or route to a port it declares.",
                at: route.location)
        }
        if service.healthCheck == nil {
            report(
                .warning, .routedWithoutHealthCheck, element,
                "It takes requests for \(route.address) but has no health check, so a deploy cannot tell when it is ready for them.",
                fix: "Add .healthCheck(…) to the service.",
                at: route.location)
        }
        for middleware in route.middlewares {
            checkMiddleware(middleware, in: route, of: service)
        }
        if let health = route.health {
            if !health.path.hasPrefix("/") || health.path.contains(where: \.isWhitespace) {
                report(
                    .error, .invalidMiddleware, element,
                    "The upstream health path '\(health.path)' of route \(route.address) is not an absolute path.",
                    fix: "Write a path starting with '/', such as '/health'.",
                    at: route.location)
            }
            if health.interval <= .zero || health.timeout <= .zero || health.failTimeout <= .zero
                || health.maxFails < 1
            {
                report(
                    .error, .invalidMiddleware, element,
                    "The upstream health of route \(route.address) needs positive durations and at least one failure before a server is taken out.",
                    fix: "Use positive interval, timeout and failTimeout, and maxFails of 1 or more.",
                    at: route.location)
            }
        }
    }

    private mutating func checkMiddleware(_ middleware: Middleware, in route: Route, of service: Service) {
        let element = "service '\(service.name)'"
        func invalid(_ message: String, fix: String) {
            report(
                .error, .invalidMiddleware, element,
                "The \(middleware.kind) middleware of route \(route.address) \(message).",
                fix: fix, at: route.location)
        }
        switch middleware {
        case .rateLimit(let limit):
            if limit.average < 1 || limit.burst < 0 || limit.period <= .zero {
                invalid(
                    "allows \(limit.average) request(s) per \(GoDuration.format(limit.period)) with a burst of \(limit.burst)",
                    fix: "Use an average of 1 or more over a positive period, and a burst of 0 or more.")
            } else if limit.period < .seconds(1) {
                invalid(
                    "measures over \(GoDuration.format(limit.period)), shorter than a second, which nginx cannot express",
                    fix: "Use a period of whole seconds, such as .perSecond(\(limit.average)).")
            }
            if let undelayed = limit.undelayed, undelayed < 0 || undelayed > limit.burst {
                invalid(
                    "lets \(undelayed) request(s) of a burst of \(limit.burst) pass without delay",
                    fix:
                        "Use a number from 0 (delay every request above the rate) to the burst, or nil to pass the whole burst at once."
                )
            }
        case .securityHeaders(let headers):
            let values = [headers.referrerPolicy, headers.contentSecurityPolicy].compactMap { $0 }
            if headers.strictTransportSecuritySeconds < 0 {
                invalid("has a negative HSTS age", fix: "Use 0 to leave the header out, or a number of seconds.")
            }
            // By scalar: "\r\n" is one Character, which a Character set would not find.
            let forbidden: Set<Unicode.Scalar> = ["\"", "\n", "\r", "`", "\\"]
            if values.contains(where: { $0.unicodeScalars.contains(where: forbidden.contains) }) {
                invalid(
                    "has a header value with a quote, backquote, backslash or line break, which neither nginx nor Traefik labels carry intact",
                    fix: "Use single quotes inside the value, as Content-Security-Policy does ('self').")
            }
        case .basicAuth(let auth):
            if auth.users.isEmpty {
                invalid("has no users", fix: "Add `htpasswd -nB user` entries.")
            }
            for (entry, user) in zip(auth.users, auth.userNames) {
                let parts = entry.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                let hashed =
                    parts.count == 2 && !user.isEmpty
                    && BasicAuth.hashPrefixes.contains { parts[1].hasPrefix($0) }
                if !hashed {
                    // Never print the entry: an unhashed entry is a password in clear text, and
                    // an entry without a user name may be nothing but one.
                    let who = user.isEmpty ? "an entry without a user name" : "the entry for user '\(user)'"
                    report(
                        .error, .unhashedBasicAuth, element,
                        "The basic-auth middleware of route \(route.address) has \(who), which is not 'user:hash' with a bcrypt, apr1 or SHA hash; a password in clear text would be readable in the gateway's configuration.",
                        fix:
                            "Generate the entry with `htpasswd -nB \(user.isEmpty ? "user" : user)` and paste its output.",
                        at: route.location)
                }
            }
        case .forwardAuth(let auth):
            let rest =
                auth.address.hasPrefix("http://")
                ? auth.address.dropFirst(7) : auth.address.hasPrefix("https://") ? auth.address.dropFirst(8) : nil
            let host = rest.map { $0.prefix { $0 != ":" && $0 != "/" } } ?? ""
            if host.isEmpty || auth.address.contains(where: \.isWhitespace) {
                invalid(
                    "asks '\(auth.address)', which is not an http(s) URL with a host",
                    fix:
                        "Use the auth service's URL on the gateway's network, such as 'http://oauth2-proxy:4180/oauth2/auth'."
                )
            }
        case .stripPrefix:
            if route.normalizedPathPrefix == "/" {
                report(
                    .warning, .invalidMiddleware, element,
                    "Route \(route.address) strips its prefix, but its prefix is '/', so nothing is stripped.",
                    fix: "Remove .stripPrefix, or give the route a path prefix.",
                    at: route.location)
            }
        case .maxBodySize(let bytes):
            if bytes < 1 {
                invalid("allows \(bytes) bytes", fix: "Use a positive number of bytes, such as 10 * 1024 * 1024.")
            }
        case .timeouts(let timeouts):
            for (name, value) in [("connect", timeouts.connect), ("read", timeouts.read), ("send", timeouts.send)] {
                guard let value else { continue }
                if value < .seconds(1) {
                    invalid(
                        "waits \(GoDuration.format(value)) to \(name), less than a second",
                        fix: "Use a whole number of seconds, such as .seconds(60), or nil for the gateway's default.")
                }
            }
        case .redirectToHTTPS, .websockets:
            break
        }
    }

    private mutating func checkGateway() {
        guard let gateway = stack.gateway else { return }
        let ownsGateway = stack.name == gateway.owner
        // A network of the stack's own under the gateway network's name would take its place:
        // routed services would join it, and the gateway is not on it.
        if let network = stack.networks.first(where: { $0.name == gateway.network.name }) {
            let engineName = ownsGateway ? network.fixedName : network.externalName
            if engineName != gateway.network.engineName {
                report(
                    .error, .gatewayNetworkMismatch, "network '\(network.name)'",
                    "The stack declares its own network '\(network.name)', but the gateway '\(gateway.service)' is on the shared network \(gateway.network.engineName) of \(gateway.owner) under that name: routed services would join a network the gateway is not on.",
                    fix:
                        "Remove the Network(\"\(network.name)\") declaration (the gateway handle brings the shared network), or write the shared network's handle instead.",
                    at: network.location)
            }
        }
        if ownsGateway, stack.service(named: gateway.service) == nil {
            report(
                .error, .gatewayMissingService, "stack '\(stack.name)'",
                "The stack owns gateway '\(gateway.service)' (it owns network '\(gateway.network.name)'), but has no service of that name to run it.",
                fix: "Add the gateway service to the stack, or correct the gateway's service name.",
                at: stack.gatewayLocation ?? stack.location)
        }
        // "Only the gateway is public": every other way in bypasses its TLS, limits and auth.
        for service in stack.services where !(ownsGateway && service.name == gateway.service) {
            for port in service.ports {
                guard let published = port.published, !service.publishedPortsAllowedBehindGateway.contains(published)
                else { continue }
                report(
                    .error, .publishedPortBehindGateway, "service '\(service.name)'",
                    "It publishes host port \(published), but this stack is behind gateway '\(gateway.service)': only the gateway takes traffic from outside, and an open port bypasses its TLS, limits and authentication.",
                    fix:
                        "Route the service through the gateway with .route(…) instead of publishing the port, or allow it explicitly with .allowPublishedPorts(\(published)).",
                    at: port.location)
            }
        }
    }

    /// What is wrong with a route host, and how to fix it when the general advice (write the
    /// bare host name) does not fit.
    ///
    /// A host is a DNS name, a wildcard of exactly one leftmost label (`*.example.com`, which
    /// takes `shop.example.com` but not `a.shop.example.com`), or an IPv6 literal in brackets
    /// (`[::1]`), as the `Host` header carries it.
    static func hostProblem(_ host: String) -> (message: String, fix: String?)? {
        if host.isEmpty { return ("is empty", nil) }
        if host.contains("://") { return ("has a scheme", nil) }
        if host.contains("/") { return ("has a path", nil) }
        if host.hasPrefix("[") { return ipv6HostProblem(host) }
        if host.contains(":") {
            return host.filter({ $0 == ":" }).count > 1
                ? (
                    "is an IPv6 address without brackets",
                    "Write the address in brackets, as requests carry it: '[\(host)]'."
                )
                : ("has a port", "Write the host without ':port'; the gateway's published port is not part of a route.")
        }
        var labels = host.split(separator: ".", omittingEmptySubsequences: false)
        if host.contains("*") {
            let wildcardFix =
                "Write one '*' as the whole leftmost label, such as '*.example.com', which takes one label in its place; name deeper hosts with a route of their own."
            if host == "*" {
                return (
                    "is a bare '*', which would take every host the gateway receives",
                    "Name the domain the wildcard covers, such as '*.example.com'; requests for hosts no route has get the gateway's unknown-host answer."
                )
            }
            if labels.first != "*" || labels.dropFirst().contains(where: { $0.contains("*") }) {
                return (
                    "has a '*' other than a whole leftmost label; gateways and certificates match only that form",
                    wildcardFix
                )
            }
            labels.removeFirst()
        }
        if host != host.lowercased() { return ("has capital letters; host names are matched in lowercase", nil) }
        if host.count > 253 { return ("is longer than 253 characters", nil) }
        for label in labels {
            if label.isEmpty { return ("has an empty label", nil) }
            if label.count > 63 { return ("has a label longer than 63 characters", nil) }
            if label.hasPrefix("-") || label.hasSuffix("-") { return ("has a label starting or ending with '-'", nil) }
            if !label.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }) {
                return ("has characters a host name cannot hold", nil)
            }
        }
        return nil
    }

    /// What is wrong with a host starting with `[`: an IPv6 literal, alone.
    private static func ipv6HostProblem(_ host: String) -> (message: String, fix: String?)? {
        guard let close = host.firstIndex(of: "]") else {
            return ("opens an IPv6 address with '[' but does not close it", "Write the address in brackets: '[::1]'.")
        }
        let address = String(host[host.index(after: host.startIndex)..<close])
        let rest = host[host.index(after: close)...]
        if rest.hasPrefix(":") {
            return (
                "has a port",
                "Write the address without ':port', as '\(host[...close])'; the gateway's published port is not part of a route."
            )
        }
        if !rest.isEmpty {
            return (
                "has characters after its IPv6 address", "Write the address in brackets alone: '\(host[...close])'."
            )
        }
        if !IPv6Address.isValid(address) {
            return (
                "does not hold an IPv6 address in its brackets",
                "Write an IPv6 address such as '[::1]' or '[2001:db8::10]', without a zone ('%eth0')."
            )
        }
        if address != address.lowercased() {
            return (
                "has capital letters; gateways compare an address as the text requests carry, in lowercase",
                "Write '[\(address.lowercased())]'."
            )
        }
        return nil
    }

    static func pathProblem(_ path: String) -> String? {
        if !path.hasPrefix("/") { return "does not start with '/'" }
        if path.contains("//") { return "has an empty segment" }
        // `~` is legal in a path (`/~user`): nginx reads it as a regex modifier only as a word
        // of its own before the path, which is never how a route is written.
        let forbidden = Set(" \t\n\r{}()*?#;\"'`$\\^|[]")
        if let bad = path.first(where: { forbidden.contains($0) }) {
            return "has '\(bad)', which a literal path prefix cannot hold in every gateway's configuration"
        }
        return nil
    }
}
