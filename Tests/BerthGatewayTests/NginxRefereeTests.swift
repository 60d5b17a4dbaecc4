import BerthCore
import BerthGateway
import BerthTesting
import Foundation
import Testing

/// The real `nginx -t` on what Berth renders, in the test image with no network.
@Suite("nginx -t on rendered configurations")
struct NginxRefereeTests {
    let nginx = NginxFixtures.nginx

    @Test(
        "the representative routes golden file passes nginx -t",
        .enabled(if: NginxTools.shouldRunWithTLS, NginxTools.skipTLS))
    func representativeRoutesPass() async throws {
        try NginxTools.requireTLS()
        var routes = nginx.routesConfiguration(NginxFixtures.representative)
        // The golden file as reviewed, unless it is being recorded.
        if !GoldenFile.isRecording {
            let golden = try #require(try NginxFixtures.golden.text(named: "nginx-routes.conf"))
            routes.files[0].content = golden
        }
        try await NginxReferee.requireAccepted(
            routes, gateway: nginx, extraFiles: try await NginxFixtures.certificateFiles())
    }

    @Test("no routes pass nginx -t, active and staged", .enabled(if: NginxTools.shouldRun, NginxTools.skip))
    func noRoutesPass() async throws {
        try NginxTools.requireAvailable()
        try await NginxReferee.requireAccepted(nginx.routesConfiguration([]), gateway: nginx)
        // An empty, new volume: neither routes directory exists.
        for (path, main) in [
            (NginxGateway.mainConfigurationPath, nginx.mainConfiguration()),
            (
                NginxGateway.stagedMainConfigurationPath,
                nginx.mainConfiguration(routesDirectory: NginxGateway.stagedDirectory)
            ),
        ] {
            let output = try await NginxReferee.test(files: [path: main], configuration: path)
            #expect(output.status == 0, "\(output.stderr)")
        }
    }

    @Test(
        "nginx refuses limit_req_zone inside server, where Berth never puts it",
        .enabled(if: NginxTools.shouldRun, NginxTools.skip))
    func limitReqZoneInsideServerIsRefused() async throws {
        try NginxTools.requireAvailable()
        let route = GatewayRoute(
            route: Route(
                host: "api.example.com", port: 8080, middlewares: [.rateLimit(.perSecond(10))],
                location: NginxFixtures.at(1)),
            stack: "api", environment: "prod", service: "api", servers: ["api-prod-api-1"])
        let rendered = nginx.routesConfiguration([route])
        try await NginxReferee.requireAccepted(rendered, gateway: nginx)

        // The seed document's mistake: the same zone declared in the server block.
        let lines = rendered.routesFile.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let zone = try #require(lines.first { $0.hasPrefix("limit_req_zone ") })
        let serverStart = try #require(lines.firstIndex { $0 == "server {" })
        var misplaced = lines.filter { $0 != zone }
        misplaced.insert("    " + zone, at: serverStart)
        var broken = rendered
        broken.files[0].content = misplaced.joined(separator: "\n")
        let output = try await NginxReferee.test(broken, gateway: nginx)
        #expect(output.status != 0)
        let refusal = #""limit_req_zone" directive is not allowed here"#
        #expect(output.stderr.contains(refusal), "\(output.stderr)")
    }

    @Test(
        "nginx -t fails when a server of an upstream group does not resolve, but loads a single server resolved per request",
        .enabled(if: NginxTools.shouldRun, NginxTools.skip))
    func unresolvedUpstreamsFail() async throws {
        try NginxTools.requireAvailable()
        func test(_ routes: NginxRoutesConfiguration) async throws -> ExternalTool.Output {
            try await NginxReferee.test(
                files: [
                    NginxGateway.mainConfigurationPath: nginx.mainConfiguration(),
                    NginxGateway.activeDirectory + "/" + NginxGateway.routesFileName: routes.routesFile,
                ],
                configuration: NginxGateway.mainConfigurationPath, hosts: [])
        }
        let group = nginx.routesConfiguration([
            GatewayRoute(
                route: Route(host: "a.example.com", port: 80, location: NginxFixtures.at(1)),
                stack: "a", environment: "dev", service: "web", servers: ["a-dev-web-1", "a-dev-web-2"])
        ])
        let output = try await test(group)
        #expect(output.status != 0)
        let refusal = #"host not found in upstream "a-dev-web-1:80""#
        #expect(output.stderr.contains(refusal), "\(output.stderr)")
        try await NginxReferee.requireAccepted(group, gateway: nginx)

        // A stopped container's name does not resolve: the gateway must still start.
        let single = nginx.routesConfiguration([
            GatewayRoute(
                route: Route(host: "a.example.com", port: 80, location: NginxFixtures.at(2)),
                stack: "a", environment: "dev", service: "web", servers: ["a-dev-web-1"])
        ])
        #expect(single.resolvedHosts.isEmpty)
        let loaded = try await test(single)
        #expect(loaded.status == 0, "\(loaded.stderr)")
    }

    @Test(
        "quoted values, literal dollars and odd paths pass nginx -t",
        .enabled(if: NginxTools.shouldRun, NginxTools.skip))
    func specialCharactersPass() async throws {
        try NginxTools.requireAvailable()
        let headers = SecurityHeaders(
            referrerPolicy: "no-referrer",
            contentSecurityPolicy: "script-src 'nonce-$abc' {x} \"q\" \\ #not-a-comment; img-src *")
        let routes = nginx.routesConfiguration([
            GatewayRoute(
                route: Route(
                    host: "odd.example.com", pathPrefix: "/caf%C3%A9+x@y", port: 80,
                    middlewares: [
                        .securityHeaders(headers), .stripPrefix,
                        .forwardAuth(ForwardAuth(address: "https://auth.internal:8443", responseHeaders: ["X-User"])),
                    ], location: NginxFixtures.at(1)),
                stack: "odd", environment: "dev", service: "svc.v2", servers: ["odd_dev_svc.1.xyz"]),
            // `~` as part of a path, never as nginx's regex modifier.
            GatewayRoute(
                route: Route(
                    host: "odd.example.com", pathPrefix: "/~user", port: 80, middlewares: [.stripPrefix],
                    location: NginxFixtures.at(2)),
                stack: "odd", environment: "dev", service: "home", servers: ["odd_dev_home.1.xyz"]),
        ])
        #expect(routes.diagnostics.isEmpty, "\(routes.diagnostics)")
        #expect(routes.routesFile.contains("/~user"))
        try await NginxReferee.requireAccepted(routes, gateway: nginx)
    }

    @Test(
        "a gateway that runs nginx as another worker user passes nginx -t",
        .enabled(if: NginxTools.shouldRun, NginxTools.skip))
    func anotherWorkerUserPasses() async throws {
        try NginxTools.requireAvailable()
        let other = NginxGateway(NginxFixtures.gateway, workerUser: "nobody nogroup")
        try await NginxReferee.requireAccepted(
            other.routesConfiguration(NginxFixtures.representative.suffix(2)), gateway: other)
        let missing = NginxGateway(NginxFixtures.gateway, workerUser: "no-such-user")
        let output = try await NginxReferee.test(missing.routesConfiguration([]), gateway: missing)
        #expect(output.status != 0)
        #expect(output.stderr.contains("no-such-user"), "\(output.stderr)")
    }

    @Test(
        "hundreds of host names of the longest legal length fit nginx's server names hash",
        .enabled(if: NginxTools.shouldRun, NginxTools.skip))
    func longestHostNamesPass() async throws {
        try NginxTools.requireAvailable()
        let label = String(repeating: "a", count: 63)
        let longest = [label, label, label, String(repeating: "b", count: 61)].joined(separator: ".")
        #expect(longest.count == 253)
        let routes = nginx.routesConfiguration(
            (0..<300).map { index in
                GatewayRoute(
                    route: Route(
                        host: index == 0 ? longest : "\(index).\(longest.dropFirst(3))", port: 80,
                        location: NginxFixtures.at(index)),
                    stack: "long", environment: "dev", service: "web\(index)", servers: ["long-dev-web-\(index)"])
            })
        #expect(routes.diagnostics.isEmpty)
        try await NginxReferee.requireAccepted(routes, gateway: nginx)
    }
}
