import BerthCore
import Testing

@testable import BerthGateway

private let edge = SharedNetwork("edge", engineName: "acme_edge", owner: "acme-infra")
private let location = SourceLocation(fileID: "Shop/Stack.swift", line: 7)

private func route(
    _ host: String, _ path: String = "/", tls: RouteTLS = .none, _ middlewares: [Middleware] = [],
    servers: [String] = ["shop-web-1"]
) -> GatewayRoute {
    GatewayRoute(
        route: Route(host: host, pathPrefix: path, port: 8080, tls: tls, middlewares: middlewares, location: location),
        stack: "shop", environment: "dev", service: "web", servers: servers)
}

@Suite("Caddy gateway: routes rendered as a Caddyfile")
struct CaddyGatewayTests {
    let caddy = CaddyGateway(.caddy(network: edge, httpsPort: 32443), certificates: .internal)

    @Test("one site per host, longest prefix first, a 404 for paths no route has, a redirect that keeps the port")
    func sites() throws {
        let files = caddy.configuration([
            route("shop.localhost", "/api", tls: .gatewayCertificates, [.stripPrefix]),
            route("shop.localhost", "/api/v2", tls: .gatewayCertificates),
            route("shop.localhost", tls: .gatewayCertificates, [.redirectToHTTPS]),
            route("api.localhost", "/v1"),
        ])
        #expect(files.diagnostics.isEmpty)
        let text = try #require(files.files.first?.content)
        #expect(files.files.map(\.name) == ["routes.caddy"])
        #expect(
            text.contains(
                """
                http://api.localhost {
                \t@route1 path /v1 /v1/*
                \t# shop (dev) web:8080
                \thandle @route1 {
                \t\treverse_proxy shop-web-1:8080 {
                \t\t\tlb_policy round_robin
                \t\t}
                \t}
                \thandle {
                \t\trespond 404
                \t}
                }
                """), "\(text)")
        let https = try #require(text.range(of: "https://shop.localhost {"))
        let v2 = try #require(text.range(of: "@route1 path /api/v2 /api/v2/*"))
        let api = try #require(text.range(of: "@route2 path /api /api/*"))
        #expect(https.upperBound < v2.lowerBound && v2.upperBound < api.lowerBound)
        #expect(text.contains("\t\turi strip_prefix /api\n"))
        #expect(text.contains("http://shop.localhost {\n\tredir https://{host}:32443{uri} permanent\n}"))
        // The same routes in another order give the same file.
        let shuffled = caddy.configuration([
            route("api.localhost", "/v1"),
            route("shop.localhost", tls: .gatewayCertificates, [.redirectToHTTPS]),
            route("shop.localhost", "/api/v2", tls: .gatewayCertificates),
            route("shop.localhost", "/api", tls: .gatewayCertificates, [.stripPrefix]),
        ])
        #expect(shuffled == files)
    }

    @Test(
        "the main Caddyfile: its own certificates, no automatic redirects, the health path and the unknown-host status")
    func mainConfiguration() {
        let main = CaddyGateway(
            .caddy(network: edge), certificates: .internal, unknownHostStatus: 421, healthPath: "/ping"
        ).mainConfiguration()
        #expect(main.contains("\tlocal_certs\n"))
        #expect(main.contains("\tauto_https disable_redirects\n"))
        #expect(main.contains("import /etc/caddy/berth/active/*.caddy"))
        #expect(main.contains("\trespond /ping \"ok\" 200\n\trespond 421\n"))
        let acme = CaddyGateway(.caddy(network: edge), certificates: .automatic(email: "ops@acme.example"))
        #expect(acme.mainConfiguration().contains("\temail ops@acme.example\n"))
        #expect(!acme.mainConfiguration().contains("local_certs"))
    }

    @Test("what Caddy has no directive for is refused at the route's line, and the route answers 503")
    func refusals() throws {
        let files = caddy.configuration([
            route("a.localhost", "/", [.rateLimit(.perSecond(10))]),
            route("b.localhost", "/", [.basicAuth(BasicAuth(users: ["admin:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/"]))]),
            route("c.localhost", tls: .certificate(certificate: "certs/c.pem", key: "/etc/ssl/c.key")),
            route("d.localhost", "/", [.forwardAuth(ForwardAuth(address: "https://auth.example/check"))]),
        ])
        #expect(files.diagnostics.map(\.code) == Array(repeating: .caddyUnsupported, count: 4))
        #expect(files.diagnostics.allSatisfy { $0.severity == .error && $0.location == location })
        #expect(files.diagnostics[0].message.contains("rate limit"))
        #expect(
            files.diagnostics[1].message.contains("user 'admin'")
                && !files.diagnostics[1].description.contains("$apr1$"))
        let text = try #require(files.files.first?.content)
        #expect(text.components(separatedBy: "respond \"route refused by the gateway's checks\" 503").count == 5)
        #expect(!text.contains("reverse_proxy"))
    }

    @Test("a route without a running container answers 503, and the preflight leaves it out")
    func withoutServers() throws {
        let files = caddy.configuration([route("a.localhost", servers: [])])
        #expect(files.diagnostics.map(\.code) == [.caddyRouteWithoutServers])
        #expect(try #require(files.files.first).content.contains("respond \"no running server\" 503"))
        let stack = Stack("shop") {
            Gateway.caddy(network: edge)
            Service("web", image: "ghcr.io/acme/web:1").expose(8080).networks("edge").healthCheck(.http(port: 8080))
                .route("a.localhost", port: 8080, middlewares: [.rateLimit(.perSecond(5))])
        }
        let adapter = try #require(stack.gateway?.adapter as? CaddyGateway)
        #expect(adapter.diagnostics(of: stack, for: .dev).map(\.code) == [.caddyUnsupported])
        #expect(adapter.routeFiles != nil)
    }
}
