/// A route through the stack's gateway: requests for a host, and optionally a path under it,
/// go to a port of a service.
///
/// Declare routes on the service that answers them, with ``Service/route(_:path:port:tls:middlewares:health:fileID:line:)``:
/// ```swift
/// Service("api", image: "ghcr.io/acme/api:2.1")
///     .expose(8080)
///     .networks("edge")
///     .route("shop.example.com", path: "/api", port: 8080, middlewares: [.stripPrefix, .rateLimit(.perSecond(20))])
/// ```
/// The same routes render as Traefik labels or as an nginx configuration, depending on the
/// stack's ``Gateway``.
public struct Route: Sendable, Hashable, Codable {
    /// The host name requests carry (`shop.example.com`), without a scheme or port.
    public var host: String
    /// The path prefix it matches; `/` matches every path.
    public var pathPrefix: String
    /// The port of the service the gateway sends requests to.
    public var port: Int
    /// How the gateway terminates TLS for the host.
    public var tls: RouteTLS
    /// What the gateway does to a request before passing it on, in order.
    public var middlewares: [Middleware]
    /// How the gateway tells a healthy upstream from a failing one.
    public var health: UpstreamHealth?
    /// Where the user declared the route.
    public var location: SourceLocation

    /// Creates a route.
    public init(
        host: String,
        pathPrefix: String = "/",
        port: Int,
        tls: RouteTLS = .none,
        middlewares: [Middleware] = [],
        health: UpstreamHealth? = nil,
        location: SourceLocation
    ) {
        self.host = host
        self.pathPrefix = pathPrefix
        self.port = port
        self.tls = tls
        self.middlewares = middlewares
        self.health = health
        self.location = location
    }

    /// `host` followed by the path prefix (`shop.example.com/api`), the form conflicts are
    /// reported in.
    public var address: String { pathPrefix == "/" ? host : host + pathPrefix }

    /// The path prefix as every gateway Berth renders matches it: `/api/` and `/api` are one
    /// prefix, so trailing slashes go and `/` stays.
    public var normalizedPathPrefix: String {
        var path = pathPrefix.isEmpty ? "/" : pathPrefix
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// What two routes claiming the same requests share: the host in lowercase and the
    /// normalized path prefix (`shop.example.com/api`).
    public var claim: String { host.lowercased() + normalizedPathPrefix }

    /// Whether the route forwards WebSocket upgrades.
    public var allowsWebSockets: Bool { middlewares.contains(.websockets) }
}

/// How a gateway terminates TLS for a route's host.
public enum RouteTLS: Sendable, Hashable, Codable {
    /// Plain HTTP only.
    case none
    /// Certificates obtained by an ACME resolver of the gateway, by name (Traefik's
    /// `certificatesresolvers.<name>`).
    case resolver(String)
    /// Certificate and key files, as paths inside the gateway's container (nginx).
    case certificate(certificate: String, key: String)
    /// The certificates the gateway already holds: Traefik's default certificate or those of
    /// its file provider (a local development certificate from mkcert, a company CA).
    case gatewayCertificates
}

/// What a gateway does to a request on a route, before passing it on.
public enum Middleware: Sendable, Hashable, Codable {
    /// Limits the rate of requests from one client address.
    case rateLimit(RateLimit)
    /// Adds security headers to every response.
    case securityHeaders(SecurityHeaders)
    /// Asks for a user name and password checked against hashed entries.
    case basicAuth(BasicAuth)
    /// Asks another service whether to let the request through (oauth2-proxy, Keycloak).
    case forwardAuth(ForwardAuth)
    /// Removes the route's path prefix before passing the request on: `/api/users` reaches the
    /// service as `/users`.
    case stripPrefix
    /// Answers plain HTTP requests with a redirect to HTTPS.
    case redirectToHTTPS
    /// Passes WebSocket upgrades through.
    case websockets
    /// Refuses request bodies larger than this many bytes.
    case maxBodySize(Int)
    /// How long the gateway waits for the service: to connect, between two reads and between
    /// two writes. A WebSocket route waits an hour between reads and writes unless this says
    /// otherwise (`.timeouts(ProxyTimeouts(read: .seconds(86_400)))`).
    case timeouts(ProxyTimeouts)

    /// A short name for messages and generated identifiers.
    public var kind: String {
        switch self {
        case .rateLimit: "rate-limit"
        case .securityHeaders: "security-headers"
        case .basicAuth: "basic-auth"
        case .forwardAuth: "forward-auth"
        case .stripPrefix: "strip-prefix"
        case .redirectToHTTPS: "redirect-https"
        case .websockets: "websockets"
        case .maxBodySize: "max-body-size"
        case .timeouts: "timeouts"
        }
    }
}

/// A request rate limit per client address.
public struct RateLimit: Sendable, Hashable, Codable {
    /// The requests allowed per ``period`` on average.
    public var average: Int
    /// The period the average is measured over.
    public var period: Duration
    /// How many requests above the average may arrive at once.
    public var burst: Int
    /// How many requests of a burst pass at once; the rest of the burst waits until the rate
    /// lets it through, and requests beyond the burst are refused with 429.
    ///
    /// `nil` passes the whole burst at once (nginx `nodelay`); `0` delays every request above the
    /// average rate (nginx `burst` alone); `n` passes `n` at once and delays the others (nginx
    /// `delay=n`).
    public var undelayed: Int?

    /// Creates a rate limit.
    /// - Parameters:
    ///   - average: The requests allowed per `period` on average.
    ///   - period: The period the average is measured over.
    ///   - burst: How many requests above the average may arrive at once.
    ///   - undelayed: How many requests of the burst pass without waiting; `nil` for all of them.
    public init(average: Int, period: Duration = .seconds(1), burst: Int = 0, undelayed: Int? = nil) {
        self.average = average
        self.period = period
        self.burst = burst
        self.undelayed = undelayed
    }

    /// `count` requests a second, with a burst of as many.
    /// - Parameter undelayed: How many requests of the burst pass without waiting; `nil`
    ///   passes the whole burst at once, `0` delays every request above the rate.
    public static func perSecond(_ count: Int, burst: Int? = nil, undelayed: Int? = nil) -> RateLimit {
        RateLimit(average: count, period: .seconds(1), burst: burst ?? count, undelayed: undelayed)
    }

    /// `count` requests a minute, with a burst of as many.
    /// - Parameter undelayed: How many requests of the burst pass without waiting; `nil`
    ///   passes the whole burst at once, `0` delays every request above the rate.
    public static func perMinute(_ count: Int, burst: Int? = nil, undelayed: Int? = nil) -> RateLimit {
        RateLimit(average: count, period: .seconds(60), burst: burst ?? count, undelayed: undelayed)
    }
}

/// How long a gateway waits for a route's service.
///
/// A value left `nil` keeps the gateway's default: for nginx, 60 s each, and an hour between
/// reads and between writes on a WebSocket route.
public struct ProxyTimeouts: Sendable, Hashable, Codable {
    /// How long connecting to the service may take (nginx `proxy_connect_timeout`).
    public var connect: Duration?
    /// The longest wait between two reads from the service (nginx `proxy_read_timeout`); on a
    /// WebSocket, the longest silence from the service.
    public var read: Duration?
    /// The longest wait between two writes to the service (nginx `proxy_send_timeout`).
    public var send: Duration?

    /// Creates timeouts; each one left `nil` keeps the gateway's default.
    public init(connect: Duration? = nil, read: Duration? = nil, send: Duration? = nil) {
        self.connect = connect
        self.read = read
        self.send = send
    }
}

/// Security headers added to every response.
public struct SecurityHeaders: Sendable, Hashable, Codable {
    /// `Strict-Transport-Security: max-age=<seconds>`; 0 leaves it out.
    public var strictTransportSecuritySeconds: Int
    /// `X-Frame-Options: DENY`.
    public var frameDeny: Bool
    /// `X-Content-Type-Options: nosniff`.
    public var contentTypeNosniff: Bool
    /// `Referrer-Policy`, if set.
    public var referrerPolicy: String?
    /// `Content-Security-Policy`, if set.
    public var contentSecurityPolicy: String?

    /// Creates a set of headers.
    public init(
        strictTransportSecuritySeconds: Int = 31_536_000,
        frameDeny: Bool = true,
        contentTypeNosniff: Bool = true,
        referrerPolicy: String? = "strict-origin-when-cross-origin",
        contentSecurityPolicy: String? = nil
    ) {
        self.strictTransportSecuritySeconds = strictTransportSecuritySeconds
        self.frameDeny = frameDeny
        self.contentTypeNosniff = contentTypeNosniff
        self.referrerPolicy = referrerPolicy
        self.contentSecurityPolicy = contentSecurityPolicy
    }

    /// HSTS for a year, no framing, no sniffing, `strict-origin-when-cross-origin`.
    public static let strict = SecurityHeaders()
}

/// HTTP basic authentication against hashed entries.
public struct BasicAuth: Sendable, Hashable, Codable {
    /// `user:hash` entries as `htpasswd` writes them (bcrypt `$2y$`, `$apr1$`, `{SHA}`); a
    /// password in clear text is refused.
    public var users: [String]

    /// Creates basic authentication from `htpasswd` entries.
    public init(users: [String]) {
        self.users = users
    }

    /// The hash schemes Berth accepts: those nginx checks. Traefik checks all but SHA-crypt
    /// (`$5$`, `$6$`), which a Traefik gateway refuses.
    public static let hashPrefixes = ["$2y$", "$2a$", "$2b$", "$apr1$", "{SHA}", "$5$", "$6$"]

    /// The user names, for messages: an entry's hash never is printed.
    ///
    /// An entry without a `:` has no user name (`""`): it may be a password pasted alone.
    public var userNames: [String] {
        users.map { entry in
            let parts = entry.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            return parts.count == 2 ? String(parts[0]) : ""
        }
    }
}

/// Delegates the decision to let a request through to another service.
public struct ForwardAuth: Sendable, Hashable, Codable {
    /// The URL the gateway asks (`http://oauth2-proxy:4180/oauth2/auth`); 2xx lets the request
    /// through, anything else is returned to the client.
    public var address: String
    /// Whether the gateway trusts `X-Forwarded-*` headers already on the request.
    public var trustForwardHeader: Bool
    /// Response headers of the auth service copied onto the request (`X-Auth-Request-User`).
    public var responseHeaders: [String]

    /// Creates forward authentication.
    public init(address: String, trustForwardHeader: Bool = true, responseHeaders: [String] = []) {
        self.address = address
        self.trustForwardHeader = trustForwardHeader
        self.responseHeaders = responseHeaders
    }

    /// oauth2-proxy's auth endpoint on a service of the shared network (Keycloak SSO behind it).
    public static func oauth2Proxy(host: String = "oauth2-proxy", port: Int = 4180) -> ForwardAuth {
        ForwardAuth(
            address: "http://\(host):\(port)/oauth2/auth",
            responseHeaders: ["X-Auth-Request-User", "X-Auth-Request-Email", "Authorization"])
    }
}

/// How a gateway checks the upstreams of a route.
///
/// Traefik probes ``path`` actively; nginx (open source) judges passively, taking a server out
/// for ``failTimeout`` after ``maxFails`` failed requests and retrying the next one.
public struct UpstreamHealth: Sendable, Hashable, Codable {
    /// The path Traefik requests (`/health`).
    public var path: String
    /// The time between two probes.
    public var interval: Duration
    /// How long a probe may take.
    public var timeout: Duration
    /// Failed requests that take a server out of rotation (nginx `max_fails`).
    public var maxFails: Int
    /// How long a failed server stays out (nginx `fail_timeout`).
    public var failTimeout: Duration

    /// Creates an upstream health policy.
    public init(
        path: String = "/health",
        interval: Duration = .seconds(10),
        timeout: Duration = .seconds(3),
        maxFails: Int = 3,
        failTimeout: Duration = .seconds(30)
    ) {
        self.path = path
        self.interval = interval
        self.timeout = timeout
        self.maxFails = maxFails
        self.failTimeout = failTimeout
    }
}

extension Service {
    /// Routes requests for a host, and optionally a path prefix under it, to a port of the
    /// service through the stack's ``Gateway``.
    /// - Parameters:
    ///   - host: The host name, without scheme or port (`shop.example.com`).
    ///   - path: The path prefix; `/` takes every path of the host.
    ///   - port: The port the service listens on; declare it with ``expose(_:transport:fileID:line:)``.
    ///   - tls: How the gateway terminates TLS.
    ///   - middlewares: What the gateway does to each request, in order.
    ///   - health: How the gateway checks the service.
    public func route(
        _ host: String,
        path: String = "/",
        port: Int,
        tls: RouteTLS = .none,
        middlewares: [Middleware] = [],
        health: UpstreamHealth? = nil,
        fileID: String = #fileID,
        line: Int = #line
    ) -> Service {
        var copy = self
        copy.routes.append(
            Route(
                host: host, pathPrefix: path, port: port, tls: tls, middlewares: middlewares, health: health,
                location: SourceLocation(fileID: fileID, line: line)))
        return copy
    }

    /// Lets the service publish host ports in a stack behind a gateway, where only the gateway
    /// may (a database port for a backup host, an exporter for a scraper outside).
    public func allowPublishedPorts(_ ports: Int...) -> Service {
        var copy = self
        copy.publishedPortsAllowedBehindGateway.formUnion(ports)
        return copy
    }
}
