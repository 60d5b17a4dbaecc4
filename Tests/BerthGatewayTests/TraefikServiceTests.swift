import BerthCore
import BerthGateway
import Testing

@Suite("The Traefik service")
struct TraefikServiceTests {
    typealias Fixtures = TraefikFixtures

    static func traefik(
        acmeEmail: String? = "ops@acme.example",
        dashboardHost: String? = "traefik.acme.example",
        dashboardUsers: BasicAuth? = BasicAuth(users: [TraefikFixtures.adminEntry]),
        for environment: Environment
    ) -> Service {
        Traefik.service(
            gateway: Fixtures.gateway, image: "traefik:v3.3.5", acmeEmail: acmeEmail, dashboardHost: dashboardHost,
            dashboardUsers: dashboardUsers, for: environment)
    }

    static func values(_ labels: [Label]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: labels.map { ($0.key, $0.value) })
    }

    @Test func onComposeItRunsTheDockerProviderOnTheGatewayNetwork() {
        let service = Self.traefik(for: Fixtures.compose)
        #expect(service.name == "traefik")
        #expect(
            service.command == [
                "--entrypoints.web.address=:80",
                "--entrypoints.websecure.address=:443",
                "--providers.docker=true",
                "--providers.docker.exposedbydefault=false",
                "--providers.docker.network=acme_edge",
                "--providers.docker.constraints=Label(`traefik.docker.network`,`acme_edge`)",
                "--ping=true",
                "--api.dashboard=true",
                "--certificatesresolvers.letsencrypt.acme.email=ops@acme.example",
                "--certificatesresolvers.letsencrypt.acme.storage=/letsencrypt/acme.json",
                "--certificatesresolvers.letsencrypt.acme.httpchallenge.entrypoint=web",
            ])
        #expect(service.networks == ["edge"])
        #expect(service.healthCheck?.test == .command(["traefik", "healthcheck", "--ping"]))
        #expect(service.deploy.constraints.isEmpty)
        #expect(service.deploy.labels.isEmpty)
    }

    @Test func onSwarmItRunsTheSwarmProviderOnAManager() {
        let service = Self.traefik(for: Fixtures.swarm)
        let command = service.command ?? []
        #expect(command.contains("--providers.swarm=true"))
        #expect(command.contains("--providers.swarm.exposedbydefault=false"))
        #expect(command.contains("--providers.swarm.network=acme_edge"))
        #expect(command.contains("--providers.swarm.constraints=Label(`traefik.swarm.network`,`acme_edge`)"))
        #expect(!command.contains { $0.hasPrefix("--providers.docker") })
        #expect(service.deploy.constraints.map(\.expression) == ["node.role == manager"])
        #expect(service.ports.allSatisfy { $0.mode == .host })
        #expect(service.labels.isEmpty)
        let labels = Self.values(service.deploy.labels)
        #expect(labels["traefik.http.routers.acme-infra-prod-traefik-dashboard.service"] == "api@internal")
        // Within the gateway's own constraint.
        #expect(labels["traefik.swarm.network"] == "acme_edge")
        // The Swarm provider needs a port even for a service whose only router is internal.
        #expect(labels["traefik.http.services.acme-infra-prod-traefik-dashboard.loadbalancer.server.port"] != nil)
    }

    @Test func itPublishesOnlyEightyAndFourFortyThreeOnEveryAddress() {
        for environment in [Fixtures.compose, Fixtures.swarm] {
            let ports = Self.traefik(for: environment).ports
            #expect(ports.map(\.target) == [80, 443])
            #expect(ports.map(\.published) == [80, 443])
            #expect(ports.allSatisfy { $0.hostIP == "0.0.0.0" })
        }
    }

    @Test func itMountsTheDockerSocketReadOnlyAndTheACMEVolume() {
        let mounts = Self.traefik(for: Fixtures.compose).mounts
        #expect(mounts.count == 2)
        #expect(
            mounts.contains {
                $0.source == .bind("/var/run/docker.sock") && $0.target == "/var/run/docker.sock" && $0.isReadOnly
            })
        #expect(
            mounts.contains { $0.source == .volume("traefik-acme") && $0.target == "/letsencrypt" && !$0.isReadOnly })
    }

    @Test func theDashboardIsRoutedOverHTTPSBehindBasicAuthAndNeverInsecure() {
        let service = Self.traefik(for: Fixtures.compose)
        #expect(!(service.command ?? []).contains { $0.contains("insecure") })
        let labels = Self.values(service.labels)
        let router = "traefik.http.routers.acme-infra-dev-traefik-dashboard"
        #expect(labels["traefik.enable"] == "true")
        #expect(labels["\(router).rule"] == "Host(`traefik.acme.example`)")
        #expect(labels["\(router).entrypoints"] == "websecure")
        #expect(labels["\(router).service"] == "api@internal")
        #expect(labels["\(router).tls"] == "true")
        #expect(labels["\(router).tls.certresolver"] == "letsencrypt")
        #expect(labels["\(router).middlewares"] == "acme-infra-dev-traefik-dashboard-auth")
        #expect(
            labels["traefik.http.middlewares.acme-infra-dev-traefik-dashboard-auth.basicauth.users"]
                == Fixtures.adminEntry)
    }

    @Test func withoutACMEThereIsNoResolverAndNoVolume() throws {
        let service = Self.traefik(acmeEmail: nil, for: Fixtures.compose)
        #expect(!(service.command ?? []).contains { $0.contains("certificatesresolvers") })
        #expect(!service.mounts.contains { $0.source == .volume(Traefik.acmeVolume) })
        let labels = Self.values(service.labels)
        #expect(labels["traefik.http.routers.acme-infra-dev-traefik-dashboard.tls"] == "true")
        #expect(labels["traefik.http.routers.acme-infra-dev-traefik-dashboard.tls.certresolver"] == nil)
        let part = Traefik.stackPart(gateway: Fixtures.gateway, image: "traefik:v3.3.5", for: Fixtures.compose)
        let stack = Stack("acme-infra") {
            Fixtures.gateway
            part
        }
        #expect(stack.volumes.isEmpty)
    }

    @Test func withoutADashboardThereIsNoAPIAndNoLabel() {
        let service = Self.traefik(dashboardHost: nil, for: Fixtures.compose)
        #expect(!(service.command ?? []).contains { $0.hasPrefix("--api") })
        #expect(service.labels.isEmpty)
    }

    @Test func theStackPartDeclaresTheACMEVolume() {
        let stack = Fixtures.infra(for: Fixtures.compose)
        #expect(stack.volumes.map(\.name) == [Traefik.acmeVolume])
        #expect(stack.service(named: "traefik") != nil)
        let errors = stack.validate(for: Fixtures.compose).errors
        #expect(errors.isEmpty, "\(errors)")
    }

    @Test(
        "a dashboard without users is refused by validation",
        arguments: [(nil, TraefikFixtures.compose), (BasicAuth(users: []), TraefikFixtures.swarm)])
    func aDashboardWithoutUsersIsRefused(_ users: BasicAuth?, _ environment: Environment) throws {
        let service = Self.traefik(dashboardUsers: users, for: environment)
        let stack = Stack("acme-infra") {
            Fixtures.gateway
            service
        }
        let diagnostics = TraefikValidation.diagnostics(of: stack, for: environment)
        #expect(diagnostics.map(\.code) == [.traefikDashboardUnprotected])
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.element == "service 'traefik'")
        #expect(diagnostic.fix.contains("dashboardUsers"))
    }
}
