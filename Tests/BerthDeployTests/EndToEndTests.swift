import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// `ComposeDeployer` in-process against the real engine: unique stack names, loopback ports in
/// 18100-18199, and `down` with volumes after every test, also after a failure.
@Suite(
    "End to end: ComposeDeployer on a real engine",
    .serialized,
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(5)))
struct EndToEndTests {
    /// A web server behind a health check and a worker that starts once it is healthy.
    ///
    /// Every process traps SIGTERM: as PID 1 without a handler it would ignore the signal, and
    /// each stop would take Docker's 10 s grace period.
    static func webAndWorker(_ name: String, port: Int, page: String, mode: String = "a") -> Stack {
        Stack(name) {
            Network("front")
            Volume("state")
            Secret.generated("token", length: 24)
            Config("page", .content(page + "\n"))
            Service("web", image: "berth-test/busybox:1")
                .command(["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"])
                .config("page", at: "/www/index.html")
                .publish(8080, on: port)
                .networks("front")
                .healthCheck(
                    .http(port: 8080, path: "/index.html", interval: .seconds(1), timeout: .seconds(10)))
            Service("worker", image: "berth-test/busybox:1")
                .command(["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"])
                .environment("MODE", mode)
                .secret("token", pathVariable: "TOKEN_FILE")
                .networks("front")
                .volume("state", at: "/state")
                .dependsOn("web", condition: .healthy)
        }
    }

    /// Runs a test body, then removes the stack with its volumes whatever happened.
    static func withStack(
        _ name: String,
        _ deployer: ComposeDeployer,
        _ body: () async throws -> Void
    ) async throws {
        var failure: (any Error)?
        do {
            try await body()
        } catch {
            failure = error
        }
        do {
            try await deployer.down(stack: name, environment: "dev", removeVolumes: true)
        } catch {
            if failure == nil {
                failure = error
            } else {
                Issue.record("cleanup of \(name) failed too: \(error)")
            }
        }
        if let failure { throw failure }
    }

    @Test("deploys a two-service stack, serves on loopback, and a second up changes nothing")
    func deployTwice() async throws {
        try RealEngine.require()
        let tmp = try TemporaryDirectory("berth-e2e")
        defer { tmp.remove() }
        let name = RealEngine.uniqueName("e2e-twice")
        let marker = "page-\(UUID().uuidString)"
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        let prepared = try deployer.prepare(Self.webAndWorker(name, port: 18101, page: marker), for: .dev)

        try await Self.withStack(name, deployer) {
            let first = try await deployer.up(prepared, timeout: .seconds(90))
            #expect(first.services.map(\.action) == [.create, .create])
            let page = await RealEngine.get("http://127.0.0.1:18101/index.html")
            #expect(page?.contains(marker) == true, "web did not serve its page on 127.0.0.1:18101")

            let ids = try await RealEngine.containerIDs(deployer.engine, stack: name)
            #expect(ids.keys.sorted() == ["web", "worker"])
            #expect(ids.values.allSatisfy { $0.count == 1 })

            let second = try await deployer.up(prepared, timeout: .seconds(60))
            #expect(!second.hasChanges, "second plan:\n\(second.summary)")
            #expect(second.services.allSatisfy { $0.action == .unchanged })
            #expect(try await RealEngine.containerIDs(deployer.engine, stack: name) == ids)
        }
    }

    @Test("one changed environment value recreates that service only")
    func changeOneValue() async throws {
        try RealEngine.require()
        let tmp = try TemporaryDirectory("berth-e2e")
        defer { tmp.remove() }
        let name = RealEngine.uniqueName("e2e-change")
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        let original = try deployer.prepare(
            Self.webAndWorker(name, port: 18102, page: "v1", mode: "a"), for: .dev)
        let changed = try deployer.prepare(
            Self.webAndWorker(name, port: 18102, page: "v1", mode: "b"), for: .dev)

        try await Self.withStack(name, deployer) {
            try await deployer.up(original, timeout: .seconds(90))
            let before = try await RealEngine.containerIDs(deployer.engine, stack: name)

            let plan = try await deployer.plan(changed)
            let worker = try #require(plan.services.first { $0.service == "worker" })
            #expect(worker.action == .update)
            #expect(worker.changedFields == ["environment"])
            #expect(plan.services.first { $0.service == "web" }?.action == .unchanged)
            #expect(plan.networks.isEmpty && plan.volumes.isEmpty)

            let applied = try await deployer.up(changed, timeout: .seconds(90))
            #expect(applied == plan)
            let after = try await RealEngine.containerIDs(deployer.engine, stack: name)
            #expect(after["web"] == before["web"])
            #expect(after["worker"] != before["worker"])
            #expect(after["worker"]?.count == 1)
            #expect(try await !deployer.plan(changed).hasChanges)
        }
    }

    @Test("a failing health check fails the deploy with the service and its health output")
    func brokenHealthCheck() async throws {
        try RealEngine.require()
        let tmp = try TemporaryDirectory("berth-e2e")
        defer { tmp.remove() }
        let name = RealEngine.uniqueName("e2e-broken")
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        let stack = Stack(name) {
            Service("db", image: "berth-test/busybox:1")
                .command(["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"])
                .healthCheck(
                    HealthCheck(
                        .shell("echo db-not-ready-marker; exit 1"), interval: .seconds(1),
                        // Generous: under a loaded engine starting the exec alone can take
                        // more than a second, and a timed-out check has no output to show.
                        timeout: .seconds(10),
                        retries: 2))
            Service("app", image: "berth-test/busybox:1")
                .command(["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"])
                .dependsOn("db", condition: .healthy)
        }
        let prepared = try deployer.prepare(stack, for: .dev)

        try await Self.withStack(name, deployer) {
            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: DeployFailure.self) {
                try await deployer.up(prepared, timeout: .seconds(60))
            }
            let elapsed = clock.now - start
            #expect(elapsed < .seconds(60), "took \(elapsed)")
            let failure = try #require(error)
            #expect(failure.service == "db")
            #expect(failure.healthOutput?.contains("db-not-ready-marker") == true)
            #expect(failure.description.contains("db-not-ready-marker"), "\(failure.description)")
            #expect(failure.description.contains("service 'db' failed"))
        }
        let left = try await RealEngine.labelled(name)
        #expect(left.containers.isEmpty && left.networks.isEmpty && left.volumes.isEmpty)
    }

    @Test("a host port another stack holds is refused before anything changes, naming the holder")
    func hostPortTaken() async throws {
        try RealEngine.require()
        let tmp = try TemporaryDirectory("berth-e2e")
        defer { tmp.remove() }
        let first = RealEngine.uniqueName("e2e-porta")
        let second = RealEngine.uniqueName("e2e-portb")
        func stack(_ name: String) -> Stack {
            Stack(name) {
                Service("web", image: "berth-test/busybox:1")
                    .command(["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 8080 & wait"])
                    .publish(8080, on: 18105)
            }
        }
        let deployer = RealEngine.deployer(root: tmp.url, label: "e2e-port")
        try await Self.withStack(first, deployer) {
            try await deployer.up(try deployer.prepare(stack(first), for: .dev), timeout: .seconds(60))
            try await Self.withStack(second, deployer) {
                await #expect(throws: EngineError.self, "plan refuses it too") {
                    try await deployer.plan(try deployer.prepare(stack(second), for: .dev))
                }
                let error = await #expect(throws: EngineError.self) {
                    try await deployer.up(
                        try deployer.prepare(stack(second), for: .dev), timeout: .seconds(60))
                }
                let message = error?.message ?? ""
                #expect(message.contains("18105"), "\(message)")
                #expect(message.contains("stack \(first) (dev), service web"), "\(message)")
                #expect(message.contains("EndToEndTests.swift:"), "the error points at the .publish line: \(message)")
                #expect(message.contains("nothing was changed"))
                let live = try await DockerEngine().liveState(stack: second, environment: "dev")
                #expect(live.isEmpty, "nothing of \(second) was created")
            }
        }
    }

    @Test("a service scaled to zero deploys, and the next plan has nothing to change")
    func scaledToZero() async throws {
        try RealEngine.require()
        let tmp = try TemporaryDirectory("berth-e2e")
        defer { tmp.remove() }
        let name = RealEngine.uniqueName("e2e-zero")
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        let stack = Stack(name) {
            Service("app", image: "berth-test/busybox:1")
                .command(["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"])
            Service("standby", image: "berth-test/busybox:1")
                .command(["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"])
                .replicas(0)
        }
        let prepared = try deployer.prepare(stack, for: .dev)
        try await Self.withStack(name, deployer) {
            try await deployer.up(prepared, timeout: .seconds(60))
            #expect(try await RealEngine.containerIDs(deployer.engine, stack: name).keys.sorted() == ["app"])
            let plan = try await deployer.plan(prepared)
            #expect(!plan.hasChanges, "\(plan.summary)")
        }
    }

    @Test("a network dropped from the description is removed by the next up")
    func droppedNetwork() async throws {
        try RealEngine.require()
        let tmp = try TemporaryDirectory("berth-e2e")
        defer { tmp.remove() }
        let name = RealEngine.uniqueName("e2e-net")
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        func stack(withLegacy: Bool) -> Stack {
            Stack(name) {
                Network("front")
                if withLegacy { Network("legacy") }
                // Compose creates only the networks some service uses.
                Service("app", image: "berth-test/busybox:1")
                    .command(["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"])
                    .networks("front")
                if withLegacy {
                    Service("old", image: "berth-test/busybox:1")
                        .command(["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"])
                        .networks("legacy")
                }
            }
        }
        let before = try deployer.prepare(stack(withLegacy: true), for: .dev)
        let after = try deployer.prepare(stack(withLegacy: false), for: .dev)
        try await Self.withStack(name, deployer) {
            try await deployer.up(before, timeout: .seconds(60))
            #expect(try await RealEngine.labelled(name).networks.count == 2)

            let plan = try await deployer.plan(after)
            #expect(plan.networks == [.init(name: "\(name)-dev_legacy", action: .remove)])
            #expect(plan.services.first { $0.service == "old" }?.action == .remove)
            try await deployer.up(after, timeout: .seconds(60))
            let networks = try await deployer.engine.liveState(stack: name, environment: "dev").networks
            #expect(networks == ["\(name)-dev_front"])
            #expect(try await !deployer.plan(after).hasChanges)
        }
    }

    @Test("a rotated environment secret reaches the running service")
    func rotatedSecret() async throws {
        try RealEngine.require()
        let tmp = try TemporaryDirectory("berth-e2e")
        defer { tmp.remove() }
        let name = RealEngine.uniqueName("e2e-rotate")
        let stack = Stack(name) {
            Secret("api_key", .environment("E2E_ROTATED_KEY"))
            Service("app", image: "berth-test/busybox:1")
                .command(["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"])
                .secret("api_key")
        }
        func deployer(_ value: String) -> ComposeDeployer {
            var deployer = RealEngine.deployer(root: tmp.url, label: name)
            deployer.processEnvironment = ["E2E_ROTATED_KEY": value]
            return deployer
        }
        func served() async throws -> String {
            let id = try #require(
                try await RealEngine.containerIDs(DockerEngine(), stack: name)["app"]?.first)
            let result = try await ProcessRunner().run(
                ["docker", "exec", id, "cat", "/run/secrets/api_key"], input: nil)
            return result.standardOutput
        }
        let prepared = try deployer("first-value").prepare(stack, for: .dev)
        try await Self.withStack(name, deployer("first-value")) {
            try await deployer("first-value").up(prepared, timeout: .seconds(60))
            #expect(try await served() == "first-value")

            let rotated = deployer("second-value")
            let plan = try await rotated.plan(prepared)
            #expect(plan.services.map(\.action) == [.update])
            #expect(plan.services.map(\.changedFields) == [["secrets"]])
            try await rotated.up(prepared, timeout: .seconds(60))
            let file = Workspace(root: tmp.url).secretsDirectory(stack: name, environment: "dev")
                .appendingPathComponent("api_key")
            #expect(try String(contentsOf: file, encoding: .utf8) == "second-value")
            // The service was recreated and reads the new value.
            #expect(try await served() == "second-value")
            #expect(try await rotated.plan(prepared).hasChanges == false)
        }
    }

    @Test("a service running as a non-root user reads its secret")
    func nonRootUserReadsSecret() async throws {
        try RealEngine.require()
        let tmp = try TemporaryDirectory("berth-e2e")
        defer { tmp.remove() }
        let name = RealEngine.uniqueName("e2e-nonroot")
        let stack = Stack(name) {
            Secret.generated("token")
            Service("app", image: "berth-test/busybox:1")
                .user("65534:65534")
                .command(["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"])
                .secret("token")
                .healthCheck(
                    HealthCheck(.shell("test -s /run/secrets/token && cat /run/secrets/token"), interval: .seconds(1)))
        }
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        let prepared = try deployer.prepare(stack, for: .dev)
        try await Self.withStack(name, deployer) {
            try await deployer.up(prepared, timeout: .seconds(60))
            let secrets = Workspace(root: tmp.url).secretsDirectory(stack: name, environment: "dev")
            let folder = try FileManager.default.attributesOfItem(atPath: secrets.path)
            #expect(folder[.posixPermissions] as? Int == 0o700)
        }
    }

    @Test("down with volumes leaves nothing labelled with the stack")
    func downRemovesEverything() async throws {
        try RealEngine.require()
        let tmp = try TemporaryDirectory("berth-e2e")
        defer { tmp.remove() }
        let name = RealEngine.uniqueName("e2e-down")
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        let prepared = try deployer.prepare(Self.webAndWorker(name, port: 18104, page: "down"), for: .dev)

        try await Self.withStack(name, deployer) {
            try await deployer.up(prepared, timeout: .seconds(90))
            let deployed = try await RealEngine.labelled(name)
            #expect(deployed.containers.count == 2)
            #expect(deployed.networks.count == 1)
            #expect(deployed.volumes.count == 1)

            try await deployer.down(stack: name, environment: "dev", removeVolumes: true)
            let left = try await RealEngine.labelled(name)
            #expect(left.containers.isEmpty, "containers left: \(left.containers)")
            #expect(left.networks.isEmpty, "networks left: \(left.networks)")
            #expect(left.volumes.isEmpty, "volumes left: \(left.volumes)")
            #expect(try await deployer.engine.liveState(stack: name, environment: "dev").isEmpty)
        }
    }
}
