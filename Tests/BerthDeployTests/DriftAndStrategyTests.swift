import BerthCompose
import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

@Suite("Drift, update strategies and pre-apply checks")
struct DriftAndStrategyTests {
    static let stack = PlanTests.shop()

    static func live(_ changes: (inout [LiveContainer]) -> Void) -> LiveState {
        var state = PlanTests.deployed(stack)
        changes(&state.containers)
        return state
    }

    @Test("every way a container drifts shows in the plan as a repair, and makes it a change")
    func drift() throws {
        let cases: [(String, (inout LiveContainer) -> Void, String)] = [
            (
                "exited",
                {
                    $0.state = "exited"
                    $0.exitCode = 1
                }, "exited with code 1"
            ),
            ("created", { $0.state = "created" }, "created"),
            (
                "restarting",
                {
                    $0.state = "restarting"
                    $0.restartCount = 1
                    $0.exitCode = 2
                }, "restarting"
            ),
            (
                "crash loop",
                {
                    $0.state = "restarting"
                    $0.restartCount = 5
                    $0.exitCode = 2
                }, "restarted 5 times"
            ),
            ("unhealthy", { $0.health = "unhealthy" }, "health check fails"),
            (
                "out of memory",
                {
                    $0.state = "exited"
                    $0.oomKilled = true
                    $0.exitCode = 137
                }, "out of memory"
            ),
        ]
        for (name, change, words) in cases {
            let live = Self.live { containers in
                let index = containers.firstIndex { $0.service == "worker" }!
                change(&containers[index])
            }
            let plan = PlanTests.plan(Self.stack, live: live)
            let worker = try #require(PlanTests.change(plan, "worker"))
            #expect(worker.action == .repair, "\(name)")
            #expect(worker.drift.contains { $0.contains(words) }, "\(name): \(worker.drift)")
            #expect(plan.hasChanges, "\(name)")
            #expect(plan.summary.contains("! worker: repair"), "\(name)")
            #expect(PlanTests.change(plan, "web")?.action == .unchanged)
        }
    }

    @Test("a missing replica and a leftover under Compose's temporary name are drift")
    func missingAndLeftover() throws {
        let missing = PlanTests.plan(
            PlanTests.shop(workerReplicas: 2),
            live: PlanTests.deployed(PlanTests.shop(workerReplicas: 2), replicas: ["worker": 1]))
        #expect(PlanTests.change(missing, "worker")?.action == .update)

        let leftover = Self.live { containers in
            var copy = containers.first { $0.service == "web" }!
            copy.id = "leftover"
            copy.name = "f165c8a1eecf_shop-dev-web-1"
            copy.state = "exited"
            containers.append(copy)
        }
        let plan = PlanTests.plan(Self.stack, live: leftover)
        let web = try #require(PlanTests.change(plan, "web"))
        #expect(web.action == .repair)
        #expect(web.drift == ["f165c8a1eecf_shop-dev-web-1 was left by an interrupted update"])
        #expect(!leftover.containers.filter { $0.name == "shop-dev-web-1" }[0].isLeftover)
    }

    @Test("an old container the engine marks unhealthy while it stops is not the new one failing")
    func oldUnhealthyIsNotNew() throws {
        let changed = PlanTests.shop(mode: "careful")
        let document = PlanTests.document(changed)
        var live = PlanTests.deployed(Self.stack)
        let index = live.containers.firstIndex { $0.service == "worker" }!
        live.containers[index].health = "unhealthy"  // the old configuration, stopping
        var new = liveContainer("worker", hash: document.serviceHashes["worker"], number: 2)
        new.health = nil
        live.containers.append(new)
        let readiness = Readiness(stack: changed, live: live, desired: document.serviceHashes)
        #expect(readiness.failed.isEmpty)
        #expect(readiness.ready.contains("worker"))
    }

    @Test("start-first unless the service cannot run twice, with the reason the plan prints")
    func strategies() {
        let web = Service("web", image: "berth-test/busybox:1").expose(8080)
        #expect(UpdateStrategy.compose(for: web).order == .startFirst)
        #expect(UpdateStrategy.compose(for: web.update(order: .stopFirst)).order == .stopFirst)

        let published = UpdateStrategy.compose(for: web.publish(8080, on: 18080).update(order: .startFirst))
        #expect(published.order == .stopFirst)
        #expect(published.reason.contains("host port 18080"))

        let database = UpdateStrategy.compose(for: web.volume("data", at: "/var/lib/data"))
        #expect(database.order == .stopFirst)
        #expect(database.reason.contains("volume 'data'"))
        #expect(
            UpdateStrategy.compose(for: web.volume("data", at: "/srv", readOnly: true)).order == .startFirst)

        var anonymous = liveContainer("web", hash: nil)
        anonymous.anonymousVolumes = [String(repeating: "a", count: 64)]
        let carried = UpdateStrategy.compose(for: web, live: [anonymous])
        #expect(carried.order == .stopFirst)
        #expect(carried.reason.contains("anonymous volume"))

        let plan = PlanTests.plan(PlanTests.shop(mode: "careful"), live: PlanTests.deployed(Self.stack))
        #expect(plan.summary.contains("stop-first: writes to volume 'data', which one process must own"))
    }

    @Test("the update order renders on Swarm and silences Compose's warning about update policies")
    func orderOnBothOrchestrators() throws {
        // A health check and nothing to own: both orchestrators would update it start-first.
        let service = Service("web", image: "berth-test/busybox:1").expose(8080).healthCheck(.http(port: 8080))
        let stack = Stack("app") { service.update(order: .stopFirst) }
        let compose = ComposeRenderer().render(stack, for: .dev)
        #expect(compose.diagnostics.isEmpty, "\(compose.diagnostics)")
        #expect(!compose.yaml.contains("stop-first"))
        #expect(UpdateStrategy.compose(for: service).order == .startFirst)
        #expect(UpdateStrategy.compose(for: service.update(order: .stopFirst)).order == .stopFirst)
        let swarm = Preflight.diagnostics(of: stack, for: Environment.dev.on(.swarm))
        #expect(!swarm.containsErrors)
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let swarmDeployer = SwarmDeployer(engine: DockerEngine(), workspace: Workspace(root: tmp.url))
        let rendered = try swarmDeployer.prepare(stack, for: Environment.dev.on(.swarm)).document.yaml
        let unchanged = try swarmDeployer.prepare(Stack("app") { service }, for: Environment.dev.on(.swarm))
            .document.yaml
        #expect(rendered.contains("order: \"stop-first\"") || rendered.contains("order: stop-first"), "\(rendered)")
        #expect(!unchanged.contains("stop-first"), "\(unchanged)")
    }

    @Test("docker ps's Ports column: addresses, ranges and protocols")
    func portColumn() {
        let claims = HostPortClaim.parse("127.0.0.1:18080->8080/tcp, :::18080->8080/tcp, 0.0.0.0:53->53/udp")
        #expect(
            claims == [
                HostPortClaim(address: "127.0.0.1", port: 18080, transport: "tcp"),
                HostPortClaim(address: "::", port: 18080, transport: "tcp"),
                HostPortClaim(address: "0.0.0.0", port: 53, transport: "udp"),
            ])
        #expect(HostPortClaim.parse("8080/tcp").isEmpty)  // exposed, not published
        let local = HostPortClaim(address: "127.0.0.1", port: 18080, transport: "tcp")
        #expect(local.collides(with: claims[1]))
        #expect(!local.collides(with: HostPortClaim(address: "127.0.0.2", port: 18080, transport: "tcp")))
        #expect(!local.collides(with: HostPortClaim(address: "127.0.0.1", port: 18080, transport: "udp")))
    }

    @Test("a config whose file does not exist is an error at its line, in validate and before a deploy")
    func missingConfigFile() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let stack = Stack("app") {
            Config("nginx", .file("conf/nginx.conf"))
            Service("web", image: "berth-test/busybox:1").config("nginx", at: "/etc/nginx/nginx.conf")
        }
        let diagnostics = Preflight.fileDiagnostics(of: stack, packageDirectory: tmp.url)
        #expect(diagnostics.map(\.code) == [.missingFile])
        #expect(diagnostics.first?.location?.fileID.hasSuffix("DriftAndStrategyTests.swift") == true)
        #expect(diagnostics.first?.description.contains("conf/nginx.conf") == true)
        let deployer = ComposeDeployer(engine: DockerEngine(), workspace: Workspace(root: tmp.url))
        #expect(throws: ValidationFailure.self) { try deployer.prepare(stack, for: .dev) }

        try FileManager.default.createDirectory(
            at: tmp.url.appendingPathComponent("conf"), withIntermediateDirectories: true)
        try Data("events {}\n".utf8).write(to: tmp.url.appendingPathComponent("conf/nginx.conf"))
        #expect(Preflight.fileDiagnostics(of: stack, packageDirectory: tmp.url).isEmpty)
        #expect(throws: Never.self) { try deployer.prepare(stack, for: .dev) }
    }

    @Test("the orchestrator is chosen once, from the environment")
    func factory() {
        let workspace = Workspace(root: FileManager.default.temporaryDirectory)
        #expect(Orchestrators.make(for: .dev, engine: DockerEngine(), workspace: workspace) is ComposeDeployer)
        #expect(
            Orchestrators.make(for: Environment.prod.on(.swarm), engine: DockerEngine(), workspace: workspace)
                is SwarmDeployer)
    }

    @Test("hostile input is refused before any docker command: a NUL byte, a name too long for DNS, a dot name")
    func hostileInputNeverReachesTheEngine() throws {
        final class Recorder: CommandRunner, @unchecked Sendable {
            let calls = Locked<[[String]]>([])
            func run(_ arguments: [String], input: [UInt8]?) async throws -> CommandResult {
                calls.mutate { $0.append(arguments) }
                return CommandResult(exitCode: 1, standardOutput: "", standardError: "not a real engine")
            }
            func runAttached(_ arguments: [String]) async throws -> Int32 {
                calls.mutate { $0.append(arguments) }
                return 1
            }
        }
        let recorder = Recorder()
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let deployer = ComposeDeployer(engine: DockerEngine(runner: recorder), workspace: Workspace(root: tmp.url))
        let stacks = [
            Stack("app") { Service("web", image: "berth-test/busybox:1").environment("MODE", "a\u{0}b") },
            Stack("app") { Service(String(repeating: "w", count: 64), image: "berth-test/busybox:1") },
            Stack("app") {
                Secret.generated(".version-key")
                Service("web", image: "berth-test/busybox:1").secret(".version-key")
            },
        ]
        for stack in stacks {
            let failure = try #require(throws: ValidationFailure.self) { try deployer.prepare(stack, for: .dev) }
            #expect(
                failure.diagnostics.contains { $0.location?.fileID.hasSuffix("DriftAndStrategyTests.swift") == true })
        }
        #expect(recorder.calls.value.isEmpty)
    }
}
