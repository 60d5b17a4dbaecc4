import BerthCore
import Foundation

extension Tunnel {
    /// The cloudflared service that runs the tunnel, to add to the stack.
    ///
    /// It runs `cloudflared tunnel --no-autoupdate --metrics 0.0.0.0:2000 … run`: with
    /// `--config` and the rendered ``configFile`` mounted at ``configPath`` for a locally managed
    /// tunnel, with `TUNNEL_TOKEN_FILE` pointing at the token secret for a remotely managed one.
    /// It mounts the tunnel's secret, joins ``network``, is healthy once
    /// `cloudflared tunnel --metrics 0.0.0.0:2000 ready` succeeds, and publishes no port: every
    /// connection it makes is outbound.
    /// - Parameter image: The cloudflared image, pinned, such as
    ///   `"cloudflare/cloudflared:2025.4.0"` (the first to read `TUNNEL_TOKEN_FILE`).
    public func service(image: Image, fileID: String = #fileID, line: Int = #line) -> Service {
        var command = ["tunnel", "--no-autoupdate", "--metrics", Self.metricsAddress]
        var service = Service(serviceName, image: image, fileID: fileID, line: line)
            .networks(network)
            // The image's own user (distroless `nonroot`); declaring it lets deploys make the
            // secret file readable to it, since Compose cannot change a file secret's owner.
            .user("65532:65532")
            .readOnlyRootFilesystem()
            .dropCapabilities(["ALL"])
            .healthCheck(
                HealthCheck(
                    .command(["cloudflared", "tunnel", "--metrics", Self.metricsAddress, "ready"]),
                    interval: .seconds(10), timeout: .seconds(5), retries: 6, startPeriod: .seconds(10),
                    fileID: fileID, line: line))
        switch management {
        case .local(let credentials):
            command += ["--config", Self.configPath, "run"]
            service =
                service
                .secret(credentials, fileID: fileID, line: line)
                .config(configName, at: Self.configPath, fileID: fileID, line: line)
        case .remote(let token):
            command += ["run"]
            service = service.secret(token, pathVariable: "TUNNEL_TOKEN_FILE", fileID: fileID, line: line)
        }
        return service.command(command).running(self, fileID: fileID, line: line)
    }

    /// The key of the tunnel, as JSON, in its cloudflared service's ``Service/attachments``.
    public static let attachmentKey = Service.tunnelAttachment

    /// The tunnel as JSON, with sorted keys so equal tunnels attach equal text.
    var attachment: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // A Tunnel holds only strings, numbers and optionals of them, which always encode.
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// The checks of every tunnel whose cloudflared service the stack runs
    /// (``service(image:fileID:line:)``): cloudflared's ingress rules, the tunnel's declarations
    /// and origins, as ``validate(in:allowingPublishedPorts:)`` reports them.
    ///
    /// `validate`, `plan` and `up` run it with the stack's other checks, so a rule cloudflared
    /// would refuse (`*.*.example.com`) stops them before any engine is asked. Published ports
    /// are left to ``openPortDiagnostics(in:)``, which honours ``allowPublishedLabel``; a
    /// tunnel attached to several services is checked once.
    public static func attachedTunnelDiagnostics(in stack: Stack) -> [Diagnostic] {
        var seen: Set<String> = []
        var diagnostics: [Diagnostic] = []
        for service in stack.services {
            guard let json = service.attachments?[attachmentKey], seen.insert(json).inserted,
                let tunnel = try? JSONDecoder().decode(Tunnel.self, from: Data(json.utf8))
            else { continue }
            diagnostics += tunnel.validate(in: stack).filter { $0.code != .tunnelPublishedPort }
        }
        return diagnostics
    }

    /// The label on the cloudflared service holding the tunnel's ID.
    public static let idLabel = "berth.tunnel.id"
    /// The label on the cloudflared service holding the public hostnames, comma-separated.
    public static let hostnamesLabel = "berth.tunnel.hostnames"

    /// The label a service carries to publish host ports in a tunnel stack anyway: the allowed
    /// host ports, comma-separated (`"9100,9323"`).
    public static let allowPublishedLabel = "berth.tunnel.allow-published"

    /// "No open ports": in a stack whose ingress is a tunnel (it has a cloudflared service made by
    /// ``service(image:fileID:line:)``), every published host port is an error, unless the
    /// service lists that port in its ``allowPublishedLabel`` label.
    ///
    /// Deployers run this with validation, so `validate`, `plan` and `up` refuse such a stack
    /// before anything reaches an engine.
    public static func openPortDiagnostics(in stack: Stack) -> [Diagnostic] {
        guard stack.services.contains(where: { service in service.labels.contains { $0.key == idLabel } })
        else { return [] }
        return stack.services.flatMap { service -> [Diagnostic] in
            let allowed = Set(
                (service.labels.last { $0.key == allowPublishedLabel }?.value ?? "").split(separator: ",")
                    .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) })
            return service.ports.compactMap { port -> Diagnostic? in
                guard let published = port.published, !allowed.contains(published) else { return nil }
                return Diagnostic(
                    .error, .tunnelPublishedPort, element: "service '\(service.name)'",
                    message:
                        "It publishes host port \(published), but this stack's ingress is a Cloudflare Tunnel: traffic comes in through cloudflared, and an open port bypasses it.",
                    fix:
                        "Stop publishing the port and route the hostname through the tunnel, or allow it explicitly with .label(\"\(allowPublishedLabel)\", \"\(published)\").",
                    location: port.location)
            }
        }
    }

    /// The DNS routes the tunnels of a stack need, read from their cloudflared services' labels.
    public static func dnsRoutes(in stack: Stack) -> [DNSRoute] {
        stack.services.flatMap { service -> [DNSRoute] in
            guard let id = service.labels.last(where: { $0.key == idLabel }),
                let hostnames = service.labels.last(where: { $0.key == hostnamesLabel })
            else { return [] }
            return hostnames.value.split(separator: ",").map {
                DNSRoute(hostname: String($0), tunnelID: id.value, location: hostnames.location)
            }
        }
    }

    /// What the stack needs to run the tunnel: its cloudflared ``service(image:fileID:line:)``
    /// and, for a locally managed tunnel, the ``configFile``.
    ///
    /// The secret and the network stay the stack's to declare, since their sources are yours.
    public func stackPart(image: Image, fileID: String = #fileID, line: Int = #line) -> StackPart {
        let service = service(image: image, fileID: fileID, line: line)
        let config = configFile(location: SourceLocation(fileID: fileID, line: line))
        return StackPart {
            service
            if let config { config }
        }
    }
}

extension Service {
    /// Marks the service as the one that runs `tunnel`: what ``Tunnel/service(image:fileID:line:)``
    /// does after it writes the service, for a cloudflared service written another way (as
    /// `berth import` writes one from a rendered file).
    public func running(_ tunnel: Tunnel, fileID: String = #fileID, line: Int = #line) -> Service {
        var service = self
        // What the preflight checks the tunnel with: the stack keeps no Tunnel value.
        service.attachments = (service.attachments ?? [:]).merging([Tunnel.attachmentKey: tunnel.attachment]) {
            $1
        }
        // What `plan` reads to list the DNS routes the hostnames need, without the Tunnel value.
        return service.label(Tunnel.idLabel, tunnel.id, fileID: fileID, line: line)
            .label(
                Tunnel.hostnamesLabel, tunnel.dnsRoutes.map(\.hostname).joined(separator: ","), fileID: fileID,
                line: line)
    }
}
