import BerthCompose
import BerthCore
import BerthSwarm
import Foundation
import Testing

@testable import BerthDeploy

@Suite("Plan")
struct PlanTests {
    /// A small stack whose worker's mode and replica count vary.
    static func shop(mode: String = "fast", workerReplicas: Int = 1) -> Stack {
        Stack("shop") {
            Network("backend", internal: true)
            Volume("data")
            Service("web", image: "berth-test/busybox:1")
                .command(["httpd", "-f", "-p", "8080"])
                .publish(8080, on: 18150)
                .networks("backend")
                .healthCheck(.http(port: 8080))
            Service("worker", image: "berth-test/busybox:1")
                .command(["sleep", "3600"])
                .environment("MODE", mode)
                .networks("backend")
                .volume("data", at: "/data")
                .replicas(workerReplicas)
        }
    }

    static func document(_ stack: Stack) -> ComposeDocument {
        ComposeRenderer().render(stack, for: .dev)
    }

    /// What the engine holds after deploying a stack: its containers, networks and volumes.
    static func deployed(_ stack: Stack, replicas: [String: Int] = [:]) -> LiveState {
        let document = document(stack)
        var containers: [LiveContainer] = []
        for service in stack.services {
            for number in stride(from: 1, through: replicas[service.name] ?? service.replicas, by: 1) {
                containers.append(
                    liveContainer(service.name, hash: document.serviceHashes[service.name], number: number))
            }
        }
        return LiveState(containers: containers, networks: ["shop-dev_backend"], volumes: ["shop-dev_data"])
    }

    static func plan(_ stack: Stack, live: LiveState) -> Plan {
        Plan(stack: stack, environment: .dev, document: document(stack), live: live)
    }

    static func change(_ plan: Plan, _ service: String) -> Plan.ServiceChange? {
        plan.services.first { $0.service == service }
    }

    @Test("an empty engine: every service, network and volume is created")
    func createsEverything() {
        let plan = Self.plan(Self.shop(), live: LiveState(containers: [], networks: [], volumes: []))
        #expect(plan.stack == "shop")
        #expect(plan.environment == "dev")
        #expect(plan.project == "shop-dev")
        #expect(
            plan.services == [
                .init(service: "web", action: .create, changedFields: []),
                .init(service: "worker", action: .create, changedFields: []),
            ])
        #expect(plan.networks == [.init(name: "shop-dev_backend", action: .create)])
        #expect(plan.volumes == [.init(name: "shop-dev_data", action: .create)])
        #expect(plan.hasChanges)
        #expect(
            plan.summary == """
                Plan for shop (dev), Compose project shop-dev:
                  + web: create
                  + worker: create
                  + network shop-dev_backend: create
                  + volume shop-dev_data: create
                2 to create, 0 to update, 0 to remove, 0 unchanged.
                """)
    }

    @Test("what was deployed from the same description is unchanged")
    func unchanged() {
        let stack = Self.shop()
        let plan = Self.plan(stack, live: Self.deployed(stack))
        #expect(plan.services.map(\.action) == [.unchanged, .unchanged])
        #expect(plan.services.allSatisfy { $0.changedFields.isEmpty })
        #expect(plan.networks.isEmpty)
        #expect(plan.volumes.isEmpty)
        #expect(!plan.hasChanges)
        #expect(
            plan.summary == """
                Plan for shop (dev), Compose project shop-dev:
                    web: unchanged
                    worker: unchanged
                No changes: the engine matches the description.
                """)
    }

    @Test("one changed environment value updates that service only, naming exactly that field")
    func updateNamesTheChangedField() throws {
        let live = Self.deployed(Self.shop(mode: "fast"))
        let plan = Self.plan(Self.shop(mode: "careful"), live: live)
        #expect(Self.change(plan, "web")?.action == .unchanged)
        let worker = try #require(Self.change(plan, "worker"))
        #expect(worker.action == .update)
        #expect(worker.changedFields == ["environment"])
        #expect(plan.networks.isEmpty && plan.volumes.isEmpty)
        #expect(plan.hasChanges)
        #expect(plan.summary.contains("  ~ worker: update (environment)\n"))
        #expect(plan.summary.hasSuffix("0 to create, 1 to update, 0 to remove, 1 unchanged."))
    }

    @Test("a different replica count is an update of `replicas` (and the rendered `deploy`)")
    func replicaCountChange() throws {
        let live = Self.deployed(Self.shop())
        let plan = Self.plan(Self.shop(workerReplicas: 2), live: live)
        let worker = try #require(Self.change(plan, "worker"))
        #expect(worker.action == .update)
        #expect(worker.changedFields == ["deploy", "replicas"])

        // Fewer containers than replicas with an unchanged configuration: only `replicas`.
        let stack = Self.shop(workerReplicas: 2)
        let short = Self.plan(stack, live: Self.deployed(stack, replicas: ["worker": 1]))
        #expect(Self.change(short, "worker")?.changedFields == ["replicas"])
    }

    @Test("a service scaled to zero has no container when it matches, and scaling to zero is an update")
    func scaledToZero() throws {
        // Compose creates no container for `deploy.replicas: 0`, so after `up` the engine holds
        // exactly this: the plan must converge instead of proposing a creation forever.
        let stack = Self.shop(workerReplicas: 0)
        let plan = Self.plan(stack, live: Self.deployed(stack))
        #expect(Self.change(plan, "worker")?.action == .unchanged)
        #expect(!plan.hasChanges, "\(plan.summary)")

        let scaledDown = Self.plan(stack, live: Self.deployed(Self.shop()))
        let worker = try #require(Self.change(scaledDown, "worker"))
        #expect(worker.action == .update)
        #expect(worker.changedFields == ["deploy", "replicas"])
    }

    @Test("services, networks and volumes the description no longer has")
    func orphansAndResources() throws {
        var live = Self.deployed(Self.shop())
        live.containers.append(liveContainer("legacy", hash: nil))
        live.networks.append("shop-dev_old")
        live.volumes.append("shop-dev_old-data")
        let plan = Self.plan(Self.shop(), live: live)
        #expect(Self.change(plan, "legacy") == .init(service: "legacy", action: .remove, changedFields: []))
        #expect(plan.networks == [.init(name: "shop-dev_old", action: .remove)])
        // Volumes are never removed by a deploy, only by `down --volumes`.
        #expect(plan.volumes.isEmpty)
        #expect(plan.hasChanges)
        #expect(plan.summary.contains("  - legacy: remove\n"))
        #expect(plan.summary.contains("  - network shop-dev_old: remove\n"))
        #expect(plan.summary.hasSuffix("0 to create, 0 to update, 1 to remove, 2 unchanged."))
    }

    @Test("a missing network alone is a change")
    func networkOnly() {
        var live = Self.deployed(Self.shop())
        live.networks = []
        let plan = Self.plan(Self.shop(), live: live)
        #expect(plan.services.allSatisfy { $0.action == .unchanged })
        #expect(plan.networks == [.init(name: "shop-dev_backend", action: .create)])
        #expect(plan.hasChanges)
        #expect(plan.summary.contains("  + network shop-dev_backend: create\n"))
    }

    @Test("JSON uses stable, documented keys and round-trips")
    func jsonEncoding() throws {
        let plan = Self.plan(Self.shop(mode: "careful"), live: Self.deployed(Self.shop()))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(plan)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "stack", "environment", "project", "orchestrator", "dnsRoutes", "services", "networks", "volumes",
                "routes", "notes",
            ])
        let services = try #require(object["services"] as? [[String: Any]])
        // `strategy` only where containers are replaced.
        #expect(services.first.map { Set($0.keys) } == ["service", "action", "changedFields", "drift"])
        #expect(services.last.map { Set($0.keys) } == ["service", "action", "changedFields", "drift", "strategy"])
        #expect(services.map { $0["action"] as? String } == ["unchanged", "update"])
        #expect(services.last?["changedFields"] as? [String] == ["environment"])

        let created = Self.plan(Self.shop(), live: LiveState(containers: [], networks: [], volumes: []))
        let resources = try #require(
            try JSONSerialization.jsonObject(with: encoder.encode(created)) as? [String: Any])
        let networks = try #require(resources["networks"] as? [[String: Any]])
        #expect(networks.map { Set($0.keys) } == [["name", "action"]])
        #expect(networks.first?["action"] as? String == "create")

        #expect(try JSONDecoder().decode(Plan.self, from: data) == plan)
    }
}

@Suite("Plan on Swarm: drift")
struct SwarmPlanDriftTests {
    @Test("a task runs when Swarm wants it running and it runs; one Swarm is stopping is counted apart")
    func taskCounts() {
        let listing = """
            shop-prod_web.1\tRunning\tRunning 5 seconds ago
            shop-prod_web.1\tRemove\tRunning 8 seconds ago
            shop-prod_web.2\tRunning\tStarting 1 second ago
            shop-prod_web.3\tRunning\tRunning 2 minutes ago
             \\_ shop-prod_web.3\tShutdown\tFailed 3 minutes ago
            shop-prod_agent.k3x9dq2m1v0a\tRunning\tRunning 1 hour ago
            shop-prod_worker.1\tRunning\tPreparing 2 seconds ago
            shop-prod_worker.1\tShutdown\tRunning 4 seconds ago

            """
        typealias Count = DockerEngine.TaskCount
        #expect(
            DockerEngine.taskCounts(inServicePS: listing) == [
                "shop-prod_web": Count(running: 2, stopping: 1), "shop-prod_agent": Count(running: 1, stopping: 0),
                "shop-prod_worker": Count(running: 0, stopping: 1),
            ])
    }

    @Test(
        "a service scaled away from its replicas, or with tasks that keep failing, is drift to repair; a one-shot that finished is not"
    )
    func drift() {
        let stack = Stack("shop") {
            Service("web", image: "acme/web:1").replicas(2)
            Service("worker", image: "acme/worker:1")
            Service("seed", image: "acme/seed:1").restart(.never)
        }
        let environment = Environment("prod", orchestrator: .swarm)
        let document = SwarmRenderer().render(stack, for: environment)
        func live(_ service: String, running: Int, desired: Int) -> LiveSwarmService {
            LiveSwarmService(
                name: "shop-prod_\(service)", service: service,
                configHash: document.serviceHashes[service]?.configuration, fieldHashes: [:], running: running,
                desired: desired)
        }
        let plan = Plan(
            stack: stack, environment: environment, stackName: document.stackName, hashes: document.serviceHashes,
            live: [
                live("web", running: 0, desired: 0), live("worker", running: 0, desired: 1),
                live("seed", running: 0, desired: 1),
            ])
        let actions = Dictionary(uniqueKeysWithValues: plan.services.map { ($0.service, $0.action) })
        #expect(actions == ["web": .repair, "worker": .repair, "seed": .unchanged])
        #expect(
            plan.services.first { $0.service == "web" }?.drift == [
                "shop-prod_web is set to 0 replica(s), the description to 2 (scaled by hand?)"
            ])
        #expect(plan.services.first { $0.service == "worker" }?.drift == ["0 of 1 replica(s) running"])
        #expect(plan.hasChanges)
    }
}
