import BerthCloudflare
import BerthCore
import BerthYAML
import Testing

@Suite("Rendering")
struct RenderingTests {
    private func ingress(of tunnel: Tunnel) throws -> [YAMLMapping] {
        guard case .mapping(let root)? = tunnel.configDocument, case .sequence(let rules)? = root["ingress"] else {
            throw Failure.unexpectedShape
        }
        return try rules.map {
            guard case .mapping(let rule) = $0 else { throw Failure.unexpectedShape }
            return rule
        }
    }

    private enum Failure: Error { case unexpectedShape }

    @Test("config.yml names the tunnel and the credentials file where the secret is mounted")
    func header() throws {
        guard case .mapping(let root)? = Fixtures.localTunnel.configDocument else { throw Failure.unexpectedShape }
        #expect(root.keys == ["tunnel", "credentials-file", "originRequest", "ingress"])
        #expect(root["tunnel"] == .string(Fixtures.tunnelID))
        #expect(root["credentials-file"] == "/run/secrets/tunnel_credentials")
        #expect(root["originRequest"] == ["connectTimeout": "10s", "tcpKeepAlive": "30s"])
    }

    @Test("the catch-all http_status:404 is appended, once")
    func catchAll() throws {
        let rules = try ingress(of: Fixtures.localTunnel)
        #expect(rules.count == 6)
        #expect(rules.last == ["service": "http_status:404"])

        let own = Tunnel(id: Fixtures.tunnelID, credentials: "c", network: "edge") {
            IngressRule.route("a.example.com", to: "gateway", port: 80)
            IngressRule.catchAll(service: "http://gateway:80")
        }
        #expect(try ingress(of: own).map { $0["service"] } == ["http://gateway:80", "http://gateway:80"])

        let none = Tunnel(id: Fixtures.tunnelID, credentials: "c", network: "edge", catchAllService: nil) {
            IngressRule.route("a.example.com", to: "gateway", port: 80)
        }
        #expect(try ingress(of: none).count == 1)
    }

    @Test("paths are anchored with ^ unless they already are")
    func anchoredPaths() throws {
        let rules = try ingress(of: Fixtures.localTunnel)
        #expect(rules[1]["path"] == "^/v1/")
        #expect(rules[3]["path"] == "^/old/.*\\.php$")
        #expect(rules[0]["path"] == nil)
        #expect(IngressRule("a.example.com", path: "", service: "http://x:1").renderedPath == nil)
    }

    @Test("rules use cloudflared's keys, durations as Go durations, Access inside originRequest")
    func ruleKeys() throws {
        let rules = try ingress(of: Fixtures.localTunnel)
        #expect(rules[0] == ["hostname": "shop.example.com", "service": "http://gateway:80"])
        #expect(rules[1].keys == ["hostname", "path", "service", "originRequest"])
        #expect(
            rules[1]["originRequest"] == [
                "connectTimeout": "30s", "keepAliveTimeout": "1m30s", "httpHostHeader": "api.internal",
            ])
        #expect(
            rules[2]["originRequest"] == [
                "access": ["required": true, "teamName": "acme", "audTag": ["d4f6a1b2c3", "e5f6a7b8c9"]]
            ])
        guard case .mapping(let legacy)? = rules[3]["originRequest"] else { throw Failure.unexpectedShape }
        #expect(
            legacy.keys == [
                "tlsTimeout", "noHappyEyeballs", "keepAliveConnections", "originServerName", "matchSNItoHost",
                "caPool", "noTLSVerify", "disableChunkedEncoding", "http2Origin",
            ])
        #expect(legacy["noTLSVerify"] == true)
        #expect(legacy["keepAliveConnections"] == 10)
    }

    @Test("a remotely managed tunnel has no config.yml; its rules go to the API as JSON with whole seconds")
    func remote() throws {
        let tunnel = Fixtures.remoteTunnel
        #expect(tunnel.configDocument == nil)
        #expect(tunnel.configFile == nil)
        let json = try JSON.parse(tunnel.remoteConfigurationJSON())
        #expect(json["config"]?["originRequest"] == ["connectTimeout": 10, "tcpKeepAlive": 30])
        #expect(json["config"]?["ingress"]?[1]?["path"] == "^/v1/")
        #expect(
            json["config"]?["ingress"]?[1]?["originRequest"] == [
                "connectTimeout": 30, "keepAliveTimeout": 90, "httpHostHeader": "api.internal",
            ])
        #expect(json["config"]?["ingress"]?[5] == ["service": "http_status:404"])
        #expect(json["config"]?["ingress"]?[2]?["originRequest"]?["access"]?["teamName"] == "acme")
        // Sorted keys, no spaces: the same tunnel always gives the same text.
        #expect(tunnel.remoteConfigurationJSON().hasPrefix(#"{"config":{"ingress":[{"hostname":"shop.example.com","#))
        let call = tunnel.remoteConfiguration
        #expect(call.method == "PUT")
        #expect(
            call.url
                == "https://api.cloudflare.com/client/v4/accounts/{account_id}/cfd_tunnel/\(Fixtures.tunnelID)"
                + "/configurations"
        )
        #expect(call.body == tunnel.remoteConfigurationJSON())
    }

    @Test("the locally managed cloudflared service: command, config, secret, health, network, no ports")
    func localService() throws {
        let line = #line + 1
        let service = Fixtures.localTunnel.service(image: Fixtures.image)
        #expect(service.name == "cloudflared")
        #expect(service.image.reference == "cloudflare/cloudflared:2025.4.0")
        #expect(
            service.command == [
                "tunnel", "--no-autoupdate", "--metrics", "0.0.0.0:2000", "--config", "/etc/cloudflared/config.yml",
                "run",
            ])
        #expect(service.secrets.map(\.path) == ["/run/secrets/tunnel_credentials"])
        #expect(service.secrets.first?.pathVariable == nil)
        #expect(service.configs.map(\.config) == ["cloudflared-config"])
        #expect(service.configs.map(\.target) == ["/etc/cloudflared/config.yml"])
        #expect(service.networks == ["edge"])
        #expect(service.ports.isEmpty)
        #expect(service.environment.isEmpty)
        let check = try #require(service.healthCheck)
        #expect(check.test == .command(["cloudflared", "tunnel", "--metrics", "0.0.0.0:2000", "ready"]))
        #expect(service.location == SourceLocation(fileID: #fileID, line: line))
        #expect(service.secrets.first?.location == service.location)
    }

    @Test("the remotely managed cloudflared service reads its token through TUNNEL_TOKEN_FILE")
    func remoteService() {
        let service = Fixtures.remoteTunnel.service(image: Fixtures.image)
        #expect(service.command == ["tunnel", "--no-autoupdate", "--metrics", "0.0.0.0:2000", "run"])
        #expect(service.secrets.map(\.secret) == ["tunnel_token"])
        #expect(service.secrets.first?.pathVariable == "TUNNEL_TOKEN_FILE")
        #expect(service.secrets.first?.path == "/run/secrets/tunnel_token")
        #expect(service.configs.isEmpty)
        #expect(service.ports.isEmpty)
    }

    @Test("stackPart adds the service and, for a local tunnel, config.yml as a config with its text")
    func stackPart() throws {
        let local = Fixtures.shop(Fixtures.localTunnel)
        let config = try #require(local.configs.first)
        #expect(local.configs.count == 1)
        #expect(config.name == "cloudflared-config")
        #expect(config.source == .content(YAMLEmitter.emit(try #require(Fixtures.localTunnel.configDocument))))
        #expect(local.service(named: "cloudflared") != nil)
        let remote = Fixtures.shop(Fixtures.remoteTunnel)
        #expect(remote.configs.isEmpty)
        #expect(remote.service(named: "cloudflared") != nil)
    }

    @Test("DNS routes: one per hostname, as cloudflared argv and as the DNS API call")
    func dnsRoutes() throws {
        let line = #line + 3
        let tunnel = Tunnel(id: Fixtures.tunnelID, credentials: "c", network: "edge") {
            IngressRule.route("shop.example.com", to: "gateway", port: 80)
            IngressRule.route("api.example.com", path: "/v1/", to: "gateway", port: 80)
            IngressRule.route("api.example.com", path: "/v2/", to: "gateway", port: 80)
            IngressRule.route("*.preview.example.com", to: "gateway", port: 80)
            IngressRule(
                hostname: "*", path: "/health", service: "http://gateway:80",
                location: SourceLocation(fileID: "x", line: 1))
        }
        let routes = tunnel.dnsRoutes
        #expect(routes.map(\.hostname) == ["shop.example.com", "api.example.com", "*.preview.example.com"])
        #expect(
            routes.map(\.command) == [
                ["cloudflared", "tunnel", "route", "dns", Fixtures.tunnelID, "shop.example.com"],
                ["cloudflared", "tunnel", "route", "dns", Fixtures.tunnelID, "api.example.com"],
                ["cloudflared", "tunnel", "route", "dns", Fixtures.tunnelID, "*.preview.example.com"],
            ])
        #expect(routes[1].location == SourceLocation(fileID: #fileID, line: line))
        let call = routes[0].apiCall
        #expect(call.method == "POST")
        #expect(call.url == "https://api.cloudflare.com/client/v4/zones/{zone_id}/dns_records")
        #expect(
            call.body
                == #"{"content":"6ff42ae2-765d-4adf-8112-31c55c1551ef.cfargotunnel.com","name":"shop.example.com","#
                + #""proxied":true,"type":"CNAME"}"#
        )
        #expect(Fixtures.remoteTunnel.dnsRoutes.count == 5)
    }

    @Test("rendering is deterministic")
    func deterministic() {
        let first = Fixtures.localTunnel.configDocument.map(YAMLEmitter.emit)
        let second = Fixtures.localTunnel.configDocument.map(YAMLEmitter.emit)
        #expect(first == second)
        #expect(Fixtures.remoteTunnel.remoteConfigurationJSON() == Fixtures.remoteTunnel.remoteConfigurationJSON())
    }
}
