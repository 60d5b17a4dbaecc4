/// Checks that no string the engine receives holds a NUL byte (U+0000).
///
/// Docker, Compose and runc pass strings on as C strings, which end at the first NUL: the
/// engine refuses such a value or cuts it short, and runc refuses an environment with one only
/// when it starts the new container, after Compose has removed the old one. Every string a
/// stack hands to the engine is checked here, except those checked where their own rules are:
/// names (`checkNames`), environment keys and secret path variables
/// (`checkEnvironment`), the image reference (`checkImage`) and mount targets (`checkMounts`),
/// which report a NUL byte instead of their usual rule so that one mistake gives one
/// diagnostic. References to declared names (a service's networks, a mount's volume, secret or
/// config, a dependency) are checked where the name is declared.
extension StackValidator {
    /// Checks the strings of the stack's networks, volumes, secrets, configs and gateway.
    mutating func checkNULBytes() {
        for network in stack.networks {
            let fields = [
                ("the real name of the network", network.externalName),
                ("the name of the stack that owns the network", network.owner),
                ("the engine name of the network", network.fixedName),
                ("the network driver", network.driver),
            ]
            for case (let field, let text?) in fields where Naming.containsNUL(text) {
                reportNULByte(in: field, of: "network '\(network.name)'", at: network.location)
            }
        }
        for volume in stack.volumes {
            if let name = volume.externalName, Naming.containsNUL(name) {
                reportNULByte(in: "the real name of the volume", of: "volume '\(volume.name)'", at: volume.location)
            }
        }
        for secret in stack.secrets {
            let fields: [(String, String)]
            switch secret.source {
            case .file(let path): fields = [("the secret's file path", path)]
            case .environment(let variable): fields = [("the secret's environment variable name", variable)]
            case .external(let name): fields = [("the secret's external name", name)]
            case .shared(let owner, let name):
                fields = [("the name of the stack that owns the secret", owner), ("the shared secret's name", name)]
            case .generated: fields = []
            }
            for (field, text) in fields where Naming.containsNUL(text) {
                reportNULByte(in: field, of: "secret '\(secret.name)'", at: secret.location)
            }
        }
        for config in stack.configs {
            switch config.source {
            case .file(let path) where Naming.containsNUL(path):
                reportNULByte(in: "the config's file path", of: "config '\(config.name)'", at: config.location)
            case .content(let text) where Naming.containsNUL(text):
                // Binary content belongs in a file: Compose carries `content` as text.
                reportNULByte(
                    in: "the config's content (use .file(…) for binary content)", of: "config '\(config.name)'",
                    at: config.location)
            default:
                break
            }
        }
        if let gateway = stack.gateway {
            let fields = [
                ("the gateway's service name", gateway.service),
                ("the gateway's HTTP entrypoint", gateway.httpEntrypoint),
                ("the gateway's HTTPS entrypoint", gateway.httpsEntrypoint),
            ]
            for (field, text) in fields where Naming.containsNUL(text) {
                reportNULByte(
                    in: field, of: "gateway '\(gateway.service)'", at: stack.gatewayLocation ?? stack.location)
            }
        }
    }

    /// Checks the strings of one service.
    mutating func checkNULBytes(of service: Service) {
        // Collected first and reported after: most services have nothing to report, and the
        // phrases naming a field are built only for those that do.
        var found: [(field: String, location: SourceLocation)] = []
        func scan(_ text: String, _ field: @autoclosure () -> String, at location: SourceLocation) {
            if Naming.containsNUL(text) { found.append((field(), location)) }
        }
        func scan(_ texts: [String]?, _ field: @autoclosure () -> String, at location: SourceLocation) {
            if let texts, texts.contains(where: Naming.containsNUL) { found.append((field(), location)) }
        }
        scan(service.command, "the command", at: service.location)
        scan(service.entrypoint, "the entrypoint", at: service.location)
        for variable in service.environment {
            switch variable.value {
            case .literal(let text), .interpolated(let text), .notSecret(let text):
                scan(text, "the value of environment variable '\(variable.key)'", at: variable.location)
            case .sensitive:
                // Refused as it is (secret-in-environment): it never reaches the engine.
                break
            case .composed(let template):
                for case .text(let text) in template.parts {
                    scan(text, "the value of environment variable '\(variable.key)'", at: variable.location)
                }
            }
        }
        for port in service.ports {
            if let hostIP = port.hostIP { scan(hostIP, "the host address of port \(port.target)", at: port.location) }
        }
        for mount in service.mounts {
            if case .bind(let path) = mount.source { scan(path, "the host path of the mount", at: mount.location) }
        }
        if let check = service.healthCheck {
            switch check.test {
            case .command(let arguments): scan(arguments, "the health check's command", at: check.location)
            case .shell(let line): scan(line, "the health check's command", at: check.location)
            }
        }
        func scan(_ labels: [Label], kind: String) {
            for label in labels {
                scan(label.key, "the key of \(kind) '\(label.key)'", at: label.location)
                scan(label.value, "the value of \(kind) '\(label.key)'", at: label.location)
            }
        }
        scan(service.labels, kind: "label")
        scan(service.deploy.labels, kind: "service label")
        if let user = service.user { scan(user, "the user", at: service.location) }
        if let directory = service.workingDirectory { scan(directory, "the working directory", at: service.location) }
        scan(service.droppedCapabilities, "the list of dropped capabilities", at: service.location)
        for constraint in service.deploy.constraints {
            scan(constraint.expression, "the placement constraint", at: constraint.location)
        }
        for preference in service.deploy.preferences {
            scan(preference.spread, "the label the tasks spread over", at: preference.location)
        }
        for route in service.routes {
            found += Self.fieldsWithNULByte(of: route).map { ($0, route.location) }
        }
        guard !found.isEmpty else { return }
        let element = "service '\(service.name)'"
        for (field, location) in found {
            reportNULByte(in: field, of: element, at: location)
        }
    }

    /// The strings of a route that hold a NUL byte, as phrases naming them: its host and path,
    /// its TLS settings, its middlewares and its upstream health path.
    private static func fieldsWithNULByte(of route: Route) -> [String] {
        var fields: [(String, String)] = [
            ("the route's host", route.host), ("the route's path prefix", route.pathPrefix),
        ]
        switch route.tls {
        case .resolver(let name):
            fields.append(("the route's certificate resolver", name))
        case .certificate(let certificate, let key):
            fields += [("the route's certificate file", certificate), ("the route's key file", key)]
        case .none, .gatewayCertificates:
            break
        }
        for middleware in route.middlewares {
            switch middleware {
            case .securityHeaders(let headers):
                for value in [headers.referrerPolicy, headers.contentSecurityPolicy] {
                    if let value { fields.append(("a security header of the route", value)) }
                }
            case .basicAuth(let auth):
                // The entry is never quoted: it may be a password in clear text.
                fields += auth.users.map { ("a basic-auth entry of the route", $0) }
            case .forwardAuth(let auth):
                fields.append(("the route's forward-auth address", auth.address))
                fields += auth.responseHeaders.map { ("a forward-auth response header of the route", $0) }
            case .rateLimit, .stripPrefix, .redirectToHTTPS, .websockets, .maxBodySize, .timeouts:
                break
            }
        }
        if let health = route.health {
            fields.append(("the route's upstream health path", health.path))
        }
        return fields.filter { Naming.containsNUL($0.1) }.map(\.0)
    }
}
