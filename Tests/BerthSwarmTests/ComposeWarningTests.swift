import BerthCompose
import BerthCore
import Testing

/// The other direction: Compose on one machine ignores the Swarm-only settings, and says which.
@Suite("Compose ignores Swarm-only settings, with a warning")
struct ComposeWarningTests {
    static let base = Service("api", image: "ghcr.io/acme/api:1.0")

    @Test(
        "each Swarm-only setting is a lossy-rendering warning naming the field",
        arguments: [
            ("deploy.mode", ComposeWarningTests.base.deployMode(.global)),
            ("deploy.placement", ComposeWarningTests.base.constraint("node.role == manager")),
            ("deploy.placement", ComposeWarningTests.base.spread(over: "node.labels.zone")),
            ("deploy.update_config", ComposeWarningTests.base.updatePolicy(UpdatePolicy(parallelism: 2))),
            ("deploy.rollback_config", ComposeWarningTests.base.rollbackPolicy(UpdatePolicy(failureAction: .pause))),
            ("deploy.endpoint_mode", ComposeWarningTests.base.endpointMode(.dnsrr)),
            ("deploy.labels", ComposeWarningTests.base.serviceLabel("traefik.enable", "true")),
            ("deploy.restart_policy", ComposeWarningTests.base.restart(.always, delay: .seconds(5))),
        ])
    func warning(_ field: String, _ service: Service) {
        let diagnostics = ComposeRenderer().render(Stack("probe") { service }, for: .dev).diagnostics
        #expect(diagnostics.count == 1)
        let warning = diagnostics.first
        #expect(warning?.severity == .warning)
        #expect(warning?.code == .lossyRendering)
        #expect(warning?.element == "service 'api'")
        #expect(warning?.message.contains(field) == true, "\(String(describing: warning))")
        #expect(warning?.location == service.location)
    }

    @Test("several settings make one warning listing them all")
    func oneWarningPerService() {
        let service = Self.base.deployMode(.global).updatePolicy(UpdatePolicy(failureAction: .pause)).endpointMode(.vip)
        let diagnostics = ComposeRenderer().render(Stack("probe") { service }, for: .dev).diagnostics
        #expect(diagnostics.count == 1)
        for field in ["deploy.mode", "deploy.update_config", "deploy.endpoint_mode"] {
            #expect(diagnostics.first?.message.contains(field) == true)
        }
    }

    @Test("an update policy's order alone is honoured on Compose too: no warning")
    func orderAlone() {
        let service = Self.base.updatePolicy(UpdatePolicy(order: .startFirst))
        #expect(ComposeRenderer().render(Stack("probe") { service }, for: .dev).diagnostics.isEmpty)
    }

    @Test("settings left unset render exactly as before, without a warning")
    func unsetSettings() {
        let document = ComposeRenderer().render(
            Stack("probe") { Self.base.replicas(3).expose(80).restart(.always) }, for: .dev)
        #expect(document.diagnostics.isEmpty)
        #expect(!document.yaml.contains("update_config"))
        #expect(!document.yaml.contains("mode"))
    }
}
