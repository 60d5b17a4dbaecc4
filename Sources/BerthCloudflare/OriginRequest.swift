import BerthCore

/// How cloudflared connects to an origin: timeouts, TLS, headers.
///
/// Every option is optional; an option left `nil` is not rendered, so cloudflared's default (or
/// the tunnel-wide value) applies. Durations render as Go durations (`"30s"`) in `config.yml` and
/// as whole seconds in the remote configuration's JSON.
public struct OriginRequest: Sendable, Hashable, Codable {
    /// How long to wait for a new connection to the origin (cloudflared's default: 30 s).
    public var connectTimeout: Duration?
    /// How long to wait for the TLS handshake with the origin (default: 10 s).
    public var tlsTimeout: Duration?
    /// The TCP keep-alive interval towards the origin (default: 30 s).
    public var tcpKeepAlive: Duration?
    /// Whether to disable the "happy eyeballs" IPv4/IPv6 fallback.
    public var noHappyEyeballs: Bool?
    /// The largest number of idle keep-alive connections to the origin (default: 100).
    public var keepAliveConnections: Int?
    /// How long an idle keep-alive connection is kept (default: 1m30s).
    public var keepAliveTimeout: Duration?
    /// The `Host` header sent to the origin instead of the public hostname.
    public var httpHostHeader: String?
    /// The hostname expected on the origin's certificate.
    public var originServerName: String?
    /// Whether to send the request's hostname as SNI and expect it on the origin's certificate.
    public var matchSNIToHost: Bool?
    /// A path, inside the cloudflared container, to the CA bundle the origin's certificate chains to.
    public var caPool: String?
    /// Whether to accept any certificate from the origin. The connection to Cloudflare stays
    /// verified; only the hop from cloudflared to the origin is not.
    public var noTLSVerify: Bool?
    /// Whether to disable chunked transfer encoding (some WSGI servers need it off).
    public var disableChunkedEncoding: Bool?
    /// Whether to try HTTP/2 towards the origin.
    public var http2Origin: Bool?
    /// Whether the rule is a bastion (jump host) for any TCP destination.
    public var bastionMode: Bool?
    /// Where the user declared the options.
    public var location: SourceLocation

    /// Creates origin options; leave out what cloudflared's defaults already do.
    public init(
        connectTimeout: Duration? = nil,
        tlsTimeout: Duration? = nil,
        tcpKeepAlive: Duration? = nil,
        noHappyEyeballs: Bool? = nil,
        keepAliveConnections: Int? = nil,
        keepAliveTimeout: Duration? = nil,
        httpHostHeader: String? = nil,
        originServerName: String? = nil,
        matchSNIToHost: Bool? = nil,
        caPool: String? = nil,
        noTLSVerify: Bool? = nil,
        disableChunkedEncoding: Bool? = nil,
        http2Origin: Bool? = nil,
        bastionMode: Bool? = nil,
        fileID: String = #fileID,
        line: Int = #line
    ) {
        self.connectTimeout = connectTimeout
        self.tlsTimeout = tlsTimeout
        self.tcpKeepAlive = tcpKeepAlive
        self.noHappyEyeballs = noHappyEyeballs
        self.keepAliveConnections = keepAliveConnections
        self.keepAliveTimeout = keepAliveTimeout
        self.httpHostHeader = httpHostHeader
        self.originServerName = originServerName
        self.matchSNIToHost = matchSNIToHost
        self.caPool = caPool
        self.noTLSVerify = noTLSVerify
        self.disableChunkedEncoding = disableChunkedEncoding
        self.http2Origin = http2Origin
        self.bastionMode = bastionMode
        self.location = SourceLocation(fileID: fileID, line: line)
    }

    /// The durations that are set, by cloudflared's key, in rendering order.
    var durations: [(key: String, value: Duration)] {
        [
            ("connectTimeout", connectTimeout), ("tlsTimeout", tlsTimeout), ("tcpKeepAlive", tcpKeepAlive),
            ("keepAliveTimeout", keepAliveTimeout),
        ]
        .compactMap { key, value in value.map { (key, $0) } }
    }
}

/// Cloudflare Access, checked by cloudflared for one rule: requests without a valid Access token
/// for the team (and application audience) are refused before they reach the origin.
public struct Access: Sendable, Hashable, Codable {
    /// Whether cloudflared refuses requests without a valid Access token.
    public var isRequired: Bool
    /// The Zero Trust team name, the `<team>` of `<team>.cloudflareaccess.com`.
    public var teamName: String?
    /// The Application Audience (AUD) tags the token must carry; rendered as `audTag`.
    public var audTags: [String]
    /// Where the user declared it.
    public var location: SourceLocation

    /// Requires Cloudflare Access for a rule.
    /// - Parameters:
    ///   - required: Whether requests without a valid token are refused.
    ///   - teamName: The Zero Trust team name; needed whenever `audTags` is set.
    ///   - audTags: The Access application's audience tags.
    public init(
        required: Bool = true,
        teamName: String? = nil,
        audTags: [String] = [],
        fileID: String = #fileID,
        line: Int = #line
    ) {
        self.isRequired = required
        self.teamName = teamName
        self.audTags = audTags
        self.location = SourceLocation(fileID: fileID, line: line)
    }
}
