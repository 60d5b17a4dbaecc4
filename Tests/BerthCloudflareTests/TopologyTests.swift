import BerthCloudflare
import BerthCore
import BerthTesting
import Testing

/// What an application's own tests assert about a stack whose ingress is a tunnel.
@Suite("Topology")
struct TopologyTests {
    static let deployment = Deployment(environments: [.dev, .stg, .prod]) { environment in
        Fixtures.shop(Fixtures.localTunnel, for: environment)
    }

    @Test("no port is published in any environment", arguments: [Environment.dev, .stg, .prod])
    func noPublishedPorts(_ environment: Environment) {
        let stack = Self.deployment.describe(environment)
        let topology = Topology(stack, environment: environment)
        #expect(topology.publishedPorts == [])
        #expect(topology.validationErrors == [])
        #expect(Fixtures.localTunnel.validate(in: stack).isEmpty)
    }

    @Test("cloudflared reaches the gateway, and only through the tunnel's network")
    func reachability() {
        let topology = Topology(Self.deployment.describe(.prod), environment: .prod)
        #expect(topology.canReach(from: "cloudflared", to: "gateway"))
        #expect(!topology.canReach(from: "cloudflared", to: "web"))
        #expect(topology.hasOutboundAccess("cloudflared"))
        #expect(topology.readers(of: "tunnel_credentials") == ["cloudflared"])
    }
}
