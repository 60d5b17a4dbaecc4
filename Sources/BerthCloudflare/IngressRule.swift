import BerthCore

/// One public hostname (and optionally a path) of a tunnel, and the origin cloudflared sends it to.
///
/// ```swift
/// IngressRule.route("shop.example.com", to: "gateway", port: 80)          // http://gateway:80
/// IngressRule("api.example.com", path: "/v1/", service: "https://api:8443")
///     .originRequest(OriginRequest(connectTimeout: .seconds(10), noTLSVerify: true))
/// ```
public struct IngressRule: Sendable, Hashable, Codable {
    /// The public hostname, `*.example.com` for every subdomain; `nil` matches every hostname.
    public var hostname: String?
    /// A Go regular expression the request path must match, as written; rendering anchors it
    /// with `^` (``renderedPath``), because cloudflared matches it anywhere in the path.
    public var path: String?
    /// The origin, as cloudflared spells it: `http://gateway:80`, `https://…`, `ws(s)://…`,
    /// `tcp://…`, `ssh://…`, `rdp://…`, `smb://…`, `unix:PATH`, `unix+tls:PATH`,
    /// `http_status:404`, `hello_world` or `bastion`.
    public var service: String
    /// How cloudflared talks to this rule's origin.
    public var originRequest: OriginRequest?
    /// Cloudflare Access enforced by cloudflared for this rule.
    public var access: Access?
    /// Where the user declared the rule.
    public var location: SourceLocation

    /// Declares a rule sending a hostname (and path) to an origin.
    /// - Parameters:
    ///   - hostname: The public hostname; `*.example.com` for every subdomain.
    ///   - path: A Go regular expression for the request path, such as `/api/`.
    ///   - service: The origin, as cloudflared spells it (`http://gateway:80`).
    public init(
        _ hostname: String,
        path: String? = nil,
        service: String,
        fileID: String = #fileID,
        line: Int = #line
    ) {
        self.init(
            hostname: hostname, path: path, service: service, location: SourceLocation(fileID: fileID, line: line))
    }

    /// Creates a rule from its parts; `nil` hostname and path make a catch-all.
    public init(hostname: String?, path: String?, service: String, location: SourceLocation) {
        self.hostname = hostname
        self.path = path
        self.service = service
        self.originRequest = nil
        self.access = nil
        self.location = location
    }

    /// Routes a hostname to a service of the stack: `http://<service>:<port>`.
    /// - Parameters:
    ///   - hostname: The public hostname.
    ///   - service: The stack service, on the tunnel's network, usually the gateway.
    ///   - port: The port it listens on inside its container.
    ///   - scheme: `http`, `https`, `ws`, `wss`, `tcp`, `ssh`, `rdp` or `smb`.
    ///   - path: A Go regular expression for the request path.
    public static func route(
        _ hostname: String,
        path: String? = nil,
        to service: String,
        port: Int,
        scheme: String = "http",
        fileID: String = #fileID,
        line: Int = #line
    ) -> IngressRule {
        IngressRule(hostname, path: path, service: "\(scheme)://\(service):\(port)", fileID: fileID, line: line)
    }

    /// A rule matching every request not matched before it; cloudflared requires one, last.
    public static func catchAll(service: String, fileID: String = #fileID, line: Int = #line) -> IngressRule {
        catchAll(service: service, location: SourceLocation(fileID: fileID, line: line))
    }

    static func catchAll(service: String, location: SourceLocation) -> IngressRule {
        IngressRule(hostname: nil, path: nil, service: service, location: location)
    }

    /// Sets how cloudflared talks to the origin; these options override the tunnel's.
    public func originRequest(_ options: OriginRequest) -> IngressRule {
        var copy = self
        copy.originRequest = options
        return copy
    }

    /// Makes cloudflared accept only requests that passed Cloudflare Access.
    public func access(_ access: Access) -> IngressRule {
        var copy = self
        copy.access = access
        return copy
    }

    /// Whether the rule matches every request, as cloudflared decides it: no hostname (or `*`)
    /// and no path.
    public var isCatchAll: Bool {
        (hostname == nil || hostname == "" || hostname == "*") && (path ?? "").isEmpty
    }

    /// The path as rendered: anchored at the start with `^` when it is not already.
    public var renderedPath: String? {
        guard let path, !path.isEmpty else { return nil }
        return path.hasPrefix("^") ? path : "^" + path
    }
}

/// Collects the ``IngressRule``s of a ``Tunnel`` in the order written, with `if` and `for`.
@resultBuilder
public enum IngressBuilder {
    public static func buildExpression(_ rule: IngressRule) -> [IngressRule] { [rule] }
    public static func buildExpression(_ rules: [IngressRule]) -> [IngressRule] { rules }
    public static func buildBlock(_ components: [IngressRule]...) -> [IngressRule] { components.flatMap { $0 } }
    public static func buildOptional(_ component: [IngressRule]?) -> [IngressRule] { component ?? [] }
    public static func buildEither(first component: [IngressRule]) -> [IngressRule] { component }
    public static func buildEither(second component: [IngressRule]) -> [IngressRule] { component }
    public static func buildArray(_ components: [[IngressRule]]) -> [IngressRule] { components.flatMap { $0 } }
    public static func buildLimitedAvailability(_ component: [IngressRule]) -> [IngressRule] { component }
}
