import BerthCore
import BerthGateway
import Foundation
import Testing

@testable import BerthDeploy

/// A Caddy gateway (upstream's Caddy v2, `berth-test/caddy:2`) in front of two app stacks, and
/// an nginx gateway beside it on the same engine, each deployed through Berth's own `up`.
@Suite(
    "End to end: a Caddy gateway for two app stacks, beside an nginx gateway",
    .serialized,
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(10)))
struct CaddyEndToEndTests {
    static let caddyHTTP = 18190
    static let caddyHTTPS = 18543
    static let nginxHTTP = 18191
    /// The gateway of the repositories' test; its HTTPS port is 2 above.
    static let reposHTTP = 18195

    /// A busybox web server answering `text` on every path, healthy once it answers.
    /// With `ignoringTerm`, a shell is PID 1 and ignores SIGTERM, as many images' entrypoints do:
    /// only the engine's SIGKILL after the grace period ends it.
    static func web(_ text: String, ignoringTerm: Bool = false) -> Service {
        let serve = "mkdir -p /www && echo '\(text)' > /www/index.html && "
        let command =
            ignoringTerm
            ? serve + "trap '' TERM; httpd -f -p 8080 -h /www & wait" : serve + "exec httpd -f -p 8080 -h /www"
        return Service("web", image: "berth-test/busybox:1")
            .command(["sh", "-c", command])
            .stopGracePeriod(.seconds(2))
            .expose(8080)
            .networks("edge")
            .healthCheck(
                HealthCheck(
                    .command(["timeout", "3", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]),
                    interval: .seconds(1), timeout: .seconds(4), retries: 20))
    }

    /// The routes files a gateway container serves, as one text.
    static func servedRoutes(_ engine: DockerEngine, stack: String, service: String, directory: String) async throws
        -> String
    {
        let container = try await engine.output([
            "ps", "--quiet", "--filter", "label=berth.stack=\(stack)", "--filter", "label=berth.service=\(service)",
        ]).trimmed
        return try await engine.output(["exec", container, "sh", "-c", "cat \(directory)/* 2>/dev/null || true"])
    }

    @Test(
        "Caddy routes two stacks by host and path over HTTP and its own HTTPS, reloads under load without a failed request, and never serves the nginx gateway's hosts"
    )
    func caddyBesideNginx() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let id = RealEngine.uniqueName("cady")
        let tmp = try TemporaryDirectory("berth-caddy")
        defer { tmp.remove() }
        let (alphaHost, betaHost, gammaHost) = (
            "\(id)-alpha.localhost", "\(id)-beta.localhost", "\(id)-gamma.localhost"
        )

        let caddyEdge = SharedNetwork("edge", engineName: "\(id)_edge", owner: "\(id)-caddy")
        let caddy = Gateway.caddy(service: "caddy", network: caddyEdge, httpsPort: Self.caddyHTTPS)
        let caddyStack = Stack("\(id)-caddy") {
            caddy
            CaddyGateway(caddy, certificates: .internal).stackPart(
                image: "berth-test/caddy:2", httpPort: Self.caddyHTTP, httpsPort: Self.caddyHTTPS,
                hostIP: "127.0.0.1", for: .dev, fileID: #fileID, line: #line)
        }
        let nginxEdge = SharedNetwork("edge", engineName: "\(id)_nedge", owner: "\(id)-nginx")
        let nginx = Gateway.nginx(service: "nginx", network: nginxEdge)
        let nginxStack = Stack("\(id)-nginx") {
            nginx
            NginxGateway(nginx).stackPart(
                image: "berth-test/nginx:1", httpPort: Self.nginxHTTP, hostIP: "127.0.0.1")
        }
        /// alpha over Caddy's HTTPS, HTTP redirected there; `extra` adds a route, so each
        /// version changes Caddy's routes and makes it reload.
        func alpha(extra: Bool) -> Stack {
            Stack("\(id)-alpha") {
                caddy
                Self.web("alpha").route(
                    alphaHost, port: 8080, tls: .gatewayCertificates,
                    middlewares: [.redirectToHTTPS, .securityHeaders(.strict)]
                )
                .route(alphaHost, path: extra ? "/extra" : "/other", port: 8080, tls: .gatewayCertificates)
            }
        }
        func betaStack(_ version: String) -> Stack {
            Stack("\(id)-beta") {
                caddy
                Self.web("beta", ignoringTerm: true).environment("VERSION", version)
                    .route(betaHost, port: 8080)
                    .route(betaHost, path: "/api", port: 8080, middlewares: [.stripPrefix])
            }
        }
        let beta = betaStack("1")
        let gamma = Stack("\(id)-gamma") {
            nginx
            Self.web("gamma").route(gammaHost, port: 8080)
        }
        func deploy(_ stack: Stack) async throws {
            let deployer = RealEngine.deployer(
                root: tmp.url.appendingPathComponent(stack.name), label: stack.name)
            _ = try await deployer.up(deployer.prepare(stack, for: .dev), timeout: .seconds(120))
        }
        func remove(_ stack: Stack) async throws {
            let deployer = RealEngine.deployer(root: tmp.url.appendingPathComponent(stack.name), label: stack.name)
            try await deployer.down(stack: stack.name, environment: "dev", removeVolumes: true)
            try await GatewaySync(engine: engine).sync(routesOf: stack)
        }
        let stacks = [caddyStack, nginxStack, alpha(extra: false), beta, gamma]
        do {
            for stack in stacks { try await deploy(stack) }

            // By host and path over plain HTTP; a prefix is stripped before the app sees it.
            let root = await LoopbackHTTP.poll(port: Self.caddyHTTP, host: betaHost, path: "/") { $0.status == 200 }
            #expect(root?.body.contains("beta") == true, "\(String(describing: root))")
            let api = LoopbackHTTP.get(port: Self.caddyHTTP, host: betaHost, path: "/api/")
            #expect(api?.status == 200 && api?.body.contains("beta") == true, "\(String(describing: api))")
            // A redirect to HTTPS keeps the published HTTPS port.
            let redirect = LoopbackHTTP.get(port: Self.caddyHTTP, host: alphaHost, path: "/x?y=1")
            #expect(redirect?.status == 301, "\(String(describing: redirect))")
            #expect(
                redirect?.head.contains("Location: https://\(alphaHost):\(Self.caddyHTTPS)/x?y=1") == true,
                "\(redirect?.head ?? "no answer")")
            // HTTPS with a certificate from Caddy's own authority, and the route's headers.
            let https = try await runProcess(
                [
                    "curl", "-sS", "-k", "-v", "--noproxy", "*", "--max-time", "10", "--resolve",
                    "\(alphaHost):\(Self.caddyHTTPS):127.0.0.1", "https://\(alphaHost):\(Self.caddyHTTPS)/",
                ], timeout: .seconds(30))
            #expect(https.status == 0 && https.output.contains("alpha"), "\(https.output)")
            #expect(https.output.contains("Caddy Local Authority"), "\(https.output)")
            #expect(https.output.lowercased().contains("x-frame-options: deny"), "\(https.output)")
            // A host no route has, and the gateway's own health path.
            #expect(LoopbackHTTP.get(port: Self.caddyHTTP, host: "\(id)-nobody.localhost", path: "/")?.status == 404)
            #expect(LoopbackHTTP.get(port: Self.caddyHTTP, host: "localhost", path: "/healthz")?.status == 200)

            // Two independent gateways: each serves only the routes of the stacks on its network.
            let gammaPage = await LoopbackHTTP.poll(port: Self.nginxHTTP, host: gammaHost, path: "/") {
                $0.status == 200
            }
            #expect(gammaPage?.body.contains("gamma") == true, "\(String(describing: gammaPage))")
            #expect(LoopbackHTTP.get(port: Self.nginxHTTP, host: betaHost, path: "/")?.status == 404)
            #expect(LoopbackHTTP.get(port: Self.caddyHTTP, host: gammaHost, path: "/")?.status == 404)
            let caddyRoutes = try await Self.servedRoutes(
                engine, stack: "\(id)-caddy", service: "caddy", directory: CaddyGateway.activeRoutesDirectory)
            #expect(caddyRoutes.contains(betaHost) && !caddyRoutes.contains(gammaHost), "\(caddyRoutes)")
            let nginxRoutes = try await Self.servedRoutes(
                engine, stack: "\(id)-nginx", service: "nginx", directory: NginxGateway.activeDirectory)
            #expect(nginxRoutes.contains(gammaHost) && !nginxRoutes.contains(betaHost), "\(nginxRoutes)")
            // `berth routes` groups them by the gateway that serves them.
            let berth = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appending(path: "berth")
            let listing = try await runProcess([berth.path, "routes"], timeout: .seconds(30)).output
            let groups = listing.components(separatedBy: "\n\n")
            let caddyGroup = try #require(groups.first { $0.contains("Gateway \(id)-caddy/caddy (dev)") }, "\(listing)")
            let nginxGroup = try #require(groups.first { $0.contains("Gateway \(id)-nginx/nginx (dev)") }, "\(listing)")
            #expect(caddyGroup.contains("  \(betaHost)/api -> \(id)-beta (dev) web:8080"), "\(caddyGroup)")
            #expect(!caddyGroup.contains(gammaHost), "\(caddyGroup)")
            #expect(nginxGroup.contains("  \(gammaHost) -> \(id)-gamma (dev) web:8080"), "\(nginxGroup)")
            #expect(!nginxGroup.contains(betaHost), "\(nginxGroup)")
            // `up` and `down` behind one gateway never change the other's routes.
            try await remove(gamma)
            try await deploy(gamma)
            #expect(
                try await Self.servedRoutes(
                    engine, stack: "\(id)-caddy", service: "caddy", directory: CaddyGateway.activeRoutesDirectory)
                    == caddyRoutes)

            // Caddy reloads, while beta is under load, as alpha's routes change: no request fails.
            let load = try await Load.start(
                port: Self.caddyHTTP, host: betaHost, seconds: 12, concurrency: 5, perWorker: 20)
            var reloads = 0
            for version in [true, false, true] {
                try await deploy(alpha(extra: version))
                reloads += 1
            }
            let counted = try await load.finish()
            print("Caddy reloads under load: \(reloads) reloads, \(counted)")
            #expect(counted.total > 200, "\(counted)")
            #expect(counted.failed == 0, "\(counted)")
            let served = try await Self.servedRoutes(
                engine, stack: "\(id)-caddy", service: "caddy", directory: CaddyGateway.activeRoutesDirectory)
            #expect(served.contains("/extra"), "\(served)")
            #expect(
                try await Self.servedRoutes(
                    engine, stack: "\(id)-nginx", service: "nginx", directory: NginxGateway.activeDirectory)
                    == nginxRoutes)

            // beta itself replaced under load, twice, its PID 1 ignoring SIGTERM: Caddy moves
            // to the new container before the old one is stopped, and no request fails.
            for version in ["2", "3"] {
                let before = try await RealEngine.containerIDs(engine, stack: "\(id)-beta")
                let rollout = try await Load.start(
                    port: Self.caddyHTTP, host: betaHost, seconds: 10, concurrency: 5, perWorker: 20)
                try await deploy(betaStack(version))
                let counted = try await rollout.finish()
                print("Caddy, beta replaced under load (version \(version)): \(counted)")
                #expect(counted.total > 200, "\(counted)")
                #expect(counted.failed == 0, "\(counted)")
                #expect(try await RealEngine.containerIDs(engine, stack: "\(id)-beta") != before)
            }

            // Two app stacks deployed at once behind the same gateway, three times: each sync
            // renders under the gateway's lock, so the last one to activate serves both.
            var pairs: [Stack] = []
            for round in 1...3 {
                let pair = ["left", "right"].map { side in
                    Stack("\(id)-\(side)\(round)") {
                        caddy
                        Self.web("\(side)\(round)").route("\(id)-\(side)\(round).localhost", port: 8080)
                    }
                }
                pairs += pair
                async let left: Void = deploy(pair[0])
                async let right: Void = deploy(pair[1])
                _ = try await (left, right)
                let routes = try await Self.servedRoutes(
                    engine, stack: "\(id)-caddy", service: "caddy", directory: CaddyGateway.activeRoutesDirectory)
                for side in ["left", "right"] {
                    let host = "\(id)-\(side)\(round).localhost"
                    #expect(routes.contains(host), "round \(round): \(host) missing from the served routes")
                    #expect(
                        LoopbackHTTP.get(port: Self.caddyHTTP, host: host, path: "/")?.body.contains("\(side)\(round)")
                            == true)
                }
            }
            for stack in pairs { try await remove(stack) }

            // `caddy validate`, in the gateway, accepts what Berth renders for every kind of
            // route it serves.
            try await validatesEveryRouteKind(engine, stack: "\(id)-caddy")
        } catch {
            Issue.record("the Caddy gateway test failed: \(error)")
        }
        for stack in stacks.reversed() {
            try? await remove(stack)
        }
    }

    @Test(
        "three Deploy programs, as three repositories have: one owns the Caddy gateway, two apps route through it; each serves its host, down of one leaves the other"
    )
    func appRepositoriesThroughCaddy() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let tmp = try TemporaryDirectory("berth-caddy-repos")
        defer { tmp.remove() }
        let owner = RealEngine.uniqueName("cady-ops")
        /// One repository's `Deploy`, in a folder of its own.
        func repository(_ stack: String, _ settings: [String: String]) throws -> FixtureDeploy {
            let folder = tmp.url.appendingPathComponent(stack)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return FixtureDeploy(
                directory: folder, stack: stack, port: Self.reposHTTP,
                settings: settings.merging(["FIXTURE_GATEWAY": "caddy"]) { $1 })
        }
        let ops = try repository(owner, ["FIXTURE_ONLY": "gateway"])
        let apps = try ["cady-a", "cady-b"].map {
            try repository(RealEngine.uniqueName($0), ["FIXTURE_ONLY": "web", "FIXTURE_GATEWAY_STACK": owner])
        }
        do {
            // An app before its gateway's repository: refused, naming what to deploy first.
            let early = try await apps[0].run(["up"], version: "a1")
            #expect(early.status != 0 && early.output.contains("deploy \(owner) first"), "\(early.output)")

            let gateway = try await ops.run(["up"], version: "1")
            try #require(gateway.status == 0, "\(gateway.output)")
            for (app, version) in zip(apps, ["a1", "b1"]) {
                let up = try await app.run(["up"], version: version)
                try #require(up.status == 0, "\(up.output)")
            }
            for (app, version) in zip(apps, ["a1", "b1"]) {
                let page = await LoopbackHTTP.poll(port: Self.reposHTTP, host: app.webHost, path: "/") {
                    $0.status == 200 && $0.body.contains(version)
                }
                #expect(page?.body.contains(version) == true, "\(app.webHost): \(String(describing: page))")
            }
            // `plan` of each repository finds nothing to do, the gateway's included.
            for (fixture, version) in zip([ops] + apps, ["1", "a1", "b1"]) {
                let plan = try await fixture.run(["plan"], version: version)
                #expect(plan.status == 0 && plan.output.contains("No changes"), "\(fixture.stack): \(plan.output)")
            }

            // Down of one app takes its host out of Caddy and leaves the other's served.
            let down = try await apps[0].run(["down"], version: "a1")
            #expect(down.status == 0, "\(down.output)")
            let routes = try await Self.servedRoutes(
                engine, stack: owner, service: "gateway", directory: CaddyGateway.activeRoutesDirectory)
            #expect(!routes.contains(apps[0].webHost), "\(routes)")
            #expect(routes.contains(apps[1].webHost), "\(routes)")
            #expect(LoopbackHTTP.get(port: Self.reposHTTP, host: apps[0].webHost, path: "/")?.status == 404)
            #expect(
                LoopbackHTTP.get(port: Self.reposHTTP, host: apps[1].webHost, path: "/")?.body.contains("b1") == true)
        } catch {
            Issue.record("the repositories behind Caddy failed: \(error)")
        }
        for fixture in apps + [ops] { await fixture.tearDown() }
    }

    /// Renders routes with every middleware and TLS Caddy serves and has the running Caddy check
    /// them with `caddy validate`, without making them active.
    func validatesEveryRouteKind(_ engine: DockerEngine, stack: String) async throws {
        let caddy = CaddyGateway(.caddy(network: SharedNetwork("edge", engineName: "edge", owner: stack)))
        let location = SourceLocation(fileID: #fileID, line: #line)
        func route(_ host: String, _ path: String = "/", tls: RouteTLS = .none, _ middlewares: [Middleware] = [])
            -> GatewayRoute
        {
            GatewayRoute(
                route: Route(
                    host: host, pathPrefix: path, port: 8080, tls: tls, middlewares: middlewares,
                    health: path == "/" ? UpstreamHealth(path: "/health") : nil, location: location),
                stack: "shop", environment: "dev", service: "web", servers: ["shop-web-1", "shop-web-2"])
        }
        let files = caddy.configuration([
            route("shop.localhost", tls: .gatewayCertificates, [.redirectToHTTPS, .securityHeaders(.strict)]),
            route(
                "shop.localhost", "/api", tls: .gatewayCertificates,
                [
                    .stripPrefix, .maxBodySize(1_048_576),
                    .timeouts(ProxyTimeouts(connect: .seconds(5), read: .seconds(86_400))), .websockets,
                ]),
            route(
                "shop.localhost", "/admin", tls: .gatewayCertificates,
                [.basicAuth(BasicAuth(users: ["admin:$2y$05$Pr8sQ2mV6JvI1u4rB9yq0eOQ9m7nTzP1o3cKx2fA5gYwF0bS6dH1e"]))]),
            route(
                "*.tenants.localhost", "/~user",
                [.forwardAuth(ForwardAuth(address: "http://auth:4180/oauth2/auth", responseHeaders: ["X-User"]))]),
            route("[::1]"),
        ])
        #expect(files.diagnostics.isEmpty, "\(files.diagnostics)")
        let container = try await engine.output([
            "ps", "--quiet", "--filter", "label=berth.stack=\(stack)", "--filter", "label=berth.service=caddy",
        ]).trimmed
        let main = caddy.mainConfiguration(routesDirectory: "/tmp/berth-check")
        let script = """
            mkdir -p /tmp/berth-check && cat > /tmp/berth-check/routes.caddy && cat > /tmp/berth-check.main <<'BERTH'
            \(main)
            BERTH
            caddy validate --config /tmp/berth-check.main --adapter caddyfile 2>&1 | grep -v '"level":"info"'
            rm -rf /tmp/berth-check /tmp/berth-check.main
            """
        let result = try await engine.run(
            ["exec", "-i", container, "sh", "-c", script], input: Array(files.files[0].content.utf8))
        #expect(
            result.standardOutput.contains("Valid configuration"),
            "\(result.standardOutput)\(result.standardError)\n\(files.files[0].content)")
    }
}
