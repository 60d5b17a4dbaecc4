import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// Drift on Swarm that Swarm itself does not repair: a service scaled by hand, and one whose
/// tasks keep failing. `plan` must not say "no changes" while either holds.
@Suite(
    "End to end: drift of Swarm services",
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine in Swarm mode (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(6)))
struct SwarmDriftEndToEndTests {
    static func stack(_ name: String, failing: Bool = false) -> Stack {
        Stack(name) {
            // A shell as PID 1 without a handler ignores SIGTERM: a scale-down takes the whole
            // grace period, and its tasks still run while the next deploy scales back up.
            Service("web", image: "berth-test/busybox:1")
                .command(["sh", "-c", "sleep 3600 & wait"])
                .replicas(2)
                .endpointMode(.dnsrr)
                .stopGracePeriod(.seconds(4))
            Service("worker", image: "berth-test/busybox:1")
                .command([
                    "sh", "-c",
                    failing ? "echo 'cannot reach the queue' >&2; exit 1" : "trap 'exit 0' TERM; sleep 3600 & wait",
                ])
                .endpointMode(.dnsrr)
                .stopGracePeriod(.seconds(2))
        }
    }

    @Test("a service scaled to 0 by hand is drift that plan shows and up repairs; a crash-looping one is drift too")
    func scaledAndCrashing() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let name = RealEngine.uniqueName("sw-drift")
        let tmp = try TemporaryDirectory("berth-swarm-drift")
        defer { tmp.remove() }
        let deployer = SwarmEndToEndTests.deployer(root: tmp.url, label: name)
        let environment = SwarmEndToEndTests.swarmDev
        func plan(failing: Bool = false) async throws -> Plan {
            try await deployer.plan(deployer.prepare(Self.stack(name, failing: failing), for: environment))
        }
        try await SwarmEndToEndTests.withStack(name, deployer) {
            try await deployer.up(deployer.prepare(Self.stack(name), for: environment), timeout: .seconds(120))
            let deployed = try await plan()
            #expect(!deployed.hasChanges, "\(deployed.summary)")

            _ = try await engine.output(["service", "scale", "--detach", "\(name)-dev_web=0"])
            let scaled = try await plan()
            let web = try #require(scaled.services.first { $0.service == "web" })
            #expect(web.action == .repair)
            #expect(web.drift.first?.contains("set to 0 replica(s), the description to 2") == true, "\(web.drift)")
            #expect(scaled.services.first { $0.service == "worker" }?.action == .unchanged)

            try await deployer.up(deployer.prepare(Self.stack(name), for: environment), timeout: .seconds(120))
            // The repair waited for the new tasks, not for the old ones still stopping, which
            // `docker service ls` counts as running for the whole grace period.
            let tasks = try await engine.output([
                "service", "ps", "--filter", "desired-state=running", "--format", "{{.CurrentState}}",
                "\(name)-dev_web",
            ])
            let running = tasks.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("Running") }
            #expect(running.count == 2, "web's tasks right after the repair: \(tasks)")
            let repaired = try await plan()
            #expect(!repaired.hasChanges, "\(repaired.summary)")

            // A worker that exits at once: Swarm restarts it for ever, and it never runs.
            do {
                try await deployer.up(
                    deployer.prepare(Self.stack(name, failing: true), for: environment), timeout: .seconds(20))
                Issue.record("a worker that exits at once was deployed")
            } catch let failed as DeployFailure {
                #expect(failed.service == "worker", "\(failed)")
            }
            let crashing = try await plan(failing: true)
            let worker = try #require(crashing.services.first { $0.service == "worker" })
            #expect(
                worker.action == .repair || worker.action == .update,
                "a crash-looping worker is not 'unchanged': \(crashing.summary)")
            #expect(crashing.hasChanges)
        }
    }
}
