import BehindyOps
import Berth
import BerthTesting
import Testing

@Suite("behindy-ops: the shared infrastructure")
struct BehindyOpsTests {
    @Test(arguments: BehindyOps.environments)
    func validatesWithoutErrors(environment: Environment) {
        let topology = Topology(BehindyOps.stack(for: environment), environment: environment)
        #expect(topology.validationErrors == [])
    }

    @Test(arguments: BehindyOps.environments)
    func onlyTheGatewayIsPublic(environment: Environment) {
        let stack = BehindyOps.stack(for: environment)
        let published = stack.services.filter { service in service.ports.contains { $0.published != nil } }
        #expect(published.map(\.name) == [BehindyOps.gateway.service])
    }

    @Test func theSharedNetworkIsCreatedUnderItsFixedName() {
        let stack = BehindyOps.stack(for: .dev)
        let network = stack.networks.first { $0.name == BehindyOps.network.name }
        #expect(network?.fixedName == "behindy_internal")
        #expect(network?.isExternal == false)
        #expect(stack.gateway == BehindyOps.gateway)
    }

    @Test func databasesAreReachedOnTheSharedNetworkOnly() {
        let stack = BehindyOps.stack(for: .prod)
        for shared in [BehindyOps.postgres, BehindyOps.redis] {
            let service = stack.service(named: shared.name)
            #expect(service?.networks == [BehindyOps.network.name])
            #expect(service?.ports.map(\.target) == [shared.port])
            #expect(service?.ports.allSatisfy { $0.published == nil } == true)
        }
    }

    @Test func theDatabasePasswordIsAFileSecretNeverAnEnvironmentValue() {
        let postgres = BehindyOps.stack(for: .prod).service(named: "postgres")
        #expect(postgres?.secrets.map(\.pathVariable) == ["POSTGRES_PASSWORD_FILE"])
        #expect(postgres?.environment.contains { $0.key == "POSTGRES_PASSWORD" } == false)
    }
}
