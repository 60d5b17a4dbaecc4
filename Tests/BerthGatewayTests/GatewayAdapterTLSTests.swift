import BerthCore
import BerthGateway
import Testing

private enum Infra {
    static let edge = SharedNetwork("edge", engineName: "acme_edge", owner: "acme-infra")
    static let traefik = Gateway.traefik(network: edge)
    static let nginx = Gateway.nginx(network: edge)
}

/// A service the gateway can route to: it declares port 8080, joins `edge` and has a health check.
private func routable(_ name: String = "api") -> Service {
    Service(name, image: "ghcr.io/acme/api:2.1").expose(8080).networks("edge").healthCheck(.http(port: 8080))
}

/// The app stack `shop`, behind a gateway of the shared infrastructure.
private func shop(behind gateway: Gateway, @StackBuilder _ content: () -> [StackElement]) -> Stack {
    Stack("shop") {
        gateway
        content()
    }
}

private func shop(tls: RouteTLS, behind gateway: Gateway) -> Stack {
    shop(behind: gateway) { routable().route("shop.example.com", path: "/api", port: 8080, tls: tls) }
}

private func here(_ line: Int, fileID: String = #fileID) -> BerthCore.SourceLocation {
    BerthCore.SourceLocation(fileID: fileID, line: line)
}

/// What the model and the stack's gateway adapter say of the stack.
private func gatewayDiagnostics(_ stack: Stack) -> [Diagnostic] {
    stack.validate(for: .dev) + (stack.gateway?.adapter.diagnostics(of: stack, for: .dev) ?? [])
}

private func onlyTLSDiagnostic(
    of stack: Stack, sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws -> Diagnostic {
    let diagnostics = gatewayDiagnostics(stack)
    #expect(diagnostics.count == 1, "expected one diagnostic, got \(diagnostics)", sourceLocation: sourceLocation)
    return try #require(diagnostics.first, sourceLocation: sourceLocation)
}

/// What each gateway adapter refuses of a route's TLS: asked by the preflight, not by BerthCore,
/// which knows no gateway software.
@Suite("Gateway adapters: TLS a gateway cannot serve")
struct GatewayAdapterTLSTests {

    @Test func resolverOnNginx() throws {
        let (api, line) = (
            routable().route("shop.example.com", port: 8080, tls: .resolver("letsencrypt")), #line
        )
        let diagnostic = try onlyTLSDiagnostic(of: shop(behind: Infra.nginx) { api })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .unsupportedTLS)
        #expect(
            diagnostic.message
                == "Route shop.example.com asks for certificates from an ACME resolver, which nginx does not have.")
        #expect(
            diagnostic.fix
                == "Use .certificate(certificate:key:) with files mounted into the gateway, or a Traefik gateway.")
        #expect(diagnostic.location == here(line))
    }

    @Test func certificateOnTraefik() throws {
        let tls = RouteTLS.certificate(certificate: "/certs/shop.pem", key: "/certs/shop.key")
        let (api, line) = (routable().route("shop.example.com", port: 8080, tls: tls), #line)
        let diagnostic = try onlyTLSDiagnostic(of: shop(behind: Infra.traefik) { api })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .unsupportedTLS)
        #expect(
            diagnostic.message
                == "Route shop.example.com names certificate files, which Traefik reads from its own file provider, never from a service's labels."
        )
        #expect(diagnostic.location == here(line))
    }

    @Test func gatewayCertificatesOnTraefikAndOnNginx() throws {
        let (api, line) = (routable().route("shop.example.com", port: 8080, tls: .gatewayCertificates), #line)
        #expect(gatewayDiagnostics(shop(behind: Infra.traefik) { api }) == [])
        let diagnostic = try onlyTLSDiagnostic(of: shop(behind: Infra.nginx) { api })
        #expect(diagnostic.code == .unsupportedTLS)
        #expect(diagnostic.fix == "Use .certificate(certificate:key:) with files mounted into the gateway.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [
        (RouteTLS.certificate(certificate: "certs/shop.pem", key: "/etc/ssl/shop.key"), ["certs/shop.pem"]),
        (.certificate(certificate: "/etc/ssl/shop.pem", key: "./shop.key"), ["./shop.key"]),
        (.certificate(certificate: "shop.pem", key: "shop.key"), ["shop.pem", "shop.key"]),
    ])
    func relativeCertificatePathOnNginx(_ tls: RouteTLS, _ relative: [String]) {
        let (api, line) = (routable().route("shop.example.com", port: 8080, tls: tls), #line)
        let found = gatewayDiagnostics(shop(behind: Infra.nginx) { api })
        #expect(found.map(\.code) == relative.map { _ in .unsupportedTLS })
        #expect(
            found.map(\.message)
                == relative.map {
                    "The certificate file '\($0)' of route shop.example.com is not an absolute path in the gateway's container."
                })
        #expect(found.map(\.location) == relative.map { _ in here(line) })
    }

    @Test(arguments: ["", "lets encrypt", "le.prod", "le/prod"])
    func resolverNameTraefikCannotDeclare(_ name: String) throws {
        let (api, line) = (routable().route("shop.example.com", port: 8080, tls: .resolver(name)), #line)
        let diagnostic = try onlyTLSDiagnostic(of: shop(behind: Infra.traefik) { api })
        #expect(diagnostic.code == .unsupportedTLS)
        #expect(
            diagnostic.message
                == "The certificate resolver name '\(name)' of route shop.example.com is not one Traefik can declare.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [
        (Infra.traefik, RouteTLS.resolver("letsencrypt")), (Infra.traefik, .resolver("le_prod-2")),
        (Infra.traefik, .none), (Infra.nginx, .none),
        (Infra.nginx, .certificate(certificate: "/etc/ssl/shop.pem", key: "/etc/ssl/shop.key")),
    ])
    func tlsTheGatewayServes(_ gateway: Gateway, _ tls: RouteTLS) {
        #expect(gatewayDiagnostics(shop(tls: tls, behind: gateway)) == [])
    }
}
