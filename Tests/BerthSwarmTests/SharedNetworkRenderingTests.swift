import BerthCore
import BerthSwarm
import BerthYAML
import Testing

/// How a shared network renders for Swarm: an attachable overlay under its engine name in its
/// owner's stack, an external network elsewhere.
@Suite("Swarm: shared networks")
struct SharedNetworkRenderingTests {
    static let edge = SharedNetwork("edge", engineName: "acme_edge", owner: "acme-infra")
    static let gateway = Gateway.traefik(network: edge)

    /// The shared infrastructure: the gateway, publishing HTTPS, on `edge`.
    static let infra = Stack("acme-infra") {
        edge
        gateway
        Service("traefik", image: "traefik:v3.2").networks("edge").publish(443, public: true)
    }

    /// An app behind the gateway; the gateway handle brings `edge`.
    static let shop = Stack("shop") {
        gateway
        Service("api", image: "ghcr.io/acme/api:2.1").expose(8080).networks("edge")
            .healthCheck(.http(port: 8080))
            .route("shop.example.com", path: "/api", port: 8080)
    }

    static let environment = Environment.prod.on(.swarm)

    @Test("the owner's stack creates an attachable overlay under the network's engine name")
    func ownerStack() async throws {
        #expect(Self.infra.validate(for: Self.environment) == [])
        let document = try await renderChecked(Self.infra, for: Self.environment)
        let edge = document.root["networks", "edge"]
        #expect(edge?.mappingKeys == ["name", "driver", "attachable", "labels"])
        #expect(edge?["name"] == .string("acme_edge"))
        #expect(edge?["driver"] == .string("overlay"))
        #expect(edge?["attachable"] == .boolean(true))
        #expect(edge?["external"] == nil)
    }

    @Test("an app stack refers to it as external, by its engine name")
    func appStack() {
        #expect(Self.shop.validate(for: Self.environment) == [])
        // Not `renderChecked`: its expectations do not know the routes label yet; the stack
        // loader reads this document in `stackLoaderReadsTheSharedNetwork`.
        let document = SwarmRenderer().render(Self.shop, for: Self.environment)
        #expect(document.diagnostics == [])
        let edge = document.root["networks", "edge"]
        #expect(edge?.mappingKeys == ["name", "external"])
        #expect(edge?["name"] == .string("acme_edge"))
        #expect(edge?["external"] == .boolean(true))
    }

    @Test(
        "the stack loader reads the owner's network as acme_edge and the app's as the external acme_edge",
        .enabled(if: SwarmReferee.shouldRun, SwarmReferee.skipComment))
    func stackLoaderReadsTheSharedNetwork() async throws {
        let renderer = SwarmRenderer()
        let owner = try await SwarmReferee.config(
            renderer.render(Self.infra, for: Self.environment).yaml,
            relativePath: ".berth/acme-infra/prod/stack.yaml")
        let created = owner.model["networks"]?["edge"]
        #expect(created?["name"]?.string == "acme_edge")
        #expect(created?["external"] == nil)
        #expect(created?["driver"]?.string == "overlay")

        let app = try await SwarmReferee.config(
            renderer.render(Self.shop, for: Self.environment).yaml, relativePath: ".berth/shop/prod/stack.yaml")
        let joined = app.model["networks"]?["edge"]
        #expect(joined?["name"]?.string == "acme_edge")
        #expect(joined?["external"]?.string == "true")
        #expect(app.model["services"]?["api"]?["networks"]?.object.map { Set($0.keys) } == ["edge"])
    }
}
