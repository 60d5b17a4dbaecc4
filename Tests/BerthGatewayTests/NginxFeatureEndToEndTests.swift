import BerthCore
import BerthGateway
import BerthTesting
import Foundation
import Testing

/// The gateway features a route or the gateway chooses, observed on the wire through a real
/// gateway container: restarts with a stopped upstream, redirects, rate-limit bursts, timeouts.
@Suite("nginx gateway features end to end")
struct NginxFeatureEndToEndTests {
    typealias Lab = NginxEndToEndTests.Lab
    static let image = NginxReferee.image

    /// A backend on the lab's network serving `/www`, with a CGI script at `/cgi-bin/slow` that
    /// answers after 3 s.
    func startBackend(_ name: String, in lab: Lab, body: String) async throws {
        let site = [
            "mkdir -p /www/cgi-bin", "echo \(body) > /www/index.html",
            #"printf '#!/bin/sh\nsleep 3\nprintf "Content-Type: text/plain\\r\\n\\r\\nslow\\n"\n' > /www/cgi-bin/slow"#,
            "chmod +x /www/cgi-bin/slow", "exec httpd -f -p 8080 -h /www",
        ].joined(separator: " && ")
        try await lab.run([
            "run", "-d", "--pull", "never", "--name", name, "--network", lab.network, Self.image, "sh", "-c", site,
        ])
    }

    /// The gateway with `nginx`'s main configurations, port 80 published on a free loopback port,
    /// which it returns.
    func startGateway(_ nginx: NginxGateway, in lab: Lab, files: URL, mounts: [String] = []) async throws -> Int {
        let main = files.appending(path: "nginx.conf")
        let staged = files.appending(path: "nginx-staged.conf")
        try Data(nginx.mainConfiguration().utf8).write(to: main)
        try Data(nginx.mainConfiguration(routesDirectory: NginxGateway.stagedDirectory).utf8).write(to: staged)
        let service = nginx.service(image: Image(Self.image))
        try await lab.run(
            [
                "run", "-d", "--pull", "never", "--name", lab.gateway, "--network", lab.network,
                "--publish", "127.0.0.1::80",
                "--mount", "type=volume,source=\(lab.volume),target=\(NginxGateway.routesVolumePath)",
                "--mount", "type=bind,source=\(main.path),target=\(NginxGateway.mainConfigurationPath),readonly",
                "--mount",
                "type=bind,source=\(staged.path),target=\(NginxGateway.stagedMainConfigurationPath),readonly",
            ] + mounts.flatMap { ["--mount", $0] } + [Self.image] + (service.command ?? []))
        _ = try await lab.waitFor(200, "127.0.0.1", nginx.healthPath)
        let port = try await lab.run(["port", lab.gateway, "80/tcp"]).stdout
        return try #require(Int(port.split(separator: "\n")[0].split(separator: ":").last ?? ""))
    }

    func route(
        _ host: String, _ path: String = "/", backend: String, middlewares: [Middleware] = [], line: Int = #line
    ) -> GatewayRoute {
        GatewayRoute(
            route: Route(
                host: host, pathPrefix: path, port: 8080, middlewares: middlewares, location: NginxFixtures.at(line)),
            stack: String(host.prefix { $0 != "." }), environment: "test", service: "web", servers: [backend])
    }

    func withLab(_ body: (Lab, URL) async throws -> Void) async throws {
        try NginxTools.requireAvailable()
        let lab = Lab(docker: try #require(Referee.docker))
        let files = try Referee.temporaryDirectory(prefix: "berth-nginx-features")
        defer { try? FileManager.default.removeItem(at: files) }
        do {
            try await lab.run(["network", "create", lab.network])
            try await body(lab, files)
        } catch {
            await lab.removeAll()
            _ = try? await lab.run(["rm", "-f", lab.backend + "-b"], expectSuccess: false)
            throw error
        }
        await lab.removeAll()
        _ = try? await lab.run(["rm", "-f", lab.backend + "-b"], expectSuccess: false)
    }

    @Test(
        "a gateway restarted while one routed service is stopped starts and serves the others",
        .enabled(if: NginxTools.shouldRun, NginxTools.skip), .timeLimit(.minutes(3)))
    func restartWithAStoppedUpstream() async throws {
        try await withLab { lab, files in
            let other = lab.backend + "-b"
            try await startBackend(lab.backend, in: lab, body: "alpha")
            try await startBackend(other, in: lab, body: "beta")
            let nginx = NginxGateway(NginxFixtures.gateway)
            _ = try await startGateway(nginx, in: lab, files: files)
            let routes = nginx.routesConfiguration([
                route("a.test", backend: lab.backend), route("b.test", backend: other),
            ])
            let applied = try await lab.apply(routes)
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(try await lab.waitFor(200, "b.test", "/").body == "beta\n")

            try await lab.run(["stop", "-t", "1", other])
            try await lab.run(["restart", "-t", "1", lab.gateway])
            #expect(try await lab.waitFor(200, "a.test", "/").body == "alpha\n")
            let state = try await lab.run(["inspect", "--format", "{{.State.Running}} {{.RestartCount}}", lab.gateway])
            #expect(state.stdout.hasPrefix("true"), "\(state.stdout)")
            #expect(try await lab.rawGet("b.test", "/").status == 502)

            // Back, it is served again without a reload: its name is resolved per request.
            try await lab.run(["start", other])
            #expect(try await lab.waitFor(200, "b.test", "/").body == "beta\n")
        }
    }

    @Test(
        "a redirect to HTTPS keeps the gateway's published HTTPS port",
        .enabled(if: NginxTools.shouldRun, NginxTools.skip), .timeLimit(.minutes(3)))
    func redirectKeepsThePort() async throws {
        try await withLab { lab, files in
            try await startBackend(lab.backend, in: lab, body: "alpha")
            var gateway = NginxFixtures.gateway
            gateway.httpsPort = 32443
            let nginx = NginxGateway(gateway)
            _ = try await startGateway(nginx, in: lab, files: files)
            let routes = nginx.routesConfiguration([
                route("r.test", backend: lab.backend, middlewares: [.redirectToHTTPS])
            ])
            #expect(routes.diagnostics.map(\.code) == [.nginxRedirectWithoutTLS])
            let applied = try await lab.apply(routes)
            #expect(applied.status == 0, "\(applied.stderr)")
            _ = try await lab.waitFor(301, "r.test", "/")
            let response = try await lab.rawGet("r.test", "/page?q=1")
            #expect(response.status == 301)
            #expect(response.header("Location") == "https://r.test:32443/page?q=1", "\(response)")

            let standard = NginxGateway(NginxFixtures.gateway).routesConfiguration([
                route("r.test", backend: lab.backend, middlewares: [.redirectToHTTPS])
            ])
            #expect(try await lab.apply(standard).status == 0)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await lab.rawGet("r.test", "/page").header("Location") == "https://r.test/page")
        }
    }

    /// One burst of `count` simultaneous requests with `hey`: per request, the status and seconds.
    func burst(_ host: String, port: Int, count: Int) async throws -> [(status: Int, seconds: Double)] {
        let hey = ExternalTool(path: "/usr/bin/hey")
        let output = try await hey.run(
            ["-n", "\(count)", "-c", "\(count)", "-host", host, "-o", "csv", "http://127.0.0.1:\(port)/"],
            timeout: .seconds(60))
        return output.stdout.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: ",")
            guard fields.count >= 7, let seconds = Double(fields[0]), let status = Int(fields[6]) else { return nil }
            return (status, seconds)
        }
    }

    @Test(
        "a burst is passed at once or delayed, and requests beyond it are refused",
        .enabled(
            if: NginxTools.shouldRun && FileManager.default.isExecutableFile(atPath: "/usr/bin/hey"), NginxTools.skip),
        .timeLimit(.minutes(3)))
    func burstsDelayedOrNot() async throws {
        try await withLab { lab, files in
            try await startBackend(lab.backend, in: lab, body: "alpha")
            let nginx = NginxGateway(NginxFixtures.gateway)
            let port = try await startGateway(nginx, in: lab, files: files)
            let routes = nginx.routesConfiguration([
                route("fast.test", backend: lab.backend, middlewares: [.rateLimit(.perSecond(2, burst: 4))]),
                route(
                    "slow.test", backend: lab.backend, middlewares: [.rateLimit(.perSecond(2, burst: 4, undelayed: 0))]),
                route(
                    "mixed.test", backend: lab.backend,
                    middlewares: [.rateLimit(.perSecond(2, burst: 4, undelayed: 2))]),
            ])
            #expect(routes.routesFile.contains("limit_req zone=fast-test-web-8080-"))
            let applied = try await lab.apply(routes)
            #expect(applied.status == 0, "\(applied.stderr)")
            _ = try await lab.waitFor(200, "fast.test", "/")
            try await Task.sleep(for: .seconds(3))  // The probe's token back.

            // Judged by what a loaded machine cannot fake: nginx delays a request by 0.5 s per
            // token at 2 r/s, so the last of n delayed answers comes after n × 0.5 s, while
            // answers passed at once come well under a second even on a busy machine. The 10
            // requests leave at once; should they spread over more than 0.5 s, a token comes
            // back and one fewer is refused.
            func count(_ host: String) async throws -> (passed: Int, refused: Int, slowest: Double) {
                let results = try await burst(host, port: port, count: 10)
                #expect(results.count == 10, "\(host): \(results)")
                let passed = results.filter { $0.status == 200 }
                return (passed.count, results.filter { $0.status == 429 }.count, passed.map(\.seconds).max() ?? 0)
            }
            func burstHeld(_ result: (passed: Int, refused: Int, slowest: Double)) -> Bool {
                result.passed + result.refused == 10 && (5...6).contains(result.passed)
            }
            // 1 at the rate plus a burst of 4, all at once; the others refused.
            let fast = try await count("fast.test")
            #expect(burstHeld(fast) && fast.slowest < 1.0, "\(fast)")
            // The same, but the 4 of the burst delayed: the last after 2 s.
            let slow = try await count("slow.test")
            #expect(burstHeld(slow) && slow.slowest >= 1.9, "\(slow)")
            // 2 of the burst at once, 2 delayed: the last after 1 s.
            let mixed = try await count("mixed.test")
            #expect(burstHeld(mixed) && mixed.slowest >= 0.9 && mixed.slowest < slow.slowest, "\(mixed)")
        }
    }

    @Test(
        "a route's read timeout ends a slow answer with 504, another route waits for it",
        .enabled(if: NginxTools.shouldRun, NginxTools.skip), .timeLimit(.minutes(3)))
    func readTimeouts() async throws {
        try await withLab { lab, files in
            try await startBackend(lab.backend, in: lab, body: "alpha")
            let nginx = NginxGateway(NginxFixtures.gateway)
            _ = try await startGateway(nginx, in: lab, files: files)
            let routes = nginx.routesConfiguration([
                route(
                    "short.test", backend: lab.backend, middlewares: [.timeouts(ProxyTimeouts(read: .seconds(1)))]),
                route("long.test", backend: lab.backend),
                route(
                    "ws.test", backend: lab.backend,
                    middlewares: [.websockets, .timeouts(ProxyTimeouts(read: .seconds(86_400)))]),
            ])
            #expect(routes.routesFile.contains("proxy_read_timeout 86400s;"))
            #expect(routes.routesFile.contains("proxy_send_timeout 3600s;"))
            let applied = try await lab.apply(routes)
            #expect(applied.status == 0, "\(applied.stderr)")
            _ = try await lab.waitFor(200, "long.test", "/")
            let short = try await lab.shell(
                #"timeout 10 wget -S -O- --header "Host: short.test" http://127.0.0.1/cgi-bin/slow"#,
                expectSuccess: false)
            #expect(short.stderr.contains("504"), "\(short.stderr)")
            let long = try await lab.shell(
                #"timeout 10 wget -q -O- --header "Host: long.test" http://127.0.0.1/cgi-bin/slow"#,
                expectSuccess: false)
            #expect(long.stdout == "slow\n", "\(long)")
        }
    }

    @Test(
        "unknown hosts get the chosen status, 444 closes the connection, and the health path is nginx's own",
        .enabled(if: NginxTools.shouldRun, NginxTools.skip), .timeLimit(.minutes(3)))
    func defaultServer() async throws {
        try await withLab { lab, files in
            try await startBackend(lab.backend, in: lab, body: "alpha")
            let nginx = NginxGateway(NginxFixtures.gateway, unknownHostStatus: 444, healthPath: "/gateway-health")
            let main = nginx.mainConfiguration()
            #expect(main.contains("listen 80 default_server;") && main.contains("server_name _;"))
            #expect(main.contains("return 444;"))
            try await NginxReferee.requireAccepted(nginx.routesConfiguration([]), gateway: nginx)
            #expect(
                nginx.service(image: Image(Self.image)).healthCheck?.test
                    == .command(["timeout", "3", "wget", "-q", "-O-", "http://127.0.0.1/gateway-health"]))

            _ = try await startGateway(nginx, in: lab, files: files)
            let routes = nginx.routesConfiguration([route("a.test", backend: lab.backend)])
            #expect(try await lab.apply(routes).status == 0)
            #expect(try await lab.waitFor(200, "a.test", "/").body == "alpha\n")
            let health = try await lab.get("unknown.test", "/gateway-health")
            #expect(health.status == 200 && health.body == "ok\n", "\(health)")
            let unknown = try await lab.rawGet("unknown.test", "/")
            #expect(unknown.status == nil && unknown.body.isEmpty, "444 answers nothing: \(unknown)")
            #expect(try await lab.get("unknown.test", "/healthz").status == nil)
        }
    }

    @Test(
        "static files from a volume are served with cache headers, a missing one is 404, and no path leaves the volume",
        .enabled(if: NginxTools.shouldRun, NginxTools.skip), .timeLimit(.minutes(3)))
    func staticFilesFromAVolume() async throws {
        try await withLab { lab, files in
            let volume = lab.volume + "-static"
            // The volume is in use until the engine has removed the containers that mounted it.
            func removeVolume() async {
                await lab.removeAll()
                for _ in 0..<50 {
                    let removed = try? await lab.run(["volume", "rm", "-f", volume], expectSuccess: false)
                    if removed?.status == 0 { return }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            do {
                try await serveStaticFiles(lab: lab, files: files, volume: volume)
            } catch {
                await removeVolume()
                throw error
            }
            await removeVolume()
        }
    }

    /// Static files of `volume` on host `s.test`, through the gateway as its stack part mounts them.
    func serveStaticFiles(lab: Lab, files: URL, volume: String) async throws {
        try await lab.run([
            "run", "--rm", "--pull", "never", "--mount", "type=volume,source=\(volume),target=/v", Self.image, "sh",
            "-c", "mkdir -p /v/css && echo 'body{}' > /v/css/app.css",
        ])
        try await startBackend(lab.backend, in: lab, body: "alpha")
        let nginx = NginxGateway(
            NginxFixtures.gateway,
            staticFiles: [
                StaticFiles(host: "s.test", path: "/static/", volume: volume, maxAge: .seconds(30 * 86400))
            ])
        // The gateway's container as its stack part declares it: each static config at its
        // target, the volume read-only.
        let stack = Stack("acme-infra") {
            NginxFixtures.gateway
            nginx.stackPart(image: Image(Self.image))
        }
        let service = try #require(stack.services.first)
        var mounts: [String] = []
        for mount in service.configs where mount.target.hasPrefix(NginxGateway.staticFilesDirectory) {
            let config = try #require(stack.configs.first { $0.name == mount.config })
            guard case .content(let content) = config.source else { throw Referee.Failure("not content") }
            let local = files.appending(path: mount.config)
            try Data(content.utf8).write(to: local)
            mounts.append("type=bind,source=\(local.path),target=\(mount.target),readonly")
        }
        for mount in service.mounts where mount.target.hasPrefix(NginxGateway.staticFilesRoot) {
            #expect(mount.source == .volume(volume) && mount.isReadOnly)
            mounts.append("type=volume,source=\(volume),target=\(mount.target),readonly")
        }
        #expect(mounts.count == 2)
        _ = try await startGateway(nginx, in: lab, files: files, mounts: mounts)
        let routes = nginx.routesConfiguration([route("s.test", backend: lab.backend)])
        let applied = try await lab.apply(routes)
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try await lab.waitFor(200, "s.test", "/").body == "alpha\n", "the app keeps the host's other paths")

        let file = try await lab.rawGet("s.test", "/static/css/app.css")
        #expect(file.status == 200 && file.body == "body{}\n", "\(file)")
        let cacheControl = file.headers.filter { $0.lowercased().hasPrefix("cache-control: ") }
        #expect(cacheControl == ["Cache-Control: max-age=2592000", "Cache-Control: public, immutable"], "\(file)")
        #expect(file.header("Expires") != nil, "\(file)")

        let missing = try await lab.rawGet("s.test", "/static/css/gone.css")
        #expect(missing.status == 404, "\(missing)")
        #expect(missing.header("Cache-Control") == nil && missing.header("Expires") == nil, "a 404 is not cached")
        // Another host has no static files, though it is routed.
        try await lab.apply(
            nginx.routesConfiguration([
                route("s.test", backend: lab.backend), route("o.test", backend: lab.backend),
            ]))
        #expect(try await lab.waitFor(404, "o.test", "/static/css/app.css").status == 404)

        for path in [
            "/static/../etc/passwd", "/static/..%2f..%2f..%2fetc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd",
            "/static../etc/passwd", "/static/css/../../../../etc/passwd",
        ] {
            let escaped = try await lab.rawGet("s.test", path)
            #expect(escaped.status != nil && !escaped.body.contains("root:"), "\(path): \(escaped)")
            #expect(escaped.header("Cache-Control") == nil, "\(path) is not a static file: \(escaped)")
        }

        // A file the app writes later is served without a reload.
        try await lab.run([
            "run", "--rm", "--pull", "never", "--mount", "type=volume,source=\(volume),target=/v", Self.image, "sh",
            "-c", "echo late > /v/late.txt",
        ])
        #expect(try await lab.rawGet("s.test", "/static/late.txt").body == "late\n")
    }
}
