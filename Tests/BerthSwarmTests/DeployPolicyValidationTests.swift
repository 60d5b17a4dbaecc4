import BerthCore
import BerthSwarm
import Testing

/// Validation of the Swarm settings: every mistake reported with the line to change.
@Suite("Deploy policy validation")
struct DeployPolicyValidationTests {
    static func diagnostics(_ service: Service) -> [Diagnostic] {
        oneService(service).validate(for: .dev)
    }

    static let image = Image("ghcr.io/acme/api:1.0")

    @Test("dnsrr with a port published through the ingress routing mesh is an error at the port")
    func dnsrrWithIngressPort() {
        let service = Service("dns", image: Self.image)
            .endpointMode(.dnsrr)
            .publish(53, on: 1053, public: true, transport: .udp)
        let found = Self.diagnostics(service)
        #expect(found.map(\.code) == [.invalidDeployPolicy])
        #expect(found.first?.severity == .error)
        #expect(found.first?.fix.contains("mode: .host") == true)
        #expect(found.first?.location == service.ports[0].location)
        // Host mode is how dnsrr services publish.
        let hostMode = Service("dns", image: Self.image)
            .endpointMode(.dnsrr)
            .publish(53, on: 1053, public: true, transport: .udp, mode: .host)
        #expect(Self.diagnostics(hostMode).isEmpty)
    }

    @Test("global mode with replicas is an error; global mode alone is not")
    func globalWithReplicas() {
        let found = Self.diagnostics(Service("agent", image: Self.image).deployMode(.global).replicas(3))
        #expect(found.map(\.code) == [.invalidDeployPolicy])
        #expect(found.first?.fix.contains(".replicas(3)") == true)
        #expect(Self.diagnostics(Service("agent", image: Self.image).deployMode(.global)).isEmpty)
    }

    @Test("a failure ratio outside 0...1 is an error at the policy's line", arguments: [1.5, -0.1, .nan, .infinity])
    func failureRatio(_ ratio: Double) {
        let policy = UpdatePolicy(maxFailureRatio: ratio)
        let found = Self.diagnostics(Service("api", image: Self.image).updatePolicy(policy))
        #expect(found.map(\.code) == [.invalidDeployPolicy])
        #expect(found.first?.location == policy.location)
    }

    @Test("failure ratios 0 and 1 are valid", arguments: [0.0, 1.0])
    func failureRatioBounds(_ ratio: Double) {
        #expect(
            Self.diagnostics(Service("api", image: Self.image).updatePolicy(UpdatePolicy(maxFailureRatio: ratio)))
                .isEmpty)
    }

    @Test("negative parallelism, delay and monitor are errors; parallelism 0 means all at once")
    func negativeNumbers() {
        let found = Self.diagnostics(
            Service("api", image: Self.image)
                .updatePolicy(UpdatePolicy(parallelism: -1))
                .rollbackPolicy(UpdatePolicy(delay: .seconds(-5), failureAction: .pause, monitor: .seconds(-1))))
        #expect(found.map(\.code) == [.invalidCount, .invalidDuration, .invalidDuration])
        #expect(Self.diagnostics(Service("api", image: Self.image).updatePolicy(UpdatePolicy(parallelism: 0))).isEmpty)
    }

    @Test("a rollback policy that rolls back is an error")
    func rollbackOfRollback() {
        let found = Self.diagnostics(
            Service("api", image: Self.image).rollbackPolicy(UpdatePolicy(failureAction: .rollback)))
        #expect(found.map(\.code) == [.invalidDeployPolicy])
        #expect(found.first?.message.contains("nothing to roll back to") == true)
    }

    @Test("replicas per node below 1, or on a global service, is an error")
    func replicasPerNode() {
        #expect(
            Self.diagnostics(Service("api", image: Self.image).maxReplicasPerNode(0)).map(\.code) == [.invalidCount])
        #expect(
            Self.diagnostics(Service("api", image: Self.image).deployMode(.global).maxReplicasPerNode(1)).map(\.code)
                == [.invalidDeployPolicy])
        #expect(Self.diagnostics(Service("api", image: Self.image).maxReplicasPerNode(2)).isEmpty)
    }

    @Test(
        "well-formed placement constraints pass",
        arguments: [
            "node.role == manager", "node.role==worker", "node.labels.zone != eu-1", "engine.labels.disk == ssd",
            "node.hostname == node-1.example.com", "node.platform.os == linux", "node.id != abc123",
            "node.ip == 10.0.0.0/8",
        ])
    func validConstraint(_ expression: String) {
        #expect(Self.diagnostics(Service("api", image: Self.image).constraint(expression)).isEmpty)
    }

    @Test(
        "malformed or never-matching placement constraints are errors at their line",
        arguments: [
            "node.role = manager", "node.rolle == manager", "node.role == boss", "== manager", "node.labels.zone ==",
            "node.labels.zone == a>b", "node.labels. == x", "zone == eu",
        ])
    func invalidConstraint(_ expression: String) {
        let service = Service("api", image: Self.image).constraint(expression)
        let found = Self.diagnostics(service)
        #expect(found.map(\.code) == [.invalidPlacement], "\(found)")
        #expect(found.first?.location == service.deploy.constraints[0].location)
    }

    @Test("spreading over something that is not a node label is an error")
    func spread() {
        #expect(Self.diagnostics(Service("api", image: Self.image).spread(over: "node.labels.zone")).isEmpty)
        #expect(
            Self.diagnostics(Service("api", image: Self.image).spread(over: "zone")).map(\.code) == [.invalidPlacement])
    }

    @Test("start-first on a service that owns a volume is a warning")
    func startFirstWithState() {
        let stack = Stack("probe") {
            Volume("data")
            Service("db", image: "postgres:16.4").volume("data", at: "/data").updatePolicy(
                UpdatePolicy(order: .startFirst))
        }
        let found = stack.validate(for: .dev)
        #expect(found.map(\.code) == [.invalidDeployPolicy])
        #expect(found.first?.severity == .warning)
    }

    @Test("a monitor period shorter than the health check needs to notice a failure is a warning")
    func shortMonitor() {
        let service = Service("api", image: Self.image)
            .healthCheck(HealthCheck(.shell("true"), interval: .seconds(10), retries: 3))
            .updatePolicy(UpdatePolicy(monitor: .seconds(5)))
        let found = Self.diagnostics(service)
        #expect(found.map(\.severity) == [.warning])
        #expect(found.first?.fix.contains("30s") == true)
        #expect(Self.diagnostics(service.updatePolicy(UpdatePolicy(monitor: .seconds(30)))).isEmpty)
    }

    @Test("negative restart delay or window is an error")
    func restartTiming() {
        let found = Self.diagnostics(
            Service("api", image: Self.image).restart(.always, delay: .seconds(-1), window: .seconds(-2)))
        #expect(found.map(\.code) == [.invalidDuration, .invalidDuration])
    }

    @Test("a service label set twice is an error at the second")
    func duplicateServiceLabel() {
        let service = Service("api", image: Self.image).serviceLabel("a", "1").serviceLabel("a", "2")
        let found = Self.diagnostics(service)
        #expect(found.map(\.code) == [.duplicateName])
        #expect(found.first?.location == service.deploy.labels[1].location)
    }

    @Test("replicas on a host-mode port need as many nodes: a warning; global mode is fine")
    func hostModeReplicas() {
        let replicated = Service("api", image: Self.image).publish(80, public: true, mode: .host).replicas(2)
        #expect(Self.diagnostics(replicated).map(\.severity) == [.warning])
        let global = Service("api", image: Self.image).publish(80, public: true, mode: .host).deployMode(.global)
        #expect(Self.diagnostics(global).isEmpty)
    }

    @Test("the model's defaults: nothing set, ingress ports, attachable networks")
    func defaults() {
        let service = Service("api", image: Self.image).publish(80)
        #expect(service.deploy == DeployPolicy())
        #expect(service.ports[0].mode == .ingress)
        #expect(Network("backend").isAttachable)
        #expect(!Network("backend", attachable: false).isAttachable)
    }

    @Test("modifiers record the line they were written on")
    func locations() {
        let line = #line + 2
        let service = Service("api", image: Self.image)
            .constraint("node.role == manager")
            .spread(over: "node.labels.zone")
            .serviceLabel("a", "b")
        #expect(service.deploy.constraints[0].location.line == line)
        #expect(service.deploy.preferences[0].location.line == line + 1)
        #expect(service.deploy.labels[0].location.line == line + 2)
        #expect(service.deploy.labels[0].location.fileID.hasSuffix("DeployPolicyValidationTests.swift"))
        let policy = UpdatePolicy()
        #expect(policy.location.line == #line - 1)
    }
}
