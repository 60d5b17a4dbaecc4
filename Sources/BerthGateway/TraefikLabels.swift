import BerthCore

/// The labels that make Traefik v3 serve a stack's ``Route``s.
///
/// A Traefik gateway reads its routing from the services it routes to. ``apply(to:for:)``
/// writes every route of a stack whose gateway is Traefik as labels on the service that
/// answers it, where the environment's provider reads them:
/// - on Compose, container labels for the Docker provider, with `traefik.docker.network`;
/// - on Swarm, service labels (`deploy.labels`) for the Swarm provider, with
///   `traefik.swarm.network`.
///
/// Each route becomes a router, a Traefik service and its middlewares, all named
/// `<stack>-<environment>-<service>-<index>` (``routerName(stack:environment:service:index:)``)
/// so that names never collide on an engine shared by several stacks:
/// ```
/// traefik.http.routers.shop-prod-api-0.rule=Host(`shop.example.com`) && (Path(`/api`) || PathPrefix(`/api/`))
/// traefik.http.routers.shop-prod-api-0.entrypoints=websecure
/// traefik.http.routers.shop-prod-api-0.service=shop-prod-api-0
/// traefik.http.routers.shop-prod-api-0.middlewares=shop-prod-api-0-strip-prefix
/// traefik.http.routers.shop-prod-api-0.tls=true
/// traefik.http.routers.shop-prod-api-0.tls.certresolver=letsencrypt
/// traefik.http.middlewares.shop-prod-api-0-strip-prefix.stripprefix.prefixes=/api
/// traefik.http.services.shop-prod-api-0.loadbalancer.server.port=8080
/// ```
public enum TraefikLabels {
    /// The stack with Traefik labels on every routed service, when its gateway is Traefik;
    /// otherwise the stack unchanged.
    ///
    /// Only labels are added: on Compose to ``Service/labels``, on Swarm to
    /// ``DeployPolicy/labels``. A key the user already wrote there keeps the user's value, so
    /// the rendered file never holds one key twice. Each label carries the location of the route
    /// it comes from.
    /// - Parameters:
    ///   - stack: The stack as declared.
    ///   - environment: Decides the provider, and names the routers.
    public static func apply(to stack: Stack, for environment: Environment) -> Stack {
        guard stack.gateway?.kind == .traefik else { return stack }
        var result = stack
        for index in result.services.indices {
            let service = result.services[index]
            let generated = labels(for: service, in: stack, for: environment)
            guard !generated.isEmpty else { continue }
            switch environment.orchestrator {
            case .compose: result.services[index].labels = merge(generated, into: service.labels)
            case .swarm: result.services[index].deploy.labels = merge(generated, into: service.deploy.labels)
            }
        }
        return result
    }

    /// The Traefik labels for one service's routes, in a fixed order; none when the service has
    /// no routes or the stack's gateway is not Traefik.
    ///
    /// Per service: `traefik.enable` and the network key. Per route, in the order written: the
    /// router, the HTTP router that redirects to it (with ``Middleware/redirectToHTTPS``), the
    /// middlewares in route order, and the Traefik service with its port and health check.
    public static func labels(for service: Service, in stack: Stack, for environment: Environment) -> [Label] {
        guard let gateway = stack.gateway, gateway.kind == .traefik, let first = service.routes.first else {
            return []
        }
        var labels = [
            Label(key: "traefik.enable", value: "true", location: first.location),
            Label(key: networkKey(for: environment), value: gateway.network.engineName, location: first.location),
        ]
        for (index, route) in service.routes.enumerated() {
            let name = routerName(stack: stack.name, environment: environment.name, service: service.name, index: index)
            labels += RouteLabels(route: route, name: name, gateway: gateway).labels
        }
        return labels
    }

    /// The label that names the network Traefik reaches a service on: its provider's own key.
    /// Berth's Traefik (``Traefik/service(gateway:image:acmeEmail:certificateResolver:dashboardHost:dashboardUsers:httpPort:httpsPort:hostIP:for:fileID:line:)``)
    /// serves only the services whose key names its network.
    public static func networkKey(for environment: Environment) -> String {
        environment.orchestrator == .swarm ? "traefik.swarm.network" : "traefik.docker.network"
    }

    /// The name of the router, Traefik service and middleware prefix of a route:
    /// `<stack>-<environment>-<service>-<index>`, lowercase letters, digits and `-`.
    ///
    /// Traefik names are global to its provider, so two stacks on one engine must never write
    /// the same one; and an `@` would be read as a provider suffix.
    /// - Parameter index: The route's position among the service's routes, from 0.
    public static func routerName(stack: String, environment: String, service: String, index: Int) -> String {
        [stack, environment, service, String(index)].map(nameComponent).joined(separator: "-")
    }

    /// A name component reduced to lowercase letters, digits and single `-` between them.
    static func nameComponent(_ text: String) -> String {
        var result = ""
        for character in text.lowercased() {
            if character.isASCII, character.isLetter || character.isNumber {
                result.append(character)
            } else if !result.isEmpty, !result.hasSuffix("-") {
                result.append("-")
            }
        }
        while result.hasSuffix("-") { result.removeLast() }
        return result
    }

    /// What a wildcard route's priority is lowered by, so it stays below every exact host's.
    static let wildcardPriorityOffset = 1_000_000

    /// `text` as a Go regular expression matching it literally.
    static func regexLiteral(_ text: String) -> String {
        var pattern = ""
        for character in text {
            if "\\^$.|?*+()[]{}".contains(character) { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern
    }

    /// `generated` appended to `existing`, less the keys `existing` already has.
    private static func merge(_ generated: [Label], into existing: [Label]) -> [Label] {
        let written = Set(existing.map(\.key))
        return existing + generated.filter { !written.contains($0.key) }
    }
}

/// The labels of one route: its routers, middlewares and Traefik service.
private struct RouteLabels {
    let route: Route
    let name: String
    let gateway: Gateway

    var labels: [Label] {
        var labels: [Label] = []
        func add(_ key: String, _ value: String) {
            labels.append(Label(key: "traefik.http." + key, value: value, location: route.location))
        }
        let middlewares = definedMiddlewares
        let isTLS = route.tls != .none
        let router = "routers.\(name)"
        add("\(router).rule", rule)
        if let priority { add("\(router).priority", String(priority)) }
        add("\(router).entrypoints", isTLS ? gateway.httpsEntrypoint : gateway.httpEntrypoint)
        add("\(router).service", name)
        if !middlewares.isEmpty {
            add("\(router).middlewares", middlewares.map(\.name).joined(separator: ","))
        }
        switch route.tls {
        case .none:
            break
        case .resolver(let resolver):
            add("\(router).tls", "true")
            add("\(router).tls.certresolver", resolver)
        case .certificate, .gatewayCertificates:
            // Traefik takes certificate files from its file provider only (validation refuses
            // `.certificate` and says where the files belong): TLS with what Traefik holds.
            add("\(router).tls", "true")
        }
        if isTLS, route.middlewares.contains(.redirectToHTTPS) {
            let redirect = "\(name)-redirect-https"
            add("routers.\(name)-http.rule", rule)
            if let priority { add("routers.\(name)-http.priority", String(priority)) }
            add("routers.\(name)-http.entrypoints", gateway.httpEntrypoint)
            add("routers.\(name)-http.service", name)
            add("routers.\(name)-http.middlewares", redirect)
            add("middlewares.\(redirect).redirectscheme.scheme", "https")
            // Without a port Traefik drops the request's (checked against 3.7 on the wire:
            // `http://h:32080/` goes to `https://h/`), so a gateway published elsewhere than 443
            // names its HTTPS port.
            if let port = gateway.httpsPort, port != 443 {
                add("middlewares.\(redirect).redirectscheme.port", String(port))
            }
            add("middlewares.\(redirect).redirectscheme.permanent", "true")
        }
        for middleware in middlewares {
            for (field, value) in middleware.fields {
                add("middlewares.\(middleware.name).\(middleware.type).\(field)", value)
            }
        }
        let service = "services.\(name).loadbalancer"
        add("\(service).server.port", String(route.port))
        if let health = route.health {
            add("\(service).healthcheck.path", health.path)
            add("\(service).healthcheck.interval", GoDuration.format(health.interval))
            add("\(service).healthcheck.timeout", GoDuration.format(health.timeout))
        }
        return labels
    }

    /// The path prefix as every gateway Berth renders matches it: `/api/` is `/api`.
    private var path: String { route.normalizedPathPrefix }

    /// `` Host(`h`) ``, with `` && (Path(`/p`) || PathPrefix(`/p/`)) `` under a path: v3 matchers
    /// take one argument.
    ///
    /// A path prefix is whole segments, as nginx (`location /p/` and `= /p`) and Caddy
    /// (`path /p /p/*`) match it: `/p` and everything under `/p/`, never `/pq`, which a bare
    /// `` PathPrefix(`/p`) `` would take (and strip to `/q`).
    ///
    /// A wildcard host is a `HostRegexp` of exactly one label, since `Host` takes wildcards only
    /// from Traefik 3.7 on (and then any number of labels); an IPv6 literal loses its brackets,
    /// since Traefik compares the request's host without them.
    var rule: String {
        let host: String
        if let domain = route.wildcardDomain {
            host = "HostRegexp(`^[^.]+\(TraefikLabels.regexLiteral("." + domain))$`)"
        } else if let address = route.ipv6Address {
            host = "Host(`\(address)`)"
        } else {
            host = "Host(`\(route.host)`)"
        }
        return path == "/" ? host : "\(host) && (Path(`\(path)`) || PathPrefix(`\(path)/`))"
    }

    /// An explicit priority for a wildcard route's routers, `nil` for the others.
    ///
    /// Traefik tries routers by priority, the length of the rule unless set, so a `HostRegexp`
    /// would win over a shorter `Host` rule of another stack for the same request. Every exact
    /// host's routers keep their positive default; a wildcard's get the length of its rule less
    /// a million: below every exact host wherever it is declared, as nginx orders them, and
    /// among wildcards still the longest path first.
    var priority: Int? {
        route.wildcardDomain == nil ? nil : rule.count - TraefikLabels.wildcardPriorityOffset
    }

    /// A middleware as labels define it.
    struct Defined {
        var name: String
        /// Traefik's type, as labels spell it (`ratelimit`).
        var type: String
        var fields: [(String, String)]
    }

    /// The route's middlewares that Traefik needs defined, in route order; a kind used twice
    /// gets a numbered name.
    var definedMiddlewares: [Defined] {
        var result: [Defined] = []
        var seen: [String: Int] = [:]
        for middleware in route.middlewares {
            guard let (type, fields) = definition(of: middleware), !fields.isEmpty else { continue }
            let count = seen[middleware.kind, default: 0] + 1
            seen[middleware.kind] = count
            let suffix = count == 1 ? middleware.kind : "\(middleware.kind)-\(count)"
            result.append(Defined(name: "\(name)-\(suffix)", type: type, fields: fields))
        }
        return result
    }

    private func definition(of middleware: Middleware) -> (String, [(String, String)])? {
        switch middleware {
        case .rateLimit(let limit):
            var fields = [("average", String(limit.average)), ("period", GoDuration.format(limit.period))]
            if limit.burst > 0 { fields.append(("burst", String(limit.burst))) }
            return ("ratelimit", fields)
        case .securityHeaders(let headers):
            var fields: [(String, String)] = []
            if headers.strictTransportSecuritySeconds > 0 {
                fields.append(("stsseconds", String(headers.strictTransportSecuritySeconds)))
            }
            if headers.frameDeny { fields.append(("framedeny", "true")) }
            if headers.contentTypeNosniff { fields.append(("contenttypenosniff", "true")) }
            if let policy = headers.referrerPolicy, !policy.isEmpty { fields.append(("referrerpolicy", policy)) }
            if let policy = headers.contentSecurityPolicy, !policy.isEmpty {
                fields.append(("contentsecuritypolicy", policy))
            }
            return ("headers", fields)
        case .basicAuth(let auth):
            return ("basicauth", auth.users.isEmpty ? [] : [("users", auth.users.joined(separator: ","))])
        case .forwardAuth(let auth):
            var fields = [("address", auth.address), ("trustforwardheader", String(auth.trustForwardHeader))]
            if !auth.responseHeaders.isEmpty {
                fields.append(("authresponseheaders", auth.responseHeaders.joined(separator: ",")))
            }
            return ("forwardauth", fields)
        case .stripPrefix:
            // Stripping `/` would strip nothing; validation warns about it.
            return ("stripprefix", path == "/" ? [] : [("prefixes", path)])
        case .maxBodySize(let bytes):
            return ("buffering", [("maxrequestbodybytes", String(bytes))])
        case .redirectToHTTPS, .websockets, .timeouts:
            // The redirect lives on its own HTTP router; Traefik passes WebSocket upgrades as is
            // and sets timeouts on its entrypoints and servers transports, not per router.
            return nil
        }
    }
}
