import BerthCore
import BerthGateway
import BerthTesting
import Foundation
import Testing

/// Routes of several stacks, as an nginx gateway collects them from live state.
enum NginxFixtures {
    static let edge = SharedNetwork("edge", engineName: "acme_edge", owner: "acme-infra")
    static let gateway = Gateway.nginx(service: "nginx", network: edge)
    static let nginx = NginxGateway(gateway)

    static func at(_ line: Int) -> BerthCore.SourceLocation {
        BerthCore.SourceLocation(fileID: "Fixtures/Routes.swift", line: line)
    }

    static let shopCertificate = RouteTLS.certificate(
        certificate: "/etc/nginx/certs/shop.example.com/fullchain.pem",
        key: "/etc/nginx/certs/shop.example.com/privkey.pem")

    static let csp = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"

    /// Every middleware, several stacks and environments, prefixes nested under one host,
    /// certificate TLS with redirects, and upstream health.
    static let representative: [GatewayRoute] = [
        GatewayRoute(
            route: Route(
                host: "shop.example.com", pathPrefix: "/api", port: 8080, tls: shopCertificate,
                middlewares: [
                    .stripPrefix, .rateLimit(.perSecond(20, burst: 40)), .securityHeaders(.strict), .redirectToHTTPS,
                ],
                health: UpstreamHealth(maxFails: 3, failTimeout: .seconds(30)), location: at(10)),
            stack: "shop", environment: "prod", service: "api", servers: ["shop-prod-api-2", "shop-prod-api-1"]),
        GatewayRoute(
            route: Route(
                host: "shop.example.com", pathPrefix: "/api/v2/", port: 8080, tls: shopCertificate,
                middlewares: [.redirectToHTTPS, .maxBodySize(10 * 1024 * 1024)], location: at(20)),
            stack: "shop", environment: "prod", service: "api-v2", servers: ["shop-prod-api-v2-1"]),
        GatewayRoute(
            route: Route(
                host: "shop.example.com", port: 3000, tls: shopCertificate,
                middlewares: [
                    .redirectToHTTPS, .websockets,
                    .securityHeaders(SecurityHeaders(contentSecurityPolicy: csp)),
                ], location: at(30)),
            stack: "shop", environment: "prod", service: "web", servers: ["shop-prod-web-1"]),
        GatewayRoute(
            route: Route(
                host: "chat.example.com", pathPrefix: "/socket", port: 4000,
                middlewares: [.websockets, .rateLimit(.perMinute(90, burst: 0))],
                health: UpstreamHealth(maxFails: 2, failTimeout: .seconds(15)), location: at(40)),
            stack: "chat", environment: "prod", service: "ws", servers: ["chat_ws.1.abc", "chat_ws.2.def"]),
        GatewayRoute(
            route: Route(
                host: "admin.example.com", pathPrefix: "/", port: 9000,
                middlewares: [
                    .basicAuth(BasicAuth(users: ["alice:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=", "bob:$apr1$x$y"]))
                ], location: at(50)),
            stack: "admin", environment: "prod", service: "panel", servers: ["admin-prod-panel-1"]),
        GatewayRoute(
            route: Route(
                host: "ops.example.com", pathPrefix: "/grafana", port: 3000,
                middlewares: [.forwardAuth(.oauth2Proxy()), .stripPrefix], location: at(60)),
            stack: "ops", environment: "prod", service: "grafana", servers: ["ops-prod-grafana-1"]),
        GatewayRoute(
            route: Route(
                host: "blog.example.com", port: 2368,
                middlewares: [.rateLimit(RateLimit(average: 5, period: .seconds(2)))],
                location: at(70)),
            stack: "blog", environment: "staging", service: "ghost", servers: ["blog-staging-ghost-1"]),
    ]

    /// The files `nginx -t` loads besides the rendered ones: the shop's certificate and key.
    static func certificateFiles() async throws -> [String: String] {
        let pair = try await NginxReferee.selfSignedCertificate(commonName: "shop.example.com")
        return [
            "/etc/nginx/certs/shop.example.com/fullchain.pem": pair.certificate,
            "/etc/nginx/certs/shop.example.com/privkey.pem": pair.key,
        ]
    }

    static let golden = GoldenFile(
        sourceDirectory: URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Golden"),
        bundledDirectory: Bundle.module.resourceURL?.appending(path: "Golden"))

    static func checkGolden(_ text: String, named name: String) throws {
        switch try golden.check(text, named: name) {
        case .matches: break
        case .recorded(let note): print(note)
        case .mismatch(let message): Issue.record(Comment(rawValue: message))
        }
    }
}

/// The engine-backed referees of these tests: `nginx -t` in the test image, and `openssl` for
/// test certificates.
enum NginxTools {
    static let nginx = Referee.Availability.check(
        "`nginx -t` in \(NginxReferee.image)", suite: "BerthGatewayTests",
        hint: "Run `eval \"$(scripts/engine.sh up)\"`: it starts an engine and imports the image from Debian's nginx."
    ) { NginxReferee.unavailableReason() }

    static let openssl = Referee.Availability.check("`openssl`", suite: "BerthGatewayTests") {
        NginxReferee.opensslUnavailableReason()
    }

    static var shouldRun: Bool { nginx.shouldRun }
    static let skip = Comment(rawValue: nginx.skipReason)
    static var shouldRunWithTLS: Bool { nginx.shouldRun && openssl.shouldRun }
    static let skipTLS = Comment(rawValue: nginx.isAvailable ? openssl.skipReason : nginx.skipReason)

    static func requireAvailable() throws {
        try nginx.requireAvailable()
    }

    static func requireTLS() throws {
        try nginx.requireAvailable()
        try openssl.requireAvailable()
    }
}

/// The directives of an nginx configuration with the depth of the block each one is in, read
/// by counting braces outside quotes and comments: enough to check where a directive landed.
struct NginxOutline {
    struct Entry: Equatable {
        var depth: Int
        var text: String
        /// The block names enclosing the directive, outermost first (`["server", "location"]`).
        var context: [String]
    }

    var entries: [Entry] = []

    init(_ text: String) {
        var depth = 0
        var context: [String] = []
        var current = ""
        var quote: Character?
        var escaped = false
        var comment = false
        for character in text {
            if comment {
                if character == "\n" { comment = false }
                continue
            }
            if let open = quote {
                current.append(character)
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == open {
                    quote = nil
                }
                continue
            }
            switch character {
            case "#" where current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty: comment = true
            case "\"", "'":
                quote = character
                current.append(character)
            case ";":
                entries.append(Entry(depth: depth, text: Self.trim(current), context: context))
                current = ""
            case "{":
                let head = Self.trim(current)
                entries.append(Entry(depth: depth, text: head + " {", context: context))
                context.append(String(head.split(separator: " ").first ?? ""))
                depth += 1
                current = ""
            case "}":
                depth -= 1
                context.removeLast()
                current = ""
            default: current.append(character)
            }
        }
    }

    private static func trim(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The entries whose directive name is `name`.
    func directives(_ name: String) -> [Entry] {
        entries.filter { $0.text.split(separator: " ").first.map(String.init) == name }
    }
}
