import Berth
import InfraPlatform
import Testing

/// The Traefik labels the stack carries when it is rendered, read key by key.
@Suite("Traefik labels")
struct TraefikLabelTests {
    /// A service's labels in the stack as `render` and `up` get it.
    static func labels(of service: String, in environment: Environment) throws -> [String: String] {
        let resolved = Preflight.resolved(InfraPlatform.stack(for: environment), for: environment)
        let labels = try #require(resolved.service(named: service)?.labels)
        return Dictionary(labels.map { ($0.key, $0.value) }) { first, _ in first }
    }

    @Test func prometheusIsRoutedOverHTTPSBehindSignIn() throws {
        let labels = try Self.labels(of: "prometheus", in: .prod)
        let router = "traefik.http.routers.infra-prod-prometheus-0"
        let middleware = "traefik.http.middlewares.infra-prod-prometheus-0"
        #expect(labels["traefik.enable"] == "true")
        #expect(labels["traefik.docker.network"] == "infra_net")
        #expect(labels["\(router).rule"] == "Host(`prometheus.infra.example.com`)")
        #expect(labels["\(router).entrypoints"] == "websecure")
        #expect(labels["\(router).tls"] == "true")
        #expect(labels["\(router).tls.certresolver"] == "letsencrypt")
        #expect(
            labels["\(router).middlewares"]
                == "infra-prod-prometheus-0-security-headers,infra-prod-prometheus-0-forward-auth")
        #expect(labels["\(middleware)-forward-auth.forwardauth.address"] == "http://oauth2-proxy:4180/oauth2/auth")
        #expect(labels["\(middleware)-forward-auth.forwardauth.trustforwardheader"] == "true")
        #expect(
            labels["\(middleware)-forward-auth.forwardauth.authresponseheaders"]
                == "X-Auth-Request-User,X-Auth-Request-Email,Authorization")
        #expect(labels["\(middleware)-security-headers.headers.stsseconds"] == "31536000")
        #expect(labels["traefik.http.services.infra-prod-prometheus-0.loadbalancer.server.port"] == "9090")
        // Plain HTTP only redirects.
        #expect(labels["\(router)-http.entrypoints"] == "web")
        #expect(labels["\(router)-http.middlewares"] == "infra-prod-prometheus-0-redirect-https")
        #expect(labels["\(middleware)-redirect-https.redirectscheme.scheme"] == "https")
    }

    @Test func grafanaAndKeycloakAreNotBehindTheGatewaysSignIn() throws {
        for service in ["grafana", "keycloak", "minio", "oauth2-proxy"] {
            let labels = try Self.labels(of: service, in: .prod)
            #expect(!labels.keys.contains { $0.contains("forwardauth") }, "\(service)")
            #expect(labels["traefik.enable"] == "true", "\(service)")
        }
    }

    @Test func keycloakKeepsItsOwnFramingPolicy() throws {
        let labels = try Self.labels(of: "keycloak", in: .prod)
        #expect(labels["traefik.http.middlewares.infra-prod-keycloak-0-security-headers.headers.framedeny"] == nil)
        #expect(labels["traefik.http.middlewares.infra-prod-keycloak-0-security-headers.headers.stsseconds"] != nil)
    }

    @Test func theDashboardIsBehindSignInOverHTTPS() throws {
        let labels = try Self.labels(of: "traefik", in: .prod)
        let router = "traefik.http.routers.infra-prod-traefik-dashboard"
        #expect(labels["\(router).rule"] == "Host(`dashboard.infra.example.com`)")
        #expect(labels["\(router).service"] == "api@internal")
        #expect(labels["\(router).entrypoints"] == "websecure")
        #expect(labels["\(router).tls.certresolver"] == "letsencrypt")
        #expect(
            labels["\(router).middlewares"]
                == "infra-prod-traefik-dashboard-headers,infra-prod-traefik-dashboard-sso")
        #expect(
            labels["traefik.http.middlewares.infra-prod-traefik-dashboard-sso.forwardauth.address"]
                == "http://oauth2-proxy:4180/oauth2/auth")
        #expect(labels["\(router)-http.service"] == "noop@internal")
        // No basic authentication, and never the insecure API.
        #expect(!labels.keys.contains { $0.contains("basicauth") })
        let command = InfraPlatform.stack(for: .prod).service(named: "traefik")?.command ?? []
        #expect(command.contains("--api.dashboard=true"))
        #expect(!command.contains { $0.hasPrefix("--api.insecure") })
    }

    @Test func developmentRoutesUseTheHTTPEntrypointWithoutTLS() throws {
        let labels = try Self.labels(of: "prometheus", in: .dev)
        let router = "traefik.http.routers.infra-dev-prometheus-0"
        #expect(labels["\(router).rule"] == "Host(`prometheus.infra.localhost`)")
        #expect(labels["\(router).entrypoints"] == "web")
        #expect(labels["\(router).tls"] == nil)
        #expect(
            labels["traefik.http.middlewares.infra-dev-prometheus-0-forward-auth.forwardauth.address"]
                == "http://oauth2-proxy:4180/oauth2/auth")
    }

    @Test(arguments: InfraPlatform.environments)
    func traefikValidationFindsNothingInTheLabels(environment: Environment) {
        let resolved = Preflight.resolved(InfraPlatform.stack(for: environment), for: environment)
        #expect(TraefikValidation.diagnostics(of: resolved, for: environment).map(\.description) == [])
    }
}
