import BerthTesting
import HelloTopology
import Testing

@Suite struct HelloTopologyTests {
    @Test(arguments: ["dev", "prod"])
    func isValid(environment: String) throws {
        let environment = try #require(hello.environment(named: environment))
        let topology = Topology(hello.describe(environment), environment: environment)
        #expect(topology.validationErrors == [])
    }

    @Test func onlyWebIsPublishedAndOnlyOnLoopback() {
        let topology = Topology(hello.describe(.prod), environment: .prod)
        #expect(topology.publishedServices == ["web"])
        #expect(topology.publicPorts.isEmpty)
    }

    @Test func workerReachesWebButNotTheOutsideWorld() {
        let topology = Topology(hello.describe(.dev), environment: .dev)
        #expect(topology.canReach(from: "worker", to: "web"))
        #expect(!topology.hasOutboundAccess("worker"))
        #expect(topology.startsAfter("worker") == ["web"])
    }

    @Test func onlyTheWorkerSeesItsToken() {
        let topology = Topology(hello.describe(.dev), environment: .dev)
        #expect(topology.readers(of: "worker_token") == ["worker"])
        #expect(topology.secrets(of: "web").isEmpty)
    }

    @Test func everyServiceHasAHealthCheck() {
        #expect(Topology(hello.describe(.dev), environment: .dev).servicesWithoutHealthCheck.isEmpty)
    }
}
