import BerthCore
import BerthGateway
import Testing

@Suite("nginx gateway diagnostics")
struct NginxDiagnosticTests {
    let nginx = NginxFixtures.nginx

    func route(
        _ host: String, _ path: String = "/", tls: RouteTLS = .none, middlewares: [Middleware] = [],
        stack: String = "shop", service: String = "web", servers: [String]? = nil, line: Int = #line
    ) -> GatewayRoute {
        GatewayRoute(
            route: Route(
                host: host, pathPrefix: path, port: 8080, tls: tls, middlewares: middlewares,
                location: NginxFixtures.at(line)),
            stack: stack, environment: "prod", service: service, servers: servers ?? ["\(stack)-prod-\(service)-1"])
    }

    @Test func forwardAuthWithoutAuthRequestFailsClosedWithAnError() {
        let plain = NginxGateway(
            NginxFixtures.gateway, capabilities: NginxCapabilities(hasAuthRequest: false, hasSSL: true))
        let guarded = route("ops.example.com", middlewares: [.forwardAuth(.oauth2Proxy())])
        let routes = plain.routesConfiguration([guarded])
        #expect(routes.diagnostics.map(\.code) == [.nginxMissingModule])
        #expect(routes.diagnostics.first?.severity == .error)
        #expect(routes.diagnostics.first?.location == guarded.route.location)
        #expect(!routes.routesFile.contains("auth_request"))
        #expect(!routes.routesFile.contains("proxy_pass"))
        #expect(routes.routesFile.contains("return 503;"))
        // With the module the same route proxies behind auth_request.
        let standard = nginx.routesConfiguration([route("ops.example.com", middlewares: [.forwardAuth(.oauth2Proxy())])]
        )
        #expect(standard.diagnostics.isEmpty)
        #expect(standard.routesFile.contains("auth_request /__berth_auth/"))
        #expect(standard.routesFile.contains("proxy_pass http://oauth2-proxy:4180/oauth2/auth;"))
        #expect(standard.routesFile.contains("proxy_set_header X-Auth-Request-User $berth_auth_x_auth_request_user;"))
    }

    @Test func capabilitiesAreReadFromNginxVersionOutput() {
        let debian = """
            nginx version: nginx/1.22.1
            configure arguments: --with-http_ssl_module --with-http_stub_status_module --with-http_auth_request_module
            """
        #expect(NginxCapabilities(versionOutput: debian) == .standard)
        let bare = "nginx version: nginx/1.22.1\nconfigure arguments: --prefix=/usr --without-http_gzip_module"
        #expect(NginxCapabilities(versionOutput: bare) == NginxCapabilities(hasAuthRequest: false, hasSSL: false))
    }

    @Test func certificateRoutesWithoutTheSSLModuleAreServedPlainWithAnError() {
        let plain = NginxGateway(
            NginxFixtures.gateway, capabilities: NginxCapabilities(hasAuthRequest: true, hasSSL: false))
        let routes = plain.routesConfiguration([route("shop.example.com", tls: NginxFixtures.shopCertificate)])
        #expect(routes.diagnostics.map(\.code) == [.nginxMissingModule])
        #expect(!routes.routesFile.contains("443"))
        #expect(!plain.mainConfiguration().contains("443"))
        #expect(nginx.mainConfiguration().contains("listen 443 ssl default_server;"))
    }

    @Test func aHostWithAndWithoutTLSIsAWarningAndServedOnBothPorts() {
        let routes = nginx.routesConfiguration([
            route("shop.example.com", tls: NginxFixtures.shopCertificate),
            route("shop.example.com", "/plain", service: "plain"),
        ])
        #expect(routes.diagnostics.map(\.code) == [.nginxMixedTLS])
        #expect(routes.diagnostics.first?.severity == .warning)
        #expect(routes.diagnostics.first?.element == "service 'plain' of stack 'shop' (prod)")
        let outline = NginxOutline(routes.routesFile)
        #expect(outline.directives("location").filter { $0.text == "location /plain/ {" }.count == 2)
    }

    @Test func twoCertificatesForOneHostAreAnErrorAndTheFirstIsUsed() {
        let other = RouteTLS.certificate(certificate: "/etc/nginx/certs/other.pem", key: "/etc/nginx/certs/other.key")
        let routes = nginx.routesConfiguration([
            route("shop.example.com", "/b", tls: other, service: "b"),
            route("shop.example.com", "/a", tls: NginxFixtures.shopCertificate, service: "a"),
        ])
        #expect(routes.diagnostics.map(\.code) == [.nginxConflictingCertificates])
        #expect(routes.diagnostics.first?.severity == .error)
        #expect(NginxOutline(routes.routesFile).directives("ssl_certificate").count == 1)
        #expect(routes.routesFile.contains("ssl_certificate /etc/nginx/certs/shop.example.com/fullchain.pem;"))
    }

    @Test func anACMEResolverIsAnErrorAndServedPlain() {
        let routes = nginx.routesConfiguration([route("shop.example.com", tls: .resolver("letsencrypt"))])
        #expect(routes.diagnostics.map(\.code) == [.nginxUnsupportedTLS])
        #expect(!routes.routesFile.contains("443"))
    }

    @Test func aRedirectWithoutACertificateIsAWarning() {
        let routes = nginx.routesConfiguration([route("shop.example.com", middlewares: [.redirectToHTTPS])])
        #expect(routes.diagnostics.map(\.code) == [.nginxRedirectWithoutTLS])
        #expect(routes.routesFile.contains("return 301 https://$host$request_uri;"))
    }

    @Test func aRouteWithoutServersAnswers503AndDeclaresNoEmptyUpstream() {
        let routes = nginx.routesConfiguration([route("shop.example.com", servers: [])])
        #expect(routes.diagnostics.map(\.code) == [.nginxRouteWithoutServers])
        #expect(!routes.routesFile.contains("upstream"))
        #expect(routes.routesFile.contains("return 503;"))
    }

    @Test func anUnwritableServerNameIsLeftOut() {
        let routes = nginx.routesConfiguration([
            route("shop.example.com", servers: ["good-1", "bad;name", "two words"])
        ])
        #expect(routes.diagnostics.map(\.code) == [.nginxInvalidServer, .nginxInvalidServer])
        #expect(routes.resolvedHosts.isEmpty, "one server is resolved per request, not when nginx loads")
        #expect(routes.routesFile.contains("set $berth_upstream good-1;"))
        #expect(!routes.routesFile.contains("bad"))
    }

    @Test func aSecondRouteForTheSameHostAndPathIsNotRendered() {
        let routes = nginx.routesConfiguration([
            route("shop.example.com", "/api/", stack: "zeta", service: "api"),
            route("shop.example.com", "/api", stack: "alpha", service: "api"),
        ])
        #expect(routes.diagnostics.map(\.code) == [.nginxShadowedRoute])
        #expect(routes.diagnostics.first?.element == "service 'api' of stack 'zeta' (prod)")
        #expect(routes.routesFile.contains("alpha-prod-api-1"))
        #expect(!routes.routesFile.contains("zeta-prod-api-1"))
    }

    @Test func ratesNginxCannotCountAreRoundedPerMinuteWithANote() {
        let routes = nginx.routesConfiguration([
            route("a.example.com", middlewares: [.rateLimit(RateLimit(average: 1, period: .seconds(7)))]),
            route("b.example.com", middlewares: [.rateLimit(RateLimit(average: 3, period: .seconds(3)))]),
        ])
        #expect(routes.diagnostics.map(\.code) == [.nginxRoundedRate])
        #expect(routes.diagnostics.first?.severity == .note)
        #expect(routes.routesFile.contains("rate=9r/m;"))
        #expect(routes.routesFile.contains("rate=1r/s;"))
    }

    @Test func aBasicAuthEntryWithALineBreakFailsClosed() {
        let routes = nginx.routesConfiguration([
            route("a.example.com", middlewares: [.basicAuth(BasicAuth(users: ["alice:{SHA}x\nmallory:{SHA}y"]))])
        ])
        #expect(routes.diagnostics.map(\.code) == [.nginxInvalidMiddleware])
        #expect(routes.files.count == 1)
        #expect(routes.routesFile.contains("return 503;"))
        #expect(!routes.routesFile.contains("mallory"))
    }

    @Test func aForwardAuthAddressNginxCannotProxyToFailsClosed() {
        let routes = nginx.routesConfiguration([
            route("a.example.com", middlewares: [.forwardAuth(ForwardAuth(address: "http://auth:4180/check?x=${y}"))])
        ])
        #expect(routes.diagnostics.map(\.code) == [.nginxInvalidMiddleware])
        #expect(routes.routesFile.contains("return 503;"))
        #expect(!routes.routesFile.contains("auth_request"))
    }

    @Test func aFailTimeoutFinerThanASecondIsRoundedUpWithANote() {
        var fine = route("a.example.com", servers: ["shop-prod-web-1", "shop-prod-web-2"])
        fine.route.health = UpstreamHealth(maxFails: 2, failTimeout: .milliseconds(1500))
        let routes = nginx.routesConfiguration([fine])
        #expect(routes.diagnostics.map(\.code) == [.nginxRoundedTime])
        #expect(routes.routesFile.contains("server shop-prod-web-1:8080 max_fails=2 fail_timeout=2s;"))
    }
}
