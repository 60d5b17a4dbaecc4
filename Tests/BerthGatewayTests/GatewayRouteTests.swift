import BerthCore
import BerthGateway
import Testing

@Suite struct GatewayRouteTests {
    @Test func upstreamNameIsUniquePerStackEnvironmentServiceAndPort() {
        let route = Route(host: "shop.example.com", port: 8080, location: SourceLocation(fileID: "T/T.swift", line: 1))
        let a = GatewayRoute(
            route: route, stack: "shop", environment: "dev", service: "api", servers: ["shop-dev-api-1"])
        let b = GatewayRoute(
            route: route, stack: "shop", environment: "prod", service: "api", servers: ["shop-prod-api-1"])
        #expect(a.upstreamName == "shop-dev-api-8080")
        #expect(a.upstreamName != b.upstreamName)
    }
}
