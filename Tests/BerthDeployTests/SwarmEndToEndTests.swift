import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// `SwarmDeployer` in-process against the single-node Swarm the test script starts.
///
/// This kernel has no IPVS, so the stacks use `endpoint_mode: dnsrr` and host-mode published
/// ports (ENGINE.md); tests reach services from inside the stack; `down` after every test, also after a failure.
@Suite(
    "End to end: SwarmDeployer on a single-node Swarm",
    .serialized,
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine in Swarm mode (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(8)))
struct SwarmEndToEndTests {
    static let swarmDev = Environment("dev", orchestrator: .swarm)

    /// Two replicas of a web server behind a health check, updated start-first with automatic
    /// rollback, and a worker that reads a generated secret.
    static func stack(
        _ name: String, healthPath: String = "/index.html", mode: String = "a", withWorker: Bool = true,
        maxFailureRatio: Double = 0.5
    )
        -> Stack
    {
        Stack(name) {
            Network("front", driver: "overlay")
            Secret.generated("token", length: 24)
            Config("page", .content("swarm \(name)\n"))
            Service("web", image: "berth-test/busybox:1")
                .command(["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"])
                .config("page", at: "/www/index.html")
                .environment("MODE", mode)
                .expose(8080)
                .networks("front")
                .replicas(2)
                .endpointMode(.dnsrr)
                .healthCheck(
                    .http(port: 8080, path: healthPath, interval: .seconds(1), timeout: .seconds(10), retries: 2)
                )
                .updatePolicy(
                    UpdatePolicy(
                        parallelism: 1, delay: .seconds(0), failureAction: .rollback, monitor: .seconds(4),
                        // Good updates tolerate one failed task in two: dockerd 20.10 now and then fails
                        // to start a container with a transient mount error. The broken update passes 0,
                        // since with 0.5 Swarm may finish it instead of rolling back.
                        maxFailureRatio: maxFailureRatio, order: .startFirst))
            if withWorker {
                // One task per node, like the seed's exporters.
                Service("agent", image: "berth-test/busybox:1")
                    .command(["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"])
                    .deployMode(.global)
                    .endpointMode(.dnsrr)
                Service("worker", image: "berth-test/busybox:1")
                    .entrypoint([])
                    .command(["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"])
                    .secret("token", pathVariable: "TOKEN_FILE")
                    .environment("AUTHORIZATION", .composed("Bearer \(secret: "token")"))
                    .networks("front")
                    .endpointMode(.dnsrr)
                    .healthCheck(HealthCheck(.shell("test -s /run/secrets/token"), interval: .seconds(1)))
            }
        }
    }

    static func deployer(root: URL, label: String) -> SwarmDeployer {
        let compose = RealEngine.deployer(root: root, label: label)
        var deployer = SwarmDeployer(engine: compose.engine, workspace: compose.workspace, console: compose.console)
        deployer.pollInterval = .milliseconds(500)
        return deployer
    }

    static func withStack(_ name: String, _ deployer: SwarmDeployer, _ body: () async throws -> Void) async throws {
        var failure: (any Error)?
        do { try await body() } catch { failure = error }
        do {
            try await deployer.down(stack: name, environment: "dev", removeVolumes: true)
        } catch {
            if failure == nil { failure = error } else { Issue.record("cleanup of \(name) failed too: \(error)") }
        }
        if let failure { throw failure }
    }

    static func secrets(of stack: String) async throws -> [String] {
        try await DockerEngine().output([
            "secret", "ls", "--filter", "label=berth.stack=\(stack)", "--format", "{{.Name}}",
        ])
        .split(whereSeparator: \.isNewline).map(String.init).sorted()
    }

    @Test("deploys 2 replicas behind health checks; a second up changes nothing")
    func deployAndRepeat() async throws {
        try RealEngine.require()
        let tmp = try TemporaryDirectory("berth-swarm")
        defer { tmp.remove() }
        let name = RealEngine.uniqueName("sw-deploy")
        let deployer = Self.deployer(root: tmp.url, label: name)
        try await Self.withStack(name, deployer) {
            let prepared = try deployer.prepare(Self.stack(name), for: Self.swarmDev)
            let first = try await deployer.up(prepared, timeout: .seconds(120))
            #expect(first.services.map(\.action) == [.create, .create, .create])
            let services = try await DockerEngine().swarmServices(stack: name, environment: "dev")
            #expect(
                services.map { "\($0.service) \($0.running)/\($0.desired)" } == ["agent 1/1", "web 2/2", "worker 1/1"])
            // Service DNS with dnsrr, from a task of the stack to the web replicas.
            let worker = try await DockerEngine().output([
                "ps", "--quiet", "--filter", "label=com.docker.swarm.service.name=\(name)-dev_worker",
            ])
            let id = try #require(worker.split(whereSeparator: \.isNewline).first.map(String.init))
            let page = try await DockerEngine().output([
                "exec", id, "sh", "-c", "timeout 5 wget -q -O- http://web:8080/index.html",
            ])
            #expect(page == "swarm \(name)\n")
            let again = try await deployer.plan(prepared)
            #expect(!again.hasChanges, "\(again.summary)")
            #expect(try await Self.secrets(of: name).count == 1)
        }
    }

    @Test("an environment change rolls out; a failing health check rolls back and fails the deploy")
    func updateAndRollback() async throws {
        try RealEngine.require()
        let tmp = try TemporaryDirectory("berth-swarm")
        defer { tmp.remove() }
        let name = RealEngine.uniqueName("sw-update")
        let deployer = Self.deployer(root: tmp.url, label: name)
        try await Self.withStack(name, deployer) {
            try await deployer.up(
                deployer.prepare(Self.stack(name, withWorker: false), for: Self.swarmDev),
                timeout: .seconds(120))

            let changed = try deployer.prepare(
                Self.stack(name, mode: "b", withWorker: false), for: Self.swarmDev)
            let plan = try await deployer.plan(changed)
            #expect(
                plan.services == [Plan.ServiceChange(service: "web", action: .update, changedFields: ["environment"])])
            try await deployer.up(changed, timeout: .seconds(120))
            #expect(try await !deployer.plan(changed).hasChanges)

            let broken = try deployer.prepare(
                Self.stack(name, healthPath: "/missing.html", mode: "c", withWorker: false, maxFailureRatio: 0),
                for: Self.swarmDev)
            let error = try await #require(throws: DeployFailure.self) {
                try await deployer.up(broken, timeout: .seconds(150))
            }
            #expect(error.service == "web")
            #expect(error.reason.contains("rollback"), "\(error)")
            #expect(error.stillServing == ["web (previous version, 2/2)"], "\(error)")
            // The rollback restored the previous version, which still serves.
            let web = try #require(try await DockerEngine().swarmServices(stack: name, environment: "dev").first)
            #expect(web.running == 2)
            #expect(try await deployer.plan(changed).hasChanges == false)
        }
    }

    /// The worker's program (PID 1 of its task) has `AUTHORIZATION` composed from the secret
    /// its task mounts; `docker inspect` of the task's container does not have the value.
    static func expectComposedToken(of stack: String) async throws {
        let engine = DockerEngine()
        let service = "\(stack)-dev_worker"
        let ids = try await engine.output([
            "ps", "--quiet", "--filter", "label=com.docker.swarm.service.name=\(service)",
        ])
        let container = try #require(ids.split(whereSeparator: \.isNewline).first.map(String.init))
        let token = try await engine.output(["exec", container, "cat", "/run/secrets/token"])
        #expect(token.count == 24)
        let environ = try await engine.output(["exec", container, "sh", "-c", "tr '\\0' '\\n' < /proc/1/environ"])
        #expect(environ.contains("AUTHORIZATION=Bearer \(token)\n"), "\(environ)")
        #expect(try await !engine.output(["inspect", container]).contains(token))
    }

    @Test("rotating a generated secret rolls a new version out and removes the old one; a removed service is pruned")
    func rotateAndPrune() async throws {
        try RealEngine.require()
        let tmp = try TemporaryDirectory("berth-swarm")
        defer { tmp.remove() }
        let name = RealEngine.uniqueName("sw-rotate")
        let deployer = Self.deployer(root: tmp.url, label: name)
        try await Self.withStack(name, deployer) {
            let prepared = try deployer.prepare(Self.stack(name), for: Self.swarmDev)
            try await deployer.up(prepared, timeout: .seconds(120))
            let before = try await Self.secrets(of: name)
            #expect(before.count == 1)
            try await Self.expectComposedToken(of: name)

            // A second machine (another package folder) finds the same version in the Swarm.
            let elsewhere = try TemporaryDirectory("berth-swarm")
            defer { elsewhere.remove() }
            let other = Self.deployer(root: elsewhere.url, label: name)
            #expect(try await !other.plan(other.prepare(Self.stack(name), for: Self.swarmDev)).hasChanges)

            let rotated = try await deployer.up(prepared, timeout: .seconds(120), rotating: ["token"])
            #expect(rotated.services.first { $0.service == "worker" }?.changedFields == ["secrets"])
            let after = try await Self.secrets(of: name)
            #expect(after.count == 1)
            #expect(after != before)
            // The new task composed its variable from the new version.
            try await Self.expectComposedToken(of: name)

            let pruned = try deployer.prepare(Self.stack(name, withWorker: false), for: Self.swarmDev)
            let plan = try await deployer.up(pruned, timeout: .seconds(120))
            #expect(plan.services.contains(Plan.ServiceChange(service: "worker", action: .remove, changedFields: [])))
            let services = try await DockerEngine().swarmServices(stack: name, environment: "dev")
            #expect(services.map(\.service) == ["web"])
        }
        let left = try await RealEngine.labelled(name)
        #expect(left.containers.isEmpty && left.networks.isEmpty)
        #expect(try await Self.secrets(of: name).isEmpty)
    }
}
