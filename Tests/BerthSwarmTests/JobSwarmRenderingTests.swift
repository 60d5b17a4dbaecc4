import BerthCore
import BerthSwarm
import Testing

@Suite("Jobs rendered for Swarm")
struct JobSwarmRenderingTests {
    static let cleanup = Service("cleanup", image: "acme/api:1")
        .entrypoint([])
        .command(["bin/cleanup"])
        .schedule("@daily")

    @Test("on Swarm the same process, one replica, updated stop-first")
    func swarm() {
        let yaml = SwarmRenderer().render(
            Stack("shop") { Self.cleanup }, for: Environment("prod", orchestrator: .swarm)
        ).yaml
        let scheduler = JobScheduler(of: Self.cleanup)!
        #expect(yaml.contains("order: \"stop-first\""))
        #expect(yaml.contains("berth_due()"))
        #expect(scheduler.program == ["bin/cleanup"])
    }
}
