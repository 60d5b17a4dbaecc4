import BerthCore

/// What Berth needs to know of one kind of gateway software: which routes it can serve, what it
/// adds to the stacks, and how changed routes reach the running gateway.
///
/// BerthCore checks routes for what holds on every gateway (a host, a port the service
/// declares, the gateway's network); everything that depends on the software is asked of the
/// adapter, which ``Gateway/adapter`` chooses in one place. Deploying never asks which gateway
/// it is:
/// - ``diagnostics(of:for:)`` joins the checks `validate`, `plan` and `up` run;
/// - ``resolved(_:for:)`` gives the renderers the stack with what the gateway reads on routed
///   services (Traefik's labels);
/// - ``routeFiles`` is `nil` for a gateway that finds routes itself, or renders the files a
///   file-configured gateway (nginx, Caddy) serves, and the scripts that hand them over.
public protocol GatewayAdapter: Sendable {
    /// The gateway, as the shared infrastructure declares it.
    var gateway: Gateway { get }

    /// What this gateway cannot serve of the stack's routes, each at the line that declares
    /// the route: certificate kinds it has no way to load, hosts or paths it reads differently.
    func diagnostics(of stack: Stack, for environment: Environment) -> [Diagnostic]

    /// The stack as the renderers get it; a gateway that needs nothing on the routed services
    /// returns it unchanged.
    func resolved(_ stack: Stack, for environment: Environment) -> Stack

    /// How a file-configured gateway gets its routes; `nil` when the gateway reads them from the
    /// engine itself.
    var routeFiles: (any GatewayRouteFiles)? { get }

    /// The services, configs and volumes the gateway's own stack declares to run it, publishing
    /// HTTP on `httpPort` and HTTPS on `httpsPort` of `hostIP`.
    func stackPart(
        image: Image, httpPort: Int, httpsPort: Int?, hostIP: String, for environment: Environment, fileID: String,
        line: Int
    ) -> StackPart
}

/// A gateway that serves routes from files Berth renders from every stack on the engine, and
/// takes new ones without dropping a connection.
///
/// Each file is staged in the running container, tested by the gateway's own check, and only
/// then made active and reloaded (``GatewaySync`` in BerthDeploy runs the steps). A refused file
/// never replaces the running one.
public protocol GatewayRouteFiles: Sendable {
    /// The files that serve these routes, with what the gateway would refuse or ignore.
    func configuration(_ routes: [GatewayRoute]) -> GatewayFiles

    /// The folder the active files are in: read to tell whether a container serves them already.
    var activeDirectory: String { get }
    /// The folder new files are written to and checked in before they become active.
    var stagedDirectory: String { get }
    /// Tests the staged files, makes them active and reloads; exits non-zero, running routes
    /// untouched, when the gateway refuses them. Run with `sh -c`.
    var activationScript: String { get }
}

extension GatewayRouteFiles {
    /// Empties ``stagedDirectory``; run with `sh -c`.
    public var prepareStagingScript: String { GatewayFiles.prepareStagingScript(in: stagedDirectory) }

    /// Writes standard input to the staged file `name`; run with `docker exec -i … sh -c`.
    public func writeStagedFileScript(named name: String) -> String {
        GatewayFiles.writeStagedFileScript(named: name, in: stagedDirectory)
    }
}

/// The files that configure a file-configured gateway's routes.
public struct GatewayFiles: Sendable, Hashable {
    /// One file, named within the gateway's routes folder.
    public struct File: Sendable, Hashable {
        /// The file name: letters, digits, `.`, `-` and `_`.
        public var name: String
        /// What it holds.
        public var content: String

        /// Creates a file.
        public init(name: String, content: String) {
            self.name = name
            self.content = content
        }
    }

    /// The files, in a fixed order.
    public var files: [File]
    /// What the gateway would refuse or serve differently, each at its route's location.
    public var diagnostics: [Diagnostic]

    /// Creates the files of a configuration.
    public init(files: [File], diagnostics: [Diagnostic]) {
        self.files = files
        self.diagnostics = diagnostics
    }

    /// Empties a staging folder; run with `sh -c`.
    static func prepareStagingScript(in directory: String) -> String {
        "rm -rf \(directory) && mkdir -p \(directory)"
    }

    /// Writes standard input to the file `name` of a staging folder; run with
    /// `docker exec -i … sh -c`.
    /// - Parameter name: A file name of ``files``: letters, digits, `.`, `-` and `_`. Any other
    ///   character is dropped, so the name never leaves the folder.
    static func writeStagedFileScript(named name: String, in directory: String) -> String {
        let safe = String(name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        return "cat > \(directory)/\(safe.hasPrefix(".") ? "_" + safe : safe)"
    }
}

extension GatewayRoute {
    /// The routes a stack declares, each served by its own service: what a gateway checks before
    /// a deploy, when no container runs yet.
    public static func declared(in stack: Stack, for environment: Environment) -> [GatewayRoute] {
        stack.services.flatMap { service in
            service.routes.map {
                GatewayRoute(
                    route: $0, stack: stack.name, environment: environment.name, service: service.name,
                    servers: [service.name])
            }
        }
    }
}

extension Gateway {
    /// The adapter of this gateway's software: the one place a kind of gateway is chosen.
    public var adapter: any GatewayAdapter {
        switch kind {
        case .traefik: TraefikGateway(self)
        case .nginx: NginxGateway(self)
        case .caddy: CaddyGateway(self)
        default: UnknownGateway(gateway: self)
        }
    }
}

/// A gateway whose kind no adapter serves (only a decoded value can have one): every stack
/// behind it is refused before anything is deployed.
struct UnknownGateway: GatewayAdapter {
    var gateway: Gateway

    func diagnostics(of stack: Stack, for environment: Environment) -> [Diagnostic] {
        [
            Diagnostic(
                .error, .unsupportedGateway, element: "gateway '\(gateway.service)'",
                message: "No gateway adapter of this version of Berth serves gateways of kind '\(gateway.kind)'.",
                fix: "Use a gateway Berth knows (Gateway.nginx, Gateway.traefik, Gateway.caddy), or update Berth.",
                location: nil)
        ]
    }

    func resolved(_ stack: Stack, for environment: Environment) -> Stack { stack }

    var routeFiles: (any GatewayRouteFiles)? { nil }

    func stackPart(
        image: Image, httpPort: Int, httpsPort: Int?, hostIP: String, for environment: Environment, fileID: String,
        line: Int
    ) -> StackPart {
        StackPart {}
    }
}

extension Diagnostic.Code {
    /// A gateway of a kind this version of Berth has no adapter for.
    public static let unsupportedGateway = Self(rawValue: "unsupported-gateway")
}
