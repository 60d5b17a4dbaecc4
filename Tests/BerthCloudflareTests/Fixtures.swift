import BerthCloudflare
import BerthCore

/// Tunnels and stacks shared by the tests, rendered into the golden files.
enum Fixtures {
    static let tunnelID = "6ff42ae2-765d-4adf-8112-31c55c1551ef"
    static let image: Image = "cloudflare/cloudflared:2025.4.0"

    /// The public hostnames of the shop, every kind of option included.
    @IngressBuilder static var shopRules: [IngressRule] {
        IngressRule.route("shop.example.com", to: "gateway", port: 80)
        IngressRule.route("api.example.com", path: "/v1/", to: "gateway", port: 80)
            .originRequest(
                OriginRequest(
                    connectTimeout: .seconds(30), keepAliveTimeout: .seconds(90), httpHostHeader: "api.internal")
            )
        IngressRule.route("admin.example.com", to: "gateway", port: 80)
            .access(Access(teamName: "acme", audTags: ["d4f6a1b2c3", "e5f6a7b8c9"]))
        IngressRule("legacy.example.com", path: "^/old/.*\\.php$", service: "https://gateway:443")
            .originRequest(
                OriginRequest(
                    tlsTimeout: .seconds(10), noHappyEyeballs: true, keepAliveConnections: 10,
                    originServerName: "legacy.example.com", matchSNIToHost: false, caPool: "/etc/ssl/legacy-ca.pem",
                    noTLSVerify: true, disableChunkedEncoding: true, http2Origin: true))
        IngressRule("status.example.com", service: "http_status:503")
    }

    static let localTunnel = Tunnel(id: tunnelID, credentials: "tunnel_credentials", network: "edge") {
        shopRules
    }
    .originRequest(OriginRequest(connectTimeout: .seconds(10), tcpKeepAlive: .seconds(30)))

    static let remoteTunnel = Tunnel(id: tunnelID, token: "tunnel_token", network: "edge") {
        shopRules
    }
    .originRequest(OriginRequest(connectTimeout: .seconds(10), tcpKeepAlive: .seconds(30)))

    /// The shop: a gateway on the tunnel's network, an app behind it, cloudflared, no published port.
    static func shop(_ tunnel: Tunnel, for environment: Environment = .dev) -> Stack {
        Stack("shop") {
            Network("edge")
            Network("backend", internal: true)
            if tunnel.isLocallyManaged {
                Secret(tunnel.secretName, .file("secrets/tunnel-credentials.json"))
            } else {
                Secret(tunnel.secretName, .environment("SHOP_TUNNEL_TOKEN"))
            }
            Service("gateway", image: "nginx:1.27")
                .expose(80)
                .expose(443)
                .networks("edge", "backend")
                .healthCheck(.http(port: 80))
            Service("web", image: "ghcr.io/acme/shop-web:1.4.2")
                .expose(8080)
                .networks("backend")
                .healthCheck(.http(port: 8080, path: "/health"))
                .replicas(environment.isProduction ? 2 : 1)
            tunnel.stackPart(image: image)
        }
    }

    /// A tunnel holding exactly the rules written, as cloudflared's tests write them.
    static func literal(_ rules: [IngressRule], catchAll: String? = nil) -> Tunnel {
        Tunnel(id: tunnelID, credentials: "tunnel_credentials", network: "edge", catchAllService: catchAll) {
            rules
        }
    }
}

/// A rule as cloudflared's YAML writes it, with a hostname.
func rule(
    _ hostname: String?,
    path: String? = nil,
    _ service: String,
    fileID: String = #fileID,
    line: Int = #line
) -> IngressRule {
    IngressRule(hostname: hostname, path: path, service: service, location: SourceLocation(fileID: fileID, line: line))
}

/// A rule as cloudflared's YAML writes it, without a hostname.
func rule(path: String? = nil, _ service: String, fileID: String = #fileID, line: Int = #line) -> IngressRule {
    rule(nil, path: path, service, fileID: fileID, line: line)
}
