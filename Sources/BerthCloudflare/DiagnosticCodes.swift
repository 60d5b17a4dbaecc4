import BerthCore

extension Diagnostic.Code {
    // Rules cloudflared itself enforces: it refuses to start, or the API refuses the configuration.

    /// The tunnel has no ingress rules.
    public static let tunnelEmptyIngress = Self(rawValue: "tunnel-empty-ingress")
    /// A `service` that is neither a known keyword nor a URL with a scheme and a hostname.
    public static let tunnelInvalidService = Self(rawValue: "tunnel-invalid-service")
    /// A `service` URL with a path.
    public static let tunnelServiceWithPath = Self(rawValue: "tunnel-service-with-path")
    /// An `http_status:` service that is not a number from 100 to 999.
    public static let tunnelInvalidStatus = Self(rawValue: "tunnel-invalid-status")
    /// A hostname with a port.
    public static let tunnelHostnameWithPort = Self(rawValue: "tunnel-hostname-with-port")
    /// A `*` anywhere but as the whole leftmost label of a hostname.
    public static let tunnelInvalidWildcard = Self(rawValue: "tunnel-invalid-wildcard")
    /// A hostname that is not a DNS name (an empty label, a character no domain can hold).
    public static let tunnelInvalidHostname = Self(rawValue: "tunnel-invalid-hostname")
    /// The last rule does not match every request.
    public static let tunnelLastRuleNotCatchAll = Self(rawValue: "tunnel-last-rule-not-catch-all")
    /// A rule matching every request before the last one: the rules after it never match.
    public static let tunnelCatchAllNotLast = Self(rawValue: "tunnel-catch-all-not-last")
    /// A `path` that is not a regular expression Go's `regexp` compiles.
    public static let tunnelInvalidPathRegex = Self(rawValue: "tunnel-invalid-path-regex")
    /// Access with audience tags but no team name.
    public static let tunnelAccessWithoutTeam = Self(rawValue: "tunnel-access-without-team")

    // Berth's own checks, which need the stack or the deployment.

    /// The tunnel's ID is not a UUID.
    public static let tunnelInvalidID = Self(rawValue: "tunnel-invalid-id")
    /// The credentials or token secret is not declared in the stack.
    public static let tunnelUndeclaredSecret = Self(rawValue: "tunnel-undeclared-secret")
    /// The tunnel's network is not declared in the stack.
    public static let tunnelUndeclaredNetwork = Self(rawValue: "tunnel-undeclared-network")
    /// The stack has no cloudflared service for the tunnel.
    public static let tunnelMissingService = Self(rawValue: "tunnel-missing-service")
    /// The cloudflared image is older than the features the tunnel uses.
    public static let tunnelOutdatedImage = Self(rawValue: "tunnel-outdated-image")
    /// A hostname (and path) routed twice: only the first rule ever matches.
    public static let tunnelDuplicateRoute = Self(rawValue: "tunnel-duplicate-route")
    /// A service URL naming a service the stack does not have.
    public static let tunnelUnknownOrigin = Self(rawValue: "tunnel-unknown-origin")
    /// A service URL naming a service that is not on the tunnel's network.
    public static let tunnelOriginNotOnNetwork = Self(rawValue: "tunnel-origin-not-on-network")
    /// A service URL on `localhost`, which inside the container is cloudflared itself.
    public static let tunnelOriginOnLocalhost = Self(rawValue: "tunnel-origin-on-localhost")
    /// A service URL on a port the origin service does not declare.
    public static let tunnelOriginPortNotDeclared = Self(rawValue: "tunnel-origin-port-not-declared")
    /// A duration cloudflared or the remote configuration API cannot take.
    public static let tunnelInvalidDuration = Self(rawValue: "tunnel-invalid-duration")
    /// A count cloudflared cannot use (`keepAliveConnections` below 1).
    public static let tunnelInvalidCount = Self(rawValue: "tunnel-invalid-count")
    /// A hostname the tunnel sends to the gateway, which has no route for it.
    public static let tunnelUnroutedHostname = Self(rawValue: "tunnel-unrouted-hostname")
    /// A port published on the host of a stack whose ingress is the tunnel.
    public static let tunnelPublishedPort = Self(rawValue: "tunnel-published-port")
}
