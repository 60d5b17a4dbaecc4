import BerthCore
import BerthGateway
import BerthTesting
import Foundation
import Testing

@Suite("nginx routes rendering")
struct NginxRoutesTests {
    let nginx = NginxFixtures.nginx

    @Test func representativeRoutesMatchTheGoldenFiles() throws {
        let routes = nginx.routesConfiguration(NginxFixtures.representative)
        try NginxFixtures.checkGolden(routes.routesFile, named: "nginx-routes.conf")
        #expect(routes.files.map(\.name).first == NginxGateway.routesFileName)
        #expect(routes.files.count == 2)
        let htpasswd = try #require(routes.files.last)
        #expect(htpasswd.name.hasPrefix("basic-auth-") && htpasswd.name.hasSuffix(".htpasswd"))
        #expect(htpasswd.content == "alice:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\nbob:$apr1$x$y\n")
        #expect(routes.routesFile.contains("auth_basic_user_file \(NginxGateway.activeDirectory)/\(htpasswd.name);"))
        // Routes with one server resolve it per request; nginx resolves the others when it loads.
        #expect(
            routes.resolvedHosts == [
                "chat_ws.1.abc", "chat_ws.2.def", "oauth2-proxy", "shop-prod-api-1", "shop-prod-api-2",
            ])
        #expect(routes.diagnostics.isEmpty, "\(routes.diagnostics)")
    }

    @Test func noRoutesRenderOnlyTheHeader() throws {
        let routes = nginx.routesConfiguration([])
        try NginxFixtures.checkGolden(routes.routesFile, named: "nginx-no-routes.conf")
        #expect(NginxOutline(routes.routesFile).entries.isEmpty)
        #expect(routes.files.count == 1 && routes.diagnostics.isEmpty && routes.resolvedHosts.isEmpty)
    }

    @Test func outputDoesNotDependOnTheOrderOfRoutesOrServers() {
        let expected = nginx.routesConfiguration(NginxFixtures.representative)
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<20 {
            let shuffled = NginxFixtures.representative.shuffled(using: &generator).map { route in
                var route = route
                route.servers.shuffle(using: &generator)
                return route
            }
            #expect(nginx.routesConfiguration(shuffled) == expected)
        }
    }

    @Test func zonesUpstreamsAndMapsAreInHTTPContextAndLimitsInLocations() {
        let outline = NginxOutline(nginx.routesConfiguration(NginxFixtures.representative).routesFile)
        let zones = outline.directives("limit_req_zone")
        #expect(zones.count == 3)
        for name in ["limit_req_zone", "upstream", "map", "server"] {
            #expect(!outline.directives(name).filter { $0.depth == 0 }.isEmpty, "no \(name) in http context")
        }
        #expect(outline.directives("limit_req_zone").allSatisfy { $0.depth == 0 })
        #expect(outline.directives("upstream").allSatisfy { $0.depth == 0 })
        #expect(outline.directives("map").allSatisfy { $0.depth == 0 })
        #expect(outline.directives("limit_req").allSatisfy { $0.context == ["server", "location"] })
        // /api/ and = /api on 443 (port 80 redirects), /socket/ and = /socket, and the blog's /.
        #expect(outline.directives("limit_req").count == 5)
    }

    @Test func aPrefixBecomesADirectoryLocationAndAnExactOneNeverAPlainPrefix() {
        let outline = NginxOutline(nginx.routesConfiguration(NginxFixtures.representative).routesFile)
        let locations = Set(outline.directives("location").map(\.text))
        #expect(locations.contains("location /api/ {"))
        #expect(locations.contains("location = /api {"))
        #expect(locations.contains("location /api/v2/ {"))
        #expect(locations.contains("location = /api/v2 {"))
        #expect(!locations.contains("location /api {"))
        #expect(!locations.contains("location /socket {"))
    }

    @Test func stripPrefixPassesAURIAndOtherRoutesPassTheRequestURI() {
        let text = nginx.routesConfiguration(NginxFixtures.representative).routesFile
        #expect(text.contains("proxy_pass http://shop-prod-api-8080/;"))
        // One server: resolved per request, and the prefix stripped by a rewrite.
        #expect(text.contains("set $berth_upstream ops-prod-grafana-1;"))
        #expect(
            text.contains("rewrite \"^/grafana(?:/(.*))?$\" /$1 break;")
                || text.contains("rewrite ^/grafana(?:/(.*))?$ /$1 break;"))
        #expect(text.contains("proxy_pass http://$berth_upstream:3000;"))
        #expect(text.contains("set $berth_upstream shop-prod-web-1;"))
        #expect(text.contains("set $berth_upstream shop-prod-api-v2-1;"))
        #expect(!text.contains("upstream shop-prod-web-3000"))
    }

    @Test func aRouteWithOneServerResolvesItPerRequestAndSeveralServersFormAnUpstream() {
        let routes = nginx.routesConfiguration(NginxFixtures.representative)
        let outline = NginxOutline(routes.routesFile)
        #expect(outline.directives("resolver").map(\.text) == ["resolver 127.0.0.11 valid=5s ipv6=off"])
        #expect(outline.directives("resolver").allSatisfy { $0.depth == 0 })
        #expect(
            Set(outline.directives("upstream").map(\.text)) == [
                "upstream shop-prod-api-8080 {", "upstream chat-prod-ws-4000 {",
            ])
    }

    @Test func securityHeadersAreRepeatedInEveryLocationOfTheRoute() {
        let outline = NginxOutline(nginx.routesConfiguration(NginxFixtures.representative).routesFile)
        let frameOptions = outline.directives("add_header").filter { $0.text.contains("X-Frame-Options") }
        // api: /api/ and = /api on port 80 (redirects) and 443; web: / on 80 and 443.
        #expect(frameOptions.count == 6)
        #expect(frameOptions.allSatisfy { $0.context == ["server", "location"] && $0.text.hasSuffix(" always") })
        #expect(outline.directives("add_header").allSatisfy { $0.context == ["server", "location"] })
    }

    @Test func certificateHostsRedirectPlainHTTPAndServeTLS() {
        let text = nginx.routesConfiguration(NginxFixtures.representative).routesFile
        let outline = NginxOutline(text)
        #expect(outline.directives("listen").map(\.text).filter { $0 == "listen 443 ssl" }.count == 1)
        #expect(
            outline.directives("ssl_certificate").map(\.text) == [
                "ssl_certificate /etc/nginx/certs/shop.example.com/fullchain.pem"
            ])
        #expect(outline.directives("return").filter { $0.text == "return 301 https://$host$request_uri" }.count == 5)
    }

    @Test func specialCharactersAreQuotedAndDollarsStayLiteral() {
        let headers = SecurityHeaders(
            strictTransportSecuritySeconds: 0, frameDeny: false, contentTypeNosniff: false,
            referrerPolicy: "no-referrer", contentSecurityPolicy: "script-src 'nonce-$abc' {x} \"q\" \\ #not-a-comment")
        let route = GatewayRoute(
            route: Route(
                host: "odd.example.com", pathPrefix: "/caf%C3%A9+x@y", port: 80,
                middlewares: [.securityHeaders(headers)], location: NginxFixtures.at(1)),
            stack: "odd", environment: "dev", service: "svc", servers: ["odd-dev-svc-1"])
        let routes = nginx.routesConfiguration([route])
        let text = routes.routesFile
        #expect(
            text.contains(
                #"add_header Content-Security-Policy "script-src 'nonce-${berth_dollar}abc' {x} \"q\" \\ #not-a-comment" always;"#
            ))
        #expect(text.contains("geo $berth_dollar {\n    default $;\n}"))
        #expect(text.contains("location /caf%C3%A9+x@y/ {"))
        #expect(routes.diagnostics.isEmpty)
        #expect(NginxOutline(text).directives("add_header").count == 4)
    }

    @Test func aLiteralDollarIsNotDefinedWhenNoTextNeedsIt() {
        #expect(!nginx.routesConfiguration(NginxFixtures.representative).routesFile.contains("berth_dollar"))
    }

    @Test func aHeaderWithALineBreakIsLeftOutWithAnError() {
        let headers = SecurityHeaders(contentSecurityPolicy: "default-src 'self'\nX-Injected: 1")
        let route = GatewayRoute(
            route: Route(
                host: "a.example.com", port: 80, middlewares: [.securityHeaders(headers)], location: NginxFixtures.at(3)
            ),
            stack: "a", environment: "dev", service: "web", servers: ["a-dev-web-1"])
        let routes = nginx.routesConfiguration([route])
        #expect(routes.diagnostics.map(\.code) == [.nginxUnrepresentableValue])
        #expect(!routes.routesFile.contains("Injected"))
        #expect(routes.routesFile.contains("X-Frame-Options"))
    }
}

/// A deterministic random number generator (SplitMix64), so shuffles repeat run after run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
