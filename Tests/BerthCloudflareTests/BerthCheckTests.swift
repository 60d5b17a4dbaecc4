import BerthCloudflare
import BerthCore
import Testing

/// The checks Berth adds to cloudflared's: what only the stack and the deployment tell.
@Suite("Berth's tunnel checks")
struct BerthCheckTests {
    private func codes(_ diagnostics: [Diagnostic]) -> [Diagnostic.Code] { diagnostics.map(\.code) }

    /// The shop with one more rule, validated.
    private func validateShop(adding extra: IngressRule, for environment: Environment = .dev) -> [Diagnostic] {
        let tunnel = Tunnel(id: Fixtures.tunnelID, credentials: "tunnel_credentials", network: "edge") {
            Fixtures.shopRules
            extra
        }
        return tunnel.validate(in: Fixtures.shop(tunnel, for: environment))
    }

    @Test("the shop fixtures are valid", arguments: [Fixtures.localTunnel, Fixtures.remoteTunnel])
    func fixturesAreValid(_ tunnel: Tunnel) {
        for environment in [Environment.dev, .stg, .prod] {
            let stack = Fixtures.shop(tunnel, for: environment)
            #expect(tunnel.validate(in: stack).isEmpty, "\(tunnel.validate(in: stack))")
            #expect(stack.validate(for: environment).isEmpty, "\(stack.validate(for: environment))")
        }
    }

    @Test("a hostname routed twice is an error on the second rule")
    func duplicateRoute() throws {
        let line = #line + 1
        let diagnostics = validateShop(adding: IngressRule.route("SHOP.example.com", to: "gateway", port: 80))
        #expect(codes(diagnostics) == [.tunnelDuplicateRoute])
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.location == SourceLocation(fileID: #fileID, line: line))
        #expect(diagnostic.message.contains("Rule 1"))
    }

    @Test("a hostname and path routed twice is an error, and anchoring does not hide it")
    func duplicatePath() {
        #expect(
            codes(validateShop(adding: IngressRule.route("api.example.com", path: "^/v1/", to: "gateway", port: 80)))
                == [.tunnelDuplicateRoute])
        #expect(
            validateShop(adding: IngressRule.route("api.example.com", path: "/v2/", to: "gateway", port: 80)).isEmpty)
    }

    @Test("a hostname the gateway has no route for is an error")
    func unroutedHostname() throws {
        let tunnel = Fixtures.localTunnel
        let served = ["shop.example.com", "API.example.com", "*.example.com"]
        #expect(tunnel.gatewayRouteDiagnostics(gateway: "gateway", servedHostnames: served).isEmpty)
        let diagnostics = tunnel.gatewayRouteDiagnostics(
            gateway: "gateway", servedHostnames: ["shop.example.com", "legacy.example.com"])
        #expect(codes(diagnostics) == [.tunnelUnroutedHostname, .tunnelUnroutedHostname])
        #expect(
            diagnostics.map(\.element) == [
                "ingress rule 2 ('api.example.com /v1/')", "ingress rule 3 ('admin.example.com')",
            ])
        #expect(try #require(diagnostics.first).message.contains("'api.example.com'"))
        // A rule to another origin is not the gateway's business.
        #expect(tunnel.gatewayRouteDiagnostics(gateway: "web", servedHostnames: []).isEmpty)
    }

    @Test("a wildcard hostname needs the same wildcard on the gateway")
    func unroutedWildcard() {
        let tunnel = Fixtures.literal([rule("*.example.com", "http://gateway:80")], catchAll: "http_status:404")
        #expect(
            codes(tunnel.gatewayRouteDiagnostics(gateway: "gateway", servedHostnames: ["a.example.com"])) == [
                .tunnelUnroutedHostname
            ])
        #expect(tunnel.gatewayRouteDiagnostics(gateway: "gateway", servedHostnames: ["*.example.com"]).isEmpty)
    }

    @Test("an origin that is not a service of the stack is an error naming the services on the network")
    func unknownOrigin() throws {
        let diagnostics = validateShop(adding: IngressRule.route("blog.example.com", to: "gatewy", port: 80))
        #expect(codes(diagnostics) == [.tunnelUnknownOrigin])
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.fix.contains("(gateway)"))
    }

    @Test("an unknown origin is only a warning when the tunnel's network is shared with other stacks")
    func unknownOriginOnSharedNetwork() {
        let tunnel = Fixtures.literal([rule("app.example.com", "http://other-app:80")], catchAll: "http_status:404")
        let stack = Stack("shop") {
            Network.external("edge", realName: "infra_edge")
            Secret("tunnel_credentials", .file("secrets/tunnel.json"))
            tunnel.stackPart(image: Fixtures.image)
        }
        let diagnostics = tunnel.validate(in: stack)
        #expect(codes(diagnostics) == [.tunnelUnknownOrigin])
        #expect(diagnostics.first?.severity == .warning)
    }

    @Test("an origin that is not on the tunnel's network is an error")
    func originNotOnNetwork() throws {
        let diagnostics = validateShop(adding: IngressRule.route("app.example.com", to: "web", port: 8080))
        #expect(codes(diagnostics) == [.tunnelOriginNotOnNetwork])
        #expect(try #require(diagnostics.first).fix == "Add .networks(\"edge\") to service 'web'.")
    }

    @Test("an origin on localhost is a warning: inside the container it is cloudflared itself")
    func localhostOrigin() {
        let diagnostics = validateShop(adding: IngressRule("local.example.com", service: "http://localhost:8080"))
        #expect(codes(diagnostics) == [.tunnelOriginOnLocalhost])
        #expect(diagnostics.first?.severity == .warning)
    }

    @Test("an origin port the service does not declare is a warning")
    func undeclaredPort() {
        let diagnostics = validateShop(adding: IngressRule.route("alt.example.com", to: "gateway", port: 8080))
        #expect(codes(diagnostics) == [.tunnelOriginPortNotDeclared])
        #expect(diagnostics.first?.severity == .warning)
        // `https://gateway` means port 443, which the gateway declares.
        #expect(validateShop(adding: IngressRule("tls.example.com", service: "https://gateway")).isEmpty)
    }

    @Test("Access with audience tags but no team is an error")
    func accessWithoutTeam() {
        let rule = IngressRule.route("ops.example.com", to: "gateway", port: 80)
            .access(Access(teamName: "", audTags: ["tag"]))
        #expect(codes(validateShop(adding: rule)) == [.tunnelAccessWithoutTeam])
        let notRequired = IngressRule.route("ops.example.com", to: "gateway", port: 80)
            .access(Access(required: false, audTags: ["tag"]))
        #expect(codes(validateShop(adding: notRequired)) == [.tunnelAccessWithoutTeam])
    }

    @Test("an undeclared secret or network is an error, with an example for each mode")
    func undeclaredSecretAndNetwork() {
        for tunnel in [Fixtures.localTunnel, Fixtures.remoteTunnel] {
            let stack = Stack("shop") {
                Service("gateway", image: "nginx:1.27").expose(80).expose(443).networks("edge")
                tunnel.stackPart(image: Fixtures.image)
            }
            let diagnostics = tunnel.validate(in: stack).filter { $0.element == "tunnel 'cloudflared'" }
            #expect(codes(diagnostics) == [.tunnelUndeclaredSecret, .tunnelUndeclaredNetwork])
            let fix = diagnostics.first?.fix ?? ""
            #expect(fix.contains(tunnel.isLocallyManaged ? ".file(" : ".environment("), "\(fix)")
            #expect(diagnostics.first?.location == tunnel.location)
        }
    }

    @Test("a tunnel ID that is not a UUID is an error")
    func invalidID() {
        let tunnel = Tunnel(id: "shop-tunnel", credentials: "tunnel_credentials", network: "edge") {
            Fixtures.shopRules
        }
        #expect(codes(tunnel.validate(in: Fixtures.shop(tunnel))) == [.tunnelInvalidID])
    }

    @Test("a stack without the cloudflared service gets a warning")
    func missingService() {
        let tunnel = Fixtures.localTunnel
        let stack = Stack("shop") {
            Network("edge")
            Secret("tunnel_credentials", .file("secrets/tunnel.json"))
            Service("gateway", image: "nginx:1.27").expose(80).expose(443).networks("edge")
        }
        let diagnostics = tunnel.validate(in: stack)
        #expect(codes(diagnostics) == [.tunnelMissingService])
        #expect(diagnostics.first?.severity == .warning)
    }

    @Test("a remote tunnel on a cloudflared older than 2025.4.0 is an error: it ignores TUNNEL_TOKEN_FILE")
    func outdatedImage() {
        let tunnel = Fixtures.remoteTunnel
        let stack = Stack("shop") {
            Network("edge")
            Secret("tunnel_token", .environment("TOKEN"))
            Service("gateway", image: "nginx:1.27").expose(80).expose(443).networks("edge")
            tunnel.stackPart(image: "cloudflare/cloudflared:2025.2.1")
        }
        #expect(codes(tunnel.validate(in: stack)) == [.tunnelOutdatedImage])
        // A locally managed tunnel reads no token, so any version does.
        let local = Fixtures.localTunnel
        let localStack = Stack("shop") {
            Network("edge")
            Secret("tunnel_credentials", .file("secrets/tunnel.json"))
            Service("gateway", image: "nginx:1.27").expose(80).expose(443).networks("edge")
            local.stackPart(image: "cloudflare/cloudflared:2024.12.2")
        }
        #expect(local.validate(in: localStack).isEmpty)
    }

    @Test("negative durations are errors; fractions of seconds only for the remote API")
    func durations() {
        let negative = IngressRule.route("slow.example.com", to: "gateway", port: 80)
            .originRequest(OriginRequest(connectTimeout: .seconds(-1)))
        #expect(codes(validateShop(adding: negative)) == [.tunnelInvalidDuration])

        let fraction = IngressRule.route("slow.example.com", to: "gateway", port: 80)
            .originRequest(OriginRequest(tlsTimeout: .milliseconds(1500), keepAliveConnections: 0))
        #expect(codes(validateShop(adding: fraction)) == [.tunnelInvalidCount])
        let remote = Tunnel(id: Fixtures.tunnelID, token: "tunnel_token", network: "edge") {
            Fixtures.shopRules
            fraction
        }
        #expect(
            codes(remote.validate(in: Fixtures.shop(remote))) == [.tunnelInvalidDuration, .tunnelInvalidCount])
    }

    @Test("errors come before warnings, each in the order written")
    func ordering() {
        let tunnel = Tunnel(id: Fixtures.tunnelID, credentials: "tunnel_credentials", network: "edge") {
            IngressRule("a.example.com", service: "http://localhost:80")
            IngressRule("b.example.com", service: "localhost:80")
            IngressRule.route("c.example.com", to: "nowhere", port: 80)
        }
        let diagnostics = tunnel.validate(in: Fixtures.shop(tunnel))
        #expect(codes(diagnostics) == [.tunnelInvalidService, .tunnelUnknownOrigin, .tunnelOriginOnLocalhost])
    }

    @Test("every tunnel code is prefixed tunnel- and every diagnostic says how to fix it")
    func codesAndFixes() {
        let tunnel = Tunnel(id: "x", credentials: "missing", network: "nowhere") {
            IngressRule("a.example.com:1", service: "localhost")
            IngressRule.route("a.example.com:1", to: "web", port: 1)
        }
        let diagnostics = tunnel.validate(in: Fixtures.shop(Fixtures.localTunnel))
        #expect(diagnostics.count > 5)
        for diagnostic in diagnostics {
            #expect(diagnostic.code.rawValue.hasPrefix("tunnel-"))
            #expect(!diagnostic.fix.isEmpty && !diagnostic.message.isEmpty)
            #expect(diagnostic.location != nil)
        }
    }
}

/// "No open ports": a stack whose ingress is a tunnel publishes nothing on the host.
@Suite("No open ports")
struct PublishedPortTests {
    private func shopPublishing(_ tunnel: Tunnel) -> (Stack, Int) {
        let line = #line + 8
        let stack = Stack("shop") {
            Network("edge")
            Secret("tunnel_credentials", .file("secrets/tunnel.json"))
            Service("gateway", image: "nginx:1.27")
                .expose(80)
                .expose(443)
                .networks("edge")
                .publish(80, on: 8080)
            Service("metrics", image: "prom/node-exporter:v1.8.2")
                .publish(9100, on: 9100, public: true)
            tunnel.stackPart(image: Fixtures.image)
        }
        return (stack, line)
    }

    @Test("every published port is an error naming the service and the port")
    func publishedPorts() throws {
        let (stack, line) = shopPublishing(Fixtures.localTunnel)
        let diagnostics = Fixtures.localTunnel.publishedPortDiagnostics(in: stack)
        #expect(diagnostics.map(\.code) == [.tunnelPublishedPort, .tunnelPublishedPort])
        #expect(diagnostics.map(\.element) == ["service 'gateway'", "service 'metrics'"])
        let first = try #require(diagnostics.first)
        #expect(first.severity == .error)
        #expect(first.message.contains("host port 8080 (127.0.0.1:8080->80/tcp)"))
        #expect(first.location == SourceLocation(fileID: #fileID, line: line))
        #expect(diagnostics[1].message.contains("0.0.0.0:9100->9100/tcp"))
        #expect(Fixtures.localTunnel.validate(in: stack).map(\.code) == [.tunnelPublishedPort, .tunnelPublishedPort])
    }

    @Test("an explicitly allowed port is not reported")
    func allowList() {
        let (stack, _) = shopPublishing(Fixtures.localTunnel)
        let allowed = [Tunnel.AllowedPort(service: "metrics", port: 9100)]
        let diagnostics = Fixtures.localTunnel.validate(in: stack, allowingPublishedPorts: allowed)
        #expect(diagnostics.map(\.element) == ["service 'gateway'"])
        // The allowance names the host port, not the container port.
        let wrongPort = [Tunnel.AllowedPort(service: "gateway", port: 80)]
        #expect(Fixtures.localTunnel.publishedPortDiagnostics(in: stack, allowing: wrongPort).count == 2)
    }
}
