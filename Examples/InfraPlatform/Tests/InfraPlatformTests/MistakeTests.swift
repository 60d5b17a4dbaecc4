import Berth
import BerthTesting
import InfraPlatform
import Testing

/// Mistakes a hand-written version of the platform makes easily, each against a rule of its own
/// security checklist, caught before anything is deployed with the diagnostic that names it.
@Suite("Mistakes are caught")
struct MistakeTests {
    struct Mistake: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var code: Diagnostic.Code
        var severity: Diagnostic.Severity
        var service: String
        var change: @Sendable (Service) -> Service
    }

    static let mistakes = [
        Mistake(
            testDescription: "PostgreSQL's port published on the host", code: .publishedPortBehindGateway,
            severity: .error, service: "postgres", change: { $0.publish(5432, public: true) }),
        Mistake(
            testDescription: "Redis published on loopback \"for debugging\"", code: .publishedPortBehindGateway,
            severity: .error, service: "redis", change: { $0.publish(6379) }),
        Mistake(
            testDescription: "a Traefik v2 rule with two hosts in one matcher", code: .traefikMultiArgumentMatcher,
            severity: .error, service: "grafana",
            change: {
                $0.label("traefik.http.routers.grafana.rule", "Host(`grafana.infra.example.com`,`grafana.example.com`)")
            }),
        Mistake(
            testDescription: "a password written into the environment", code: .secretInEnvironment,
            severity: .error, service: "minio", change: { $0.environment("MINIO_ROOT_PASSWORD", "changeme") }),
        Mistake(
            testDescription: "a routed tool without a health check", code: .routedWithoutHealthCheck,
            severity: .warning, service: "grafana",
            change: {
                var service = $0
                service.healthCheck = nil
                return service
            }),
    ]

    @Test(arguments: mistakes)
    func isCaught(_ mistake: Mistake) throws {
        var stack = InfraPlatform.stack(for: .prod)
        let index = try #require(stack.services.firstIndex { $0.name == mistake.service })
        stack.services[index] = mistake.change(stack.services[index])

        let diagnostics = Topology(stack, environment: .prod).diagnostics
        let caught = diagnostics.filter { $0.code == mistake.code }
        #expect(caught.count == 1, "\(diagnostics.map(\.description))")
        #expect(caught.first?.severity == mistake.severity)
        #expect(caught.first?.element == "service '\(mistake.service)'")
        #expect(caught.first?.fix.isEmpty == false)
        // Nothing else is wrong with the stack.
        #expect(diagnostics.count == caught.count, "\(diagnostics.map(\.description))")
    }
}
