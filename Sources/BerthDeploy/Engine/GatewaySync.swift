import BerthCore
import BerthGateway
import BerthRendering
import Foundation

/// Brings an nginx gateway's routes up to date with every stack on the engine.
///
/// After each `up` and `down` of a stack behind an nginx gateway (and of the gateway's own
/// stack), Berth reads every route recorded on the engine, renders the gateway's routes file
/// from all of them, and hands it to each running gateway container: staged, tested with
/// `nginx -t` in the container (where the upstream names resolve), and only then made active
/// and reloaded. A file nginx refuses never replaces the running one. A Traefik gateway needs
/// none of this: it reads the routes from the services' labels itself.
public struct GatewaySync: Sendable {
    /// The engine.
    public var engine: DockerEngine
    /// Where progress goes.
    public var console: Console

    /// Creates a sync.
    public init(engine: DockerEngine, console: Console = Console()) {
        self.engine = engine
        self.console = console
    }

    /// Renders the routes of every stack and reloads every running container of the gateway.
    ///
    /// A gateway that is not running yet is not an error: its own deploy syncs it.
    /// - Throws: ``GatewayReloadFailure`` when nginx refuses the new routes (the running ones
    ///   stay), ``ValidationFailure`` when the routes cannot be rendered for nginx.
    /// - Parameter excluded: IDs of containers to take out of the routes: the old containers of
    ///   a service being updated, which then finish the requests they have and get no new ones.
    public func sync(_ gateway: Gateway, excluding excluded: Set<String> = []) async throws {
        guard gateway.kind == .nginx else { return }
        let containers = try await gatewayContainers(gateway)
        guard !containers.isEmpty else {
            console.progress(
                "Gateway \(gateway.owner)/\(gateway.service) is not running; its routes are rendered when it is deployed."
            )
            return
        }
        let routes = try await engine.liveRoutes(servedOn: gateway.network.engineName, excluding: excluded)
        let configuration = NginxGateway(gateway).routesConfiguration(routes.map(\.gatewayRoute))
        if configuration.diagnostics.containsErrors {
            throw ValidationFailure(diagnostics: configuration.diagnostics)
        }
        var reloaded = 0
        // Taking containers out always changes the routes; otherwise they may already be served.
        for container in containers {
            if excluded.isEmpty, try await serves(configuration, container) { continue }
            try await reload(container, with: configuration, gateway: gateway)
            reloaded += 1
        }
        guard reloaded > 0 else { return }
        let served = routes.filter { !$0.servers.isEmpty }.count
        console.progress(
            "Gateway \(gateway.owner)/\(gateway.service) reloaded: \(served) route(s) served, \(routes.count - served) without a running upstream."
        )
    }

    /// Brings the routes of a stack's nginx gateway up to date; stacks behind another gateway,
    /// or none, need nothing.
    public func sync(routesOf stack: Stack) async throws {
        guard let gateway = stack.gateway, gateway.kind == .nginx else { return }
        try await sync(gateway)
    }

    /// The running containers of the gateway's service in its owner's stack, whatever the
    /// environment.
    func gatewayContainers(_ gateway: Gateway) async throws -> [String] {
        try await engine.output([
            "ps", "--quiet", "--filter", "label=\(OwnershipLabel.stack)=\(gateway.owner)",
            "--filter", "label=\(OwnershipLabel.service)=\(gateway.service)", "--filter", "status=running",
        ])
        .split(whereSeparator: \.isNewline).map(String.init)
    }

    /// Whether the container already serves exactly these routes: one `docker exec` instead of
    /// the three of a reload, and no reload when nothing changed.
    private func serves(_ configuration: NginxRoutesConfiguration, _ container: String) async throws -> Bool {
        let script =
            "cd \(NginxGateway.activeDirectory) 2>/dev/null || exit 0; for f in *; do [ -f \"$f\" ] || continue; printf '== %s\\n' \"$f\"; cat \"$f\"; done"
        let result = try await engine.run(["exec", container, "sh", "-c", script])
        guard result.succeeded else { return false }
        let expected = configuration.files.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
            .map { "== \($0.name)\n\($0.content)" }.joined()
        return result.standardOutput == expected
    }

    private func reload(
        _ container: String, with configuration: NginxRoutesConfiguration, gateway: Gateway
    ) async throws {
        try await step(
            container, NginxGateway.prepareStagingScript, gateway: gateway, what: "prepare the staged routes")
        for file in configuration.files {
            try await step(
                container, NginxGateway.writeStagedFileScript(named: file.name), input: Array(file.content.utf8),
                gateway: gateway, what: "write \(file.name)")
        }
        try await step(container, NginxGateway.activationScript, gateway: gateway, what: "activate the new routes")
    }

    private func step(
        _ container: String, _ script: String, input: [UInt8]? = nil, gateway: Gateway, what: String
    ) async throws {
        let arguments = ["exec"] + (input == nil ? [] : ["-i"]) + [container, "sh", "-c", script]
        let result = try await engine.run(arguments, input: input)
        guard result.succeeded else {
            throw GatewayReloadFailure(
                gateway: "\(gateway.owner)/\(gateway.service)", container: String(container.prefix(12)), step: what,
                output: (result.standardError + result.standardOutput).trimmed)
        }
    }
}

/// nginx refused the routes rendered for it, or the gateway's container could not take them.
/// The routes it served before are still served.
public struct GatewayReloadFailure: Error, CustomStringConvertible, Sendable {
    /// The gateway, as `owner/service`.
    public var gateway: String
    /// The container that refused.
    public var container: String
    /// The step that failed.
    public var step: String
    /// What nginx (or the shell) said.
    public var output: String

    public var description: String {
        """
        The gateway \(gateway) (container \(container)) could not \(step); it keeps serving the routes it had.
        \(output.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        Fix the routes it names, or redeploy the gateway's stack if its container lacks the routes volume.
        """
    }
}
