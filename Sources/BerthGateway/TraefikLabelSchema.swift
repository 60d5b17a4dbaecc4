/// The label fields Traefik v3 reads, as a closed list, and the v2 fields it no longer reads.
///
/// Taken from Traefik's dynamic configuration (`pkg/config/dynamic`) and its generated label
/// reference. Field names are matched without regard to case, as Traefik's label decoder does.
/// An unknown field makes Traefik drop the whole configuration of the container or Swarm
/// service that carries it (traefik #8796), so a misspelt field loses every route of the
/// service, not one setting.
enum TraefikLabelSchema {
    /// The shape of a field: what may follow its name in a label key.
    indirect enum Field {
        /// A value; nothing may follow.
        case leaf
        /// A map or a section not checked further: anything may follow
        /// (`customrequestheaders.X-Foo`, `plugin.<name>.<option>`).
        case open
        /// A section with a closed list of fields; `bare` when the section alone is a valid key
        /// (`compress=true`).
        case section([String: Field], bare: Bool)

        static func fields(_ names: [String], bare: Bool = false, more: [String: Field] = [:]) -> Field {
            var children = more
            for name in names { children[name] = .leaf }
            return .section(children, bare: bare)
        }
    }

    /// What a key's path, below its section, is.
    enum Verdict: Equatable {
        case valid
        /// A field that is not there; `path` is the key up to and including it, `expected` the
        /// fields that may stand there.
        case unknown(path: String, expected: [String])
        /// A section written without a field.
        case incomplete(path: String)
        /// A field v3 removed, with what to do instead.
        case removed(path: String, fix: String)
        /// A v2 field v3 still reads but has deprecated, with what to write instead.
        case deprecated(path: String, fix: String)
    }

    /// Checks `segments` (lowercased) against `field`; `prefix` is the key above them.
    /// - Parameter type: The middleware type, whose removed fields are looked up.
    static func check(_ segments: [String], against field: Field, prefix: String, type: String? = nil) -> Verdict {
        var field = field
        var path = prefix
        var relative = type ?? ""
        for segment in segments {
            path += "." + segment
            relative += "." + segment
            if type != nil, let fix = removedFields[relative] {
                return .removed(path: path, fix: fix)
            }
            if type != nil, let fix = deprecatedFields[relative] {
                return .deprecated(path: path, fix: fix)
            }
            switch field {
            case .leaf: return .unknown(path: path, expected: [])
            case .open: return .valid
            case .section(let children, _):
                guard let child = children[indexless(segment)] else {
                    return .unknown(path: path, expected: children.keys.sorted())
                }
                field = child
            }
        }
        if case .section(_, let bare) = field, !bare { return .incomplete(path: path) }
        return .valid
    }

    /// `domains[0]` is the field `domains`.
    private static func indexless(_ segment: String) -> String {
        guard let bracket = segment.firstIndex(of: "["), segment.hasSuffix("]") else { return segment }
        return String(segment[..<bracket])
    }

    // MARK: Routers and services

    static let router = Field.fields(
        ["rule", "rulesyntax", "entrypoints", "middlewares", "service", "priority", "parentrefs"],
        more: [
            "tls": .fields(
                ["certresolver", "options"], bare: true,
                more: ["domains": .fields(["main", "sans"])]),
            "observability": .fields(["accesslogs", "metrics", "tracing", "traceverbosity"]),
        ])

    static let service = Field.section(
        [
            "loadbalancer": .fields(
                ["passhostheader", "serverstransport", "strategy"],
                more: [
                    "server": .fields(["port", "scheme", "weight", "url", "preservepath"]),
                    "responseforwarding": .fields(["flushinterval"]),
                    "healthcheck": .fields(
                        [
                            "scheme", "mode", "path", "method", "status", "port", "interval", "unhealthyinterval",
                            "timeout", "hostname", "followredirects",
                        ],
                        more: ["headers": .open]),
                    "sticky": .section(
                        [
                            "cookie": .fields(
                                ["name", "secure", "httponly", "samesite", "maxage", "path", "domain"], bare: true)
                        ], bare: true),
                ])
        ], bare: false)

    // MARK: Middlewares

    private static let ipStrategy = Field.fields(["depth", "excludedips", "ipv6subnet"], bare: true)
    private static let sourceCriterion = Field.fields(
        ["requestheadername", "requesthost"], more: ["ipstrategy": ipStrategy])
    private static let userAuth = Field.fields(["users", "usersfile", "realm", "removeheader", "headerfield"])

    /// The middlewares whose fields are checked, by type as labels spell it.
    static let middlewares: [String: Field] = [
        "addprefix": .fields(["prefix"]),
        "basicauth": userAuth,
        "digestauth": userAuth,
        "buffering": .fields([
            "maxrequestbodybytes", "memrequestbodybytes", "maxresponsebodybytes", "memresponsebodybytes",
            "retryexpression",
        ]),
        "chain": .fields(["middlewares"]),
        "circuitbreaker": .fields(["expression", "checkperiod", "fallbackduration", "recoveryduration", "responsecode"]
        ),
        "compress": .fields(
            ["excludedcontenttypes", "includedcontenttypes", "minresponsebodybytes", "encodings", "defaultencoding"],
            bare: true),
        "forwardauth": .fields(
            [
                "address", "trustforwardheader", "authresponseheaders", "authresponseheadersregex",
                "authrequestheaders", "addauthcookiestoresponse", "headerfield", "forwardbody", "maxbodysize",
                "preservelocationheader", "preserverequestmethod", "maxresponsebodysize",
            ],
            more: ["tls": .fields(["ca", "cert", "key", "insecureskipverify"])]),
        "headers": .fields(
            [
                "accesscontrolallowcredentials", "accesscontrolallowheaders", "accesscontrolallowmethods",
                "accesscontrolalloworiginlist", "accesscontrolalloworiginlistregex", "accesscontrolexposeheaders",
                "accesscontrolmaxage", "addvaryheader", "allowedhosts", "hostsproxyheaders", "stsseconds",
                "stsincludesubdomains", "stspreload", "forcestsheader", "framedeny", "customframeoptionsvalue",
                "contenttypenosniff", "browserxssfilter", "custombrowserxssvalue", "contentsecuritypolicy",
                "contentsecuritypolicyreportonly", "publickey", "referrerpolicy", "permissionspolicy",
                "isdevelopment",
            ],
            more: ["customrequestheaders": .open, "customresponseheaders": .open, "sslproxyheaders": .open]),
        "ipallowlist": .fields(["sourcerange", "rejectstatuscode"], more: ["ipstrategy": ipStrategy]),
        "inflightreq": .fields(["amount"], more: ["sourcecriterion": sourceCriterion]),
        "ratelimit": .fields(
            ["average", "period", "burst"], more: ["sourcecriterion": sourceCriterion, "redis": .open]),
        "redirectregex": .fields(["regex", "replacement", "permanent"]),
        "redirectscheme": .fields(["scheme", "port", "permanent"]),
        "replacepath": .fields(["path"]),
        "replacepathregex": .fields(["regex", "replacement"]),
        "retry": .fields([
            "attempts", "initialinterval", "timeout", "maxrequestbodybytes", "status", "disableretryonnetworkerror",
            "retrynonidempotentmethod",
        ]),
        "stripprefix": .fields(["prefixes"]),
        "stripprefixregex": .fields(["regex"]),
        // Types Traefik has whose fields are not checked here.
        "contenttype": .open,
        "errors": .open,
        "grpcweb": .open,
        "passtlsclientcert": .open,
        "plugin": .open,
        "encodedcharacters": .open,
    ]

    /// Fields Traefik reads as whole numbers, by kind and path below the name
    /// (`routers.priority`, `middlewares.ratelimit.average`). Its label decoder cannot read a
    /// word there and drops the container's or Swarm service's whole configuration.
    static let integerFields: Set<String> = [
        "routers.priority",
        "services.loadbalancer.server.weight", "services.loadbalancer.healthcheck.port",
        "services.loadbalancer.healthcheck.status", "services.loadbalancer.sticky.cookie.maxage",
        "middlewares.ratelimit.average", "middlewares.ratelimit.burst", "middlewares.inflightreq.amount",
        "middlewares.headers.stsseconds", "middlewares.headers.accesscontrolmaxage", "middlewares.retry.attempts",
        "middlewares.buffering.maxrequestbodybytes", "middlewares.buffering.memrequestbodybytes",
        "middlewares.buffering.maxresponsebodybytes", "middlewares.buffering.memresponsebodybytes",
        "middlewares.compress.minresponsebodybytes", "middlewares.forwardauth.maxbodysize",
        "middlewares.ipallowlist.ipstrategy.depth",
    ]

    /// Whether Go's `strconv.ParseInt` reads `value`: an optional sign, then decimal digits.
    static func isInteger(_ value: String) -> Bool {
        var digits = Substring(value)
        if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Whether a server port is one: Traefik puts it into the server's URL, which refuses
    /// anything but digits, and then disables every router to the service.
    static func isPort(_ value: String) -> Bool {
        guard !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(value.prefix(6)) else {
            return false
        }
        return (1...65535).contains(port)
    }

    /// Middleware types v2 had and v3 renamed, with the v3 name.
    static let renamedMiddlewares = ["ipwhitelist": "ipallowlist"]

    /// Fields v3 removed, by `type.field` (or `type.section.field`), with what to do instead:
    /// Traefik's label decoder no longer knows them and drops the container.
    static let removedFields: [String: String] = [
        "headers.accesscontrolalloworigin": "Rename it to headers.accesscontrolalloworiginlist."
    ]

    /// v2 fields v3 still decodes but has deprecated, by `type.field`, with what to write
    /// instead. Checked against Traefik 3.7: a router using them stays enabled, so they are
    /// warnings, not errors.
    static let deprecatedFields: [String: String] = [
        "headers.sslredirect":
            "Remove it and redirect with a redirectscheme middleware (scheme=https, permanent=true) on an HTTP router; Berth's .redirectToHTTPS writes that.",
        "headers.ssltemporaryredirect":
            "Remove it and redirect with a redirectscheme middleware (scheme=https) on an HTTP router.",
        "headers.sslhost": "Remove it and redirect with a redirectregex middleware.",
        "headers.sslforcehost": "Remove it and redirect with a redirectregex middleware.",
        "headers.featurepolicy": "Rename it to headers.permissionspolicy.",
        "stripprefix.forceslash": "Remove it: v3 always keeps the leading slash.",
        "forwardauth.tls.caoptional": "Remove it: v3 dropped the option.",
    ]
}
