import BerthTesting
import Testing

@testable import BerthCore

/// The handles a shared-infrastructure package would publish: `acme-infra` owns network `edge`
/// (`acme_edge` on the engine), an internal network for its databases, and the gateway.
private enum AcmeInfra {
    static let edge = SharedNetwork("edge", engineName: "acme_edge", owner: "acme-infra")
    static let data = SharedNetwork("data", engineName: "acme_data", owner: "acme-infra", internal: true)
    static let gateway = Gateway.traefik(network: edge)
    static let postgres = SharedService("postgres", port: 5432, network: data)

    /// The shared infrastructure's stack: the gateway, and an auth proxy it routes to.
    static var stack: Stack {
        Stack("acme-infra") {
            edge
            gateway
            Service("traefik", image: "traefik:v3.2").networks("edge").publish(80, public: true)
                .publish(443, public: true)
            Service("oauth2-proxy", image: "quay.io/oauth2-proxy/oauth2-proxy:v7.7.1").expose(4180).networks("edge")
                .healthCheck(.http(port: 4180, path: "/ping"))
                .route("auth.example.com", port: 4180)
                .route("shop.example.com", path: "/oauth2/", port: 4180)
        }
    }
}

@Suite("Shared infrastructure handles")
struct SharedInfrastructureTests {
    // MARK: Shared networks in a stack

    @Test("in its owner's stack, a shared network is created under its engine name")
    func sharedNetworkInItsOwnersStack() throws {
        let (stack, line) = (Stack("acme-infra") { AcmeInfra.edge }, #line)
        let network = try #require(stack.networks.first)
        #expect(stack.networks.count == 1)
        #expect(network.name == "edge")
        #expect(network.fixedName == "acme_edge")
        #expect(network.externalName == nil)
        #expect(network.owner == nil)
        #expect(!network.isExternal)
        #expect(!network.isInternal)
        #expect(network.location == here(line))
    }

    @Test("in any other stack, the same handle is the owner's network, external")
    func sharedNetworkInAnotherStack() throws {
        let (stack, line) = (Stack("shop") { AcmeInfra.edge }, #line)
        let network = try #require(stack.networks.first)
        #expect(stack.networks.count == 1)
        #expect(network.name == "edge")
        #expect(network.externalName == "acme_edge")
        #expect(network.owner == "acme-infra")
        #expect(network.fixedName == nil)
        #expect(network.isExternal)
        #expect(network.location == here(line))
    }

    @Test("an internal shared network stays internal in every stack", arguments: ["acme-infra", "shop"])
    func internalSharedNetwork(_ stackName: String) {
        let stack = Stack(stackName) { AcmeInfra.data }
        #expect(stack.networks.map(\.isInternal) == [true])
    }

    @Test("the handle's network validates in the owner's stack and in an app's")
    func sharedNetworksValidate() {
        for name in ["acme-infra", "shop"] {
            let stack = Stack(name) {
                AcmeInfra.data
                Service("app", image: "ghcr.io/acme/app:1.0").networks("data")
            }
            #expect(stack.validate(for: .prod) == [], "\(name)")
        }
    }

    // MARK: The gateway's network

    @Test("a gateway brings its network when the stack does not declare it", arguments: ["acme-infra", "shop"])
    func gatewayAddsItsNetwork(_ stackName: String) throws {
        // `#line` must stay on the line of `Stack(`.
        // swift-format-ignore
        let (line, stack) = (#line, Stack(stackName) {
            Service("api", image: "ghcr.io/acme/api:2.1").networks("edge")
            AcmeInfra.gateway  // line + 2
        })
        #expect(stack.gateway == AcmeInfra.gateway)
        #expect(stack.gatewayLocation == here(line + 2))
        #expect(stack.networks.count == 1)
        let network = try #require(stack.networks.first)
        #expect(network.name == "edge")
        #expect(network.location == here(line + 2))
        if stackName == "acme-infra" {
            #expect(network.fixedName == "acme_edge")
            #expect(!network.isExternal)
        } else {
            #expect(network.externalName == "acme_edge")
            #expect(network.owner == "acme-infra")
        }
    }

    @Test("a gateway does not add its network twice, wherever the stack declares it")
    func gatewayDoesNotDuplicateItsNetwork() {
        // `#line` must stay on the line of `Stack(`.
        // swift-format-ignore
        let (line, before, after) = (#line, Stack("shop") {
            AcmeInfra.edge  // line + 1
            AcmeInfra.gateway
        }, Stack("shop") {
            AcmeInfra.gateway
            AcmeInfra.edge  // line + 5
        })
        #expect(before.networks.map(\.name) == ["edge"])
        #expect(after.networks.map(\.name) == ["edge"])
        #expect(before.networks.map(\.location) == [here(line + 1)])
        #expect(after.networks.map(\.location) == [here(line + 5)])
        #expect(before.networks.map(\.externalName) == ["acme_edge"])
        #expect(after.networks.map(\.externalName) == ["acme_edge"])
    }

    @Test("a plain network named like the gateway's is not the shared network the gateway is on")
    func plainNetworkNamedLikeTheGatewaysNetwork() {
        let stack = Stack("shop") {
            Network("edge")
            AcmeInfra.gateway
            Service("api", image: "ghcr.io/acme/api:2.1").expose(8080).networks("edge")
                .healthCheck(.http(port: 8080)).route("shop.example.com", port: 8080)
        }
        // The stack keeps its own `shop-dev_edge`, which the gateway is not attached to.
        #expect(stack.networks.map(\.isExternal) == [false])
        #expect(stack.validate(for: .dev).containsErrors)
    }

    @Test("locations are those of the lines the handles are written on, in blocks too")
    func handlesInsideBlocks() {
        let withGateway = true
        // `#line` must stay on the line of `Stack(`.
        // swift-format-ignore
        let (line, stack) = (#line, Stack("shop") {
            if withGateway {
                AcmeInfra.gateway  // line + 2
            }
            for network in [AcmeInfra.data] {
                network  // line + 5
            }
        })
        #expect(stack.gatewayLocation == here(line + 2))
        #expect(stack.networks.map(\.name) == ["data", "edge"])
        #expect(stack.networks.map(\.location) == [here(line + 5), here(line + 2)])
    }

    @Test("a handle written in a StackPart keeps its own line")
    func handlesInAStackPart() {
        // swift-format-ignore
        let (line, part) = (#line, StackPart {
            AcmeInfra.edge  // line + 1
        })
        let stack = Stack("shop") { part }
        #expect(stack.networks.map(\.location) == [here(line + 1)])
    }

    // MARK: Handles

    @Test func sharedServiceAddresses() {
        #expect(AcmeInfra.postgres.host == "postgres")
        #expect(AcmeInfra.postgres.address == "postgres:5432")
        #expect(AcmeInfra.postgres.url(scheme: "postgres", path: "/shop") == "postgres://postgres:5432/shop")
        #expect(AcmeInfra.postgres.url(scheme: "postgres") == "postgres://postgres:5432")
    }

    @Test func gatewayDefaults() {
        #expect(AcmeInfra.gateway.owner == "acme-infra")
        #expect(AcmeInfra.gateway.service == "traefik")
        #expect(AcmeInfra.gateway.kind == .traefik)
        #expect(AcmeInfra.gateway.httpEntrypoint == "web")
        #expect(AcmeInfra.gateway.httpsEntrypoint == "websecure")
        let nginx = Gateway.nginx(network: AcmeInfra.edge)
        #expect(nginx.service == "nginx")
        #expect(nginx.kind == .nginx)
        #expect(nginx.owner == "acme-infra")
    }

    @Test func routeAddressAndFlags() {
        let route = Route(host: "shop.example.com", port: 8080, location: here(#line))
        #expect(route.address == "shop.example.com")
        #expect(!route.allowsWebSockets)
        var api = route
        api.pathPrefix = "/api"
        api.middlewares = [.stripPrefix, .websockets]
        #expect(api.address == "shop.example.com/api")
        #expect(api.allowsWebSockets)
    }

    @Test func rateLimitShorthands() {
        #expect(RateLimit.perSecond(20) == RateLimit(average: 20, period: .seconds(1), burst: 20))
        #expect(RateLimit.perMinute(30, burst: 5) == RateLimit(average: 30, period: .seconds(60), burst: 5))
    }

    @Test func basicAuthUserNames() {
        #expect(
            BasicAuth(users: ["alice:$2y$05$abc", "bob:{SHA}xyz", "carol:"]).userNames == ["alice", "bob", "carol"])
    }

    @Test("an entry with no user name has an empty user name, never its hash or password")
    func basicAuthEmptyUserName() {
        #expect(BasicAuth(users: [":$apr1$x", ":hunter2"]).userNames == ["", ""])
    }

    @Test func routeRecordsItsLine() {
        let base = Service("api", image: "ghcr.io/acme/api:2.1")
        // swift-format-ignore
        let (line, api) = (#line, base.expose(8080)
            .route("shop.example.com", port: 8080)  // line + 1
            .route("www.shop.example.com", port: 8080))  // line + 2
        #expect(api.routes.map(\.location) == [here(line + 1), here(line + 2)])
        #expect(
            api.routes.map(\.location.fileID)
                == Array(repeating: "BerthCoreTests/SharedInfrastructureTests.swift", count: 2))
    }

    // MARK: Topology

    /// An app stack behind the shared gateway.
    static func shop(_ extra: Service? = nil) -> Stack {
        Stack("shop") {
            AcmeInfra.gateway
            AcmeInfra.data
            Service("api", image: "ghcr.io/acme/api:2.1").expose(8080).networks("edge", "data")
                .healthCheck(.http(port: 8080))
                .route("shop.example.com", path: "/api/", port: 8080)
            Service("web", image: "ghcr.io/acme/web:2.1").expose(3000).networks("edge")
                .route("shop.example.com", port: 3000)
                .route("www.shop.example.com", port: 3000)
            Service("db", image: "postgres:17.2").networks("data").publish(5432).allowPublishedPorts(5432)
            if let extra { extra }
        }
    }

    @Test("Topology lists routes as host/path -> service:port, in the order written")
    func topologyRoutes() {
        let topology = Topology(Self.shop(), environment: .prod)
        #expect(
            topology.routes.map(\.description) == [
                "shop.example.com/api/ -> api:8080", "shop.example.com -> web:3000", "www.shop.example.com -> web:3000",
            ])
        #expect(
            topology.routes.first
                == Topology.ServedRoute(host: "shop.example.com", pathPrefix: "/api/", service: "api", port: 8080))
        #expect(
            Topology(AcmeInfra.stack, environment: .prod).routes.map(\.address) == [
                "auth.example.com", "shop.example.com/oauth2/",
            ])
    }

    @Test func topologyRoutedServicesWithoutHealthCheck() {
        #expect(Topology(Self.shop(), environment: .prod).routedServicesWithoutHealthCheck == ["web"])
        #expect(Topology(AcmeInfra.stack, environment: .prod).routedServicesWithoutHealthCheck == [])
        // `db` has no health check either, but takes no routes.
        #expect(Topology(Self.shop(), environment: .prod).servicesWithoutHealthCheck == ["db", "web"])
    }

    @Test("in the owner's stack only the gateway's ports are public")
    func topologyOwnerStackOnlyTheGatewayIsPublic() {
        let topology = Topology(AcmeInfra.stack, environment: .prod)
        #expect(topology.publishedPortsBesideTheGateway == [])
        #expect(topology.publishedServices == ["traefik"])
        #expect(topology.validationErrors == [])
    }

    @Test("in an app stack every published port is listed, allowed or not, loopback or not")
    func topologyAppStackPublishedPorts() {
        let traefik = Service("traefik", image: "traefik:v3.2").publish(8443, on: 443, public: true)
        let topology = Topology(Self.shop(traefik), environment: .prod)
        #expect(
            topology.publishedPortsBesideTheGateway.map(\.description) == [
                "db: 127.0.0.1:5432->5432", "traefik: 0.0.0.0:443->8443",
            ])
        // Validation refuses the port that was not allowed; the allowed one passes.
        #expect(topology.diagnostics.errors.map(\.code) == [.publishedPortBehindGateway])
        #expect(topology.diagnostics.errors.map(\.element) == ["service 'traefik'"])
    }

    @Test("a stack without a gateway has no gateway to be public")
    func topologyWithoutGateway() {
        let stack = Stack("tools") { Service("adminer", image: "adminer:4.8.1").publish(8080) }
        #expect(Topology(stack, environment: .dev).publishedPortsBesideTheGateway.map(\.service) == ["adminer"])
    }

    @Test("route conflicts with the shared infrastructure's routes, compared as the gateway matches them")
    func topologyRouteConflicts() {
        let oauth = Service("auth", image: "ghcr.io/acme/auth:1.0").expose(4180).networks("edge")
            .healthCheck(.http(port: 4180))
            .route("Shop.Example.com", path: "/oauth2", port: 4180)
            .route("shop.example.com", path: "/oauth2//", port: 4180)
            .route("auth.example.com", path: "/login", port: 4180)
        let topology = Topology(Self.shop(oauth), environment: .prod)
        #expect(
            topology.routeConflicts(with: AcmeInfra.stack) == ["Shop.Example.com/oauth2", "shop.example.com/oauth2//"])
        #expect(Topology(Self.shop(), environment: .prod).routeConflicts(with: AcmeInfra.stack) == [])
        #expect(
            Topology(AcmeInfra.stack, environment: .prod).routeConflicts(with: AcmeInfra.stack) == [
                "auth.example.com", "shop.example.com/oauth2/",
            ])
    }
}
