import Berth
import BerthTesting
import Foundation
import InfraPlatform
import Testing

@Suite("The infra stack's topology")
struct TopologyTests {
    static func topology(_ environment: Environment) -> Topology {
        Topology(InfraPlatform.stack(for: environment), environment: environment)
    }

    @Test(arguments: InfraPlatform.environments)
    func validatesWithoutDiagnostics(environment: Environment) {
        let topology = Self.topology(environment)
        #expect(topology.validationErrors == [])
        #expect(topology.diagnostics.map(\.description) == [])
    }

    @Test(arguments: InfraPlatform.environments)
    func onlyTheGatewayIsPublic(environment: Environment) {
        let topology = Self.topology(environment)
        #expect(topology.publishedServices == [InfraPlatform.gateway.service])
        #expect(topology.publishedPortsBesideTheGateway.map(\.description) == [])
        let address = environment.isProduction ? "0.0.0.0" : "127.0.0.1"
        #expect(
            topology.publishedPorts.map(\.description) == [
                "traefik: \(address):80->80", "traefik: \(address):443->443",
            ])
    }

    @Test(arguments: InfraPlatform.environments)
    func everyServiceHasAHealthCheck(environment: Environment) {
        let topology = Self.topology(environment)
        #expect(topology.routedServicesWithoutHealthCheck == [])
        #expect(topology.servicesWithoutHealthCheck == [])
    }

    @Test func productionRoutes() {
        let topology = Self.topology(.prod)
        #expect(
            topology.routes.map(\.description) == [
                "keycloak.infra.example.com -> keycloak:8080",
                "auth.infra.example.com -> oauth2-proxy:4180",
                "prometheus.infra.example.com -> prometheus:9090",
                "grafana.infra.example.com -> grafana:3000",
                "minio.infra.example.com -> minio:9001",
            ])
    }

    @Test func developmentRoutesAreOnLocalhost() {
        let hosts = Self.topology(.dev).routes.map(\.host)
        #expect(hosts.count == 5)
        #expect(hosts.allSatisfy { $0.hasSuffix(".infra.localhost") })
    }

    @Test func signInGuardsOnlyTheToolsWithoutALoginOfTheirOwn() {
        let stack = InfraPlatform.stack(for: .prod)
        var guarded: [String: Bool] = [:]
        for service in stack.services {
            for route in service.routes {
                guarded[route.host] = route.middlewares.contains(InfraPlatform.signIn)
            }
        }
        #expect(
            guarded == [
                "keycloak.infra.example.com": false,
                "auth.infra.example.com": false,
                "prometheus.infra.example.com": true,
                "grafana.infra.example.com": false,
                "minio.infra.example.com": false,
            ])
    }

    @Test func productionRoutesUseTLSRedirectAndStrictHeaders() throws {
        let routes = InfraPlatform.stack(for: .prod).services.flatMap(\.routes)
        #expect(!routes.isEmpty)
        for route in routes {
            #expect(route.tls == .resolver("letsencrypt"), "\(route.host)")
            #expect(route.middlewares.first == .redirectToHTTPS, "\(route.host)")
            let headers = route.middlewares.compactMap { middleware -> SecurityHeaders? in
                if case .securityHeaders(let headers) = middleware { return headers }
                return nil
            }
            #expect(headers.map(\.strictTransportSecuritySeconds) == [31_536_000], "\(route.host)")
        }
    }

    @Test func developmentRoutesArePlainHTTPWithoutHSTS() {
        for route in InfraPlatform.stack(for: .dev).services.flatMap(\.routes) {
            #expect(route.tls == RouteTLS.none, "\(route.host)")
            #expect(!route.middlewares.contains(.redirectToHTTPS), "\(route.host)")
            #expect(!route.middlewares.contains(.securityHeaders(.strict)), "\(route.host)")
        }
    }

    @Test func theSharedNetworkIsCreatedUnderItsFixedNameAndJoinedByEveryService() {
        let stack = InfraPlatform.stack(for: .prod)
        let network = stack.networks.first { $0.name == InfraPlatform.network.name }
        #expect(network?.fixedName == "infra_net")
        #expect(network?.isExternal == false)
        #expect(stack.networks.count == 1)
        #expect(stack.gateway == InfraPlatform.gateway)
        for service in stack.services {
            #expect(service.networks == ["infra_net"], "\(service.name)")
        }
    }

    @Test func everyImageIsPinnedToAVersion() {
        for service in InfraPlatform.stack(for: .prod).services {
            #expect(service.image.isPinned, "\(service.name)")
            #expect(service.image.tag?.contains(where: \.isNumber) == true, "\(service.name): \(service.image)")
        }
    }

    @Test func secretsAreFilesNeverEnvironmentValues() {
        let stack = InfraPlatform.stack(for: .prod)
        let words = ["PASSWORD", "SECRET", "TOKEN", "KEY"]
        for service in stack.services {
            for variable in service.environment {
                #expect(!words.contains { variable.key.hasSuffix($0) }, "\(service.name): \(variable.key)")
            }
            for mount in service.secrets {
                #expect(mount.pathVariable?.hasSuffix("_FILE") ?? true, "\(service.name): \(mount.secret)")
            }
        }
        #expect(stack.secrets.count == 9)
        let notGenerated = stack.secrets.filter { secret in
            if case .generated = secret.source { false } else { true }
        }
        #expect(notGenerated.map(\.name) == [])
    }

    @Test func eachSecretIsReadOnlyByTheServicesThatNeedIt() {
        let topology = Self.topology(.prod)
        #expect(topology.readers(of: "postgres_password") == ["postgres"])
        #expect(topology.readers(of: "keycloak_db_password") == ["keycloak", "postgres"])
        #expect(topology.readers(of: "oauth2_proxy_client_secret") == ["keycloak", "oauth2-proxy"])
        #expect(topology.readers(of: "oauth2_proxy_cookie_secret") == ["oauth2-proxy"])
        #expect(topology.readers(of: "grafana_client_secret") == ["grafana", "keycloak"])
        #expect(topology.secrets(of: "grafana") == ["grafana_admin_password", "grafana_client_secret"])
    }

    @Test func keycloakWaitsForPostgreSQL() {
        #expect(Self.topology(.prod).startsAfter("keycloak") == ["postgres"])
    }

    @Test(arguments: InfraPlatform.environments)
    func theRealmKnowsTheCallbacksTheClientsUse(environment: Environment) throws {
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(InfraPlatform.realm(in: environment).utf8)) as? [String: Any])
        #expect(json["realm"] as? String == "infra")
        let clients = try #require(json["clients"] as? [[String: Any]])
        var redirects: [String: [String]] = [:]
        for client in clients {
            let id = try #require(client["clientId"] as? String)
            redirects[id] = client["redirectUris"] as? [String]
            // A placeholder Keycloak fills in from its environment, never a value.
            #expect((client["secret"] as? String)?.hasPrefix("${") == true)
        }
        let scheme = environment.isProduction ? "https" : "http"
        let domain = InfraPlatform.domain(in: environment)
        #expect(
            redirects == [
                "oauth2-proxy": ["\(scheme)://auth.\(domain)/oauth2/callback"],
                "grafana": ["\(scheme)://grafana.\(domain)/login/generic_oauth"],
            ])
        let proxy = InfraPlatform.stack(for: environment).service(named: "oauth2-proxy")
        #expect(proxy?.command?.contains("--redirect-url=\(scheme)://auth.\(domain)/oauth2/callback") == true)
    }
}
