import Berth
import BerthTesting
import Foundation
import NextCandleTopology
import Testing

/// Whether a Docker engine in Swarm mode answers, asked once per test run.
enum SwarmEngine {
    static let unavailableReason: String? = {
        guard let docker = DockerCLI.path else { return "there is no `docker` on PATH" }
        let info: ExternalTool.Output
        do {
            // A DOCKER_HOST naming a dead endpoint must not hang the test run.
            info = try ExternalTool(path: docker).runBlocking(
                ["info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}"], timeout: .seconds(20))
        } catch {
            return "`docker info` did not answer: \(error)"
        }
        let state = info.stdout
        guard info.status == 0 else { return "no Docker engine answers `docker info`" }
        guard state.trimmingCharacters(in: .whitespacesAndNewlines) == "active true" else {
            return
                "the engine is not a Swarm manager (swarm state: \(state.trimmingCharacters(in: .whitespacesAndNewlines)))"
        }
        return nil
    }()

    static var host: String { ProcessInfo.processInfo.environment["DOCKER_HOST"] ?? "(DOCKER_HOST unset)" }

    /// Run with an engine, or without one when it is required (so the test fails); otherwise
    /// skip, with a warning in the log.
    static var shouldRun: Bool {
        if unavailableReason == nil || engineIsRequired { return true }
        _ = warnOnce
        return false
    }

    private static let warnOnce: Void = warnLoudly(
        "\(unavailableReason ?? "") at \(host): the end-to-end deploy of the dev environment is SKIPPED.",
        "Start one with `eval \"$(../../scripts/engine.sh up)\"`, or set BERTH_ENGINE_REQUIRED=1 to make this a failure."
    )

    static func require(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        if let unavailableReason {
            Issue.record(
                "BERTH_ENGINE_REQUIRED is set but \(unavailableReason) at \(host). Start one with `eval \"$(../../scripts/engine.sh up)\"`.",
                sourceLocation: sourceLocation)
            throw CommandFailure(description: unavailableReason)
        }
    }
}

/// The dev environment stack and the shared stack's routed services (with
/// `NEXTCANDLE_E2E_SHARED=1`, the whole shared stack), deployed for real with `SwarmDeployer` on
/// the single-node Swarm of the test machine, requested through the real Traefik, then removed.
///
/// Nothing can be pulled there. Traefik is upstream's binary in `berth-test/traefik:3` (built
/// by `scripts/engine.sh`), run with the stack's own command line: the Swarm provider, the file
/// provider's middlewares, the environment constraint. Every other service runs
/// `berth-test/busybox:1`: those Traefik routes to answer their name on their routed ports, the
/// others idle until Swarm stops them, each with a health check that passes. The kernel has no
/// IPVS, so services are found by DNS round robin. The engine's socket is not at
/// `/var/run/docker.sock` on this machine, so the mounts of that path get the engine's socket.
/// Everything else is the real dev environment: networks (the shared stack joins the environment
/// stack's), generated secrets created in the Swarm, the tunnel token from the deployer's
/// environment, the PostgreSQL configuration file, resources, placement constraints, global
/// mode, restart and update policies, and the labels Traefik routes by.
@Suite(
    "End to end: the dev environment on a single-node Swarm",
    .serialized,
    .enabled(
        if: SwarmEngine.shouldRun, "needs a Docker engine in Swarm mode; BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(40)))
struct EndToEndTests {
    static let dev = NextCandle.environments[0]
    static let image: Image = "berth-test/busybox:1"
    static let idle = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]

    /// The engine's socket on this machine, from `DOCKER_HOST`.
    static var engineSocket: String {
        let host = ProcessInfo.processInfo.environment["DOCKER_HOST"] ?? ""
        return host.hasPrefix("unix://") ? String(host.dropFirst("unix://".count)) : "/var/run/docker.sock"
    }

    /// The Traefik the test engine has (built from the upstream binary, never pulled).
    static let traefikImage: Image = "berth-test/traefik:3"

    /// The ports Traefik sends a routed service's requests to, from its load balancer labels.
    static func routedPorts(_ service: Service) -> [Int] {
        service.deploy.labels.compactMap { label in
            label.key.hasPrefix("traefik.http.services.") && label.key.hasSuffix(".loadbalancer.server.port")
                ? Int(label.value) : nil
        }
    }

    /// A busybox web server answering `name` on each of `ports`, stopping at once on SIGTERM.
    static func answering(_ name: String, on ports: [Int]) -> [String] {
        let servers = ports.map { "httpd -f -p \($0) -h /www &" }.joined(separator: " ")
        return ["sh", "-c", "mkdir -p /www && echo \(name) > /www/index.html && trap 'exit 0' TERM; \(servers) wait"]
    }

    /// The real stack, changed only where this machine cannot run it: Traefik is the real one,
    /// every service Traefik routes to answers its name on its routed ports, the others idle.
    static func runnableHere(_ stack: Stack) -> Stack {
        var stack = stack
        stack.services = stack.services.map { original in
            var service = original
            if original.name == "traefik" {
                service.image = traefikImage
                service.mounts = original.mounts.map { mount in
                    guard case .bind("/var/run/docker.sock") = mount.source else { return mount }
                    var moved = mount
                    moved.source = .bind(engineSocket)
                    return moved
                }
                service.deploy.endpointMode = .dnsrr
                return service
            }
            let routed = routedPorts(original)
            service.image = image
            service.entrypoint = nil
            service.command = routed.isEmpty ? idle : answering(original.name, on: routed)
            if let check = original.healthCheck {
                // The same timing, so the update policies' monitor periods still fit.
                service.healthCheck = HealthCheck(
                    .shell("test -d /"), interval: check.interval, timeout: check.timeout, retries: check.retries,
                    startPeriod: check.startPeriod)
            }
            service.ports = original.ports.filter { !$0.isPublished }
            service.deploy.endpointMode = .dnsrr
            service.mounts = original.mounts.map { mount in
                guard case .bind("/var/run/docker.sock") = mount.source else { return mount }
                var moved = mount
                moved.source = .bind(engineSocket)
                return moved
            }
            return service
        }
        return stack
    }

    static func deployer(root: URL, environment: [String: String]) -> SwarmDeployer {
        let console = Console(isTerminal: false) { _, text in
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let prefixed = lines.enumerated().map {
                $0.offset == lines.count - 1 && $0.element.isEmpty ? "" : "[nextcandle e2e] \($0.element)"
            }
            FileHandle.standardError.write(Data(prefixed.joined(separator: "\n").utf8))
        }
        var deployer = SwarmDeployer(
            engine: DockerEngine(), workspace: Workspace(root: root), console: console,
            processEnvironment: environment)
        deployer.pollInterval = .milliseconds(500)
        return deployer
    }

    static func docker(_ arguments: [String]) async throws -> String {
        try await DockerEngine().output(arguments)
    }

    /// Asserts that every service of a stack runs its desired tasks.
    static func expectConverged(_ stack: Stack) async throws {
        let live = try await DockerEngine().swarmServices(stack: stack.name, environment: dev.name)
        #expect(live.map(\.service).sorted() == stack.services.map(\.name).sorted())
        for service in live {
            #expect(service.desired >= 1, "\(service.service)")
            #expect(service.running == service.desired, "\(service.service): \(service.running)/\(service.desired)")
        }
    }

    /// The one container of a service.
    static func container(_ service: String, of stack: String) async throws -> String {
        let name = SwarmRenderer.stackName(stack: stack, environment: dev.name) + "_" + service
        let ids = try await docker(["ps", "--quiet", "--filter", "label=com.docker.swarm.service.name=\(name)"])
        return try #require(ids.split(whereSeparator: \.isNewline).first.map(String.init), "no container of \(name)")
    }

    /// Whether the shared stack is deployed too (`NEXTCANDLE_E2E_SHARED=1`): it adds about 20
    /// minutes, see ``timeout(_:)``.
    static var includesShared: Bool { ProcessInfo.processInfo.environment["NEXTCANDLE_E2E_SHARED"] == "1" }

    /// How long `up` may take at most: `docker stack deploy --detach=false` verifies the services
    /// one after the other, each for its update policy's monitor period, so the bound is the sum
    /// of those periods; Berth reads the services' state itself and usually finishes far sooner.
    static func timeout(_ stack: Stack) -> Duration {
        stack.services.reduce(Duration.seconds(120)) { $0 + ($1.deploy.update?.monitor ?? .seconds(5)) }
    }

    @Test(
        "deploys the dev environment stack (and with NEXTCANDLE_E2E_SHARED=1 the shared stack); every service converges; both are removed"
    )
    func deployDev() async throws {
        try SwarmEngine.require()
        // A copy of the package's files the stacks read, as a deploy from a checkout would.
        let root = try makeTemporaryDirectory("nextcandle-e2e")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.copyItem(
            at: packageDirectory.appending(path: "configs"), to: root.appending(path: "configs"))

        let token = "e2e-\(UUID().uuidString)"
        var environment = ProcessInfo.processInfo.environment
        environment[NextCandle.tunnelTokenVariable(Self.dev)] = token
        let deployer = Self.deployer(root: root, environment: environment)
        let stack = Self.runnableHere(nextcandle.describe(Self.dev))
        // Without NEXTCANDLE_E2E_SHARED, the services of the shared stack that Traefik routes to.
        var shared = Self.runnableHere(nextcandleShared.describe(Self.dev))
        if !Self.includesShared {
            shared.services = shared.services.filter { !Self.routedPorts($0).isEmpty }
            for index in shared.services.indices { shared.services[index].dependencies = [] }
        }

        // Left over from an interrupted run, if anything.
        try await deployer.down(stack: shared.name, environment: Self.dev.name, removeVolumes: true)
        try await deployer.down(stack: stack.name, environment: Self.dev.name, removeVolumes: true)

        var failure: (any Error)?
        do {
            let clock = ContinuousClock()
            let started = clock.now
            try await deployer.up(deployer.prepare(stack, for: Self.dev), timeout: Self.timeout(stack))
            print("nextcandle (dev) deployed in \(clock.now - started)")
            try await Self.expectConverged(stack)
            try await Self.checkEnvironmentStack(token: token)
            // A second deploy finds nothing to change: the generated secrets are reused.
            #expect(try await !deployer.plan(deployer.prepare(stack, for: Self.dev)).hasChanges)
            let sharedStarted = clock.now
            try await deployer.up(deployer.prepare(shared, for: Self.dev), timeout: Self.timeout(shared))
            print("\(shared.name) (dev) deployed in \(clock.now - sharedStarted)")
            try await Self.expectConverged(shared)
            if Self.includesShared { try await Self.checkSharedStack() }
            try await Self.checkGateway(routing: shared)
        } catch {
            failure = error
        }
        for name in [shared.name, stack.name] {
            do {
                try await deployer.down(stack: name, environment: Self.dev.name, removeVolumes: true)
            } catch {
                if failure == nil { failure = error } else { Issue.record("removing \(name) failed too: \(error)") }
            }
        }
        if let failure { throw failure }
        for namespace in ["nextcandle-dev", "nextcandle-shared-dev"] {
            let left = try await Self.docker([
                "ps", "--all", "--quiet", "--filter", "label=com.docker.stack.namespace=\(namespace)",
            ])
            #expect(left.isEmpty, "containers of \(namespace) are left")
        }
        let secrets = try await Self.docker([
            "secret", "ls", "--quiet", "--filter", "label=berth.environment=dev", "--filter",
            "label=berth.stack=nextcandle",
        ])
        #expect(secrets.isEmpty)
    }

    /// What the environment stack's tasks got: secrets, the configuration file, resources and
    /// policies as described.
    static func checkEnvironmentStack(token: String) async throws {
        let secrets = try await docker([
            "secret", "ls", "--format", "{{.Name}}", "--filter", "label=berth.stack=nextcandle", "--filter",
            "label=berth.environment=dev",
        ])
        let names = secrets.split(whereSeparator: \.isNewline).map { String($0.dropLast(9)) }.sorted()
        #expect(
            names == [
                "nextcandle-dev_postgres_password", "nextcandle-dev_redis_password", "nextcandle-dev_tunnel_token",
            ])

        let postgres = try await container("postgres", of: "nextcandle")
        // The generated password: 32 characters, read through POSTGRES_PASSWORD_FILE.
        let length = try await docker(["exec", postgres, "sh", "-c", "wc -c < \"$POSTGRES_PASSWORD_FILE\""])
        #expect(length.trimmingCharacters(in: .whitespacesAndNewlines) == "32")
        let configuration = try await docker(["exec", postgres, "cat", "/etc/postgresql/postgresql.conf"])
        let file = packageDirectory.appending(path: NextCandle.postgresConfigFile(dev))
        #expect(configuration == String(decoding: try Data(contentsOf: file), as: UTF8.self))

        let cloudflared = try await container("cloudflared", of: "nextcandle")
        let tokenFile = try await docker(["exec", cloudflared, "sh", "-c", "cat \"$TUNNEL_TOKEN_FILE\""])
        #expect(tokenFile == token)
        #expect(
            try await docker(["exec", cloudflared, "id", "-u"]).trimmingCharacters(in: .whitespacesAndNewlines)
                == "65532")

        let spec = try await docker([
            "service", "inspect", "--format",
            "{{.Spec.TaskTemplate.Resources.Limits.NanoCPUs}} {{.Spec.TaskTemplate.Resources.Limits.MemoryBytes}} {{.Spec.UpdateConfig.Order}} {{.Spec.TaskTemplate.RestartPolicy.MaxAttempts}}",
            "nextcandle-dev_postgres",
        ])
        #expect(spec.trimmingCharacters(in: .whitespacesAndNewlines) == "500000000 536870912 stop-first 3")
        let traefik = try await docker([
            "service", "inspect", "--format",
            "{{.Spec.UpdateConfig.Order}} {{.Spec.TaskTemplate.Placement.Constraints}}", "nextcandle-dev_traefik",
        ])
        #expect(traefik.trimmingCharacters(in: .whitespacesAndNewlines) == "start-first [node.role == manager]")
        // The internal network has no way out; traefik-public does.
        let isInternal = try await docker([
            "network", "inspect", "--format", "{{.Internal}}", "nextcandle-dev_internal",
        ])
        #expect(isInternal.trimmingCharacters(in: .whitespacesAndNewlines) == "true")
    }

    /// The path a request takes from the tunnel: cloudflared asks Traefik (the real one, with
    /// the Swarm provider) for each of the environment's hostnames; Traefik answers from the
    /// service its labels name, through the file provider's middlewares.
    static func checkGateway(routing shared: Stack) async throws {
        let cloudflared = try await container("cloudflared", of: "nextcandle")
        /// The status line, headers and body of a request from cloudflared's container.
        func request(_ host: String, _ path: String = "/") async -> String {
            let script = "wget -S -q -O - --header 'Host: \(host)' http://traefik\(path) 2>&1; true"
            return (try? await docker(["exec", cloudflared, "sh", "-c", script])) ?? "no answer"
        }
        /// Polls (bounded: 60 tries, 30 s) until the answer contains `text`: the provider
        /// reads the Swarm every 15 s by default.
        func poll(_ host: String, _ path: String = "/", until text: String) async -> String {
            var answer = ""
            for attempt in 1...60 {
                answer = await request(host, path)
                if answer.contains(text) { return answer }
                if attempt < 60 { try? await Task.sleep(for: .milliseconds(500)) }
            }
            return answer
        }

        let routed = shared.services.filter { !routedPorts($0).isEmpty }.map(\.name)
        #expect(Set(routed).isSuperset(of: ["grafana", "minio", "n8n"]), "\(routed)")
        for (name, host) in [("grafana", "grafana"), ("minio", "minio"), ("minio", "s3"), ("n8n", "n8n")] {
            let answer = await poll(NextCandle.hostname(host, in: dev), until: "\n\(name)")
            #expect(answer.contains("200 OK") && answer.contains("\n\(name)"), "\(host): \(answer)")
            // The file provider's middlewares, on every router.
            #expect(answer.contains("X-Frame-Options: DENY"), "\(host): \(answer)")
            #expect(answer.contains("X-Content-Type-Options: nosniff"), "\(host): \(answer)")
        }
        // The dashboard, one of Traefik's own services.
        let dashboard = await poll(NextCandle.hostname("traefik", in: dev), "/dashboard/", until: "200 OK")
        #expect(dashboard.contains("200 OK") && dashboard.contains("X-Frame-Options: DENY"), "\(dashboard)")
        // A hostname no router has, and another environment's.
        #expect(await request("unknown.nextcandle.io").contains("404"))
        #expect(await request(NextCandle.hostname("grafana", in: .prod)).contains("404"))
    }

    /// The shared stack: global agents, and the environment stack's services reached over the
    /// networks it joined.
    static func checkSharedStack() async throws {
        let global = try await docker([
            "service", "ls", "--filter", "label=com.docker.stack.namespace=nextcandle-shared-dev", "--filter",
            "mode=global", "--format", "{{.Name}}",
        ])
        #expect(
            global.split(whereSeparator: \.isNewline).sorted() == [
                "nextcandle-shared-dev_cadvisor", "nextcandle-shared-dev_node-exporter",
                "nextcandle-shared-dev_promtail",
            ])
        // The Redis exporter resolves Redis of the environment stack over `internal`.
        let exporter = try await container("redis-exporter", of: "nextcandle-shared")
        let resolved = try await docker(["exec", exporter, "nslookup", NextCandle.serviceName("redis", in: dev)])
        #expect(resolved.contains("Address"), "\(resolved)")
    }
}
