import BerthCore

extension Tunnel {
    /// A host port a stack may publish even though its ingress is a tunnel.
    public struct AllowedPort: Sendable, Hashable, Codable {
        /// The service that publishes the port.
        public var service: String
        /// The port on the host.
        public var port: Int

        /// Allows one service to publish one host port.
        public init(service: String, port: Int) {
            self.service = service
            self.port = port
        }
    }

    /// Validates the tunnel within its stack: cloudflared's own rules (``validateIngress()``),
    /// then what only the stack tells.
    ///
    /// Berth checks that the tunnel's ID is a UUID, its secret and network are declared, the
    /// stack has its cloudflared service (with an image new enough for `TUNNEL_TOKEN_FILE`), no
    /// hostname and path is routed twice, every origin naming a stack service is a service on
    /// the tunnel's network, durations suit the configuration they go to, and no service
    /// publishes a host port (``publishedPortDiagnostics(in:allowing:)``).
    /// - Parameters:
    ///   - stack: The stack the tunnel's cloudflared service belongs to.
    ///   - allowed: Host ports that may stay published, such as a metrics port bound to
    ///     `127.0.0.1` for a local scraper.
    /// - Returns: Every problem found, errors first, in the order written.
    public func validate(in stack: Stack, allowingPublishedPorts allowed: [AllowedPort] = []) -> [Diagnostic] {
        var diagnostics = validateIngress()
        diagnostics += checkDeclarations(in: stack)
        diagnostics += checkRoutes()
        diagnostics += checkOrigins(in: stack)
        diagnostics += checkOptions()
        diagnostics += publishedPortDiagnostics(in: stack, allowing: allowed)
        // A stable sort: the order written within each severity.
        return diagnostics.enumerated().sorted {
            $0.element.severity != $1.element.severity
                ? $0.element.severity > $1.element.severity : $0.offset < $1.offset
        }
        .map(\.element)
    }

    /// Reports every port a service of the stack publishes on the host: the tunnel is the
    /// stack's ingress, so nothing else should listen there.
    /// - Parameters:
    ///   - stack: The stack whose ingress is this tunnel.
    ///   - allowed: Host ports that may stay published, by service.
    /// - Returns: One error per published port, naming the service and the port.
    public func publishedPortDiagnostics(in stack: Stack, allowing allowed: [AllowedPort] = []) -> [Diagnostic] {
        let allowed = Set(allowed)
        var diagnostics: [Diagnostic] = []
        for service in stack.services {
            for port in service.ports {
                guard let published = port.published,
                    !allowed.contains(AllowedPort(service: service.name, port: published))
                else { continue }
                let binding = "\(port.hostIP ?? "0.0.0.0"):\(published)->\(port.target)/\(port.transport.rawValue)"
                diagnostics.append(
                    Diagnostic(
                        .error, .tunnelPublishedPort, element: "service '\(service.name)'",
                        message:
                            """
                            It publishes host port \(published) (\(binding)), but the stack's ingress is the tunnel \
                            '\(serviceName)': nothing should listen on the host.
                            """,
                        fix:
                            """
                            Remove the .publish(…) and route a hostname to it through the tunnel, or allow it \
                            explicitly with Tunnel.AllowedPort(service: \"\(service.name)\", port: \(published)).
                            """,
                        location: port.location))
            }
        }
        return diagnostics
    }

    /// Reports the hostnames the tunnel sends to the gateway that the gateway has no route for:
    /// their visitors would get the gateway's 404.
    /// - Parameters:
    ///   - gateway: The name of the gateway service.
    ///   - servedHostnames: The hostnames the gateway routes; `*.example.com` covers every name
    ///     under `example.com`.
    public func gatewayRouteDiagnostics(gateway: String, servedHostnames: [String]) -> [Diagnostic] {
        let served = Set(servedHostnames.map { $0.lowercased() })
        var diagnostics: [Diagnostic] = []
        for (index, rule) in completedIngress.enumerated() {
            guard let hostname = rule.hostname, !hostname.isEmpty, hostname != "*",
                originURL(of: rule)?.host == gateway, !Self.covers(served, hostname.lowercased())
            else { continue }
            diagnostics.append(
                Diagnostic(
                    .error, .tunnelUnroutedHostname, element: Self.element(of: rule, at: index),
                    message:
                        """
                        The tunnel sends '\(hostname)' to the gateway '\(gateway)', which has no route for it; its \
                        visitors would get the gateway's 404.
                        """,
                    fix: "Add a route for '\(hostname)' to the gateway, or remove this rule.",
                    location: rule.location))
        }
        return diagnostics
    }

    private static func covers(_ served: Set<String>, _ hostname: String) -> Bool {
        if served.contains(hostname) { return true }
        if hostname.hasPrefix("*.") { return false }
        return served.contains { pattern in pattern.hasPrefix("*.") && hostname.hasSuffix(pattern.dropFirst()) }
    }

    private func originURL(of rule: IngressRule) -> OriginURL? {
        let bastionMode = rule.originRequest?.bastionMode ?? originRequest?.bastionMode ?? false
        if case .success(.url(let url)) = OriginService.parse(rule.service, bastionMode: bastionMode) { return url }
        return nil
    }

    // MARK: Declarations

    private func checkDeclarations(in stack: Stack) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let element = "tunnel '\(serviceName)'"
        if !Self.isUUID(id) {
            diagnostics.append(
                Diagnostic(
                    .error, .tunnelInvalidID, element: element,
                    message: "The tunnel ID '\(id)' is not a UUID.",
                    fix:
                        """
                        Use the tunnel's UUID, as `cloudflared tunnel list` or the dashboard shows it \
                        (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).
                        """,
                    location: location))
        }
        if !stack.secrets.contains(where: { $0.name == secretName }) {
            let what = isLocallyManaged ? "credentials JSON" : "token"
            let example =
                isLocallyManaged
                ? "Secret(\"\(secretName)\", .file(\"secrets/tunnel-credentials.json\"))"
                : "Secret(\"\(secretName)\", .environment(\"TUNNEL_TOKEN\"))"
            diagnostics.append(
                Diagnostic(
                    .error, .tunnelUndeclaredSecret, element: element,
                    message:
                        "The tunnel reads its \(what) from secret '\(secretName)', which the stack does not declare.",
                    fix: "Declare it in the stack, for example \(example).",
                    location: location))
        }
        if !stack.networks.contains(where: { $0.name == network }) {
            diagnostics.append(
                Diagnostic(
                    .error, .tunnelUndeclaredNetwork, element: element,
                    message: "The tunnel joins network '\(network)', which the stack does not declare.",
                    fix:
                        """
                        Declare Network(\"\(network)\") in the stack (Network.external(\"\(network)\") for a shared \
                        one), and attach the origins to it.
                        """,
                    location: location))
        }
        if let service = stack.service(named: serviceName) {
            if !isLocallyManaged, let version = Self.cloudflaredVersion(service.image),
                version.lexicographicallyPrecedes([2025, 4, 0])
            {
                diagnostics.append(
                    Diagnostic(
                        .error, .tunnelOutdatedImage, element: "service '\(serviceName)'",
                        message:
                            """
                            cloudflared \(service.image.tag ?? "") does not read TUNNEL_TOKEN_FILE (added in \
                            2025.4.0), so the tunnel would start without its token.
                            """,
                        fix: "Use cloudflare/cloudflared:2025.4.0 or newer.",
                        location: service.location))
            }
        } else {
            diagnostics.append(
                Diagnostic(
                    .warning, .tunnelMissingService, element: element,
                    message: "The stack has no service '\(serviceName)', so nothing runs the tunnel.",
                    fix: "Add tunnel.stackPart(image: \"cloudflare/cloudflared:2025.4.0\") to the stack.",
                    location: location))
        }
        return diagnostics
    }

    static func isUUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// The `YYYY.M.P` version of an official cloudflared image's tag, if it has one.
    static func cloudflaredVersion(_ image: Image) -> [Int]? {
        guard image.repository.hasSuffix("cloudflare/cloudflared"), let tag = image.tag else { return nil }
        let parts = tag.split(separator: ".").map { Int($0) }
        guard parts.count == 3, parts.allSatisfy({ $0 != nil }) else { return nil }
        return parts.map { $0! }
    }

    // MARK: Routes

    private func checkRoutes() -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        struct Route: Hashable {
            var hostname: String
            var path: String
        }
        var first: [Route: (index: Int, location: SourceLocation)] = [:]
        for (index, rule) in ingress.enumerated() where !rule.isCatchAll {
            let route = Route(hostname: (rule.hostname ?? "*").lowercased(), path: rule.renderedPath ?? "")
            if let earlier = first[route] {
                diagnostics.append(
                    Diagnostic(
                        .error, .tunnelDuplicateRoute, element: Self.element(of: rule, at: index),
                        message:
                            """
                            Rule \(earlier.index + 1) (\(earlier.location)) already routes this \
                            hostname\(route.path.isEmpty ? "" : " and path"); cloudflared uses the first rule that \
                            matches, so this one never would.
                            """,
                        fix: "Remove one of the two rules, or give them different paths.",
                        location: rule.location))
            } else {
                first[route] = (index, rule.location)
            }
        }
        return diagnostics
    }

    // MARK: Origins

    private func checkOrigins(in stack: Stack) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let tunnelNetwork = stack.networks.first { $0.name == network }
        // On a network another stack owns, another stack's service may answer to the name.
        let othersMayAnswer = tunnelNetwork?.isExternal ?? false
        let onNetwork = stack.services.filter { $0.networks.contains(network) && $0.name != serviceName }.map(\.name)
        for (index, rule) in completedIngress.enumerated() {
            guard let url = originURL(of: rule) else { continue }
            let element = Self.element(of: rule, at: index)
            let host = url.host.lowercased()
            if host == "localhost" || host.hasPrefix("127.") || host == "::1" {
                diagnostics.append(
                    Diagnostic(
                        .warning, .tunnelOriginOnLocalhost, element: element,
                        message:
                            """
                            The service '\(rule.service)' is on \(url.host), which inside the cloudflared container \
                            is cloudflared itself, not the host or another service.
                            """,
                        fix: "Name the stack service instead, as in http://gateway:80.",
                        location: rule.location))
                continue
            }
            if let service = stack.service(named: url.host) {
                if !service.networks.contains(network) {
                    diagnostics.append(
                        Diagnostic(
                            .error, .tunnelOriginNotOnNetwork, element: element,
                            message:
                                """
                                The origin '\(url.host)' is not on the tunnel's network '\(network)', so cloudflared \
                                cannot reach it.
                                """,
                            fix: "Add .networks(\"\(network)\") to service '\(url.host)'.",
                            location: rule.location))
                }
                let declared = service.ports.map(\.target)
                if let port = url.effectivePort, !declared.isEmpty, !declared.contains(port) {
                    diagnostics.append(
                        Diagnostic(
                            .warning, .tunnelOriginPortNotDeclared, element: element,
                            message:
                                """
                                The origin '\(url.host)' declares port(s) \
                                \(declared.map(String.init).joined(separator: ", ")), not \(port).
                                """,
                            fix: "Route to a port the service listens on, or declare it with .expose(\(port)).",
                            location: rule.location))
                }
            } else if !url.host.contains("."), !Self.isIPAddress(url.host) {
                let candidates = onNetwork.isEmpty ? "none" : onNetwork.joined(separator: ", ")
                diagnostics.append(
                    Diagnostic(
                        othersMayAnswer ? .warning : .error, .tunnelUnknownOrigin, element: element,
                        message:
                            """
                            The service '\(rule.service)' names '\(url.host)', which is not a service of the \
                            stack\(othersMayAnswer ? " (a stack sharing network '\(network)' may provide it)" : "").
                            """,
                        fix: "Name a service on network '\(network)' (\(candidates)), or add the service to the stack.",
                        location: rule.location))
            }
        }
        return diagnostics
    }

    private static func isIPAddress(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) { return true }
        return host.contains(":")
    }

    // MARK: Options

    private func checkOptions() -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var scoped: [(String, OriginRequest)] = []
        if let originRequest { scoped.append(("tunnel '\(serviceName)'", originRequest)) }
        for (index, rule) in ingress.enumerated() {
            if let options = rule.originRequest { scoped.append((Self.element(of: rule, at: index), options)) }
        }
        for (element, options) in scoped {
            for (key, duration) in options.durations {
                if duration < .zero {
                    diagnostics.append(
                        Diagnostic(
                            .error, .tunnelInvalidDuration, element: element,
                            message: "\(key) is \(GoDuration.format(duration)); a timeout cannot be negative.",
                            fix: "Use a positive duration such as .seconds(30).",
                            location: options.location))
                } else if !isLocallyManaged, duration.components.attoseconds != 0 {
                    diagnostics.append(
                        Diagnostic(
                            .error, .tunnelInvalidDuration, element: element,
                            message:
                                """
                                \(key) is \(GoDuration.format(duration)), but the remote configuration API takes \
                                whole seconds.
                                """,
                            fix: "Round it to whole seconds, such as .seconds(\(max(1, duration.components.seconds))).",
                            location: options.location))
                }
            }
            if let count = options.keepAliveConnections, count < 1 {
                diagnostics.append(
                    Diagnostic(
                        .error, .tunnelInvalidCount, element: element,
                        message: "keepAliveConnections is \(count); cloudflared needs at least 1.",
                        fix: "Leave it out for cloudflared's default (100), or use a positive number.",
                        location: options.location))
            }
        }
        return diagnostics
    }
}
