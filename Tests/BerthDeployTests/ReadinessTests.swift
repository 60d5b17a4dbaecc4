import BerthCore
import Testing

@testable import BerthDeploy

@Suite("Readiness")
struct ReadinessTests {
    static let stack = Stack("app") {
        Service("web", image: "berth-test/busybox:1").healthCheck(.http(port: 8080))
        Service("migrate", image: "berth-test/busybox:1").restart(.never)
        Service("worker", image: "berth-test/busybox:1").replicas(2)
    }

    static func readiness(_ containers: [LiveContainer]) -> Readiness {
        Readiness(stack: stack, live: LiveState(containers: containers, networks: [], volumes: []))
    }

    static func web(_ health: String?, state: String = "running") -> LiveContainer {
        liveContainer("web", hash: nil, state: state, health: health)
    }

    static let readyOthers = [
        liveContainer("migrate", hash: nil, state: "exited", exitCode: 0),
        liveContainer("worker", hash: nil, number: 1),
        liveContainer("worker", hash: nil, number: 2),
    ]

    @Test("healthy and running: ready; a one-shot that exited 0: ready")
    func healthy() {
        let readiness = Self.readiness([Self.web("healthy")] + Self.readyOthers)
        #expect(readiness.ready == ["web", "migrate", "worker"])
        #expect(readiness.waiting.isEmpty && readiness.failed.isEmpty)
        #expect(readiness.isComplete)
    }

    @Test("a health check still starting: waiting")
    func starting() {
        let readiness = Self.readiness([Self.web("starting")] + Self.readyOthers)
        #expect(readiness.waiting == ["web"])
        #expect(readiness.failed.isEmpty)
        #expect(!readiness.isComplete)
    }

    @Test("unhealthy: failed")
    func unhealthy() {
        let readiness = Self.readiness([Self.web("unhealthy")] + Self.readyOthers)
        #expect(readiness.failed == ["web"])
        #expect(readiness.ready == ["migrate", "worker"])
        #expect(!readiness.isComplete)
    }

    @Test("exited: a one-shot with a non-zero status fails; a restarting service is waited for")
    func exited() {
        let failedMigration = Self.readiness([
            Self.web("healthy"),
            liveContainer("migrate", hash: nil, state: "exited", exitCode: 2),
            liveContainer("worker", hash: nil, number: 1),
            liveContainer("worker", hash: nil, number: 2),
        ])
        #expect(failedMigration.failed == ["migrate"])

        // `unless-stopped` brings it back: not failed (yet), not ready.
        let crashedWorker = Self.readiness([
            Self.web("healthy"),
            liveContainer("migrate", hash: nil, state: "exited"),
            liveContainer("worker", hash: nil, number: 1, state: "exited", exitCode: 137),
            liveContainer("worker", hash: nil, number: 2),
        ])
        #expect(crashedWorker.waiting == ["worker"])
        #expect(crashedWorker.failed.isEmpty)

        // A service that should keep running and exited 0 is not ready either.
        let exitedWeb = Self.readiness([Self.web(nil, state: "exited")] + Self.readyOthers)
        #expect(exitedWeb.waiting == ["web"])
    }

    @Test("dead containers fail; missing replicas and absent services are waited for")
    func deadAndMissing() {
        let dead = Self.readiness([Self.web("healthy", state: "dead")] + Self.readyOthers)
        #expect(dead.failed == ["web"])

        let missing = Self.readiness([Self.web("healthy"), liveContainer("worker", hash: nil)])
        #expect(missing.ready == ["web"])
        #expect(missing.waiting == ["migrate", "worker"])
    }
}
