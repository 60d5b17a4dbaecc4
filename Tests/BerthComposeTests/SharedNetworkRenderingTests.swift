import BerthCompose
import BerthCore
import BerthYAML
import Testing

/// How a shared network renders: under its engine name in its owner's stack, as an external
/// network elsewhere, so every stack's containers meet on the same engine network.
@Suite("Compose: shared networks")
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

    let renderer = ComposeRenderer()

    static func mapping(_ node: YAMLNode?) -> YAMLMapping? {
        if case .mapping(let mapping)? = node { return mapping }
        return nil
    }

    /// The rendered `networks.edge` entry.
    func edgeNetwork(of stack: Stack) -> YAMLMapping? {
        let root = Self.mapping(renderer.render(stack, for: .prod).root)
        return Self.mapping(Self.mapping(root?["networks"])?["edge"])
    }

    @Test("the owner's stack creates the network under its engine name, with its labels")
    func ownerStack() throws {
        #expect(Self.infra.validate(for: .prod) == [])
        let edge = try #require(edgeNetwork(of: Self.infra))
        #expect(edge.keys == ["name", "driver", "labels"])
        #expect(edge["name"] == .string("acme_edge"))
        #expect(edge["driver"] == .string("bridge"))
        #expect(edge["external"] == nil)
        #expect(
            edge["labels"]
                == .mapping(
                    YAMLMapping([(OwnershipLabel.stack, "acme-infra"), (OwnershipLabel.environment, "prod")])))
    }

    @Test("an app stack refers to it as external, by its engine name")
    func appStack() throws {
        #expect(Self.shop.validate(for: .prod) == [])
        let edge = try #require(edgeNetwork(of: Self.shop))
        #expect(edge.keys == ["name", "external"])
        #expect(edge["name"] == .string("acme_edge"))
        #expect(edge["external"] == .boolean(true))
    }

    @Test(
        "Compose reads the owner's network as acme_edge, not as the project's",
        .enabled(if: ComposeReferee.shouldRun, ComposeReferee.skipComment))
    func composeReadsTheOwnersNetwork() async throws {
        let document = renderer.render(Self.infra, for: .prod)
        #expect(document.diagnostics == [])
        let verdict = try await ComposeReferee.config(
            document.yaml, relativePath: ".berth/acme-infra/prod/compose.yaml")
        let edge = verdict.model["networks"]?["edge"]
        #expect(edge?["name"]?.string == "acme_edge")
        #expect(edge?["external"]?.bool != true)
        #expect(edge?["driver"]?.string == "bridge")
        #expect(edge?["labels"]?[OwnershipLabel.stack]?.string == "acme-infra")
        #expect(verdict.model["services"]?["traefik"]?["networks"]?.object.map { Set($0.keys) } == ["edge"])
    }

    @Test(
        "Compose reads an app's network as the external acme_edge",
        .enabled(if: ComposeReferee.shouldRun, ComposeReferee.skipComment))
    func composeReadsTheExternalNetwork() async throws {
        let document = renderer.render(Self.shop, for: .prod)
        #expect(document.diagnostics == [])
        let verdict = try await ComposeReferee.config(document.yaml, relativePath: ".berth/shop/prod/compose.yaml")
        let edge = verdict.model["networks"]?["edge"]
        #expect(edge?["name"]?.string == "acme_edge")
        #expect(edge?["external"]?.bool == true)
        #expect(edge?["labels"] == nil)
        #expect(verdict.model["services"]?["api"]?["networks"]?.object.map { Set($0.keys) } == ["edge"])
    }
}
