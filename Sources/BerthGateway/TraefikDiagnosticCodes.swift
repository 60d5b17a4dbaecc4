import BerthCore

extension Diagnostic.Code {
    // Where Traefik's providers read labels.

    /// Traefik labels on a Swarm service's containers: the Swarm provider reads only the
    /// service labels (`deploy.labels`), so they route nothing.
    public static let traefikLabelsOnContainers = Self(rawValue: "traefik-labels-on-containers")
    /// Traefik labels in `deploy.labels` on Compose: Compose drops them and the Docker provider
    /// reads only container labels, so they route nothing.
    public static let traefikLabelsOnSwarmService = Self(rawValue: "traefik-labels-on-swarm-service")
    /// `traefik.docker.network` on Swarm or `traefik.swarm.network` on Compose: the provider that
    /// runs never reads it, and falls back to any network the two share.
    public static let traefikWrongProviderNetwork = Self(rawValue: "traefik-wrong-provider-network")
    /// Traefik labels that enable a service without naming the network of the stack's Traefik
    /// gateway, whose constraint admits only the services labelled with it.
    public static let traefikOutsideGateway = Self(rawValue: "traefik-outside-gateway")
    /// Both `traefik.docker.network` and `traefik.swarm.network` on one service.
    public static let traefikBothNetworkKeys = Self(rawValue: "traefik-both-network-keys")
    /// A Swarm service with Traefik routers but no `loadbalancer.server.port`, which the Swarm
    /// provider cannot guess: it drops the service's whole configuration.
    public static let traefikSwarmMissingPort = Self(rawValue: "traefik-swarm-missing-port")

    // Rules Traefik v3 refuses or reads differently from v2.

    /// A matcher given more arguments than v3 takes: `` Host(`a`,`b`) ``.
    public static let traefikMultiArgumentMatcher = Self(rawValue: "traefik-multi-argument-matcher")
    /// A matcher name or form only v2 knows: `HostHeader`, `Headers`, `HostRegexp` with `{name:…}`
    /// placeholders, placeholders in `Path`/`PathPrefix`.
    public static let traefikV2Matcher = Self(rawValue: "traefik-v2-matcher")
    /// A matcher no Traefik version knows.
    public static let traefikUnknownMatcher = Self(rawValue: "traefik-unknown-matcher")
    /// A rule that does not parse: unbalanced parentheses or quotes, a missing operator, an empty
    /// rule.
    public static let traefikMalformedRule = Self(rawValue: "traefik-malformed-rule")
    /// A matcher argument Traefik refuses when it builds the router: a `Path` without its
    /// leading `/`, a `ClientIP` that is no address or range, a regular expression Go does not
    /// compile.
    public static let traefikInvalidMatcherArgument = Self(rawValue: "traefik-invalid-matcher-argument")
    /// `ruleSyntax=v2`, which v3 still reads but has deprecated.
    public static let traefikV2RuleSyntax = Self(rawValue: "traefik-v2-rule-syntax")

    // Names, types and fields.

    /// An `@` in a router, service or middleware name, where Traefik reserves it for the provider.
    public static let traefikAtInName = Self(rawValue: "traefik-at-in-name")
    /// A middleware type Traefik does not have.
    public static let traefikUnknownMiddleware = Self(rawValue: "traefik-unknown-middleware")
    /// A field a router, service or middleware does not have: Traefik drops the whole
    /// configuration of the container or service that carries it (traefik #8796).
    public static let traefikUnknownField = Self(rawValue: "traefik-unknown-field")
    /// A value Traefik cannot read for its field: a word where it reads a whole number
    /// (`priority`, `ratelimit.average`, `loadbalancer.server.port`).
    public static let traefikInvalidValue = Self(rawValue: "traefik-invalid-value")
    /// An option v3 removed: `IPWhiteList`, the headers middleware's `sslRedirect` and its
    /// siblings, `stripPrefix.forceSlash`, `traefik.docker.lbswarm`.
    public static let traefikV2Option = Self(rawValue: "traefik-v2-option")
    /// A `traefik.*` label outside the sections Traefik reads (a v1 label such as
    /// `traefik.frontend.rule`, a misspelt section).
    public static let traefikUnknownLabel = Self(rawValue: "traefik-unknown-label")
    /// A label key written twice on one service: Compose refuses the file.
    public static let traefikDuplicateLabel = Self(rawValue: "traefik-duplicate-label")
    /// A router without `service` on a service whose labels define several Traefik services:
    /// Traefik cannot tell which one it means and drops the router.
    public static let traefikAmbiguousService = Self(rawValue: "traefik-ambiguous-service")
    /// A router to the dashboard (`api@internal`) without an authentication middleware that
    /// has users.
    public static let traefikDashboardUnprotected = Self(rawValue: "traefik-dashboard-unprotected")
    /// A route that redirects HTTP to HTTPS but has no TLS, so there is nothing to redirect to.
    public static let traefikRedirectWithoutTLS = Self(rawValue: "traefik-redirect-without-tls")
    /// A route option Traefik's labels cannot carry, so the route goes without it: per-route proxy
    /// timeouts (a `serversTransport` of the file provider) and a rate limit's `undelayed` part
    /// (Traefik passes a burst at once and refuses the rest).
    public static let traefikIgnoredRouteOption = Self(rawValue: "traefik-ignored-route-option")
    /// A basic-auth entry hashed with SHA-crypt (`$5$`, `$6$`), which nginx checks but Traefik
    /// does not: Traefik keeps the router and answers that user 401 whatever the password.
    public static let traefikUnsupportedPasswordHash = Self(rawValue: "traefik-unsupported-password-hash")
}
