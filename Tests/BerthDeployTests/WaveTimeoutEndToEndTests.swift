import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// `--timeout` is each wave's: a chain of services that each take a while to become healthy
/// deploys with a timeout shorter than the whole chain, as long as every link is in time.
@Suite(
    "End to end: the timeout of each wave of a rollout",
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(6)))
struct WaveTimeoutEndToEndTests {
    /// Three services in a dependency chain, each healthy 20 s after it starts.
    static func stack(_ name: String) -> Stack {
        func slow(_ service: String) -> Service {
            Service(service, image: "berth-test/busybox:1")
                .command(["sh", "-c", "trap 'exit 0' TERM; sleep 20; touch /tmp/ready; sleep 3600 & wait"])
                .healthCheck(
                    HealthCheck(
                        .shell("test -f /tmp/ready"), interval: .seconds(1), timeout: .seconds(10),
                        startPeriod: .seconds(60))
                )
                .stopGracePeriod(.seconds(2))
        }
        return Stack(name) {
            slow("first")
            slow("second").dependsOn("first", condition: .healthy)
            slow("third").dependsOn("second", condition: .healthy)
        }
    }

    @Test("three waves of 20 s each deploy with a 45 s timeout; a wave slower than it still fails")
    func eachWaveHasTheTimeout() async throws {
        try RealEngine.require()
        let name = RealEngine.uniqueName("waves")
        let tmp = try TemporaryDirectory("berth-waves")
        defer { tmp.remove() }
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        var failure: (any Error)?
        do {
            let started = ContinuousClock().now
            try await deployer.up(deployer.prepare(Self.stack(name), for: .dev), timeout: .seconds(45))
            // The whole chain took longer than the timeout: it was never the rollout's.
            #expect(ContinuousClock().now - started > .seconds(45))

            // A wave that needs longer than the timeout fails, naming the service.
            var slower = Self.stack(name)
            slower.services = slower.services.map { $0.environment("VERSION", "2") }
            do {
                try await deployer.up(deployer.prepare(slower, for: .dev), timeout: .seconds(5))
                Issue.record("a wave that needs 20 s was ready within 5 s")
            } catch let failed as DeployFailure {
                #expect(failed.service == "first")
                #expect(failed.reason.contains("not ready before the timeout"), "\(failed.reason)")
            }
        } catch {
            failure = error
        }
        try? await deployer.down(stack: name, environment: "dev", removeVolumes: true)
        if let failure { throw failure }
    }
}
