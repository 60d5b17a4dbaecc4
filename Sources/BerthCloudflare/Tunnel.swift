import BerthCore

/// A Cloudflare Tunnel: the stack's only way in, so no service needs a port open on the host.
///
/// A `cloudflared` container in the stack keeps outbound connections to Cloudflare open, and
/// Cloudflare sends each request for a public hostname down them; cloudflared then picks the
/// first ``IngressRule`` that matches the hostname and path and proxies to its origin, usually
/// the gateway on the tunnel's network.
///
/// A tunnel is managed in one of two ways:
/// - **locally**: Berth renders cloudflared's `config.yml` (``configFile``) from the rules, and
///   the tunnel's credentials JSON (from `cloudflared tunnel create`) is a stack ``Secret``;
/// - **remotely**: the rules live in Cloudflare (``remoteConfiguration`` is the API call that
///   sets them), and the container only gets the tunnel's token, a stack ``Secret`` read through
///   `TUNNEL_TOKEN_FILE`.
///
/// ```swift
/// let tunnel = Tunnel(
///     id: "6ff42ae2-765d-4adf-8112-31c55c1551ef", credentials: "tunnel_credentials", network: "edge"
/// ) {
///     IngressRule.route("shop.example.com", to: "gateway", port: 80)
///     IngressRule.route("admin.example.com", to: "gateway", port: 80)
///         .access(Access(teamName: "acme", audTags: ["3f1c…"]))
/// }
///
/// Stack("shop") {
///     Network("edge")
///     Secret("tunnel_credentials", .file("secrets/tunnel.json"))
///     Service("gateway", image: "nginx:1.27").networks("edge")
///     tunnel.stackPart(image: "cloudflare/cloudflared:2025.4.0")
/// }
/// ```
///
/// Rendering appends the catch-all rule `http_status:404` and anchors path regexes with `^`.
/// ``validate(in:allowingPublishedPorts:)`` checks the rules the way cloudflared does before it
/// would refuse to start, plus what only the stack can tell (origins on the tunnel's network, no
/// published ports); ``dnsRoutes`` lists the DNS records the hostnames need.
public struct Tunnel: Sendable, Hashable, Codable {
    /// Who holds the tunnel's ingress rules, and what the container needs to run it.
    public enum Management: Sendable, Hashable, Codable {
        /// The rules are in the rendered `config.yml`; the named stack secret holds the
        /// credentials JSON that `cloudflared tunnel create` wrote.
        case local(credentialsSecret: String)
        /// The rules are kept by Cloudflare; the named stack secret holds the tunnel token.
        case remote(tokenSecret: String)
    }

    /// The tunnel's UUID, as `cloudflared tunnel list` or the dashboard shows it.
    public var id: String
    /// How the tunnel is managed, with the secret the container reads.
    public var management: Management
    /// The stack network cloudflared attaches to; every origin must be on it.
    public var network: String
    /// The name of the cloudflared service in the stack (and the prefix of its config's name).
    public var serviceName: String
    /// The public hostnames and their origins, matched top to bottom.
    public var ingress: [IngressRule]
    /// The origin of the catch-all rule appended after ``ingress``; `nil` appends nothing, so the
    /// rules must end with a catch-all themselves.
    public var catchAllService: String?
    /// Origin options for every rule, which a rule's own options override.
    public var originRequest: OriginRequest?
    /// Where the user declared the tunnel.
    public var location: SourceLocation

    /// Declares a tunnel.
    /// - Parameters:
    ///   - id: The tunnel's UUID.
    ///   - management: Locally or remotely managed, with the secret the container reads.
    ///   - network: The stack network cloudflared joins; its origins must be on it too.
    ///   - serviceName: The cloudflared service's name in the stack.
    ///   - catchAllService: The origin of the rule appended last, matching every other request;
    ///     `nil` to write the catch-all yourself.
    ///   - ingress: The rules, in the order cloudflared tries them.
    public init(
        id: String,
        management: Management,
        network: String,
        serviceName: String = "cloudflared",
        catchAllService: String? = "http_status:404",
        fileID: String = #fileID,
        line: Int = #line,
        @IngressBuilder ingress: () -> [IngressRule]
    ) {
        self.id = id
        self.management = management
        self.network = network
        self.serviceName = serviceName
        self.ingress = ingress()
        self.catchAllService = catchAllService
        self.originRequest = nil
        self.location = SourceLocation(fileID: fileID, line: line)
    }

    /// Declares a locally managed tunnel: Berth renders its `config.yml`.
    /// - Parameters:
    ///   - id: The tunnel's UUID, printed by `cloudflared tunnel create`.
    ///   - credentials: The name of the stack secret holding the credentials JSON
    ///     (`~/.cloudflared/<UUID>.json`).
    ///   - network: The stack network cloudflared joins; its origins must be on it too.
    ///   - ingress: The rules, in the order cloudflared tries them.
    public init(
        id: String,
        credentials: String,
        network: String,
        serviceName: String = "cloudflared",
        catchAllService: String? = "http_status:404",
        fileID: String = #fileID,
        line: Int = #line,
        @IngressBuilder ingress: () -> [IngressRule]
    ) {
        self.init(
            id: id, management: .local(credentialsSecret: credentials), network: network, serviceName: serviceName,
            catchAllService: catchAllService, fileID: fileID, line: line, ingress: ingress)
    }

    /// Declares a remotely managed tunnel: its rules are set through Cloudflare's API
    /// (``remoteConfiguration``) and the container only reads its token.
    /// - Parameters:
    ///   - id: The tunnel's UUID, shown in the dashboard next to the token.
    ///   - token: The name of the stack secret holding the tunnel token.
    ///   - network: The stack network cloudflared joins; its origins must be on it too.
    ///   - ingress: The rules, in the order cloudflared tries them.
    public init(
        id: String,
        token: String,
        network: String,
        serviceName: String = "cloudflared",
        catchAllService: String? = "http_status:404",
        fileID: String = #fileID,
        line: Int = #line,
        @IngressBuilder ingress: () -> [IngressRule]
    ) {
        self.init(
            id: id, management: .remote(tokenSecret: token), network: network, serviceName: serviceName,
            catchAllService: catchAllService, fileID: fileID, line: line, ingress: ingress)
    }

    /// Sets origin options for every rule; a rule's own options take precedence.
    public func originRequest(_ options: OriginRequest) -> Tunnel {
        var copy = self
        copy.originRequest = options
        return copy
    }

    /// The name of the stack secret the container reads: the credentials or the token.
    public var secretName: String {
        switch management {
        case .local(let credentials): return credentials
        case .remote(let token): return token
        }
    }

    /// Whether Berth renders the tunnel's `config.yml`.
    public var isLocallyManaged: Bool {
        if case .local = management { return true }
        return false
    }

    /// The rules as cloudflared receives them: ``ingress`` followed by the catch-all rule,
    /// unless the last rule already matches everything or ``catchAllService`` is `nil`.
    public var completedIngress: [IngressRule] {
        guard let catchAllService, !(ingress.last?.isCatchAll ?? false) else { return ingress }
        return ingress + [IngressRule.catchAll(service: catchAllService, location: location)]
    }
}
