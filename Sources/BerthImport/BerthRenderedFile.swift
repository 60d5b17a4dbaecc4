import BerthCloudflare
import BerthCore
import BerthRendering
import Foundation

/// A Compose file Berth rendered (`.berth/<stack>/<environment>/compose.yaml`): every service
/// carries Berth's ownership labels, so the import can give back what the description said
/// rather than what it became — the stack and environment by name, routes instead of the
/// gateway labels they turned into, and none of the labels Berth writes by itself.
struct BerthRenderedFile: Sendable {
    /// The stack's name (`berth.stack`).
    var stack: String
    /// The environment it was rendered for (`berth.environment`).
    var environment: String
    /// Whether it is a Swarm stack file (`docker stack deploy`), not a Compose file.
    var swarm = false
    /// The package the file was rendered in, when the file sits in its `.berth` folder: the
    /// config files it reads are copied to the same place in the new package, so their paths
    /// in a render stay the same.
    var packageRoot: String?

    /// The file's description, when every service of the project carries Berth's labels of one
    /// stack and environment.
    static func detect(_ project: ComposeJSON, files: [String]) -> BerthRenderedFile? {
        let services = project["services"]?.object ?? [:]
        guard !services.isEmpty else { return nil }
        let owners = Set(
            services.values.map { service in
                "\(service["labels"]?[OwnershipLabel.stack]?.text ?? "")\n\(service["labels"]?[OwnershipLabel.environment]?.text ?? "")"
            })
        guard owners.count == 1, let owner = owners.first, !owner.hasPrefix("\n"), !owner.hasSuffix("\n") else {
            return nil
        }
        let parts = owner.split(separator: "\n").map(String.init)
        // `<root>/.berth/<stack>/<environment>/compose.yaml`
        let components = files.first.map { URL(fileURLWithPath: $0).standardizedFileURL.pathComponents } ?? []
        let root: String? =
            components.count >= 5 && components[components.count - 4] == ".berth"
            ? NSString.path(withComponents: Array(components.dropLast(4))) : nil
        // Berth's Swarm stack files give every service an update policy; its Compose files none.
        let swarm = services.values.contains { $0["deploy"]?["update_config"] != nil }
        return BerthRenderedFile(stack: parts[0], environment: parts[1], swarm: swarm, packageRoot: root)
    }

    /// Labels Berth writes on what it renders (``OwnershipLabel``, a tunnel's, a backup job's):
    /// the description never says them, and validation refuses them in it.
    static func isBerths(_ label: String) -> Bool {
        label.hasPrefix("berth.")
    }

    /// The environment as Swift source: the standard ones by name.
    var environmentSource: String {
        let named =
            switch environment {
            case "dev", "stg", "prod": "Environment.\(environment)"
            default: "Environment(\(SwiftSource.string(environment)))"
            }
        return swarm ? "\(named).on(.swarm)" : named
    }
}

/// Swift source for the routes a `berth.routes` label records.
enum RouteSource {
    /// `.route(…)` calls, one per route.
    static func calls(_ routes: [Route]) -> [String] {
        routes.map(call)
    }

    static func call(_ route: Route) -> String {
        let s = SwiftSource.string
        var arguments = [s(route.host)]
        if route.pathPrefix != "/" { arguments.append("path: \(s(route.pathPrefix))") }
        arguments.append("port: \(route.port)")
        if route.tls != .none { arguments.append("tls: \(tls(route.tls))") }
        if !route.middlewares.isEmpty {
            arguments.append("middlewares: [\(route.middlewares.map(middleware).joined(separator: ", "))]")
        }
        if let policy = route.health { arguments.append("health: \(health(policy))") }
        return "route(\(arguments.joined(separator: ", ")))"
    }

    static func tls(_ tls: RouteTLS) -> String {
        switch tls {
        case .none: ".none"
        case .resolver(let name): ".resolver(\(SwiftSource.string(name)))"
        case .certificate(let certificate, let key):
            ".certificate(certificate: \(SwiftSource.string(certificate)), key: \(SwiftSource.string(key)))"
        case .gatewayCertificates: ".gatewayCertificates"
        }
    }

    static func middleware(_ middleware: Middleware) -> String {
        let s = SwiftSource.string
        switch middleware {
        case .rateLimit(let limit):
            var arguments = ["average: \(limit.average)", "period: \(duration(limit.period))", "burst: \(limit.burst)"]
            if let undelayed = limit.undelayed { arguments.append("undelayed: \(undelayed)") }
            return ".rateLimit(RateLimit(\(arguments.joined(separator: ", "))))"
        case .securityHeaders(let headers):
            return
                ".securityHeaders(SecurityHeaders(strictTransportSecuritySeconds: \(headers.strictTransportSecuritySeconds), frameDeny: \(headers.frameDeny), contentTypeNosniff: \(headers.contentTypeNosniff), referrerPolicy: \(headers.referrerPolicy.map(s) ?? "nil"), contentSecurityPolicy: \(headers.contentSecurityPolicy.map(s) ?? "nil")))"
        case .basicAuth(let auth):
            return ".basicAuth(BasicAuth(users: \(SwiftSource.strings(auth.users))))"
        case .forwardAuth(let auth):
            return
                ".forwardAuth(ForwardAuth(address: \(s(auth.address)), trustForwardHeader: \(auth.trustForwardHeader), responseHeaders: \(SwiftSource.strings(auth.responseHeaders))))"
        case .stripPrefix: return ".stripPrefix"
        case .redirectToHTTPS: return ".redirectToHTTPS"
        case .websockets: return ".websockets"
        case .maxBodySize(let bytes): return ".maxBodySize(\(bytes))"
        case .timeouts(let timeouts):
            let arguments = [("connect", timeouts.connect), ("read", timeouts.read), ("send", timeouts.send)]
                .compactMap { name, value in value.map { "\(name): \(duration($0))" } }
            return ".timeouts(ProxyTimeouts(\(arguments.joined(separator: ", "))))"
        }
    }

    static func health(_ health: UpstreamHealth) -> String {
        "UpstreamHealth(path: \(SwiftSource.string(health.path)), interval: \(duration(health.interval)), timeout: \(duration(health.timeout)), maxFails: \(health.maxFails), failTimeout: \(duration(health.failTimeout)))"
    }

    /// `.seconds(n)` when whole, else `.milliseconds(n)`.
    static func duration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return ".seconds(\(seconds))" }
        return ".milliseconds(\(seconds * 1000 + attoseconds / 1_000_000_000_000_000))"
    }
}

/// Swift source for the Cloudflare Tunnel a rendered cloudflared service carries
/// (``BerthCore/Service/tunnelExtension``).
enum TunnelSource {
    /// `running(Tunnel(…) { … })`, and what it could not say.
    static func call(_ tunnel: Tunnel) -> (source: String, dropped: [String]) {
        let s = SwiftSource.string
        var arguments = ["id: \(s(tunnel.id))"]
        switch tunnel.management {
        case .remote(let token): arguments.append("token: \(s(token))")
        case .local(let credentials): arguments.append("credentials: \(s(credentials))")
        }
        arguments.append("network: \(s(tunnel.network))")
        if tunnel.serviceName != "cloudflared" { arguments.append("serviceName: \(s(tunnel.serviceName))") }
        if tunnel.catchAllService != "http_status:404" {
            arguments.append("catchAllService: \(tunnel.catchAllService.map(s) ?? "nil")")
        }
        var dropped: [String] = []
        if tunnel.originRequest != nil { dropped.append("the tunnel's origin request options") }
        var rules: [String] = []
        for rule in tunnel.ingress {
            guard let hostname = rule.hostname else {
                rules.append("IngressRule.catchAll(service: \(s(rule.service)))")
                continue
            }
            rules.append(
                "IngressRule(\(s(hostname))\(rule.path.map { ", path: \(s($0))" } ?? ""), service: \(s(rule.service)))")
            if rule.originRequest != nil { dropped.append("the origin request options of \(hostname)") }
            if rule.access != nil { dropped.append("the Access settings of \(hostname)") }
        }
        let body = rules.map { "    " + $0 }.joined(separator: "\n")
        return ("running(\n    Tunnel(\(arguments.joined(separator: ", "))) {\n\(body)\n    })", dropped)
    }
}
