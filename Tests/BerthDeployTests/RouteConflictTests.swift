import BerthCore
import BerthRendering
import Foundation
import Testing

@testable import BerthDeploy

@Suite("Routes across stacks: read back from labels, conflicts named by owner")
struct RouteConflictTests {
    static let edge = SharedNetwork("edge", engineName: "acme_edge", owner: "acme-infra")

    static func app(_ name: String, routes: [(String, String)]) -> Stack {
        Stack(name) {
            Gateway.nginx(network: edge)
            routes.enumerated().reduce(
                Service("web", image: "ghcr.io/acme/web:1").expose(8080).networks("edge")
            ) { service, pair in service.route(pair.element.0, path: pair.element.1, port: 8080) }
        }
    }

    static func live(_ stack: String, _ environment: String, _ host: String, _ path: String) -> LiveRoute {
        LiveRoute(
            route: Route(
                host: host, pathPrefix: path, port: 80, location: SourceLocation(fileID: "Other/Deploy.swift", line: 7)),
            stack: stack, environment: environment, service: "site", servers: [])
    }

    @Test func aRouteAnotherStackServesIsAnErrorNamingTheOwner() {
        let shop = Self.app("shop", routes: [("acme.test", "/api")])
        let diagnostics = RouteConflicts.diagnostics(
            of: shop, for: .dev, live: [Self.live("blog", "dev", "ACME.test", "/api/")], target: "the local engine")
        #expect(diagnostics.count == 1)
        let diagnostic = try! #require(diagnostics.first)
        #expect(diagnostic.code == .routeClaimedByAnotherStack)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.message.contains("stack 'blog' (dev), service 'site'"))
        #expect(diagnostic.message.contains("Other/Deploy.swift:7"))
        #expect(diagnostic.location?.fileID == "BerthDeployTests/RouteConflictTests.swift")
    }

    @Test func theSameStackInTheSameEnvironmentDoesNotConflictWithItself() {
        let shop = Self.app("shop", routes: [("acme.test", "/api")])
        #expect(
            RouteConflicts.diagnostics(
                of: shop, for: .dev, live: [Self.live("shop", "dev", "acme.test", "/api")], target: "t"
            ).isEmpty)
        // Another environment of the same stack on the same engine takes the same host: refused.
        #expect(
            RouteConflicts.diagnostics(
                of: shop, for: .dev, live: [Self.live("shop", "stg", "acme.test", "/api")], target: "t"
            ).count == 1)
    }

    @Test func otherHostsAndOtherPathsDoNotConflict() {
        let shop = Self.app("shop", routes: [("acme.test", "/api")])
        let live = [
            Self.live("blog", "dev", "acme.test", "/"), Self.live("blog", "dev", "acme.test", "/apis"),
            Self.live("blog", "dev", "www.acme.test", "/api"),
        ]
        #expect(RouteConflicts.diagnostics(of: shop, for: .dev, live: live, target: "t").isEmpty)
    }

    @Test func liveRoutesAreReadFromContainerLabelsAndMergedAcrossReplicas() throws {
        let routes = [
            Route(
                host: "acme.test", pathPrefix: "/api", port: 8080,
                location: SourceLocation(fileID: "A/B.swift", line: 3))
        ]
        let label = RouteLabel.encode(routes)
        func container(_ name: String, running: Bool, swarmService: String? = nil) -> [String: Any] {
            var labels = [
                OwnershipLabel.stack: "shop", OwnershipLabel.environment: "dev", OwnershipLabel.service: "api",
                OwnershipLabel.routes: label,
            ]
            labels["com.docker.swarm.service.name"] = swarmService
            return [
                "Id": name, "Name": "/" + name, "State": ["Status": running ? "running" : "exited"],
                "Config": ["Labels": labels],
            ]
        }
        let json = String(
            decoding: try JSONSerialization.data(withJSONObject: [
                container("shop-dev-api-2", running: true), container("shop-dev-api-1", running: true),
                container("shop-dev-api-3", running: false),
            ]), as: UTF8.self)
        let live = try DockerEngine.liveRoutes(in: DockerEngine.decodeContainers(json))
        #expect(live.count == 1)
        #expect(live.first?.route == routes[0])
        #expect(live.first?.servers == ["shop-dev-api-1", "shop-dev-api-2"])
        #expect(live.first?.stack == "shop")

        let swarm = String(
            decoding: try JSONSerialization.data(withJSONObject: [
                container("a.1.x", running: true, swarmService: "shop-dev_api"),
                container("a.2.y", running: true, swarmService: "shop-dev_api"),
            ]), as: UTF8.self)
        #expect(
            try DockerEngine.liveRoutes(in: DockerEngine.decodeContainers(swarm)).first?.servers == ["shop-dev_api"])
    }

    @Test func onlyContainersOnTheGatewayNetworkServeIt() throws {
        let label = RouteLabel.encode([
            Route(host: "acme.test", port: 8080, location: SourceLocation(fileID: "A/B.swift", line: 3))
        ])
        func container(_ name: String, networks: [String]) -> [String: Any] {
            [
                "Id": name, "Name": "/" + name, "State": ["Status": "running"],
                "Config": [
                    "Labels": [
                        OwnershipLabel.stack: "shop", OwnershipLabel.environment: "dev",
                        OwnershipLabel.service: "web", OwnershipLabel.routes: label,
                    ]
                ],
                "NetworkSettings": ["Networks": Dictionary(uniqueKeysWithValues: networks.map { ($0, [:]) })],
            ]
        }
        let json = String(
            decoding: try JSONSerialization.data(withJSONObject: [
                container("on", networks: ["acme_edge", "shop-dev_default"]), container("off", networks: ["bridge"]),
            ]), as: UTF8.self)
        #expect(
            try DockerEngine.liveRoutes(in: DockerEngine.decodeContainers(json), servedOn: "acme_edge").first?.servers
                == ["on"])
        // Conflicts count every claim, reachable or not.
        #expect(try DockerEngine.liveRoutes(in: DockerEngine.decodeContainers(json)).first?.servers == ["off", "on"])
    }

    @Test func thePlanListsRoutesToCreateKeepAndRemove() {
        let shop = Self.app("shop", routes: [("acme.test", "/api"), ("acme.test", "/v2")])
        var old = Self.live("shop", "dev", "acme.test", "/api")
        old.service = "web"
        old.route.port = 8080
        var gone = Self.live("shop", "dev", "acme.test", "/v1")
        gone.service = "web"
        gone.route.port = 8080
        let others = Self.live("blog", "dev", "blog.test", "/")
        let changes = Plan.routeChanges(of: shop, for: .dev, live: [old, gone, others])
        #expect(
            changes.map { "\($0.action.rawValue) \($0.address) -> \($0.target)" } == [
                "unchanged acme.test/api -> web:8080", "create acme.test/v2 -> web:8080",
                "remove acme.test/v1 -> web:8080",
            ])
    }

    @Test("a wildcard and an exact host of different stacks are no conflict; the plan says the exact one wins")
    func wildcardAndExactHostOfAnotherStack() {
        let tenants = Self.app("tenants", routes: [("*.acme.test", "/")])
        let billing = Self.live("billing", "prod", "billing.acme.test", "/")
        let deeper = Self.live("blog", "prod", "a.blog.acme.test", "/")
        #expect(RouteConflicts.diagnostics(of: tenants, for: .dev, live: [billing, deeper], target: "t").isEmpty)
        let changes = Plan.routeChanges(of: tenants, for: .dev, live: [billing, deeper])
        #expect(
            changes.map(\.note) == [
                "exact hosts win over this wildcard, so it does not take billing.acme.test of stack 'billing' (prod)"
            ])

        let shop = Self.app("shop", routes: [("shop.acme.test", "/api"), ("acme.test", "/")])
        let wildcard = Self.live("tenants", "prod", "*.acme.test", "/")
        let exact = Plan.routeChanges(of: shop, for: .dev, live: [wildcard])
        #expect(
            exact.map(\.note) == [
                "this exact host wins over the wildcard *.acme.test of stack 'tenants' (prod), which no longer takes it",
                nil,
            ])
        var plan = Plan(stack: Stack("shop") {}, environment: .dev, stackName: "shop-dev", hashes: [:], live: [])
        plan.routes = exact
        #expect(
            plan.summary.contains(
                "  + route shop.acme.test/api -> web:8080: create\n      note: this exact host wins over the wildcard *.acme.test of stack 'tenants' (prod), which no longer takes it"
            ))
    }

    @Test func aRouteLabelSurvivesTheRoundTripWithEveryMiddleware() throws {
        let route = Route(
            host: "acme.test", pathPrefix: "/admin", port: 9000,
            tls: .certificate(certificate: "/c.pem", key: "/k.pem"),
            middlewares: [
                .rateLimit(.perMinute(30)), .securityHeaders(.strict), .basicAuth(BasicAuth(users: ["ops:$2y$05$abc"])),
                .forwardAuth(.oauth2Proxy()), .stripPrefix, .redirectToHTTPS, .websockets, .maxBodySize(1024),
            ],
            health: UpstreamHealth(), location: SourceLocation(fileID: "A/B.swift", line: 9))
        #expect(try RouteLabel.decode(RouteLabel.encode([route])) == [route])
        #expect(RouteLabel.encode([route]) == RouteLabel.encode([route]))
    }
}
