import Testing

@testable import BerthCore

/// The shared infrastructure the stacks below route through: `acme-infra` owns network `edge`
/// (`acme_edge` on the engine) and runs the gateway on it.
private enum Infra {
    static let edge = SharedNetwork("edge", engineName: "acme_edge", owner: "acme-infra")
    static let traefik = Gateway.traefik(network: edge)
    static let nginx = Gateway.nginx(network: edge)
}

/// A service the gateway can route to: it declares port 8080, joins `edge` and has a health check.
private func routable(_ name: String = "api") -> Service {
    Service(name, image: "ghcr.io/acme/api:2.1").expose(8080).networks("edge").healthCheck(.http(port: 8080))
}

/// The app stack `shop`, behind a gateway of the shared infrastructure.
private func shop(behind gateway: Gateway = Infra.traefik, @StackBuilder _ content: () -> [StackElement]) -> Stack {
    Stack("shop") {
        gateway
        content()
    }
}

/// A stack with one route whose middlewares, TLS or health are under test.
private func shop(
    path: String = "/api",
    tls: RouteTLS = .none,
    middlewares: [Middleware] = [],
    health: UpstreamHealth? = nil,
    behind gateway: Gateway = Infra.traefik
) -> Stack {
    shop(behind: gateway) {
        routable().route(
            "shop.example.com", path: path, port: 8080, tls: tls, middlewares: middlewares, health: health)
    }
}

/// Entries `htpasswd` writes, one per scheme the validator accepts.
private let hashedEntries = [
    "alice:$2y$05$Pr8sQ2mV6JvI1u4rB9yq0eOQ9m7nTzP1o3cKx2fA5gYwF0bS6dH1e",
    "bob:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/",
    "carol:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=",
]

/// The one diagnostic in `found`; the test fails when there are none or several.
private func single(
    _ found: [Diagnostic],
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws -> Diagnostic {
    #expect(found.count == 1, "expected one diagnostic, got \(found)", sourceLocation: sourceLocation)
    return try #require(found.first, sourceLocation: sourceLocation)
}

@Suite("Validation: routes")
struct RouteValidationTests {
    // MARK: A valid stack

    @Test("a routed service with a port, the gateway's network and a health check has no diagnostic")
    func validRoute() {
        let stack = shop {
            routable("api").route("shop.example.com", path: "/api", port: 8080, middlewares: [.stripPrefix])
            routable("web").route("shop.example.com", port: 8080, tls: .resolver("letsencrypt"))
        }
        #expect(stack.validate(for: .prod) == [])
    }

    // MARK: route-without-gateway

    @Test func routeWithoutGateway() throws {
        let (api, line) = (routable().route("shop.example.com", port: 8080), #line)
        let diagnostic = try onlyDiagnostic(
            of: Stack("shop") {
                Network("edge")
                api
            })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .routeWithoutGateway)
        #expect(diagnostic.element == "service 'api'")
        #expect(diagnostic.message == "It has a route for shop.example.com, but the stack names no gateway to take it.")
        #expect(
            diagnostic.fix
                == "Add the shared infrastructure's gateway handle to the stack (for example AcmeInfra.gateway), or remove the route."
        )
        #expect(diagnostic.location == here(line))
    }

    @Test("the same route is valid once the stack names the gateway")
    func routeWithGateway() {
        let stack = shop { routable().route("shop.example.com", port: 8080) }
        #expect(stack.validate(for: .dev) == [])
    }

    // MARK: route-off-gateway-network

    @Test func routedServiceOffTheGatewayNetwork() throws {
        let base = Service("api", image: "ghcr.io/acme/api:2.1").expose(8080).networks("backend")
            .healthCheck(.http(port: 8080))
        let (api, line) = (base.route("shop.example.com", path: "/api", port: 8080), #line)
        let diagnostic = try onlyDiagnostic(
            of: shop {
                Network("backend", internal: true)
                api
            })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .routeOffGatewayNetwork)
        #expect(diagnostic.element == "service 'api'")
        #expect(
            diagnostic.message
                == "It has a route for shop.example.com/api, but it does not join network 'edge', the only one the gateway 'traefik' reaches services on."
        )
        #expect(diagnostic.fix == "Add .networks(\"edge\") to the service.")
        #expect(diagnostic.location == here(line))
    }

    @Test("a routed service may join other networks besides the gateway's")
    func routedServiceOnTheGatewayNetworkAndAnother() {
        let stack = shop {
            Network("backend", internal: true)
            routable().networks("backend").route("shop.example.com", path: "/api", port: 8080)
        }
        #expect(stack.validate(for: .dev) == [])
    }

    // MARK: invalid-route-host

    @Test(arguments: [
        ("https://shop.example.com", "has a scheme"),
        ("shop.example.com/api", "has a path"),
        ("Shop.Example.com", "has capital letters; host names are matched in lowercase"),
        ("", "is empty"),
        ("shop..example.com", "has an empty label"),
        (".example.com", "has an empty label"),
        ("-shop.example.com", "has a label starting or ending with '-'"),
        ("shop-.example.com", "has a label starting or ending with '-'"),
        ("shop_1.example.com", "has characters a host name cannot hold"),
        ("shop example.com", "has characters a host name cannot hold"),
        ("shöp.example.com", "has characters a host name cannot hold"),
        (String(repeating: "a", count: 64) + ".example.com", "has a label longer than 63 characters"),
        (
            Array(repeating: String(repeating: "a", count: 63), count: 4).joined(separator: "."),
            "is longer than 253 characters"
        ),
    ])
    func invalidHost(_ host: String, _ problem: String) throws {
        let (api, line) = (routable().route(host, port: 8080), #line)
        let diagnostic = try single(diagnostics(of: shop { api }, code: .invalidRouteHost))
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.element == "service 'api'")
        #expect(diagnostic.message == "Its route host '\(host)' \(problem).")
        #expect(
            diagnostic.fix == "Write the bare host name, such as 'shop.example.com'; put paths in the path: argument.")
        #expect(diagnostic.location == here(line))
    }

    @Test(
        "a wildcard other than one whole leftmost label is refused with the form that works",
        arguments: [
            (
                "*.*.example.com",
                "has a '*' other than a whole leftmost label; gateways and certificates match only that form"
            ),
            ("a.*.com", "has a '*' other than a whole leftmost label; gateways and certificates match only that form"),
            (
                "*example.com",
                "has a '*' other than a whole leftmost label; gateways and certificates match only that form"
            ),
            (
                "**.example.com",
                "has a '*' other than a whole leftmost label; gateways and certificates match only that form"
            ),
            (
                "shop.example.*",
                "has a '*' other than a whole leftmost label; gateways and certificates match only that form"
            ),
        ])
    func invalidWildcard(_ host: String, _ problem: String) throws {
        let (api, line) = (routable().route(host, port: 8080), #line)
        let diagnostic = try single(diagnostics(of: shop { api }, code: .invalidRouteHost))
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.element == "service 'api'")
        #expect(diagnostic.message == "Its route host '\(host)' \(problem).")
        #expect(
            diagnostic.fix
                == "Write one '*' as the whole leftmost label, such as '*.example.com', which takes one label in its place; name deeper hosts with a route of their own."
        )
        #expect(diagnostic.location == here(line))
    }

    @Test("a bare '*' is refused: it would take every host")
    func bareWildcard() throws {
        let diagnostic = try single(
            diagnostics(of: shop { routable().route("*", port: 8080) }, code: .invalidRouteHost))
        #expect(
            diagnostic.message == "Its route host '*' is a bare '*', which would take every host the gateway receives.")
        #expect(
            diagnostic.fix
                == "Name the domain the wildcard covers, such as '*.example.com'; requests for hosts no route has get the gateway's unknown-host answer."
        )
    }

    @Test(
        "a port is refused with its own fix; an IPv6 literal is checked inside its brackets",
        arguments: [
            (
                "shop.example.com:8443", "has a port",
                "Write the host without ':port'; the gateway's published port is not part of a route."
            ),
            (
                "[::1]:8080", "has a port",
                "Write the address without ':port', as '[::1]'; the gateway's published port is not part of a route."
            ),
            ("[::1", "opens an IPv6 address with '[' but does not close it", "Write the address in brackets: '[::1]'."),
            ("[::1]x", "has characters after its IPv6 address", "Write the address in brackets alone: '[::1]'."),
            (
                "::1", "is an IPv6 address without brackets",
                "Write the address in brackets, as requests carry it: '[::1]'."
            ),
            (
                "[::1::2]", "does not hold an IPv6 address in its brackets",
                "Write an IPv6 address such as '[::1]' or '[2001:db8::10]', without a zone ('%eth0')."
            ),
            (
                "[fe80::1%eth0]", "does not hold an IPv6 address in its brackets",
                "Write an IPv6 address such as '[::1]' or '[2001:db8::10]', without a zone ('%eth0')."
            ),
            (
                "[shop.example.com]", "does not hold an IPv6 address in its brackets",
                "Write an IPv6 address such as '[::1]' or '[2001:db8::10]', without a zone ('%eth0')."
            ),
            (
                "[]", "does not hold an IPv6 address in its brackets",
                "Write an IPv6 address such as '[::1]' or '[2001:db8::10]', without a zone ('%eth0')."
            ),
            (
                "[2001:DB8::1]",
                "has capital letters; gateways compare an address as the text requests carry, in lowercase",
                "Write '[2001:db8::1]'."
            ),
        ])
    func invalidIPv6Host(_ host: String, _ problem: String, _ fix: String) throws {
        let (api, line) = (routable().route(host, port: 8080), #line)
        let diagnostic = try single(diagnostics(of: shop { api }, code: .invalidRouteHost))
        #expect(diagnostic.message == "Its route host '\(host)' \(problem).")
        #expect(diagnostic.fix == fix)
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [
        "shop.example.com", "localhost", "a-b.example.com", "xn--bcher-kva.example", "api.v2.shop.example.com",
        "1.example.com", String(repeating: "a", count: 63) + ".example.com", "*.example.com", "*.localhost",
        "*.shop.example.com", "[::1]", "[2001:db8::10]", "[::ffff:192.0.2.1]", "[1:2:3:4:5:6:7:8]", "[::]",
        "[fe80::]",
    ])
    func validHost(_ host: String) {
        #expect(shop { routable().route(host, port: 8080) }.validate(for: .dev) == [])
    }

    // MARK: invalid-route-path

    @Test(arguments: [
        ("api", "does not start with '/'"),
        ("", "does not start with '/'"),
        ("//", "has an empty segment"),
        ("/api//v1", "has an empty segment"),
        ("/api/*", "has '*', which a literal path prefix cannot hold in every gateway's configuration"),
        ("/a b", "has ' ', which a literal path prefix cannot hold in every gateway's configuration"),
        ("/api?x=1", "has '?', which a literal path prefix cannot hold in every gateway's configuration"),
        ("/api#top", "has '#', which a literal path prefix cannot hold in every gateway's configuration"),
        ("/{id}", "has '{', which a literal path prefix cannot hold in every gateway's configuration"),
        ("/a;b", "has ';', which a literal path prefix cannot hold in every gateway's configuration"),
        ("/$x", "has '$', which a literal path prefix cannot hold in every gateway's configuration"),
    ])
    func invalidPath(_ path: String, _ problem: String) throws {
        let (api, line) = (routable().route("shop.example.com", path: path, port: 8080), #line)
        let diagnostic = try single(diagnostics(of: shop { api }, code: .invalidRoutePath))
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.element == "service 'api'")
        #expect(diagnostic.message == "Its route path '\(path)' \(problem).")
        #expect(diagnostic.fix == "Write a literal path prefix starting with '/', such as '/api'.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: ["/", "/api", "/api/", "/api/v1", "/static-files_2.0", "/%7Euser", "/~user", "/@scope/pkg"])
    func validPath(_ path: String) {
        #expect(shop { routable().route("shop.example.com", path: path, port: 8080) }.validate(for: .dev) == [])
    }

    // MARK: route-port-not-declared

    @Test func routeToAPortTheServiceDoesNotDeclare() throws {
        let (api, line) = (routable().route("shop.example.com", path: "/api", port: 9090), #line)
        let diagnostic = try onlyDiagnostic(of: shop { api })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .routePortNotDeclared)
        #expect(diagnostic.element == "service 'api'")
        #expect(
            diagnostic.message
                == "Its route for shop.example.com/api goes to port 9090, which the service does not declare.")
        #expect(diagnostic.fix == "Add .expose(9090) to the service, or route to a port it declares.")
        #expect(diagnostic.location == here(line))
    }

    @Test("a route may go to the container port of a published port")
    func routeToAPublishedPortsTarget() {
        let stack = shop {
            routable().publish(9000, on: 19000).allowPublishedPorts(19000)
                .route("shop.example.com", port: 9000)
        }
        #expect(stack.validate(for: .dev) == [])
    }

    @Test("a port declared for UDP only is not one the gateway can send HTTP to")
    func routeToAUDPPort() {
        let stack = shop {
            Service("api", image: "ghcr.io/acme/api:2.1").expose(8080, transport: .udp).networks("edge")
                .healthCheck(.http(port: 8080))
                .route("shop.example.com", port: 8080)
        }
        #expect(stack.validate(for: .dev).map(\.code) == [.routePortNotDeclared])
    }

    // MARK: duplicate-route

    @Test(arguments: [("/api", "/api"), ("/api", "/api/"), ("/api/", "/api"), ("/", "/"), ("/api", "/api//")])
    func twoServicesClaimingTheSameAddress(_ first: String, _ second: String) throws {
        let (api, firstLine) = (routable("api").route("shop.example.com", path: first, port: 8080), #line)
        let (web, secondLine) = (routable("web").route("shop.example.com", path: second, port: 8080), #line)
        let stack = shop {
            api
            web
        }
        let diagnostic = try single(diagnostics(of: stack, code: .duplicateRoute))
        let address = second == "/" ? "shop.example.com" : "shop.example.com" + second
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.element == "service 'web'")
        #expect(
            diagnostic.message
                == "Its route \(address) is already claimed by service 'api' at \(here(firstLine)): the gateway would send every request to one of them."
        )
        #expect(diagnostic.fix == "Give one of the routes another host or path prefix, or remove it.")
        #expect(diagnostic.location == here(secondLine))
    }

    @Test("one service claiming an address twice is a duplicate too")
    func oneServiceClaimingTheSameAddressTwice() throws {
        let api = routable().route("shop.example.com", path: "/api", port: 8080)
        let (twice, line) = (api.route("shop.example.com", path: "/api/", port: 8080), #line)
        let diagnostic = try onlyDiagnostic(of: shop { twice })
        #expect(diagnostic.code == .duplicateRoute)
        #expect(diagnostic.message.contains("already claimed by service 'api'"))
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [
        ("shop.example.com", "/api", "shop.example.com", "/apiv2"),
        ("shop.example.com", "/api", "shop.example.com", "/"),
        ("shop.example.com", "/api", "shop.example.com", "/API"),
        ("shop.example.com", "/api", "shop.example.com", "/api/v1"),
        ("shop.example.com", "/", "www.shop.example.com", "/"),
    ])
    func differentAddressesDoNotConflict(_ firstHost: String, _ firstPath: String, _ host: String, _ path: String) {
        let stack = shop {
            routable("api").route(firstHost, path: firstPath, port: 8080)
            routable("web").route(host, path: path, port: 8080)
        }
        #expect(stack.validate(for: .dev) == [])
    }

    // MARK: invalid-middleware

    @Test(arguments: [
        (Middleware.rateLimit(RateLimit(average: 0)), "allows 0 request(s) per 1s with a burst of 0"),
        (.rateLimit(RateLimit(average: -5, burst: 10)), "allows -5 request(s) per 1s with a burst of 10"),
        (.rateLimit(RateLimit(average: 10, burst: -1)), "allows 10 request(s) per 1s with a burst of -1"),
        (.rateLimit(RateLimit(average: 10, period: .zero)), "allows 10 request(s) per 0s with a burst of 0"),
        (.rateLimit(RateLimit(average: 10, period: .seconds(-1))), "allows 10 request(s) per -1s with a burst of 0"),
        (
            .rateLimit(RateLimit(average: 10, period: .milliseconds(500))),
            "measures over 500ms, shorter than a second, which nginx cannot express"
        ),
        (.securityHeaders(SecurityHeaders(strictTransportSecuritySeconds: -1)), "has a negative HSTS age"),
        (
            .securityHeaders(SecurityHeaders(contentSecurityPolicy: "default-src \"self\"")),
            "has a header value with a quote, backquote, backslash or line break, which neither nginx nor Traefik labels carry intact"
        ),
        (
            .securityHeaders(SecurityHeaders(referrerPolicy: "no-referrer\nX-Injected: 1")),
            "has a header value with a quote, backquote, backslash or line break, which neither nginx nor Traefik labels carry intact"
        ),
        (
            .securityHeaders(SecurityHeaders(referrerPolicy: "no-referrer\rX-Injected: 1")),
            "has a header value with a quote, backquote, backslash or line break, which neither nginx nor Traefik labels carry intact"
        ),
        (
            .securityHeaders(SecurityHeaders(contentSecurityPolicy: "default-src `self`")),
            "has a header value with a quote, backquote, backslash or line break, which neither nginx nor Traefik labels carry intact"
        ),
        (
            .securityHeaders(SecurityHeaders(contentSecurityPolicy: "default-src \\self")),
            "has a header value with a quote, backquote, backslash or line break, which neither nginx nor Traefik labels carry intact"
        ),
        (.basicAuth(BasicAuth(users: [])), "has no users"),
        (.maxBodySize(0), "allows 0 bytes"),
        (.maxBodySize(-1), "allows -1 bytes"),
    ])
    func invalidMiddleware(_ middleware: Middleware, _ problem: String) throws {
        let (api, line) = (
            routable().route("shop.example.com", path: "/api", port: 8080, middlewares: [middleware]), #line
        )
        let diagnostic = try onlyDiagnostic(of: shop { api })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidMiddleware)
        #expect(diagnostic.element == "service 'api'")
        #expect(diagnostic.message == "The \(middleware.kind) middleware of route shop.example.com/api \(problem).")
        #expect(diagnostic.location == here(line))
    }

    @Test("a CR LF pair in a header value is a line break too")
    func securityHeaderWithCRLF() {
        let headers = SecurityHeaders(referrerPolicy: "no-referrer\r\nX-Injected: 1")
        let stack = shop(middlewares: [.securityHeaders(headers)])
        #expect(stack.validate(for: .dev).map(\.code) == [.invalidMiddleware])
    }

    @Test(arguments: [
        Middleware.rateLimit(.perSecond(1)), .rateLimit(.perMinute(30)), .rateLimit(RateLimit(average: 1, burst: 0)),
        .rateLimit(RateLimit(average: 5, period: .seconds(90))), .securityHeaders(.strict),
        .securityHeaders(
            SecurityHeaders(strictTransportSecuritySeconds: 0, contentSecurityPolicy: "default-src 'self'")),
        .basicAuth(BasicAuth(users: hashedEntries)), .forwardAuth(.oauth2Proxy()), .stripPrefix, .redirectToHTTPS,
        .websockets, .maxBodySize(1),
    ])
    func validMiddleware(_ middleware: Middleware) {
        #expect(shop(middlewares: [middleware]).validate(for: .dev) == [])
    }

    @Test(arguments: [
        "oauth2-proxy:4180/oauth2/auth", "http://", "https://", "http:///oauth2/auth", "ftp://auth/check", "",
        "http://oauth2 proxy:4180/oauth2/auth", " http://oauth2-proxy:4180/oauth2/auth",
    ])
    func forwardAuthWithoutAnHTTPURL(_ address: String) throws {
        let middleware = Middleware.forwardAuth(ForwardAuth(address: address))
        let (api, line) = (
            routable().route("shop.example.com", path: "/api", port: 8080, middlewares: [middleware]), #line
        )
        let diagnostic = try onlyDiagnostic(of: shop { api })
        #expect(diagnostic.code == .invalidMiddleware)
        #expect(
            diagnostic.message
                == "The forward-auth middleware of route shop.example.com/api asks '\(address)', which is not an http(s) URL with a host."
        )
        #expect(
            diagnostic.fix
                == "Use the auth service's URL on the gateway's network, such as 'http://oauth2-proxy:4180/oauth2/auth'."
        )
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [
        "http://oauth2-proxy:4180/oauth2/auth", "https://auth.example.com/verify", "http://auth",
        "http://10.0.0.5:9000",
    ])
    func forwardAuthWithAnHTTPURL(_ address: String) {
        #expect(shop(middlewares: [.forwardAuth(ForwardAuth(address: address))]).validate(for: .dev) == [])
    }

    @Test("a forward-auth URL with a port but no host is refused")
    func forwardAuthWithAPortButNoHost() {
        let stack = shop(middlewares: [.forwardAuth(ForwardAuth(address: "http://:4180/oauth2/auth"))])
        #expect(stack.validate(for: .dev).map(\.code) == [.invalidMiddleware])
    }

    @Test("a rate limit passes 0 to its burst of requests without delay, and timeouts are whole seconds")
    func delayedBurstsAndTimeouts() throws {
        for undelayed in [nil, 0, 3, 5] {
            let limit = RateLimit.perSecond(5, burst: 5, undelayed: undelayed)
            #expect(shop(middlewares: [.rateLimit(limit)]).validate(for: .dev) == [])
        }
        let tooMany = try onlyDiagnostic(of: shop(middlewares: [.rateLimit(.perSecond(5, burst: 5, undelayed: 6))]))
        #expect(tooMany.code == .invalidMiddleware)
        #expect(tooMany.message.contains("lets 6 request(s) of a burst of 5 pass without delay"), "\(tooMany.message)")
        #expect(
            tooMany.fix
                == "Use a number from 0 (delay every request above the rate) to the burst, or nil to pass the whole burst at once."
        )
        let timeouts = ProxyTimeouts(connect: .seconds(5), read: .seconds(86_400))
        #expect(shop(middlewares: [.websockets, .timeouts(timeouts)]).validate(for: .dev) == [])
        let short = try onlyDiagnostic(of: shop(middlewares: [.timeouts(ProxyTimeouts(read: .milliseconds(500)))]))
        #expect(short.code == .invalidMiddleware)
        #expect(short.message.contains("waits 500ms to read, less than a second"), "\(short.message)")
    }

    @Test("stripping the prefix of a route on '/' is a warning")
    func stripPrefixOnRoot() throws {
        let (api, line) = (routable().route("shop.example.com", port: 8080, middlewares: [.stripPrefix]), #line)
        let diagnostic = try onlyDiagnostic(of: shop { api })
        #expect(diagnostic.severity == .warning)
        #expect(diagnostic.code == .invalidMiddleware)
        #expect(
            diagnostic.message
                == "Route shop.example.com strips its prefix, but its prefix is '/', so nothing is stripped.")
        #expect(diagnostic.fix == "Remove .stripPrefix, or give the route a path prefix.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [
        (
            UpstreamHealth(path: "health"),
            "The upstream health path 'health' of route shop.example.com/api is not an absolute path."
        ),
        (
            UpstreamHealth(path: "/he alth"),
            "The upstream health path '/he alth' of route shop.example.com/api is not an absolute path."
        ),
        (
            UpstreamHealth(interval: .zero),
            "The upstream health of route shop.example.com/api needs positive durations and at least one failure before a server is taken out."
        ),
        (
            UpstreamHealth(timeout: .seconds(-1)),
            "The upstream health of route shop.example.com/api needs positive durations and at least one failure before a server is taken out."
        ),
        (
            UpstreamHealth(failTimeout: .zero),
            "The upstream health of route shop.example.com/api needs positive durations and at least one failure before a server is taken out."
        ),
        (
            UpstreamHealth(maxFails: 0),
            "The upstream health of route shop.example.com/api needs positive durations and at least one failure before a server is taken out."
        ),
    ])
    func invalidUpstreamHealth(_ health: UpstreamHealth, _ message: String) throws {
        let (api, line) = (
            routable().route("shop.example.com", path: "/api", port: 8080, health: health), #line
        )
        let diagnostic = try onlyDiagnostic(of: shop { api })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidMiddleware)
        #expect(diagnostic.message == message)
        #expect(diagnostic.location == here(line))
    }

    @Test func validUpstreamHealth() {
        #expect(shop(health: UpstreamHealth()).validate(for: .dev) == [])
        #expect(shop(health: UpstreamHealth(path: "/", maxFails: 1)).validate(for: .dev) == [])
    }

    // MARK: unhashed-basic-auth

    @Test("an unhashed basic-auth entry is an error that names the user and never prints the password")
    func unhashedBasicAuth() throws {
        let auth = Middleware.basicAuth(BasicAuth(users: [hashedEntries[0], "dave:hunter2"]))
        let (api, line) = (
            routable().route("shop.example.com", path: "/api", port: 8080, middlewares: [auth]), #line
        )
        let diagnostic = try onlyDiagnostic(of: shop { api })
        #expect(diagnostic.severity == .error)
        #expect(
            diagnostic.message
                == "The basic-auth middleware of route shop.example.com/api has the entry for user 'dave', which is not 'user:hash' with a bcrypt, apr1 or SHA hash; a password in clear text would be readable in the gateway's configuration."
        )
        #expect(diagnostic.fix == "Generate the entry with `htpasswd -nB dave` and paste its output.")
        #expect(!diagnostic.description.contains("hunter2"))
        #expect(diagnostic.location == here(line))
        #expect(diagnostic.code == .unhashedBasicAuth)
    }

    @Test(
        "no part of an unhashed entry but the user name appears in the diagnostic",
        arguments: ["dave:", "dave:hunter2", "dave:hun:ter2", "dave:$1$salt$hash"])
    func unhashedEntryNeverPrinted(_ entry: String) throws {
        let stack = shop(middlewares: [.basicAuth(BasicAuth(users: [entry]))])
        let diagnostic = try onlyDiagnostic(of: stack)
        let password = entry.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[1]
        if !password.isEmpty {
            #expect(!diagnostic.description.contains(password), "\(diagnostic)")
        }
        #expect(diagnostic.code == .unhashedBasicAuth)
    }

    @Test(
        "an entry without a user name is reported without what follows its ':'",
        arguments: [":hunter2", ":$2y$05$Pr8sQ2mV6JvI1u4rB9yq0e"])
    func entryWithoutUserName(_ entry: String) throws {
        let stack = shop(middlewares: [.basicAuth(BasicAuth(users: [entry]))])
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(!diagnostic.description.contains(entry.dropFirst()), "\(diagnostic)")
    }

    @Test("an entry without ':' may be a bare password, and is printed whole as the user name")
    func entryWithoutColonIsPrintedWhole() throws {
        let stack = shop(middlewares: [.basicAuth(BasicAuth(users: ["hunter2"]))])
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(!diagnostic.description.contains("hunter2"), "\(diagnostic)")
    }

    // MARK: routed-without-health-check

    @Test func routedServiceWithoutHealthCheck() throws {
        let base = Service("api", image: "ghcr.io/acme/api:2.1").expose(8080).networks("edge")
        let (api, line) = (base.route("shop.example.com", path: "/api", port: 8080), #line)
        let diagnostic = try onlyDiagnostic(of: shop { api }, for: .prod)
        #expect(diagnostic.severity == .warning)
        #expect(diagnostic.code == .routedWithoutHealthCheck)
        #expect(diagnostic.element == "service 'api'")
        #expect(
            diagnostic.message
                == "It takes requests for shop.example.com/api but has no health check, so a deploy cannot tell when it is ready for them."
        )
        #expect(diagnostic.fix == "Add .healthCheck(…) to the service.")
        #expect(diagnostic.location == here(line))
    }

    @Test("a service without routes needs no health check for the gateway")
    func unroutedServiceWithoutHealthCheck() {
        let stack = shop {
            routable().route("shop.example.com", port: 8080)
            Service("worker", image: "ghcr.io/acme/worker:2.1").networks("edge")
        }
        #expect(stack.validate(for: .prod) == [])
    }

    // MARK: published-port-behind-gateway

    @Test func publishedPortBehindGateway() throws {
        let db = Service("db", image: "postgres:17.2").networks("edge")
        let (published, line) = (db.publish(5432), #line)
        let diagnostic = try onlyDiagnostic(of: shop { published })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .publishedPortBehindGateway)
        #expect(diagnostic.element == "service 'db'")
        #expect(
            diagnostic.message
                == "It publishes host port 5432, but this stack is behind gateway 'traefik': only the gateway takes traffic from outside, and an open port bypasses its TLS, limits and authentication."
        )
        #expect(
            diagnostic.fix
                == "Route the service through the gateway with .route(…) instead of publishing the port, or allow it explicitly with .allowPublishedPorts(5432)."
        )
        #expect(diagnostic.location == here(line))
    }

    @Test("an allowed host port may be published; the allowance is by host port, not container port")
    func allowedPublishedPorts() {
        let db = Service("db", image: "postgres:17.2")
        #expect(shop { db.publish(5432).allowPublishedPorts(5432) }.validate(for: .dev) == [])
        #expect(shop { db.publish(5432, on: 15432).allowPublishedPorts(15432) }.validate(for: .dev) == [])
        let exporter = db.publish(9187).publish(5432).allowPublishedPorts(9187, 5432)
        #expect(shop { exporter }.validate(for: .dev) == [])

        let byContainerPort = diagnostics(
            of: shop { db.publish(5432, on: 15432).allowPublishedPorts(5432) }, code: .publishedPortBehindGateway)
        #expect(byContainerPort.count == 1)
        #expect(byContainerPort.first?.message.hasPrefix("It publishes host port 15432,") == true)
        let another = diagnostics(
            of: shop { db.publish(5432).publish(9187).allowPublishedPorts(9187) }, code: .publishedPortBehindGateway)
        #expect(another.map(\.element) == ["service 'db'"])
        #expect(another.first?.message.hasPrefix("It publishes host port 5432,") == true)
    }

    @Test("the gateway's own service publishes ports in its owner's stack")
    func gatewayPublishesInItsOwnersStack() {
        let stack = Stack("acme-infra") {
            Infra.edge
            Infra.traefik
            Service("traefik", image: "traefik:v3.2").networks("edge").publish(80, public: true)
                .publish(443, public: true)
        }
        #expect(stack.validate(for: .prod) == [])
    }

    @Test("in its owner's stack, only the gateway's service may publish")
    func otherServiceOfTheOwnersStackPublishes() throws {
        let (adminer, line) = (Service("adminer", image: "adminer:4.8.1").publish(8080), #line)
        let stack = Stack("acme-infra") {
            Infra.traefik
            Service("traefik", image: "traefik:v3.2").networks("edge").publish(443, public: true)
            adminer
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.code == .publishedPortBehindGateway)
        #expect(diagnostic.element == "service 'adminer'")
        #expect(diagnostic.location == here(line))
    }

    @Test("a service named like the gateway in another stack is not the gateway")
    func gatewayNameInAnotherStack() throws {
        let (traefik, line) = (Service("traefik", image: "traefik:v3.2").publish(443, public: true), #line)
        let diagnostic = try onlyDiagnostic(of: shop { traefik })
        #expect(diagnostic.code == .publishedPortBehindGateway)
        #expect(diagnostic.element == "service 'traefik'")
        #expect(diagnostic.location == here(line))
    }

    @Test("a stack without a gateway may publish ports")
    func publishedPortWithoutGateway() {
        let stack = Stack("shop") { Service("db", image: "postgres:17.2").publish(5432) }
        #expect(stack.validate(for: .dev) == [])
    }

    // MARK: gateway-missing-service

    @Test func gatewayOwnerWithoutTheGatewayService() throws {
        // `#line` must stay on the line of `Stack(`.
        // swift-format-ignore
        let (line, stack) = (#line, Stack("acme-infra") {
            Infra.traefik  // line + 1
            Service("nginx", image: "nginx:1.27").networks("edge")
        })
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .gatewayMissingService)
        #expect(diagnostic.element == "stack 'acme-infra'")
        #expect(
            diagnostic.message
                == "The stack owns gateway 'traefik' (it owns network 'edge'), but has no service of that name to run it."
        )
        #expect(diagnostic.fix == "Add the gateway service to the stack, or correct the gateway's service name.")
        #expect(diagnostic.location == here(line + 1))
    }

    @Test("only the owner's stack must run the gateway service")
    func appStackWithoutTheGatewayService() {
        #expect(Stack("shop") { Infra.traefik }.validate(for: .dev) == [])
        #expect(
            Stack("acme-infra") {
                Infra.nginx
                Service("nginx", image: "nginx:1.27").networks("edge")
            }.validate(for: .dev) == [])
    }
}
