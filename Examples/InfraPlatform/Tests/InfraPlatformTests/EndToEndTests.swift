import Berth
import BerthTesting
import Foundation
import InfraPlatform
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Whether a Docker engine with the Traefik test image answers, asked once per test run.
enum InfraEngine {
    /// The real Traefik's test image.
    static let traefikImage = "berth-test/traefik:3"

    static let availability = Referee.Availability.check(
        "a Docker engine with \(traefikImage) (scripts/engine.sh up)", suite: "InfraPlatformTests",
        hint: "Start one with `eval \"$(../../scripts/engine.sh up)\"`."
    ) {
        let info = run(["docker", "info", "--format", "{{.ServerVersion}}"])
        guard info?.status == 0 else { return "no Docker engine answers `docker info`" }
        guard run(["docker", "image", "inspect", traefikImage])?.status == 0 else {
            return "\(traefikImage) is not on the engine"
        }
        return nil
    }

    /// A command's exit status and standard output, or `nil` when it does not finish in 20 s.
    static func run(_ arguments: [String]) -> (status: Int32, output: String)? {
        // A DOCKER_HOST naming a dead endpoint must not hang the test run.
        guard let tool = ExternalTool.find(arguments[0]),
            let output = try? tool.runBlocking(Array(arguments.dropFirst()), timeout: .seconds(20))
        else { return nil }
        return (output.status, output.stdout)
    }
}

/// The dev environment deployed for real with `ComposeDeployer`, its gateway the real Traefik v3
/// (`berth-test/traefik:3`, which `scripts/engine.sh up` builds from upstream's binary), then
/// removed: every route of the stack answers on its host through Traefik, the tools behind
/// single sign-on only with a session, and the dashboard likewise.
///
/// Nothing can be pulled on the test machine, so every other service runs `berth-test/busybox:1`
/// as a stand-in: a web server on each port a route sends to, answering with the service's name,
/// with its health check shortened to a second so the deploy stays fast, and at most one CPU. oauth2-proxy's
/// stand-in plays its forward-auth role: `/oauth2/auth` answers 401 without credentials and 200
/// with ``credentials``, which Traefik passes along from the request. The Traefik service keeps
/// its whole configuration (command, labels, read-only root, dropped capabilities); it only gets
/// this engine's socket, loopback ports that no other test uses, and a constraint to this stack,
/// since other tests share the engine.
@Suite(
    "End to end: the dev environment behind the real Traefik",
    .serialized,
    .enabled(if: InfraEngine.availability.shouldRun, Comment(rawValue: InfraEngine.availability.skipReason)),
    .timeLimit(.minutes(10)))
struct EndToEndTests {
    static let dev = Environment.dev
    static let traefikImage = Image(InfraEngine.traefikImage)
    static let standIn: Image = "berth-test/busybox:1"
    static let httpPort = 18530
    static let httpsPort = 18531
    /// What the oauth2-proxy stand-in takes as a signed-in session.
    static let credentials = "operator:sso-session"

    /// The engine's socket on this machine, from `DOCKER_HOST`.
    static var engineSocket: String {
        let host = ProcessInfo.processInfo.environment["DOCKER_HOST"] ?? ""
        return host.hasPrefix("unix://") ? String(host.dropFirst("unix://".count)) : "/var/run/docker.sock"
    }

    /// The shell script of a stand-in: the pages its routes and their health checks ask for, one
    /// web server per routed port, then idle until stopped.
    static func standInScript(for service: Service) -> String {
        let root = "/tmp/www"
        var files = ["/index.html"]
        for route in service.routes {
            if !route.middlewares.contains(.stripPrefix), route.normalizedPathPrefix != "/" {
                files.append(route.normalizedPathPrefix + "/index.html")
            }
            if let health = route.health { files.append(health.path) }
        }
        var lines = ["set -e"]
        for file in files {
            lines.append("mkdir -p '\(root)\((file as NSString).deletingLastPathComponent)'")
            lines.append("echo '\(service.name)' > '\(root)\(file)'")
        }
        var configuration = ""
        if service.name == InfraPlatform.oauth2Proxy.name {
            lines.append("mkdir -p \(root)/oauth2 && echo ok > \(root)/oauth2/auth")
            configuration = "/oauth2:\(credentials)"
        }
        lines.append("echo '\(configuration)' > \(root)/httpd.conf")
        for port in Set(service.routes.map(\.port)).sorted() {
            lines.append("httpd -p \(port) -h \(root) -c \(root)/httpd.conf")
        }
        lines.append("trap 'exit 0' TERM; while true; do sleep 1; done")
        return lines.joined(separator: "\n")
    }

    /// The real dev stack, changed only where this machine cannot run it.
    static func runnableHere(_ stack: Stack) -> Stack {
        var stack = stack
        stack.services = stack.services.map { original in
            var service = original
            let interval = Duration.seconds(1)
            if service.name == InfraPlatform.gateway.service {
                service.image = traefikImage
                service.command =
                    (service.command ?? []) + [
                        "--providers.docker.constraints=Label(`berth.stack`,`\(stack.name)`)"
                    ]
                service.ports = service.ports.map { port in
                    var port = port
                    if port.isPublished { port.published = port.target == 443 ? httpsPort : httpPort }
                    return port
                }
                service.mounts = original.mounts.map { mount in
                    guard case .bind("/var/run/docker.sock") = mount.source else { return mount }
                    var moved = mount
                    moved.source = .bind(engineSocket)
                    return moved
                }
                if let check = original.healthCheck {
                    service.healthCheck = HealthCheck(
                        check.test, interval: interval, timeout: check.timeout, retries: 30)
                }
                return service
            }
            service.image = standIn
            // The test machine may have fewer CPUs than a limit asks for (Ollama's 4), which the
            // engine refuses; the stand-ins need none.
            service.resources.cpuLimit = service.resources.cpuLimit.map { min($0, 1) }
            service.resources.cpuReservation = service.resources.cpuReservation.map { min($0, 0.1) }
            // A user the real image has by name (`postgres`) is unknown to busybox; numeric ones stay.
            if let user = service.user, !user.allSatisfy({ $0.isNumber || $0 == ":" }) { service.user = nil }
            service.entrypoint = nil
            service.command = ["sh", "-c", standInScript(for: original)]
            service.healthCheck = HealthCheck(
                .shell("test -s /tmp/www/index.html"), interval: interval, timeout: .seconds(2), retries: 30)
            return service
        }
        return stack
    }

    static func deployer(root: URL) -> ComposeDeployer {
        let console = Console(isTerminal: false) { _, text in
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let prefixed = lines.enumerated().map {
                $0.offset == lines.count - 1 && $0.element.isEmpty ? "" : "[infra e2e] \($0.element)"
            }
            FileHandle.standardError.write(Data(prefixed.joined(separator: "\n").utf8))
        }
        var deployer = ComposeDeployer(engine: DockerEngine(), workspace: Workspace(root: root), console: console)
        deployer.pollInterval = .milliseconds(250)
        return deployer
    }

    /// A request through Traefik: status, header lines and body, or `nil` without an answer.
    static func get(_ host: String, path: String = "/", signedIn: Bool = false) -> (
        status: Int, head: String, body: String
    )? {
        var command = [
            "curl", "--silent", "--max-time", "5", "--noproxy", "*", "--include", "--header", "Host: \(host)",
        ]
        if signedIn { command += ["--user", credentials] }
        command.append("http://127.0.0.1:\(httpPort)\(path)")
        guard let result = InfraEngine.run(command), result.status == 0,
            let status = result.output.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        let parts = result.output.components(separatedBy: "\r\n\r\n")
        return (status, parts.first ?? "", parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// Repeats ``get(_:path:signedIn:)`` (bounded: 40 tries, 20 s) until `accept` holds.
    static func poll(
        _ host: String, path: String = "/", signedIn: Bool = false,
        until accept: ((status: Int, head: String, body: String)) -> Bool
    ) async -> (status: Int, head: String, body: String)? {
        var last: (status: Int, head: String, body: String)?
        for attempt in 1...40 {
            last = get(host, path: path, signedIn: signedIn)
            if let last, accept(last) { return last }
            if attempt < 40 { try? await Task.sleep(for: .milliseconds(500)) }
        }
        return last
    }

    @Test("every route answers on its host through Traefik; sign-in guards the tools and the dashboard")
    func servedByTraefik() async throws {
        try InfraEngine.availability.requireAvailable()
        let root = try Referee.temporaryDirectory(prefix: "infra-e2e")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.copyItem(
            at: URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appending(path: "configs"),
            to: root.appending(path: "configs"))
        let deployer = Self.deployer(root: root)
        let declared = InfraPlatform.stack(for: Self.dev)
        let stack = Self.runnableHere(declared)
        // Left over from an interrupted run, if anything.
        try await deployer.down(stack: stack.name, environment: Self.dev.name, removeVolumes: true)

        var failure: (any Error)?
        do {
            try await deployer.up(deployer.prepare(stack, for: Self.dev), timeout: .seconds(240))
            try await Self.checkRoutes(of: declared)
        } catch {
            failure = error
        }
        do {
            try await deployer.down(stack: stack.name, environment: Self.dev.name, removeVolumes: true)
        } catch {
            if failure == nil { failure = error } else { Issue.record("removing \(stack.name) failed too: \(error)") }
        }
        if let failure { throw failure }
        let left = InfraEngine.run(["docker", "ps", "--all", "--quiet", "--filter", "label=berth.stack=\(stack.name)"])
        #expect(left?.output.isEmpty == true, "containers of \(stack.name) are left")
    }

    static func checkRoutes(of stack: Stack) async throws {
        let routed = stack.services.flatMap { service in service.routes.map { (service.name, $0) } }
        #expect(routed.count >= 5, "\(routed.map(\.1.address))")
        for (service, route) in routed {
            let path = route.normalizedPathPrefix == "/" ? "/" : route.normalizedPathPrefix + "/"
            let guarded = route.middlewares.contains { if case .forwardAuth = $0 { true } else { false } }
            if guarded {
                // Until the provider has read the labels Traefik answers 404; then sign-in refuses.
                let refused = await poll(route.host, path: path) { $0.status != 404 }
                #expect(refused?.status == 401, "\(route.address) without a session: \(refused?.status ?? 0)")
            }
            let page = await poll(route.host, path: path, signedIn: guarded) { $0.status == 200 }
            #expect(
                page?.status == 200 && page?.body.trimmingCharacters(in: .whitespacesAndNewlines) == service,
                "\(route.address): \(page.map { "\($0.status) \($0.body)" } ?? "no answer")")
            // The security headers of the route, as declared.
            let head = page?.head.lowercased() ?? ""
            for case .securityHeaders(let headers) in route.middlewares {
                #expect(head.contains("x-frame-options: deny") == headers.frameDeny, "\(route.address): \(head)")
                #expect(head.contains("x-content-type-options: nosniff") == headers.contentTypeNosniff)
                if let policy = headers.referrerPolicy {
                    #expect(head.contains("referrer-policy: \(policy)"), "\(route.address): \(head)")
                }
            }
        }
        // The dashboard, behind the same sign-in.
        let dashboard = InfraPlatform.host("dashboard", in: dev)
        let refused = await poll(dashboard, path: "/dashboard/") { $0.status != 404 }
        #expect(refused?.status == 401, "\(refused.map { "\($0.status)" } ?? "no answer")")
        let signedIn = get(dashboard, path: "/dashboard/", signedIn: true)
        #expect(signedIn?.status == 200, "\(signedIn.map { "\($0.status) \($0.head)" } ?? "no answer")")
        // A host nobody routes.
        #expect(get("nobody.\(InfraPlatform.domain(in: dev))")?.status == 404)
    }
}
