import BerthCore
import BerthGateway
import BerthTesting
import Foundation
import Testing

/// Wildcard and IPv6 literal hosts, served by a real nginx gateway container.
@Suite("nginx gateway hosts end to end")
struct NginxHostsEndToEndTests {
    let features = NginxFeatureEndToEndTests()

    func route(_ host: String, stack: String, backend: String, line: Int = #line) -> GatewayRoute {
        GatewayRoute(
            route: Route(host: host, port: 8080, location: NginxFixtures.at(line)),
            stack: stack, environment: "test", service: "web", servers: [backend])
    }

    @Test(
        "a wildcard route takes one label of its domain; an exact host of another stack wins over it",
        .enabled(if: NginxTools.shouldRun, NginxTools.skip), .timeLimit(.minutes(3)))
    func wildcardAndExactHost() async throws {
        try await features.withLab { lab, files in
            let other = lab.backend + "-b"
            try await features.startBackend(lab.backend, in: lab, body: "alpha")
            try await features.startBackend(other, in: lab, body: "beta")
            let nginx = NginxGateway(NginxFixtures.gateway)
            _ = try await features.startGateway(nginx, in: lab, files: files)
            let routes = nginx.routesConfiguration([
                route("*.example.test", stack: "tenants", backend: lab.backend),
                route("b.example.test", stack: "billing", backend: other),
                route("[::1]", stack: "local", backend: other),
            ])
            #expect(routes.diagnostics == [])
            #expect(routes.routesFile.contains(#"server_name "~^[^.]+\\.example\\.test$";"#))
            #expect(routes.routesFile.contains("server_name [::1];"))
            let applied = try await lab.apply(routes)
            #expect(applied.status == 0, "\(applied.stderr)")

            #expect(try await lab.waitFor(200, "a.example.test", "/").body == "alpha\n")
            #expect(try await lab.get("A.Example.Test", "/").body == "alpha\n")
            #expect(try await lab.get("b.example.test", "/").body == "beta\n")
            #expect(try await lab.get("b.example.test:80", "/").body == "beta\n")
            // One label only, as the Traefik rule and a wildcard certificate match.
            #expect(try await lab.get("x.y.example.test", "/").status == 404)
            #expect(try await lab.get("example.test", "/").status == 404)
            #expect(try await lab.get("[::1]", "/").body == "beta\n")
            #expect(try await lab.get("[::1]:80", "/").body == "beta\n")
            #expect(try await lab.get("[::2]", "/").status == 404)
        }
    }
}
