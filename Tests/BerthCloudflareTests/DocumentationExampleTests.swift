import BerthCloudflare
import BerthCore
import BerthTesting
import Testing

/// The examples of `docs/cloudflare-tunnel.md` and of ``Tunnel``'s documentation, as written
/// there: they compile, and they are valid.
@Suite("Documentation examples")
struct DocumentationExampleTests {
    @Test("the example of docs/cloudflare-tunnel.md is valid in every environment")
    func guideExample() {
        let tunnel = Tunnel(
            id: "6ff42ae2-765d-4adf-8112-31c55c1551ef",
            credentials: "tunnel_credentials",
            network: "edge"
        ) {
            IngressRule.route("shop.example.com", to: "gateway", port: 80)
            IngressRule.route("api.example.com", path: "/v1/", to: "gateway", port: 80)
                .originRequest(OriginRequest(connectTimeout: .seconds(30), httpHostHeader: "api.internal"))
            IngressRule.route("admin.example.com", to: "gateway", port: 80)
                .access(Access(teamName: "acme", audTags: ["3f1c"]))
        }
        .originRequest(OriginRequest(tcpKeepAlive: .seconds(30)))

        let shop = Stack("shop") {
            Network("edge")
            Network("backend", internal: true)
            Secret("tunnel_credentials", .file("secrets/tunnel.json"))
            Service("gateway", image: "nginx:1.27").expose(80).networks("edge", "backend")
            tunnel.stackPart(image: "cloudflare/cloudflared:2025.4.0")
        }
        for environment in [Environment.dev, .stg, .prod] {
            #expect(Topology(shop, environment: environment).publishedPorts == [])
            #expect(Topology(shop, environment: environment).validationErrors == [])
            #expect(tunnel.validate(in: shop).isEmpty, "\(tunnel.validate(in: shop))")
        }
        #expect(tunnel.dnsRoutes.map(\.hostname) == ["shop.example.com", "api.example.com", "admin.example.com"])
    }

    @Test("the example of Tunnel's documentation is valid")
    func typeExample() {
        let tunnel = Tunnel(
            id: "6ff42ae2-765d-4adf-8112-31c55c1551ef", credentials: "tunnel_credentials", network: "edge"
        ) {
            IngressRule.route("shop.example.com", to: "gateway", port: 80)
            IngressRule.route("admin.example.com", to: "gateway", port: 80)
                .access(Access(teamName: "acme", audTags: ["3f1c"]))
        }
        let stack = Stack("shop") {
            Network("edge")
            Secret("tunnel_credentials", .file("secrets/tunnel.json"))
            Service("gateway", image: "nginx:1.27").networks("edge")
            tunnel.stackPart(image: "cloudflare/cloudflared:2025.4.0")
        }
        #expect(stack.validate(for: .prod).errors.isEmpty)
        #expect(tunnel.validate(in: stack).isEmpty, "\(tunnel.validate(in: stack))")
    }
}
