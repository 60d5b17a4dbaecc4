import BerthCore
import BerthGateway
import Testing

@Suite("Traefik label validation")
struct TraefikValidationTests {
    typealias Fixtures = TraefikFixtures

    /// A one-service stack with hand-written Traefik labels.
    static func stack(_ service: Service) -> Stack {
        Stack("shop") { service }
    }

    static func web() -> Service {
        Service("web", image: "nginx:1.27").expose(80)
    }

    static func codes(_ service: Service, on environment: Environment = Fixtures.compose) -> [Diagnostic.Code] {
        TraefikValidation.diagnostics(of: stack(service), for: environment).map(\.code)
    }

    // MARK: Where labels are read

    @Test func containerLabelsOnSwarmAreReported() throws {
        let service = Self.web().label("traefik.enable", "true", fileID: "Shop/Stack.swift", line: 12)
        let diagnostics = TraefikValidation.diagnostics(of: Self.stack(service), for: Fixtures.swarm)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostics.map(\.code) == [.traefikLabelsOnContainers])
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.element == "service 'web'")
        #expect(diagnostic.message.contains("traefik.enable"))
        #expect(diagnostic.fix.contains(".serviceLabel"))
        #expect(diagnostic.location == SourceLocation(fileID: "Shop/Stack.swift", line: 12))
    }

    @Test func serviceLabelsOnComposeAreReported() {
        let service = Self.web().serviceLabel("traefik.enable", "true")
        #expect(Self.codes(service) == [.traefikLabelsOnSwarmService])
        #expect(Self.codes(service, on: Fixtures.swarm).isEmpty)
    }

    @Test func theOtherProvidersNetworkKeyIsReported() {
        #expect(Self.codes(Self.web().label("traefik.swarm.network", "edge")) == [.traefikWrongProviderNetwork])
        #expect(
            Self.codes(Self.web().serviceLabel("traefik.docker.network", "edge"), on: Fixtures.swarm)
                == [.traefikWrongProviderNetwork])
        #expect(Self.codes(Self.web().label("traefik.docker.network", "edge")).isEmpty)
    }

    @Test func bothNetworkKeysAreReported() {
        let service = Self.web().label("traefik.docker.network", "edge").label("traefik.swarm.network", "edge")
        #expect(Self.codes(service) == [.traefikBothNetworkKeys, .traefikWrongProviderNetwork])
    }

    @Test func aSwarmServiceWithRoutersNeedsAPort() throws {
        let service = Self.web().serviceLabel("traefik.enable", "true")
            .serviceLabel("traefik.http.routers.web.rule", "Host(`shop.example.com`)")
        let diagnostics = TraefikValidation.diagnostics(of: Self.stack(service), for: Fixtures.swarm)
        #expect(diagnostics.map(\.code) == [.traefikSwarmMissingPort])
        #expect(try #require(diagnostics.first).fix.contains("traefik.http.services.web.loadbalancer.server.port=80"))
        let withPort = service.serviceLabel("traefik.http.services.web.loadbalancer.server.port", "80")
        #expect(Self.codes(withPort, on: Fixtures.swarm).isEmpty)
        let serviceWithoutPort = service.serviceLabel("traefik.http.services.web.loadbalancer.passhostheader", "true")
        #expect(Self.codes(serviceWithoutPort, on: Fixtures.swarm) == [.traefikSwarmMissingPort])
        // Compose's Docker provider reads the container's exposed port.
        let compose = Self.web().label("traefik.http.routers.web.rule", "Host(`shop.example.com`)")
        #expect(Self.codes(compose).isEmpty)
    }

    // MARK: Rules

    @Test(
        "rules v3 refuses or reads differently",
        arguments: [
            ("Host(`a.example.com`,`b.example.com`)", Diagnostic.Code.traefikMultiArgumentMatcher),
            ("Host(`a.example.com`) && PathPrefix(`/a`, `/b`)", .traefikMultiArgumentMatcher),
            ("HostHeader(`a.example.com`)", .traefikV2Matcher),
            ("Headers(`X-Tenant`, `acme`)", .traefikV2Matcher),
            ("HostRegexp(`{subdomain:[a-z]+}.example.com`)", .traefikV2Matcher),
            ("Host(`a.example.com`) && Path(`/users/{id}`)", .traefikV2Matcher),
            ("Hots(`a.example.com`)", .traefikUnknownMatcher),
            ("Host(`a.example.com`", .traefikMalformedRule),
            ("Host(`a.example.com`) && (Path(`/a`) || Path(`/b`)", .traefikMalformedRule),
            ("Host(`a.example.com`))", .traefikMalformedRule),
            ("Host(`a.example.com)", .traefikMalformedRule),
            ("Host(`a.example.com`) PathPrefix(`/a`)", .traefikMalformedRule),
            ("Host(a.example.com)", .traefikMalformedRule),
            ("Header(`X-Tenant`)", .traefikMalformedRule),
            ("", .traefikMalformedRule),
        ])
    func badRules(_ rule: String, _ code: Diagnostic.Code) throws {
        let service = Self.web().label("traefik.http.routers.web.rule", rule, fileID: "Shop/Stack.swift", line: 7)
        let diagnostics = TraefikValidation.diagnostics(of: Self.stack(service), for: Fixtures.compose)
        #expect(diagnostics.map(\.code) == [code], "\(diagnostics)")
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.message.contains("traefik.http.routers.web.rule"))
        #expect(diagnostic.location == SourceLocation(fileID: "Shop/Stack.swift", line: 7))
        #expect(!diagnostic.fix.isEmpty)
    }

    @Test(
        "rules v3 accepts",
        arguments: [
            "Host(`a.example.com`)",
            "Host(`a.example.com`) || Host(`b.example.com`)",
            "host(`a.example.com`) && !PathPrefix(`/admin`)",
            "(Host(\"a.example.com\") || Host(`b.example.com`)) && Method(`GET`)",
            "Header(`X-Tenant`, `acme`) && Query(`mobile`) && Query(`page`, `2`)",
            "HostRegexp(`^[a-z]{2,3}\\.example\\.com$`) && PathRegexp(`^/users/[0-9]+$`)",
            "ClientIP(`10.0.0.0/8`) && HeaderRegexp(`User-Agent`, `(?i)curl`)",
        ])
    func goodRules(_ rule: String) {
        #expect(Self.codes(Self.web().label("traefik.http.routers.web.rule", rule)).isEmpty)
    }

    @Test func ruleSyntaxV2IsAWarningAndSkipsV3RuleChecks() throws {
        let service = Self.web()
            .label("traefik.http.routers.web.rule", "Host(`a.example.com`,`b.example.com`)")
            .label("traefik.http.routers.web.rulesyntax", "v2")
        let diagnostics = TraefikValidation.diagnostics(of: Self.stack(service), for: Fixtures.compose)
        #expect(diagnostics.map(\.code) == [.traefikV2RuleSyntax])
        #expect(try #require(diagnostics.first).severity == .warning)
    }

    // MARK: Names, types and fields

    @Test(
        "'@' in a router, service or middleware name",
        arguments: [
            "traefik.http.routers.web@docker.rule",
            "traefik.http.services.web@docker.loadbalancer.server.port",
            "traefik.http.middlewares.auth@file.basicauth.users",
            "traefik.tcp.routers.db@docker.rule",
        ])
    func atInNames(_ key: String) throws {
        let diagnostics = TraefikValidation.diagnostics(
            of: Self.stack(Self.web().label(key, "x")), for: Fixtures.compose)
        #expect(diagnostics.map(\.code).contains(.traefikAtInName), "\(diagnostics)")
        #expect(try #require(diagnostics.first { $0.code == .traefikAtInName }).message.contains(key))
    }

    @Test func referencesToOtherProvidersMayCarryAnAt() {
        let service = Self.web()
            .label("traefik.http.routers.web.rule", "Host(`shop.example.com`)")
            .label("traefik.http.routers.web.middlewares", "auth@file,secure-headers@file")
            .label("traefik.http.routers.web.service", "api@internal")
        #expect(Self.codes(service).isEmpty)
    }

    @Test(
        "unknown middleware types, fields and v2 options",
        arguments: [
            ("traefik.http.middlewares.x.ratelimiter.average", Diagnostic.Code.traefikUnknownMiddleware),
            ("traefik.http.middlewares.x.ratelimit.averag", .traefikUnknownField),
            ("traefik.http.middlewares.x.ratelimit.sourcecriterion.ipstrategy.dept", .traefikUnknownField),
            ("traefik.http.middlewares.x.basicauth.users.extra", .traefikUnknownField),
            ("traefik.http.middlewares.x.ratelimit", .traefikUnknownField),
            ("traefik.http.middlewares.x", .traefikUnknownField),
            ("traefik.http.routers.x.rules", .traefikUnknownField),
            ("traefik.http.routers.x.tls.resolver", .traefikUnknownField),
            ("traefik.http.services.x.loadbalancer.server.prot", .traefikUnknownField),
            ("traefik.http.services.x.weighted.services", .traefikUnknownField),
            ("traefik.http.middlewares.x.ipwhitelist.sourcerange", .traefikV2Option),
            ("traefik.http.middlewares.x.headers.sslredirect", .traefikV2Option),
            ("traefik.http.middlewares.x.headers.SSLHost", .traefikV2Option),
            ("traefik.http.middlewares.x.headers.featurepolicy", .traefikV2Option),
            ("traefik.http.middlewares.x.stripprefix.forceslash", .traefikV2Option),
            ("traefik.http.middlewares.x.forwardauth.tls.caoptional", .traefikV2Option),
            ("traefik.docker.lbswarm", .traefikV2Option),
            ("traefik.frontend.rule", .traefikUnknownLabel),
            ("traefik.port", .traefikUnknownLabel),
            ("traefik.docker.networks", .traefikUnknownLabel),
            ("traefik.http.routes.x.rule", .traefikUnknownLabel),
            ("traefik.enable.all", .traefikUnknownLabel),
        ])
    func badKeys(_ key: String, _ code: Diagnostic.Code) throws {
        let diagnostics = TraefikValidation.diagnostics(
            of: Self.stack(Self.web().label(key, "true", fileID: "Shop/Stack.swift", line: 3)), for: Fixtures.compose)
        #expect(diagnostics.map(\.code) == [code], "\(diagnostics)")
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.element == "service 'web'")
        #expect(diagnostic.message.contains(key))
        #expect(diagnostic.location == SourceLocation(fileID: "Shop/Stack.swift", line: 3))
    }

    @Test func anUnknownFieldNamesTheFieldsThatExist() throws {
        let service = Self.web().label("traefik.http.middlewares.x.ratelimit.averag", "10")
        let diagnostic = try #require(
            TraefikValidation.diagnostics(of: Self.stack(service), for: Fixtures.compose).first)
        #expect(diagnostic.fix == "Use one of: average, burst, period, redis, sourcecriterion.")
    }

    @Test func theFieldsOfCommonMiddlewaresPass() {
        let labels: [(String, String)] = [
            ("traefik.enable", "true"),
            ("traefik.docker.network", "acme_edge"),
            ("traefik.http.routers.web.rule", "Host(`shop.example.com`)"),
            ("traefik.http.routers.web.entryPoints", "websecure"),
            ("traefik.http.routers.web.middlewares", "limit,secure,auth,gzip,only-office,strip,retry,body"),
            ("traefik.http.routers.web.tls.certresolver", "letsencrypt"),
            ("traefik.http.routers.web.tls.domains[0].main", "example.com"),
            ("traefik.http.routers.web.tls.domains[0].sans", "*.example.com"),
            ("traefik.http.routers.web.priority", "10"),
            ("traefik.http.middlewares.limit.ratelimit.average", "100"),
            ("traefik.http.middlewares.limit.ratelimit.sourcecriterion.ipstrategy.depth", "1"),
            ("traefik.http.middlewares.secure.headers.customresponseheaders.X-Robots-Tag", "noindex"),
            ("traefik.http.middlewares.secure.headers.stsIncludeSubdomains", "true"),
            ("traefik.http.middlewares.secure.headers.permissionspolicy", "camera=()"),
            ("traefik.http.middlewares.auth.digestauth.usersfile", "/etc/traefik/users"),
            ("traefik.http.middlewares.gzip.compress", "true"),
            ("traefik.http.middlewares.only-office.ipallowlist.sourcerange", "10.0.0.0/8,192.168.0.0/16"),
            ("traefik.http.middlewares.only-office.ipallowlist.ipstrategy.excludedips", "10.0.0.1"),
            ("traefik.http.middlewares.strip.stripprefixregex.regex", "^/[a-z]+"),
            ("traefik.http.middlewares.retry.retry.attempts", "3"),
            ("traefik.http.middlewares.body.buffering.maxrequestbodybytes", "1048576"),
            ("traefik.http.middlewares.cb.circuitbreaker.expression", "NetworkErrorRatio() > 0.5"),
            ("traefik.http.middlewares.to-https.redirectscheme.scheme", "https"),
            ("traefik.http.middlewares.old.redirectregex.regex", "^https://old/(.*)"),
            ("traefik.http.middlewares.old.redirectregex.replacement", "https://new/${1}"),
            ("traefik.http.middlewares.v2.addprefix.prefix", "/v2"),
            ("traefik.http.middlewares.chained.chain.middlewares", "limit,secure"),
            ("traefik.http.middlewares.flight.inflightreq.amount", "10"),
            ("traefik.http.middlewares.fixed.replacepath.path", "/index.html"),
            ("traefik.http.middlewares.fixed2.replacepathregex.regex", "^/old/(.*)"),
            ("traefik.http.middlewares.sso.forwardauth.address", "http://oauth2-proxy:4180/oauth2/auth"),
            ("traefik.http.middlewares.sso.forwardauth.tls.insecureskipverify", "false"),
            ("traefik.http.middlewares.plug.plugin.geoblock.allowedcountries", "CH"),
            ("traefik.http.services.web.loadbalancer.server.port", "80"),
            ("traefik.http.services.web.loadbalancer.healthcheck.path", "/health"),
            ("traefik.http.services.web.loadbalancer.healthcheck.headers.X-Probe", "traefik"),
            ("traefik.http.services.web.loadbalancer.sticky.cookie.name", "lb"),
        ]
        var service = Self.web()
        for (key, value) in labels { service = service.label(key, value) }
        let diagnostics = TraefikValidation.diagnostics(of: Self.stack(service), for: Fixtures.compose)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
    }

    @Test func aKeyWrittenTwiceIsReported() {
        let service = Self.web().label("traefik.enable", "true").label("traefik.enable", "true")
        #expect(Self.codes(service) == [.traefikDuplicateLabel])
    }

    @Test func aRouterWithoutServiceAmongSeveralIsReported() {
        let service = Self.web()
            .label("traefik.http.routers.web.rule", "Host(`shop.example.com`)")
            .label("traefik.http.services.web.loadbalancer.server.port", "80")
            .label("traefik.http.services.admin.loadbalancer.server.port", "81")
        #expect(Self.codes(service) == [.traefikAmbiguousService])
        #expect(Self.codes(service.label("traefik.http.routers.web.service", "web")).isEmpty)
    }

    @Test func aDashboardRouterNeedsAuthenticationWithUsers() {
        let dashboard = Self.web()
            .label("traefik.http.routers.dash.rule", "Host(`traefik.example.com`)")
            .label("traefik.http.routers.dash.service", "api@internal")
        #expect(Self.codes(dashboard) == [.traefikDashboardUnprotected])
        let emptyAuth = dashboard.label("traefik.http.routers.dash.middlewares", "dash-auth")
            .label("traefik.http.middlewares.dash-auth.basicauth.users", "")
        #expect(Self.codes(emptyAuth) == [.traefikDashboardUnprotected])
        let withUsers = dashboard.label("traefik.http.routers.dash.middlewares", "dash-auth")
            .label("traefik.http.middlewares.dash-auth.basicauth.users", Fixtures.adminEntry)
        #expect(Self.codes(withUsers).isEmpty)
        let elsewhere = dashboard.label("traefik.http.routers.dash.middlewares", "sso@file")
        #expect(Self.codes(elsewhere).isEmpty)
    }

    @Test func aRedirectWithoutTLSIsAWarning() throws {
        let stack = Stack("shop") {
            Fixtures.gateway
            Service("web", image: "nginx:1.27").expose(80).networks("edge")
                .route("shop.example.com", port: 80, middlewares: [.redirectToHTTPS])
        }
        let resolved = TraefikLabels.apply(to: stack, for: Fixtures.compose)
        #expect(TraefikValidation.diagnostics(of: resolved, for: Fixtures.compose) == [])
        let diagnostics = TraefikGateway(Fixtures.gateway).diagnostics(of: stack, for: Fixtures.compose)
        #expect(diagnostics.map(\.code) == [.traefikRedirectWithoutTLS])
        #expect(try #require(diagnostics.first).severity == .warning)
    }

    /// Traefik 3.7 answers 401 to a SHA-crypt entry whatever the password (checked on the wire:
    /// bcrypt, apr1, `$1$` and `{SHA}` entries let their users in), while Berth's route check,
    /// made for nginx, accepts it.
    @Test func shaCryptPasswordHashesAreRefusedForTraefik() throws {
        let sha512 =
            "ops:$6$5WvveJ1NOp8GNluL$Eom9CRwlELW.TY.i7itPwCmVgQlcOmx.9MBJVrXbyD033ySkuv9fdbQF7uzt5E.Kw0Lou2qLuTiROwLmWeI3z/"
        let sha256 = "dev:$5$VU/wfatSconWZHyz$8pxBDooF4SlgHSLbbTJpY5O7jQFOxBoeni3wdEYFUz0"
        let labelled = Self.web().label(
            "traefik.http.middlewares.auth.basicauth.users",
            [Fixtures.adminEntry, sha512, sha256].joined(separator: ","),
            fileID: "Shop/Stack.swift", line: 7)
        let diagnostics = TraefikValidation.diagnostics(of: Self.stack(labelled), for: Fixtures.compose)
        #expect(diagnostics.map(\.code) == [.traefikUnsupportedPasswordHash, .traefikUnsupportedPasswordHash])
        let first = try #require(diagnostics.first)
        #expect(first.severity == .error)
        #expect(first.message.contains("user 'ops'") && !first.message.contains("5WvveJ1NOp8GNluL"))
        #expect(first.fix.contains("htpasswd -nB ops"))
        #expect(first.location == SourceLocation(fileID: "Shop/Stack.swift", line: 7))
        #expect(
            Self.codes(Self.web().label("traefik.http.middlewares.auth.basicauth.users", Fixtures.adminEntry)).isEmpty)

        // On a route, the Traefik gateway refuses it; the model's own check passes it, for nginx.
        let (route, line) = (BasicAuth(users: [Fixtures.adminEntry, sha512]), #line)
        let stack = Stack("shop") {
            Fixtures.gateway
            Service("web", image: "nginx:1.27").expose(80).networks("edge")
                .route("admin.example.com", port: 80, middlewares: [.basicAuth(route)], line: line)
        }
        #expect(stack.validate(for: Fixtures.compose).filter { $0.severity == .error }.isEmpty)
        let refused = TraefikGateway(Fixtures.gateway).diagnostics(of: stack, for: Fixtures.compose)
        #expect(refused.map(\.code) == [.traefikUnsupportedPasswordHash])
        #expect(refused.first?.location?.line == line)
        #expect(refused.first?.message.contains("route admin.example.com") == true)
        // The dashboard's users are labels of the Traefik service.
        let traefik = Traefik.service(
            gateway: Fixtures.gateway, image: "traefik:v3.7", dashboardHost: "traefik.example.com",
            dashboardUsers: BasicAuth(users: [sha512]), for: Fixtures.compose)
        #expect(Self.codes(traefik) == [.traefikUnsupportedPasswordHash])
    }

    @Test func routeOptionsTraefikLabelsCannotCarryAreWarnings() throws {
        func diagnostics(_ middlewares: [Middleware]) -> [Diagnostic] {
            let stack = Stack("shop") {
                Fixtures.gateway
                Service("web", image: "nginx:1.27").expose(80).networks("edge")
                    .route("shop.example.com", port: 80, middlewares: middlewares)
            }
            return TraefikGateway(Fixtures.gateway).diagnostics(of: stack, for: Fixtures.compose)
        }
        let ignored = diagnostics([
            .websockets, .timeouts(ProxyTimeouts(read: .seconds(86_400))),
            .rateLimit(.perSecond(2, burst: 4, undelayed: 0)),
        ])
        #expect(ignored.map(\.code) == [.traefikIgnoredRouteOption, .traefikIgnoredRouteOption])
        #expect(ignored.allSatisfy { $0.severity == .warning })
        #expect(try #require(ignored.last).message.contains("answers the rest 429"))
        // A burst passed at once is what Traefik does.
        #expect(diagnostics([.websockets, .rateLimit(.perSecond(2, burst: 4))]).isEmpty)
    }

    // MARK: Berth's own labels

    @Test(
        "the labels Berth writes pass",
        arguments: [Fixtures.compose, Fixtures.swarm, Environment("stg", orchestrator: .swarm)])
    func berthsOwnLabelsPass(_ environment: Environment) {
        for stack in [Fixtures.shop(), Fixtures.infra(for: environment)] {
            let applied = TraefikLabels.apply(to: stack, for: environment)
            let diagnostics = TraefikValidation.diagnostics(of: applied, for: environment)
            #expect(diagnostics.isEmpty, "\(stack.name): \(diagnostics)")
        }
    }

    @Test(
        "labels written by hand must name the gateway's network, which its constraint admits",
        arguments: [Fixtures.compose, Fixtures.swarm])
    func handLabelsOutsideTheGateway(_ environment: Environment) throws {
        let swarm = environment.orchestrator == .swarm
        let key = swarm ? "traefik.swarm.network" : "traefik.docker.network"
        func labelled(_ pairs: [(String, String)]) -> Service {
            pairs.reduce(Self.web()) { service, pair in
                swarm
                    ? service.serviceLabel(pair.0, pair.1, fileID: "Shop/Stack.swift", line: 7)
                    : service.label(pair.0, pair.1, fileID: "Shop/Stack.swift", line: 7)
            }
        }
        func diagnostics(_ service: Service) -> [Diagnostic] {
            TraefikValidation.diagnostics(
                of: Stack("shop") {
                    Fixtures.gateway
                    service
                }, for: environment
            )
            .filter { $0.code == .traefikOutsideGateway }
        }
        func diagnostics(_ service: Service, gatewayService traefik: Service) -> [Diagnostic] {
            TraefikValidation.diagnostics(
                of: Stack("shop") {
                    Fixtures.gateway
                    traefik
                    service
                }, for: environment
            )
            .filter { $0.code == .traefikOutsideGateway }
        }
        let enabled = [("traefik.enable", "true"), ("traefik.http.services.web.loadbalancer.server.port", "80")]
        // The stack runs Berth's Traefik, whose constraint admits only the gateway's network: an error.
        let berths = Traefik.service(gateway: Fixtures.gateway, image: "traefik:v3.3.1", for: environment)
        #expect(diagnostics(labelled(enabled), gatewayService: berths).map(\.severity) == [.error])
        // A Traefik written by hand, without that constraint, serves the labels as they are.
        let handWritten = Service(Fixtures.gateway.service, image: "traefik:v3.3.1")
            .command(["--providers.\(swarm ? "swarm" : "docker")=true"])
        #expect(diagnostics(labelled(enabled), gatewayService: handWritten).isEmpty)
        // Another stack runs the gateway: which Traefik it is is not known here, so a warning.
        let missing = try #require(diagnostics(labelled(enabled)).first)
        #expect(missing.severity == .warning)
        #expect(missing.element == "service 'web'")
        #expect(missing.message.contains("\(key)=acme_edge"))
        #expect(missing.fix.contains("(\"\(key)\", \"acme_edge\")"))
        #expect(missing.location == SourceLocation(fileID: "Shop/Stack.swift", line: 7))
        #expect(
            diagnostics(labelled(enabled + [(key, "other_net")])).first?.message.contains("names other_net") == true)
        #expect(diagnostics(labelled(enabled + [(key, "acme_edge")])).isEmpty)
        // Without a gateway in the stack, or without traefik.enable, there is no constraint to meet.
        #expect(
            TraefikValidation.diagnostics(of: Stack("shop") { labelled(enabled) }, for: environment).filter {
                $0.code == .traefikOutsideGateway
            }.isEmpty)
        #expect(diagnostics(labelled([("traefik.enable", "false")])).isEmpty)
    }

    @Test func routesOnEveryMiddlewareAndTLSPass() {
        let everything: [Middleware] = [
            .redirectToHTTPS, .rateLimit(.perMinute(60)), .securityHeaders(.strict),
            .basicAuth(BasicAuth(users: [Fixtures.adminEntry])), .forwardAuth(.oauth2Proxy()), .stripPrefix,
            .websockets, .maxBodySize(1024),
        ]
        let stack = Stack("blog") {
            Fixtures.gateway
            Service("ghost", image: "ghost:5.96")
                .expose(2368)
                .networks("edge")
                .route("blog.example.com", path: "/ghost", port: 2368, tls: .resolver("le"), middlewares: everything)
                .route("blog.example.com", port: 2368, health: UpstreamHealth())
        }
        for environment in [Fixtures.compose, Fixtures.swarm] {
            let diagnostics = TraefikValidation.diagnostics(
                of: TraefikLabels.apply(to: stack, for: environment), for: environment)
            #expect(diagnostics.isEmpty, "\(environment): \(diagnostics)")
        }
    }

    // Each case below was checked against Traefik 3.7.15 (TraefikEndToEndTests runs them).

    @Test(
        "arguments Traefik refuses when it builds the router",
        arguments: [
            "Path(`api`)", "PathPrefix(`v1/`)", "ClientIP(`10.0.0.300`)", "ClientIP(`nope`)", "ClientIP(`10.0.0.0/33`)",
            "PathRegexp(`^/a/[0-9`)", "HostRegexp(`(a`)", "HeaderRegexp(`X-A`, `*a`)", "QueryRegexp(`q`, `a{2,1}`)",
        ])
    func invalidMatcherArguments(_ rule: String) {
        let service = Self.web().label("traefik.http.routers.x.rule", rule)
        #expect(Self.codes(service) == [.traefikInvalidMatcherArgument], "\(rule)")
    }

    @Test(
        "arguments Traefik accepts",
        arguments: [
            "ClientIP(`192.0.2.7`)", "ClientIP(`2001:db8::/32`)", "ClientIP(`10.0.0.0/8`)", "QueryRegexp(`id`)",
            "QueryRegexp(`id`, `^[0-9]{1,6}$`)", "PathRegexp(`^/items/[0-9]+$`)",
        ])
    func validMatcherArguments(_ rule: String) {
        #expect(Self.codes(Self.web().label("traefik.http.routers.x.rule", rule)).isEmpty, "\(rule)")
    }

    @Test(
        "a word where Traefik reads a number",
        arguments: [
            ("traefik.http.routers.x.priority", "high"), ("traefik.http.middlewares.m.ratelimit.average", "ten"),
            ("traefik.http.middlewares.m.inflightreq.amount", "1.5"),
            ("traefik.http.services.x.loadbalancer.server.port", "http"),
        ])
    func invalidValues(_ key: String, _ value: String) {
        #expect(Self.codes(Self.web().label(key, value)) == [.traefikInvalidValue], "\(key)=\(value)")
        #expect(Self.codes(Self.web().label(key, "42")).isEmpty)
    }

    @Test("options v3 still reads though deprecated, and keys without a field, are warnings")
    func warningsNotErrors() {
        for key in [
            "traefik.http.middlewares.x.headers.sslredirect", "traefik.http.middlewares.x.stripprefix.forceslash",
            "traefik.http.routers.x",
        ] {
            let diagnostics = TraefikValidation.diagnostics(
                of: Self.stack(Self.web().label(key, "true")), for: Fixtures.compose)
            #expect(diagnostics.map(\.severity) == [.warning], "\(key): \(diagnostics)")
        }
    }
}
