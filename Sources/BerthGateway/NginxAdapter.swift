import BerthCore

extension NginxGateway: GatewayAdapter, GatewayRouteFiles {
    /// What nginx cannot serve of the stack's routes: ACME resolvers, the gateway's own
    /// certificates, certificate paths that are not absolute in the gateway's container, and
    /// everything the routes file would be refused for. A route without a running server is left
    /// out: nothing runs before a deploy.
    public func diagnostics(of stack: Stack, for environment: Environment) -> [Diagnostic] {
        let diagnostics = stack.services.flatMap { service in
            service.routes.flatMap { tlsDiagnostics($0, of: service) }
        }
        let routes = GatewayRoute.declared(in: stack, for: environment)
        guard !routes.isEmpty else { return diagnostics }
        // The renderer's own TLS notes say what it does with such a route at deploy time; the
        // checks above already refused it.
        let rendering = routesConfiguration(routes).diagnostics.filter {
            $0.code != .nginxRouteWithoutServers && $0.code != .nginxUnsupportedTLS
        }
        return diagnostics + rendering
    }

    /// nginx reads routes from files: the stack goes to the renderers as declared.
    public func resolved(_ stack: Stack, for environment: Environment) -> Stack { stack }

    /// nginx serves the routes file Berth renders from every stack's routes.
    public var routeFiles: (any GatewayRouteFiles)? { self }

    public func configuration(_ routes: [GatewayRoute]) -> GatewayFiles {
        let configuration = routesConfiguration(routes)
        return GatewayFiles(files: configuration.files, diagnostics: configuration.diagnostics)
    }

    public var activeDirectory: String { Self.activeDirectory }
    public var stagedDirectory: String { Self.stagedDirectory }
    public var activationScript: String { Self.activationScript }

    public func stackPart(
        image: Image, httpPort: Int, httpsPort: Int?, hostIP: String, for environment: Environment, fileID: String,
        line: Int
    ) -> StackPart {
        stackPart(
            image: image, httpPort: httpPort, httpsPort: httpsPort, hostIP: hostIP, fileID: fileID, line: line)
    }

    private func tlsDiagnostics(_ route: Route, of service: Service) -> [Diagnostic] {
        let element = "service '\(service.name)'"
        switch route.tls {
        case .none:
            return []
        case .resolver:
            return [
                Diagnostic(
                    .error, .unsupportedTLS, element: element,
                    message:
                        "Route \(route.address) asks for certificates from an ACME resolver, which nginx does not have.",
                    fix:
                        "Use .certificate(certificate:key:) with files mounted into the gateway, or a Traefik gateway.",
                    location: route.location)
            ]
        case .certificate(let certificate, let key):
            return [certificate, key].filter { !$0.hasPrefix("/") }.map { path in
                Diagnostic(
                    .error, .unsupportedTLS, element: element,
                    message:
                        "The certificate file '\(path)' of route \(route.address) is not an absolute path in the gateway's container.",
                    fix:
                        "Write the absolute path where the gateway mounts the file, such as '/etc/letsencrypt/live/…'.",
                    location: route.location)
            }
        case .gatewayCertificates:
            return [
                Diagnostic(
                    .error, .unsupportedTLS, element: element,
                    message:
                        "Route \(route.address) asks for the gateway's own certificates, but an nginx server names its certificate files itself.",
                    fix: "Use .certificate(certificate:key:) with files mounted into the gateway.",
                    location: route.location)
            ]
        }
    }
}
