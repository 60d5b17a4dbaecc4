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
            Service("web", image: "berth-test/busybox:1")
                .command(["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"])
                .replicas(2)
                .endpointMode(.dnsrr)
                .stopGracePeriod(.seconds(2))
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
            #expect(try await !plan().hasChanges)

            _ = try await engine.output(["service", "scale", "--detach", "\(name)-dev_web=0"])
            let scaled = try await plan()
            let web = try #require(scaled.services.first { $0.service == "web" })
            #expect(web.action == .repair)
            #expect(web.drift.first?.contains("set to 0 replica(s), the description to 2") == true, "\(web.drift)")
            #expect(scaled.services.first { $0.service == "worker" }?.action == .unchanged)

            try await deployer.up(deployer.prepare(Self.stack(name), for: environment), timeout: .seconds(120))
            // Swarm counts a task that is still stopping for a moment; the replicas settle at 2.
            var replicas = (0, 0)
            for _ in 0..<60 {
                let services = try await engine.swarmServices(stack: name, environment: "dev")
                replicas = services.first { $0.service == "web" }.map { ($0.running, $0.desired) } ?? (0, 0)
                if replicas == (2, 2) { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(replicas == (2, 2))
            #expect(try await !plan().hasChanges)

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
