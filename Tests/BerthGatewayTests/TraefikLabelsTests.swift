import BerthCore
import BerthGateway
import Testing

@Suite("Traefik labels from routes")
struct TraefikLabelsTests {
    typealias Fixtures = TraefikFixtures

    /// The labels of one service of a stack after ``TraefikLabels/apply(to:for:)``, as pairs.
    static func pairs(_ labels: [Label]) -> [String] {
        labels.map { "\($0.key)=\($0.value)" }
    }

    static func service(_ name: String, of stack: Stack) throws -> Service {
        try #require(stack.service(named: name))
    }

    @Test func composeLabelsOfATLSRouteWithRedirectHeadersAndRateLimit() throws {
        let stack = TraefikLabels.apply(to: Fixtures.shop(), for: Fixtures.compose)
        let web = try Self.service("web", of: stack)
        #expect(
            Self.pairs(web.labels) == [
                "traefik.enable=true",
                "traefik.docker.network=acme_edge",
                "traefik.http.routers.shop-dev-web-0.rule=Host(`shop.example.com`)",
                "traefik.http.routers.shop-dev-web-0.entrypoints=websecure",
                "traefik.http.routers.shop-dev-web-0.service=shop-dev-web-0",
                "traefik.http.routers.shop-dev-web-0.middlewares=shop-dev-web-0-security-headers,shop-dev-web-0-rate-limit",
                "traefik.http.routers.shop-dev-web-0.tls=true",
                "traefik.http.routers.shop-dev-web-0.tls.certresolver=letsencrypt",
                "traefik.http.routers.shop-dev-web-0-http.rule=Host(`shop.example.com`)",
                "traefik.http.routers.shop-dev-web-0-http.entrypoints=web",
                "traefik.http.routers.shop-dev-web-0-http.service=shop-dev-web-0",
                "traefik.http.routers.shop-dev-web-0-http.middlewares=shop-dev-web-0-redirect-https",
                "traefik.http.middlewares.shop-dev-web-0-redirect-https.redirectscheme.scheme=https",
                "traefik.http.middlewares.shop-dev-web-0-redirect-https.redirectscheme.permanent=true",
                "traefik.http.middlewares.shop-dev-web-0-security-headers.headers.stsseconds=31536000",
                "traefik.http.middlewares.shop-dev-web-0-security-headers.headers.framedeny=true",
                "traefik.http.middlewares.shop-dev-web-0-security-headers.headers.contenttypenosniff=true",
                "traefik.http.middlewares.shop-dev-web-0-security-headers.headers.referrerpolicy=strict-origin-when-cross-origin",
                "traefik.http.middlewares.shop-dev-web-0-rate-limit.ratelimit.average=20",
                "traefik.http.middlewares.shop-dev-web-0-rate-limit.ratelimit.period=1s",
                "traefik.http.middlewares.shop-dev-web-0-rate-limit.ratelimit.burst=20",
                "traefik.http.services.shop-dev-web-0.loadbalancer.server.port=8080",
                "traefik.http.services.shop-dev-web-0.loadbalancer.healthcheck.path=/health",
                "traefik.http.services.shop-dev-web-0.loadbalancer.healthcheck.interval=10s",
                "traefik.http.services.shop-dev-web-0.loadbalancer.healthcheck.timeout=3s",
            ])
        #expect(web.deploy.labels.isEmpty)
    }

    /// Traefik 3.7's redirectscheme without a port sends `http://h:32080/` to `https://h/`
    /// (seen on the wire), so a gateway published elsewhere than 443 names its HTTPS port.
    @Test("a redirect to HTTPS keeps the gateway's HTTPS port when it is not 443")
    func redirectKeepsAnHTTPSPortOtherThan443() throws {
        func redirect(httpsPort: Int?) throws -> [String] {
            let gateway = Gateway.traefik(network: Fixtures.edge, httpsPort: httpsPort)
            let stack = Stack("shop") {
                gateway
                Service("web", image: "ghcr.io/acme/shop:1.0").expose(8080).networks("edge")
                    .route("shop.localhost", port: 8080, tls: .gatewayCertificates, middlewares: [.redirectToHTTPS])
            }
            let web = try Self.service("web", of: TraefikLabels.apply(to: stack, for: Fixtures.compose))
            return Self.pairs(web.labels).filter { $0.contains(".redirectscheme.") }
        }
        #expect(
            try redirect(httpsPort: 32443) == [
                "traefik.http.middlewares.shop-dev-web-0-redirect-https.redirectscheme.scheme=https",
                "traefik.http.middlewares.shop-dev-web-0-redirect-https.redirectscheme.port=32443",
                "traefik.http.middlewares.shop-dev-web-0-redirect-https.redirectscheme.permanent=true",
            ])
        for port in [nil, 443] {
            #expect(try redirect(httpsPort: port).allSatisfy { !$0.contains(".port=") })
        }
    }

    @Test("a wildcard host is a one-label HostRegexp whose routers rank below every exact host")
    func wildcardHost() throws {
        let stack = Stack("tenants") {
            Fixtures.gateway
            Service("app", image: "ghcr.io/acme/tenants:1.0").expose(8080).networks("edge")
                .healthCheck(.http(port: 8080))
                .route(
                    "*.example.com", path: "/api", port: 8080, tls: .resolver("letsencrypt"),
                    middlewares: [.redirectToHTTPS])
        }
        #expect(stack.validate(for: Fixtures.compose) == [])
        let applied = TraefikLabels.apply(to: stack, for: Fixtures.compose)
        #expect(TraefikValidation.diagnostics(of: applied, for: Fixtures.compose) == [])
        let rule = "HostRegexp(`^[^.]+\\.example\\.com$`) && (Path(`/api`) || PathPrefix(`/api/`))"
        let labels = Self.pairs(try Self.service("app", of: applied).labels)
        #expect(labels.contains("traefik.http.routers.tenants-dev-app-0.rule=\(rule)"))
        #expect(labels.contains("traefik.http.routers.tenants-dev-app-0.priority=\(rule.count - 1_000_000)"))
        #expect(labels.contains("traefik.http.routers.tenants-dev-app-0-http.rule=\(rule)"))
        #expect(labels.contains("traefik.http.routers.tenants-dev-app-0-http.priority=\(rule.count - 1_000_000)"))
    }

    @Test("an exact host and an IPv6 literal keep Traefik's default priority; the literal loses its brackets")
    func exactAndIPv6Hosts() throws {
        let stack = Stack("local") {
            Fixtures.gateway
            Service("app", image: "ghcr.io/acme/local:1.0").expose(8080).networks("edge")
                .healthCheck(.http(port: 8080))
                .route("[::1]", port: 8080)
                .route("b.example.com", port: 8080)
        }
        #expect(stack.validate(for: Fixtures.compose) == [])
        let applied = TraefikLabels.apply(to: stack, for: Fixtures.compose)
        #expect(TraefikValidation.diagnostics(of: applied, for: Fixtures.compose) == [])
        let labels = Self.pairs(try Self.service("app", of: applied).labels)
        #expect(labels.contains("traefik.http.routers.local-dev-app-0.rule=Host(`::1`)"))
        #expect(labels.contains("traefik.http.routers.local-dev-app-1.rule=Host(`b.example.com`)"))
        #expect(!labels.contains { $0.contains(".priority=") })
    }

    @Test func theGatewaysOwnCertificatesAreTLSWithoutAResolver() throws {
        let stack = Stack("dev-tools") {
            Gateway.traefik(network: SharedNetwork("edge", engineName: "acme_edge", owner: "acme-infra"))
            Service("grafana", image: "grafana/grafana:11.3.0").expose(3000).networks("edge")
                .healthCheck(.http(port: 3000))
                .route("grafana.localhost", port: 3000, tls: .gatewayCertificates, middlewares: [.redirectToHTTPS])
        }
        #expect(stack.validate(for: Fixtures.compose) == [])
        let labels = Self.pairs(
            try Self.service("grafana", of: TraefikLabels.apply(to: stack, for: Fixtures.compose)).labels)
        #expect(labels.contains("traefik.http.routers.dev-tools-dev-grafana-0.tls=true"))
        #expect(labels.contains("traefik.http.routers.dev-tools-dev-grafana-0.entrypoints=websecure"))
        #expect(!labels.contains { $0.contains("certresolver") })
        #expect(labels.contains("traefik.http.routers.dev-tools-dev-grafana-0-http.entrypoints=web"))
        #expect(
            TraefikValidation.diagnostics(
                of: TraefikLabels.apply(to: stack, for: Fixtures.compose), for: Fixtures.compose) == [])
    }

    @Test func pathRoutesStripTheirPrefixAndKeepMiddlewaresInRouteOrder() throws {
        let stack = TraefikLabels.apply(to: Fixtures.shop(), for: Fixtures.compose)
        let labels = Dictionary(
            uniqueKeysWithValues: try Self.service("api", of: stack).labels.map { ($0.key, $0.value) })
        // `/api/` matches what `/api` matches: `/api` and what is under `/api/`, never `/apis`,
        // as on nginx and Caddy (seen on the wire: a bare PathPrefix(`/api`) takes `/apis`).
        #expect(
            labels["traefik.http.routers.shop-dev-api-0.rule"]
                == "Host(`shop.example.com`) && (Path(`/api`) || PathPrefix(`/api/`))")
        #expect(
            labels["traefik.http.routers.shop-dev-api-0.middlewares"]
                == "shop-dev-api-0-strip-prefix,shop-dev-api-0-forward-auth,shop-dev-api-0-max-body-size")
        #expect(labels["traefik.http.middlewares.shop-dev-api-0-strip-prefix.stripprefix.prefixes"] == "/api")
        #expect(
            labels["traefik.http.middlewares.shop-dev-api-0-forward-auth.forwardauth.address"]
                == "http://oauth2-proxy:4180/oauth2/auth")
        #expect(labels["traefik.http.middlewares.shop-dev-api-0-forward-auth.forwardauth.trustforwardheader"] == "true")
        #expect(
            labels["traefik.http.middlewares.shop-dev-api-0-forward-auth.forwardauth.authresponseheaders"]
                == "X-Auth-Request-User,X-Auth-Request-Email,Authorization")
        #expect(
            labels["traefik.http.middlewares.shop-dev-api-0-max-body-size.buffering.maxrequestbodybytes"] == "10485760")
        // WebSockets need no middleware; the route has no redirect, so no HTTP router.
        #expect(!labels.keys.contains { $0.contains("websockets") || $0.contains("shop-dev-api-0-http") })
        // The second route: plain HTTP on the HTTP entrypoint, behind basic auth.
        #expect(labels["traefik.http.routers.shop-dev-api-1.entrypoints"] == "web")
        #expect(labels["traefik.http.routers.shop-dev-api-1.tls"] == nil)
        #expect(
            labels["traefik.http.middlewares.shop-dev-api-1-basic-auth.basicauth.users"] == Fixtures.adminEntry)
        #expect(labels["traefik.http.services.shop-dev-api-1.loadbalancer.server.port"] == "9000")
    }

    @Test func swarmLabelsAreServiceLabelsWithTheSwarmNetworkAndAPort() throws {
        let stack = TraefikLabels.apply(to: Fixtures.shop(), for: Fixtures.swarm)
        for name in ["web", "api"] {
            let service = try Self.service(name, of: stack)
            let keys = service.deploy.labels.map(\.key)
            #expect(service.labels.isEmpty, "\(name)")
            #expect(keys.contains("traefik.swarm.network"))
            #expect(!keys.contains("traefik.docker.network"))
            #expect(service.deploy.labels.first { $0.key == "traefik.swarm.network" }?.value == "acme_edge")
            let routers = Set(keys.filter { $0.hasSuffix(".service") && $0.contains(".routers.") })
            let ports = keys.filter { $0.hasSuffix(".loadbalancer.server.port") }
            #expect(!routers.isEmpty && ports.count == service.routes.count, "\(name)")
        }
        #expect(try Self.service("web", of: stack).deploy.labels.contains { $0.key.contains("shop-prod-web-0") })
    }

    @Test func composeLabelsNeverCarryTheSwarmNetworkKey() throws {
        let stack = TraefikLabels.apply(to: Fixtures.shop(), for: Fixtures.compose)
        for service in stack.services {
            #expect(!service.labels.contains { $0.key == "traefik.swarm.network" })
        }
    }

    @Test func everyLabelCarriesTheLocationOfItsRoute() throws {
        let shop = Fixtures.shop()
        let applied = TraefikLabels.apply(to: shop, for: Fixtures.compose)
        let api = try Self.service("api", of: shop)
        let labels = try Self.service("api", of: applied).labels
        for label in labels where label.key.contains("shop-dev-api-1") {
            #expect(label.location == api.routes[1].location)
        }
        for label in labels where label.key.contains("shop-dev-api-0") {
            #expect(label.location == api.routes[0].location)
        }
        #expect(labels.first { $0.key == "traefik.enable" }?.location == api.routes[0].location)
        #expect(api.routes[0].location != api.routes[1].location)
    }

    @Test func applyChangesNothingButLabels() {
        for environment in [Fixtures.compose, Fixtures.swarm] {
            let shop = Fixtures.shop()
            var stripped = TraefikLabels.apply(to: shop, for: environment)
            #expect(stripped != shop)
            for index in stripped.services.indices {
                stripped.services[index].labels.removeAll { $0.key.hasPrefix("traefik.") }
                stripped.services[index].deploy.labels.removeAll { $0.key.hasPrefix("traefik.") }
            }
            #expect(stripped == shop)
        }
    }

    @Test func onlyTraefikGatewaysGetLabels() {
        let nginx = Stack("shop") {
            Gateway.nginx(network: Fixtures.edge)
            Service("web", image: "nginx:1.27").expose(80).networks("edge").route("shop.example.com", port: 80)
        }
        #expect(TraefikLabels.apply(to: nginx, for: Fixtures.compose) == nginx)
        let none = Stack("shop") {
            Service("web", image: "nginx:1.27").expose(80).route("shop.example.com", port: 80)
        }
        #expect(TraefikLabels.apply(to: none, for: Fixtures.compose) == none)
    }

    @Test func aKeyTheUserWroteKeepsTheUsersValueAndAppearsOnce() throws {
        let stack = Stack("shop") {
            Fixtures.gateway
            Service("web", image: "nginx:1.27")
                .expose(80)
                .networks("edge")
                .label("traefik.http.routers.shop-dev-web-0.priority", "100")
                .label("traefik.http.services.shop-dev-web-0.loadbalancer.server.port", "81")
                .route("shop.example.com", port: 80)
        }
        let labels = try Self.service("web", of: TraefikLabels.apply(to: stack, for: Fixtures.compose)).labels
        let ports = labels.filter { $0.key == "traefik.http.services.shop-dev-web-0.loadbalancer.server.port" }
        #expect(ports.map(\.value) == ["81"])
        #expect(labels.first?.key == "traefik.http.routers.shop-dev-web-0.priority")
        #expect(labels.count == Set(labels.map(\.key)).count)
    }

    @Test func securityHeadersSetOnlyTheFieldsGiven() throws {
        let headers = SecurityHeaders(
            strictTransportSecuritySeconds: 0, frameDeny: true, contentTypeNosniff: false, referrerPolicy: nil,
            contentSecurityPolicy: "default-src 'self'")
        let stack = Stack("shop") {
            Fixtures.gateway
            Service("web", image: "nginx:1.27").expose(80).networks("edge")
                .route("shop.example.com", port: 80, middlewares: [.securityHeaders(headers)])
        }
        let labels = try Self.service("web", of: TraefikLabels.apply(to: stack, for: Fixtures.compose)).labels
        #expect(
            labels.filter { $0.key.contains(".headers.") }.map { "\($0.key)=\($0.value)" } == [
                "traefik.http.middlewares.shop-dev-web-0-security-headers.headers.framedeny=true",
                "traefik.http.middlewares.shop-dev-web-0-security-headers.headers.contentsecuritypolicy=default-src 'self'",
            ])
    }

    @Test func aMiddlewareKindUsedTwiceGetsANumberedName() throws {
        let stack = Stack("shop") {
            Fixtures.gateway
            Service("web", image: "nginx:1.27").expose(80).networks("edge")
                .route(
                    "shop.example.com", port: 80,
                    middlewares: [.rateLimit(.perSecond(50)), .rateLimit(.perMinute(600, burst: 0))])
        }
        let labels = try Self.service("web", of: TraefikLabels.apply(to: stack, for: Fixtures.compose)).labels
        let values = Dictionary(uniqueKeysWithValues: labels.map { ($0.key, $0.value) })
        #expect(
            values["traefik.http.routers.shop-dev-web-0.middlewares"]
                == "shop-dev-web-0-rate-limit,shop-dev-web-0-rate-limit-2")
        #expect(values["traefik.http.middlewares.shop-dev-web-0-rate-limit-2.ratelimit.period"] == "1m")
        // A burst of 0 is left to Traefik's default rather than written.
        #expect(values["traefik.http.middlewares.shop-dev-web-0-rate-limit-2.ratelimit.burst"] == nil)
    }

    @Test func aRedirectOnAPlainRouteWritesNoRedirectRouter() throws {
        let stack = Stack("shop") {
            Fixtures.gateway
            Service("web", image: "nginx:1.27").expose(80).networks("edge")
                .route("shop.example.com", port: 80, middlewares: [.redirectToHTTPS])
        }
        let labels = try Self.service("web", of: TraefikLabels.apply(to: stack, for: Fixtures.compose)).labels
        #expect(!labels.contains { $0.key.contains("redirect") || $0.key.contains("-http.") })
        #expect(labels.first { $0.key.hasSuffix("-0.middlewares") } == nil)
    }

    @Test(
        "router names are lowercase letters, digits and '-'",
        arguments: [
            (("shop", "prod", "api", 0), "shop-prod-api-0"),
            (("Acme_Infra", "stg", "web.v2", 3), "acme-infra-stg-web-v2-3"),
            (("shop", "qa", "a__b", 1), "shop-qa-a-b-1"),
        ])
    func routerNames(_ input: (String, String, String, Int), _ expected: String) {
        #expect(
            TraefikLabels.routerName(stack: input.0, environment: input.1, service: input.2, index: input.3)
                == expected)
    }

    @Test func namesDifferBetweenStacksAndEnvironmentsOnOneEngine() {
        let names = Set(
            [("shop", "dev"), ("shop", "prod"), ("blog", "dev")].map {
                TraefikLabels.routerName(stack: $0.0, environment: $0.1, service: "web", index: 0)
            })
        #expect(names.count == 3)
    }
}
