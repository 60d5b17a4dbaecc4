import BerthCloudflare
import BerthCompose
import BerthCore
import Testing

@testable import BerthDeploy

@Suite("plan lists the DNS routes a tunnel's hostnames need")
struct DNSRouteTests {
    static let tunnel = Tunnel(
        id: "6ff42ae2-765d-4adf-8112-31c55c1551ef", token: "tunnel_token", network: "edge"
    ) {
        IngressRule.route("shop.example.com", to: "gateway", port: 80)
        IngressRule.route("api.example.com", path: "/v1/", to: "gateway", port: 80)
        IngressRule.route("shop.example.com", path: "/static/", to: "gateway", port: 80)
    }

    static var stack: Stack {
        Stack("edge") {
            Network("edge")
            Secret("tunnel_token", .environment("TUNNEL_TOKEN"))
            Service("gateway", image: "nginx:1.27").networks("edge").expose(80)
            tunnel.stackPart(image: "cloudflare/cloudflared:2025.4.0")
        }
    }

    @Test func routesFromTheCloudflaredServiceLabels() throws {
        let routes = Tunnel.dnsRoutes(in: Self.stack)
        #expect(routes.map(\.hostname) == ["shop.example.com", "api.example.com"])
        #expect(
            routes.first?.command == [
                "cloudflared", "tunnel", "route", "dns", "6ff42ae2-765d-4adf-8112-31c55c1551ef", "shop.example.com",
            ])
    }

    @Test func planSummaryAndJSONCarryThem() throws {
        let document = ComposeRenderer().render(Self.stack, for: .dev)
        let plan = Plan(
            stack: Self.stack, environment: .dev, document: document,
            live: LiveState(containers: [], networks: [], volumes: []))
        #expect(plan.dnsRoutes.count == 2)
        #expect(
            plan.summary.hasSuffix(
                """
                DNS routes the tunnel's hostnames need (create them once; Berth does not):
                  cloudflared tunnel route dns 6ff42ae2-765d-4adf-8112-31c55c1551ef shop.example.com
                  cloudflared tunnel route dns 6ff42ae2-765d-4adf-8112-31c55c1551ef api.example.com
                """))
    }

    @Test func aStackWithoutTunnelListsNone() {
        let stack = Stack("plain") { Service("web", image: "nginx:1.27") }
        #expect(Tunnel.dnsRoutes(in: stack).isEmpty)
    }
}
