import Testing

@testable import BerthDeploy

/// When the services a Swarm release task needs run this deploy's version. `stack deploy
/// --detach` returns before Swarm starts an update, so the previous version, all replicas
/// running and its last update completed, must not pass for the new one.
@Suite("Swarm release tasks: when their dependencies run the new version")
struct SwarmReleaseReadinessTests {
    static func db(running: Int = 2, desired: Int = 2, update: String?, startedAt: String?) -> LiveSwarmService {
        LiveSwarmService(
            name: "shop-prod_db", service: "db", configHash: nil, fieldHashes: [:], updateState: update,
            updateMessage: nil, updateStartedAt: startedAt, running: running, desired: desired)
    }

    @Test("an updated dependency: ready only once an update started after the deploy has completed")
    func updated() {
        let waiting: [String: SwarmReleaseTasks.Prerequisite] = ["db": .updated(since: "2026-12-05T04:00:00Z")]
        // Before Swarm starts the update: the previous version, ready in every other respect.
        #expect(
            !SwarmReleaseTasks.ready(
                [Self.db(update: "completed", startedAt: "2026-12-05T04:00:00Z")], waitingFor: waiting))
        #expect(
            !SwarmReleaseTasks.ready(
                [Self.db(update: "updating", startedAt: "2026-12-05T05:00:00Z")], waitingFor: waiting))
        #expect(
            !SwarmReleaseTasks.ready(
                [Self.db(running: 1, update: "completed", startedAt: "2026-12-05T05:00:00Z")], waitingFor: waiting))
        #expect(
            SwarmReleaseTasks.ready(
                [Self.db(update: "completed", startedAt: "2026-12-05T05:00:00Z")], waitingFor: waiting))
        // A service never updated before.
        let first: [String: SwarmReleaseTasks.Prerequisite] = ["db": .updated(since: nil)]
        #expect(!SwarmReleaseTasks.ready([Self.db(update: nil, startedAt: nil)], waitingFor: first))
        #expect(
            SwarmReleaseTasks.ready(
                [Self.db(update: "completed", startedAt: "2026-12-05T05:00:00Z")], waitingFor: first))
    }

    @Test("a created dependency: ready once it runs its replicas")
    func created() {
        let waiting: [String: SwarmReleaseTasks.Prerequisite] = ["db": .created]
        #expect(!SwarmReleaseTasks.ready([], waitingFor: waiting))
        #expect(!SwarmReleaseTasks.ready([Self.db(running: 0, update: nil, startedAt: nil)], waitingFor: waiting))
        #expect(
            !SwarmReleaseTasks.ready(
                [Self.db(running: 0, desired: 0, update: nil, startedAt: nil)], waitingFor: waiting))
        #expect(SwarmReleaseTasks.ready([Self.db(update: nil, startedAt: nil)], waitingFor: waiting))
    }
}
