import BerthCore
import BerthGateway
import BerthRendering
import Foundation
import Testing

@testable import BerthDeploy

/// A Berth stack with a Traefik gateway, deployed through Berth's own deploy path and served by
/// the real Traefik v3 (`berth-test/traefik:3`): what the routes promise is checked on the wire,
/// with requests to 127.0.0.1 only and the host in a `Host` header (or curl's `--resolve`).
///
/// One deploy per orchestrator carries every check, since starting Traefik and the routed
/// services is what takes the time: hosts and path prefixes (with `stripPrefix`), an unknown
/// host, a middleware chain (security headers, basic authentication, a rate limit), TLS with a
/// certificate of Traefik's file provider, the authenticated dashboard and forward
/// authentication, allowing on one route and refusing on another.
@Suite(
    "End to end: a Berth stack served by the real Traefik",
    .serialized,
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(6)))
struct TraefikWireEndToEndTests {
    /// The routed hosts; every one resolves to 127.0.0.1 only in the requests' headers.
    enum Hosts {
        static let shop = "shop.traefik-wire.localhost"
        static let other = "other.traefik-wire.localhost"
        static let guarded = "guarded.traefik-wire.localhost"
        static let secure = "secure.traefik-wire.localhost"
        static let dashboard = "dashboard.traefik-wire.localhost"
        static let allowed = "allowed.traefik-wire.localhost"
        static let denied = "denied.traefik-wire.localhost"
        static let unknown = "unknown.localhost"
        static let healthy = "healthy.traefik-wire.localhost"
        static let unhealthy = "unhealthy.traefik-wire.localhost"
        static let upload = "upload.traefik-wire.localhost"
        static let ipv6 = "[::1]"
        /// A wildcard over every other host here: the exact hosts must still win.
        static let wildcard = "*.traefik-wire.localhost"
    }

    static let user = "operator"
    static let password = "wire-test-password"
    /// Requests of the burst sent at the rate-limited route.
    static let burst = 10

    /// What the test generates before a deploy: an `htpasswd` entry and a certificate for
    /// ``Hosts/secure``.
    struct Material {
        var htpasswd: String
        var certificate: String
        var key: String
        var certificateFile: URL
    }

    static func material(in directory: URL) async throws -> Material {
        let runner = ProcessRunner()
        let hash = try await runner.run(["openssl", "passwd", "-apr1", password], input: nil)
        try #require(hash.succeeded, "openssl passwd: \(hash.standardError)")
        let certificate = directory.appending(path: "cert.pem")
        let key = directory.appending(path: "key.pem")
        let made = try await runner.run(
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-days", "2", "-subj", "/CN=\(Hosts.secure)", "-addext", "subjectAltName=DNS:\(Hosts.secure)",
                "-keyout", key.path, "-out", certificate.path,
            ], input: nil)
        try #require(made.succeeded, "openssl req: \(made.standardError)")
        return Material(
            htpasswd: "\(user):\(hash.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))",
            certificate: try String(contentsOf: certificate, encoding: .utf8),
            key: try String(contentsOf: key, encoding: .utf8), certificateFile: certificate)
    }

    /// A busybox web server answering `page` at `/`, stopping at once on SIGTERM.
    static func web(_ name: String, page: String, extra: String = "") -> Service {
        Service(name, image: "berth-test/busybox:1")
            .command([
                "sh", "-c",
                "mkdir -p /www && echo '\(page)' > /www/index.html && touch /www/httpd.conf \(extra); trap 'exit 0' TERM; httpd -f -p 8080 -h /www -c /www/httpd.conf & wait",
            ])
            .networks("edge")
            .expose(8080)
            // Traefik leaves out a container that is not healthy. On a loaded engine a check's
            // `docker exec` can take longer than its timeout a few times in a row; the routes
            // must not vanish for that (the unhealthy route is Traefik's own probe's to catch).
            .healthCheck(
                .http(port: 8080, path: "/index.html", interval: .seconds(1), timeout: .seconds(10), retries: 30))
    }

    /// The stack: Traefik (Berth's service, with a file provider for the certificate), two routed
    /// apps and an auth service that answers 200 on `/allow` and 401 under `/deny`.
    static func stack(
        _ name: String, material: Material, httpPort: Int, httpsPort: Int, for environment: Environment
    ) throws -> Stack {
        let network = SharedNetwork("edge", engineName: "\(name)_edge", owner: name)
        // Published on a port other than 443: redirects to HTTPS must name it.
        let gateway = Gateway.traefik(network: network, httpsPort: httpsPort)
        let isSwarm = environment.orchestrator == .swarm
        var traefik = Traefik.service(
            gateway: gateway, image: Image(RealTraefik.image), dashboardHost: Hosts.dashboard,
            dashboardUsers: BasicAuth(users: [material.htpasswd]), httpPort: httpPort, httpsPort: httpsPort,
            hostIP: isSwarm ? "0.0.0.0" : "127.0.0.1", for: environment)
        // Other tests share the engine: the gateway's own constraint (its network, whose name
        // is this test's) keeps their Traefik labels out.
        traefik.command =
            (traefik.command ?? []) + [
                // Without these Traefik reaches out to the internet.
                "--global.checknewversion=false", "--global.sendanonymoususage=false",
                "--providers.file.filename=/etc/traefik/dynamic.yml",
            ] + (isSwarm ? ["--providers.swarm.refreshseconds=1"] : [])
        // The tests' engine listens on a private socket, not on /var/run/docker.sock.
        let socket = try #require(RealTraefik.engineSocket, "Traefik's provider needs a unix:// DOCKER_HOST")
        for index in traefik.mounts.indices where traefik.mounts[index].target == Traefik.dockerSocket {
            traefik.mounts[index].source = .bind(socket)
        }
        traefik = traefik.config("traefik-dynamic", at: "/etc/traefik/dynamic.yml")
            .config("traefik-certificate", at: "/etc/traefik/certs/cert.pem")
            .config("traefik-key", at: "/etc/traefik/certs/key.pem")
            .healthCheck(
                HealthCheck(
                    .command(["traefik", "healthcheck", "--ping"]), interval: .seconds(1), timeout: .seconds(3),
                    retries: 30))
        let dynamic = """
            tls:
              certificates:
                - certFile: /etc/traefik/certs/cert.pem
                  keyFile: /etc/traefik/certs/key.pem

            """
        let guarded: [Middleware] = [
            .securityHeaders(.strict), .basicAuth(BasicAuth(users: [material.htpasswd])),
            .rateLimit(.perMinute(1, burst: 4)),
        ]
        let auth = "/deny:nobody:\(UUID().uuidString)"
        var stack = Stack(name) {
            gateway
            Config("traefik-dynamic", .content(dynamic))
            Config("traefik-certificate", .content(material.certificate))
            Config("traefik-key", .content(material.key))
            traefik
            web("front", page: "front")
                .route(Hosts.shop, port: 8080)
                .route(Hosts.guarded, port: 8080, middlewares: guarded)
                .route(
                    Hosts.secure, port: 8080, tls: .gatewayCertificates,
                    middlewares: [.securityHeaders(.strict), .redirectToHTTPS]
                )
                .route(
                    Hosts.allowed, port: 8080,
                    middlewares: [.forwardAuth(ForwardAuth(address: "http://auth:8080/allow"))]
                )
                .route(
                    Hosts.denied, port: 8080,
                    middlewares: [.forwardAuth(ForwardAuth(address: "http://auth:8080/deny/check"))]
                )
                .route(Hosts.healthy, port: 8080, health: UpstreamHealth(path: "/index.html", interval: .seconds(1)))
                .route(Hosts.unhealthy, port: 8080, health: UpstreamHealth(path: "/missing", interval: .seconds(1)))
                .route(Hosts.upload, port: 8080, middlewares: [.maxBodySize(1024)])
                .route(Hosts.ipv6, port: 8080)
            // `/api/index.html` would answer if the prefix were not stripped; it says so.
            web("api", page: "api", extra: "&& mkdir -p /www/api && echo unstripped > /www/api/index.html")
                .route(Hosts.shop, path: "/api", port: 8080, middlewares: [.stripPrefix])
                .route(Hosts.other, port: 8080)
                .route(Hosts.wildcard, port: 8080)
            web("auth", page: "auth", extra: "&& echo allowed > /www/allow && echo '\(auth)' > /www/httpd.conf")
        }
        if isSwarm {
            // This kernel has no IPVS for Swarm's virtual IPs.
            stack.services = stack.services.map { $0.endpointMode(.dnsrr) }
        }
        return stack
    }

    /// An HTTPS request through curl, to 127.0.0.1 with SNI and `Host` set to `host`: the status
    /// and the response's header lines, or `nil` when curl gets no answer (or refuses the
    /// certificate when `trusting` names one).
    static func https(
        _ host: String, port: Int, path: String = "/", credentials: String? = nil, trusting certificate: URL? = nil
    ) async -> (status: Int, head: String)? {
        var command = [
            "curl", "--silent", "--max-time", "5", "--noproxy", "*", "--resolve", "\(host):\(port):127.0.0.1",
            "--dump-header", "-", "--output", "/dev/null",
        ]
        command += certificate.map { ["--cacert", $0.path] } ?? ["--insecure"]
        if let credentials { command += ["--user", credentials] }
        command.append("https://\(host):\(port)\(path)")
        guard let result = try? await ProcessRunner().run(command, input: nil), result.succeeded,
            let status = result.standardOutput.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return (status, result.standardOutput)
    }

    /// Polls ``https(_:port:path:credentials:trusting:)`` (bounded: 40 tries, 20 s) until the
    /// status is `status`.
    static func https(
        _ host: String, port: Int, path: String = "/", credentials: String? = nil, trusting certificate: URL? = nil,
        until status: Int
    ) async -> (status: Int, head: String)? {
        var last: (status: Int, head: String)?
        for attempt in 1...40 {
            last = await https(host, port: port, path: path, credentials: credentials, trusting: certificate)
            if last?.status == status { return last }
            if attempt < 40 { try? await Task.sleep(for: .milliseconds(500)) }
        }
        return last
    }

    /// The status of a POST of `bytes` bytes through curl, or `nil` without an answer.
    static func post(_ host: String, port: Int, bytes: Int) async -> Int? {
        let command = [
            "sh", "-c",
            "head -c \(bytes) /dev/zero | curl --silent --max-time 5 --noproxy '*' --output /dev/null --write-out '%{http_code}' --header 'Host: \(host)' --data-binary @- http://127.0.0.1:\(port)/",
        ]
        guard let result = try? await ProcessRunner().run(command, input: nil) else { return nil }
        return Int(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Every check, against a deployed ``stack(_:material:httpPort:httpsPort:for:)``.
    static func checkOnTheWire(httpPort: Int, httpsPort: Int, material: Material) async {
        let basic = "Authorization: Basic \(Data("\(user):\(password)".utf8).base64EncodedString())"
        func get(_ host: String, _ path: String = "/", headers: [String] = []) -> LoopbackHTTP.Response? {
            LoopbackHTTP.get(port: httpPort, host: host, path: path, headers: headers)
        }
        func body(_ response: LoopbackHTTP.Response?) -> String {
            response.map { "\($0.status) \($0.body.trimmingCharacters(in: .whitespacesAndNewlines))" } ?? "no answer"
        }

        // Hosts and path prefixes reach the right service; the prefix is stripped on its way.
        // The first request waits (bounded) until the provider serves the front: until its
        // container is healthy, Traefik leaves it out, and the wildcard answers its host.
        let front = await LoopbackHTTP.poll(port: httpPort, host: Hosts.shop, path: "/", attempts: 120) {
            $0.status == 200 && $0.body.contains("front")
        }
        let diagnosis = body(front) == "200 front" ? "" : await diagnostics(httpPort: httpPort)
        #expect(body(front) == "200 front", "\(diagnosis)")
        // The api's container may become healthy later than the front's: wait for it the same way.
        let apiServed = await LoopbackHTTP.poll(port: httpPort, host: Hosts.shop, path: "/api/", attempts: 120) {
            $0.status == 200 && $0.body.contains("api")
        }
        #expect(body(apiServed) == "200 api")
        #expect(body(get(Hosts.shop, "/api/")) == "200 api")
        #expect(body(get(Hosts.shop, "/api")) == "200 api")
        #expect(body(get(Hosts.other)) == "200 api")
        // A prefix is whole path segments, as on nginx and Caddy: `/apiindex.html` is the front's
        // (which has no such page), not `/index.html` of the api.
        let sibling = get(Hosts.shop, "/apiindex.html")
        #expect(sibling?.status == 404 && sibling?.body.contains("api") == false, "\(body(sibling))")
        #expect(get(Hosts.other, "/api/index.html")?.body.contains("unstripped") == true)
        #expect(get(Hosts.unknown)?.status == 404)
        // The wildcard takes one more label, never two, and never a host an exact route has.
        #expect(body(get("any.traefik-wire.localhost")) == "200 api")
        #expect(get("two.labels.traefik-wire.localhost")?.status == 404)
        #expect(get("traefik-wire.localhost")?.status == 404)

        // Traefik probes the route's health path: a missing one takes the server out.
        #expect(body(get(Hosts.healthy)) == "200 front")
        let unhealthy = await LoopbackHTTP.poll(port: httpPort, host: Hosts.unhealthy, path: "/", attempts: 20) {
            $0.status == 503
        }
        #expect(unhealthy?.status == 503, "\(body(unhealthy))")
        // An IPv6 literal host, with and without the port.
        #expect(body(get(Hosts.ipv6)) == "200 front")
        #expect(body(get("\(Hosts.ipv6):\(httpPort)")) == "200 front")
        // A body above the route's limit is refused before the service; one below passes.
        #expect(await post(Hosts.upload, port: httpPort, bytes: 4096) == 413)
        #expect(await post(Hosts.upload, port: httpPort, bytes: 512).map { $0 != 413 } == true)

        // The chain: security headers on the response, basic authentication, then a rate limit
        // that only authenticated requests reach.
        let refused = await LoopbackHTTP.poll(port: httpPort, host: Hosts.guarded, path: "/", attempts: 20) {
            $0.status == 401
        }
        #expect(refused?.status == 401, "\(body(refused))")
        #expect(
            refused?.head.lowercased().contains("www-authenticate: basic") == true, "\(refused?.head ?? "no answer")")
        #expect(
            get(Hosts.guarded, headers: ["Authorization: Basic \(Data("\(user):wrong".utf8).base64EncodedString())"])?
                .status == 401)
        let admitted = get(Hosts.guarded, headers: [basic])
        #expect(body(admitted) == "200 front")
        for header in [
            "X-Frame-Options: DENY", "X-Content-Type-Options: nosniff",
            "Referrer-Policy: strict-origin-when-cross-origin",
        ] {
            #expect(admitted?.head.contains(header) == true, "no \(header) in \(admitted?.head ?? "no answer")")
        }
        // One a minute with a burst of 4: counted, not timed. Traefik builds its middlewares
        // again, rate limiter included, whenever its configuration changes (a container of the
        // engine it watches changing health is enough), and a rebuilt limiter starts with a
        // full bucket. A round shows one as more than 4 answers 200 before the first 429, or a
        // 200 after a 429; such a round is taken again, three times at most. A limiter that is
        // missing or allows more than 4 fails every round.
        var rounds: [[Int]] = []
        var counted: [Int]?
        for _ in 1...3 where counted == nil {
            let statuses = (1...burst).map { _ in get(Hosts.guarded, headers: [basic])?.status ?? 0 }
            rounds.append(statuses)
            let rebuilt = statuses.prefix { $0 == 200 }.count > 4 || statuses.drop { $0 != 429 }.contains(200)
            if !rebuilt { counted = statuses }
        }
        let outcomes = (counted ?? []).reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
        #expect(counted != nil, "no round the limiter held: \(rounds)")
        #expect((outcomes[200] ?? 0) + (outcomes[429] ?? 0) == burst, "\(rounds)")
        #expect((outcomes[429] ?? 0) >= burst - 4, "\(rounds)")

        // TLS with the file provider's certificate: curl trusts only that certificate, and
        // the route's headers include HSTS, which Traefik sends over HTTPS only.
        let secure = await https(Hosts.secure, port: httpsPort, trusting: material.certificateFile, until: 200)
        #expect(secure?.status == 200, "\(secure?.head ?? "no answer (or not the file provider's certificate)")")
        #expect(secure?.head.lowercased().contains("strict-transport-security: max-age=31536000") == true)
        // The same host over plain HTTP is redirected, to the port HTTPS is published on.
        let redirect = get(Hosts.secure, "/page?x=1")
        #expect(redirect?.status == 301, "\(body(redirect))")
        #expect(
            redirect?.head.contains("Location: https://\(Hosts.secure):\(httpsPort)/page?x=1") == true,
            "\(redirect?.head ?? "no answer")")

        // The dashboard, on HTTPS behind basic authentication.
        let dashboard = await https(Hosts.dashboard, port: httpsPort, path: "/dashboard/", until: 401)
        #expect(dashboard?.status == 401, "\(dashboard?.head ?? "no answer")")
        let signedIn = await https(
            Hosts.dashboard, port: httpsPort, path: "/dashboard/", credentials: "\(user):\(password)")
        #expect(signedIn?.status == 200, "\(signedIn?.head ?? "no answer")")
        let api = await https(
            Hosts.dashboard, port: httpsPort, path: "/api/rawdata", credentials: "\(user):\(password)")
        #expect(api?.status == 200, "\(api?.head ?? "no answer")")

        // Forward authentication: the auth service lets one route through and refuses the other,
        // whose answer reaches the client.
        let allowed = await LoopbackHTTP.poll(port: httpPort, host: Hosts.allowed, path: "/", attempts: 20) {
            $0.status == 200
        }
        #expect(body(allowed) == "200 front")
        let denied = get(Hosts.denied)
        #expect(denied?.status == 401, "\(body(denied))")
    }

    /// What the engine and Traefik say when the routes do not answer: each container of the
    /// stack published on `httpPort`'s project with its state and health, and Traefik's log tail.
    static func diagnostics(httpPort: Int) async -> String {
        let runner = ProcessRunner()
        let containers = try? await runner.run(
            [
                "docker", "ps", "--all", "--filter", "label=\(OwnershipLabel.stack)", "--format",
                "{{.Names}} {{.Status}}",
            ],
            input: nil)
        let traefik = try? await runner.run(
            ["docker", "ps", "--quiet", "--filter", "publish=\(httpPort)"], input: nil)
        var logs = ""
        for id in (traefik?.standardOutput ?? "").split(separator: "\n").prefix(1) {
            let tail = try? await runner.run(["docker", "logs", "--tail", "30", String(id)], input: nil)
            logs = (tail?.standardOutput ?? "") + (tail?.standardError ?? "")
        }
        return "containers:\n\(containers?.standardOutput ?? "?")\nTraefik's log:\n\(logs)"
    }

    @Test("on Compose: hosts, paths, a middleware chain, file-provider TLS, the dashboard and forward auth")
    func compose() async throws {
        guard try await TraefikEndToEndTests.requireImage() else { return }
        let tmp = try TemporaryDirectory("berth-traefik-wire")
        defer { tmp.remove() }
        let name = RealEngine.uniqueName("traefik-wire")
        let material = try await Self.material(in: tmp.url)
        let deployer = RealEngine.deployer(root: tmp.url.appending(path: "package"), label: name)
        let (httpPort, httpsPort) = (18520, 18521)
        let stack = try Self.stack(name, material: material, httpPort: httpPort, httpsPort: httpsPort, for: .dev)
        // A container of someone else's on the same engine, with Traefik labels for a host of its
        // own (another environment's stack, another gateway's routes): the gateway's constraint
        // keeps it out. It exists before the gateway starts, so by the time the gateway serves
        // this stack's routes it has read that container too. (It names no network: Traefik
        // skips a container on a network it cannot find, constraint or not.)
        let foreignHost = "foreign.\(Hosts.shop)"
        let foreignRouter = "\(name)-foreign"
        let engine = DockerEngine()
        let foreign = try await engine.output([
            "run", "--detach", "--label", "traefik.enable=true",
            "--label", "traefik.http.routers.\(foreignRouter).rule=Host(`\(foreignHost)`)",
            "--label", "traefik.http.services.\(foreignRouter).loadbalancer.server.port=80",
            "berth-test/busybox:1", "sleep", "600",
        ]).trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            try await EndToEndTests.withStack(name, deployer) {
                try await deployer.up(deployer.prepare(stack, for: .dev), timeout: .seconds(120))
                await Self.checkOnTheWire(httpPort: httpPort, httpsPort: httpsPort, material: material)
                let outsider = LoopbackHTTP.get(port: httpPort, host: foreignHost, path: "/")
                #expect(outsider?.status == 404, "the gateway routed another stack's labels: \(outsider?.status ?? 0)")
            }
        } catch {
            _ = try? await engine.output(["rm", "--force", foreign])
            throw error
        }
        _ = try await engine.output(["rm", "--force", foreign])
        let left = try await RealEngine.labelled(name)
        #expect(left.containers.isEmpty && left.networks.isEmpty && left.volumes.isEmpty, "\(name) left \(left)")
    }

    @Test("on Swarm: the same stack through the Swarm provider")
    func swarm() async throws {
        guard try await TraefikEndToEndTests.requireImage() else { return }
        let tmp = try TemporaryDirectory("berth-traefik-wire-swarm")
        defer { tmp.remove() }
        let name = RealEngine.uniqueName("traefik-wire-sw")
        let material = try await Self.material(in: tmp.url)
        let deployer = SwarmEndToEndTests.deployer(root: tmp.url.appending(path: "package"), label: name)
        let environment = SwarmEndToEndTests.swarmDev
        let (httpPort, httpsPort) = (18522, 18523)
        let stack = try Self.stack(name, material: material, httpPort: httpPort, httpsPort: httpsPort, for: environment)
        try await SwarmEndToEndTests.withStack(name, deployer) {
            try await deployer.up(deployer.prepare(stack, for: environment), timeout: .seconds(180))
            await Self.checkOnTheWire(httpPort: httpPort, httpsPort: httpsPort, material: material)
        }
    }
}
