import BerthCore

/// Checks `traefik.*` labels the way Traefik v3 reads them, so a label it would refuse or
/// silently drop is reported before a deploy instead of found as a missing route afterwards.
///
/// It reads the labels users write with ``Service/label(_:_:fileID:line:)`` and
/// ``Service/serviceLabel(_:_:fileID:line:)`` as well as those ``TraefikLabels/apply(to:for:)``
/// writes, and reports:
/// - labels where the environment's provider does not read them: container labels on Swarm,
///   `deploy.labels` on Compose, the other provider's network key, or both network keys;
/// - a Swarm service with routers but no `loadbalancer.server.port`;
/// - rules v3 refuses or reads differently: `` Host(`a`,`b`) ``, `HostHeader`, `HostRegexp`
///   with `{name:…}` placeholders, unbalanced parentheses or backquotes;
/// - `@` in a router, service or middleware name;
/// - an unknown middleware type or field, and v2 names such as `ipwhitelist` or
///   `headers.sslredirect`: Traefik drops the whole configuration of a service with one;
/// - a router without `service` among several services, a dashboard router without
///   authentication, a key written twice.
///
/// Every diagnostic names the service and the label and says what to write instead.
public enum TraefikValidation {
    /// Every problem of the stack's Traefik labels for an environment.
    public static func diagnostics(of stack: Stack, for environment: Environment) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        // Whether the gateway's Traefik serves only the services labelled with its network:
        // known when the stack runs it (Berth's `Traefik.service` passes the constraint; a
        // Traefik written by hand may not), unknown when another stack does.
        let constrained = stack.gateway.flatMap { gateway in
            stack.services.first { $0.name == gateway.service }.map { traefik in
                ((traefik.entrypoint ?? []) + (traefik.command ?? [])).contains {
                    $0.hasPrefix("--providers.") && $0.contains(".constraints=")
                        && $0.contains(gateway.network.engineName)
                }
            }
        }
        for service in stack.services {
            var check = ServiceLabelCheck(
                service: service, environment: environment, gateway: stack.gateway, gatewayConstrained: constrained)
            check.run()
            diagnostics += check.diagnostics
        }
        return diagnostics
    }
}

/// Where a service's labels are: its containers' or (on Swarm) the service's own.
private enum LabelPlace {
    case container
    case swarmService

    var noun: String { self == .container ? "label" : "service label" }
}

/// The checks of one service's labels.
private struct ServiceLabelCheck {
    let service: Service
    let environment: Environment
    /// The stack's gateway, when it has one.
    let gateway: Gateway?
    /// Whether its Traefik serves only the services labelled with its network; `nil` when
    /// another stack runs it.
    let gatewayConstrained: Bool?
    var diagnostics: [Diagnostic] = []

    init(service: Service, environment: Environment, gateway: Gateway?, gatewayConstrained: Bool?) {
        self.service = service
        self.environment = environment
        self.gateway = gateway
        self.gatewayConstrained = gatewayConstrained
    }

    private var element: String { "service '\(service.name)'" }

    private mutating func report(
        _ code: Diagnostic.Code, _ message: String, fix: String, at location: SourceLocation,
        severity: Diagnostic.Severity = .error
    ) {
        diagnostics.append(
            Diagnostic(severity, code, element: element, message: message, fix: fix, location: location))
    }

    mutating func run() {
        let container = service.labels.filter(Self.isTraefik)
        let swarmService = service.deploy.labels.filter(Self.isTraefik)
        checkPlacement(container: container, swarmService: swarmService)
        checkGatewayNetwork(environment.orchestrator == .swarm ? swarmService : container)
        for (labels, place) in [(container, LabelPlace.container), (swarmService, .swarmService)] where !labels.isEmpty
        {
            checkDuplicates(labels, place)
            for label in labels { checkKey(label, place) }
            checkNetworkKeys(labels, place)
            checkConfiguration(labels, place)
        }
    }

    static func isTraefik(_ label: Label) -> Bool {
        label.key.lowercased().hasPrefix("traefik.") || label.key.lowercased() == "traefik"
    }

    // MARK: Placement

    private mutating func checkPlacement(container: [Label], swarmService: [Label]) {
        switch environment.orchestrator {
        case .swarm:
            guard let first = container.first else { return }
            report(
                .traefikLabelsOnContainers,
                "It has \(container.count) Traefik label(s) on its containers ('\(first.key)'\(container.count > 1 ? " and more" : "")), but on Swarm Traefik's Swarm provider reads only service labels (deploy.labels), so they route nothing.",
                fix: "Write them with .serviceLabel(…) instead of .label(…), or declare routes with .route(…).",
                at: first.location)
        case .compose:
            guard let first = swarmService.first else { return }
            report(
                .traefikLabelsOnSwarmService,
                "It has \(swarmService.count) Traefik service label(s) ('\(first.key)'\(swarmService.count > 1 ? " and more" : "")), but on Compose they are dropped and Traefik's Docker provider reads only container labels, so they route nothing.",
                fix: "Write them with .label(…) instead of .serviceLabel(…), or declare routes with .route(…).",
                at: first.location)
        }
    }

    private mutating func checkDuplicates(_ labels: [Label], _ place: LabelPlace) {
        var seen: Set<String> = []
        for label in labels where !seen.insert(label.key).inserted {
            report(
                .traefikDuplicateLabel,
                "The \(place.noun) '\(label.key)' is written twice; Compose refuses a file with a key twice.",
                fix: "Keep one of them; a route's labels are written by .route(…), so do not write them again.",
                at: label.location)
        }
    }

    private mutating func checkNetworkKeys(_ labels: [Label], _ place: LabelPlace) {
        let docker = labels.first { $0.key.lowercased() == "traefik.docker.network" }
        let swarm = labels.first { $0.key.lowercased() == "traefik.swarm.network" }
        if let docker, swarm != nil {
            report(
                .traefikBothNetworkKeys,
                "Its \(place.noun)s set both traefik.docker.network and traefik.swarm.network; each provider reads only its own, so one of them is wrong wherever it runs.",
                fix: environment.orchestrator == .swarm
                    ? "Keep traefik.swarm.network only." : "Keep traefik.docker.network only.",
                at: docker.location)
        }
        switch environment.orchestrator {
        case .swarm:
            if let docker {
                report(
                    .traefikWrongProviderNetwork,
                    "The \(place.noun) 'traefik.docker.network' is read by Traefik's Docker provider only; on Swarm the Swarm provider ignores it and may pick a network Traefik cannot reach.",
                    fix: "Write traefik.swarm.network=\(docker.value) as a service label instead.",
                    at: docker.location)
            }
        case .compose:
            if let swarm {
                report(
                    .traefikWrongProviderNetwork,
                    "The \(place.noun) 'traefik.swarm.network' is read by Traefik's Swarm provider only; on Compose the Docker provider ignores it and may pick a network Traefik cannot reach.",
                    fix: "Write traefik.docker.network=\(swarm.value) as a container label instead.",
                    at: swarm.location)
            }
        }
    }

    /// Berth's Traefik serves only the services labelled with its network
    /// (``TraefikLabels/networkKey(for:)``), as the labels of `.route(…)` are: labels written
    /// by hand without it route nothing through the stack's gateway.
    private mutating func checkGatewayNetwork(_ labels: [Label]) {
        guard let gateway, gateway.kind == .traefik, service.routes.isEmpty, gatewayConstrained != false,
            let enable = labels.first(where: {
                $0.key.lowercased() == "traefik.enable" && $0.value.lowercased() == "true"
            })
        else { return }
        let key = TraefikLabels.networkKey(for: environment)
        let network = labels.first { $0.key.lowercased() == key }
        guard network?.value != gateway.network.engineName else { return }
        let written = network.map { "names \($0.value)" } ?? "is missing"
        let fix =
            "Add .\(environment.orchestrator == .swarm ? "serviceLabel" : "label")(\"\(key)\", \"\(gateway.network.engineName)\") or declare the routes with .route(…)."
        if gatewayConstrained == true {
            report(
                .traefikOutsideGateway,
                "Its Traefik labels enable it, but their '\(key)' \(written): the stack's gateway serves only the services labelled \(key)=\(gateway.network.engineName), so these route nothing.",
                fix: fix, at: network?.location ?? enable.location)
        } else {
            report(
                .traefikOutsideGateway,
                "Its Traefik labels enable it, but their '\(key)' \(written): a gateway Traefik started by Berth's Traefik.service serves only the services labelled \(key)=\(gateway.network.engineName), so with it these route nothing.",
                fix: fix, at: network?.location ?? enable.location, severity: .warning)
        }
    }

    // MARK: Keys

    private mutating func checkKey(_ label: Label, _ place: LabelPlace) {
        let segments = label.key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let lower = segments.map { $0.lowercased() }
        let noun = "\(place.noun) '\(label.key)'"
        func unknownLabel(_ why: String, fix: String) {
            report(
                .traefikUnknownLabel, "The \(noun) \(why), so Traefik v3 ignores it.", fix: fix, at: label.location)
        }
        guard lower.count >= 2 else {
            unknownLabel("names no Traefik section", fix: "Write traefik.enable, traefik.http.… or remove it.")
            return
        }
        switch lower[1] {
        case "enable":
            if lower.count != 2 {
                unknownLabel("is not traefik.enable", fix: "Write traefik.enable=true.")
            }
        case "docker", "swarm":
            let fields = lower[1] == "docker" ? ["network", "allownonrunning"] : ["network", "lbswarm"]
            if lower[1] == "docker", lower.count == 3, lower[2] == "lbswarm" {
                report(
                    .traefikV2Option,
                    "The \(noun) is a v2 option: Traefik v3 reads lbswarm from its Swarm provider only.",
                    fix: "On Swarm, write traefik.swarm.lbswarm as a service label.", at: label.location)
            } else if lower.count != 3 || !fields.contains(lower[2]) {
                unknownLabel(
                    "is not an option of Traefik's \(lower[1]) provider",
                    fix: "Use \(fields.map { "traefik.\(lower[1]).\($0)" }.joined(separator: " or ")).")
            }
        case "http", "tcp", "udp":
            checkDynamicKey(label, segments: segments, lower: lower, noun: noun)
        case "tls":
            break
        default:
            let v1 = ["frontend", "backend", "port", "protocol", "weight", "domain", "tags"].contains(lower[1])
            unknownLabel(
                v1 ? "is a Traefik v1 label" : "names no section Traefik reads",
                fix:
                    "Write routers and services: traefik.http.routers.<name>.rule, traefik.http.services.<name>.loadbalancer.server.port."
            )
        }
    }

    /// `traefik.<protocol>.<routers|services|middlewares>.<name>.<field…>`.
    private mutating func checkDynamicKey(_ label: Label, segments: [String], lower: [String], noun: String) {
        let kinds = lower[1] == "udp" ? ["routers", "services"] : ["routers", "services", "middlewares"]
        guard lower.count >= 4, kinds.contains(lower[2]), !segments[3].isEmpty else {
            report(
                .traefikUnknownLabel,
                "The \(noun) does not name a router, service or middleware, so Traefik v3 ignores it.",
                fix: "Write traefik.\(lower[1]).\(kinds.joined(separator: "|")).<name>.<field>=<value>.",
                at: label.location)
            return
        }
        let kind = String(lower[2].dropLast())
        let name = segments[3]
        if name.contains("@") {
            report(
                .traefikAtInName,
                "The \(noun) names the \(kind) '\(name)': Traefik reserves '@' for the provider of a name (auth@file), and refuses it in a name.",
                fix: "Rename the \(kind) without '@', such as '\(String(name.map { $0 == "@" ? "-" : $0 }))'.",
                at: label.location)
        }
        guard lower[1] == "http" else { return }
        let prefix = segments[0...3].joined(separator: ".")
        let rest = Array(lower[4...])
        guard !rest.isEmpty else {
            // Checked against Traefik 3.7: a key that stops at the name sets nothing, and the
            // decoder passes over it without dropping the rest.
            report(
                .traefikUnknownField,
                "The \(noun) names the \(kind) '\(name)' but no field, so Traefik v3 ignores it.",
                fix:
                    "Write a field after the name, such as \(prefix).\(kind == "router" ? "rule" : kind == "service" ? "loadbalancer.server.port" : "<type>.<field>")=<value>, or remove it.",
                at: label.location, severity: .warning)
            return
        }
        let verdict: TraefikLabelSchema.Verdict
        switch lower[2] {
        case "routers":
            verdict = TraefikLabelSchema.check(rest, against: TraefikLabelSchema.router, prefix: prefix)
        case "services":
            verdict = TraefikLabelSchema.check(rest, against: TraefikLabelSchema.service, prefix: prefix)
        default:
            guard let type = rest.first else {
                verdict = .incomplete(path: prefix)
                break
            }
            if let renamed = TraefikLabelSchema.renamedMiddlewares[type] {
                report(
                    .traefikV2Option,
                    "The \(noun) uses the middleware type '\(type)', which Traefik v3 renamed '\(renamed)'.",
                    fix:
                        "Write \(prefix).\(renamed)\(rest.count > 1 ? "." + rest.dropFirst().joined(separator: ".") : "").",
                    at: label.location)
                return
            }
            guard let schema = TraefikLabelSchema.middlewares[type] else {
                let known = TraefikLabelSchema.middlewares.keys.sorted().joined(separator: ", ")
                report(
                    .traefikUnknownMiddleware,
                    "The \(noun) uses the middleware type '\(type)', which Traefik v3 does not have; Traefik drops this service's whole configuration.",
                    fix: "Use one of: \(known).", at: label.location)
                return
            }
            verdict = TraefikLabelSchema.check(
                Array(rest.dropFirst()), against: schema, prefix: prefix + "." + type, type: type)
        }
        switch verdict {
        case .valid:
            checkValue(label, kind: lower[2], field: rest.joined(separator: "."), noun: noun)
        case .unknown(let path, let expected):
            report(
                .traefikUnknownField,
                "The \(noun): Traefik v3 has no field '\(path.split(separator: ".").last ?? "")' there, and drops this service's whole configuration for it, every route included.",
                fix: expected.isEmpty
                    ? "Remove the label; '\(path.split(separator: ".").dropLast().joined(separator: "."))' takes a value, not fields."
                    : "Use one of: \(expected.joined(separator: ", ")).",
                at: label.location)
        case .incomplete(let path):
            report(
                .traefikUnknownField,
                "The \(noun) stops at '\(path)', which needs a field; Traefik drops this service's whole configuration for it.",
                fix: "Write the field after it, such as \(path).<field>=<value>.", at: label.location)
        case .removed(let path, let fix):
            report(
                .traefikV2Option,
                "The \(noun) sets '\(path.split(separator: ".").suffix(2).joined(separator: "."))', a v2 option Traefik v3 removed; Traefik drops this service's whole configuration for it.",
                fix: fix, at: label.location)
        case .deprecated(let path, let fix):
            report(
                .traefikV2Option,
                "The \(noun) sets '\(path.split(separator: ".").suffix(2).joined(separator: "."))', a v2 option Traefik v3 has deprecated and will remove.",
                fix: fix, at: label.location, severity: .warning)
        }
    }

    /// A value Traefik cannot read for a field it knows: a word where it reads a number.
    private mutating func checkValue(_ label: Label, kind: String, field: String, noun: String) {
        let value = trimmed(label.value)
        if kind == "middlewares", field == "basicauth.users" {
            for user in TraefikPasswordHashes.uncheckedUsers(label.value.split(separator: ",").map(trimmed)) {
                report(
                    .traefikUnsupportedPasswordHash, TraefikPasswordHashes.message(user: user, in: "The \(noun)"),
                    fix: TraefikPasswordHashes.fix(user: user), at: label.location)
            }
            return
        }
        if kind == "services", field == "loadbalancer.server.port" {
            guard !TraefikLabelSchema.isPort(value) else { return }
            report(
                .traefikInvalidValue,
                "The \(noun) sets the port '\(label.value)', which is no port number from 1 to 65535: Traefik cannot build the server's address and disables every router to this service.",
                fix: "Write the port the container listens on, such as \(label.key)=8080.", at: label.location)
        } else if TraefikLabelSchema.integerFields.contains("\(kind).\(field)"), !TraefikLabelSchema.isInteger(value) {
            report(
                .traefikInvalidValue,
                "The \(noun) sets '\(label.value)', but Traefik reads a whole number there; it cannot decode the labels and drops this service's whole configuration, every route included.",
                fix: "Write a whole number, such as \(label.key)=\(field.hasSuffix("priority") ? "100" : "10").",
                at: label.location)
        }
    }

    // MARK: Routers, services and middlewares together

    /// The HTTP routers, services and middlewares one set of labels defines.
    private struct Configuration {
        var routers: [String: [String: Label]] = [:]
        var routerOrder: [String] = []
        var services: [String: [String: Label]] = [:]
        var serviceOrder: [String] = []
        var middlewares: [String: [String: Label]] = [:]

        init(_ labels: [Label]) {
            for label in labels {
                let segments = label.key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                guard segments.count >= 5, segments[1].lowercased() == "http" else { continue }
                let name = segments[3]
                let field = segments[4...].joined(separator: ".").lowercased()
                switch segments[2].lowercased() {
                case "routers":
                    if routers[name] == nil { routerOrder.append(name) }
                    routers[name, default: [:]][field] = label
                case "services":
                    if services[name] == nil { serviceOrder.append(name) }
                    services[name, default: [:]][field] = label
                case "middlewares":
                    middlewares[name, default: [:]][field] = label
                default:
                    continue
                }
            }
        }
    }

    private mutating func checkConfiguration(_ labels: [Label], _ place: LabelPlace) {
        let configuration = Configuration(labels)
        for name in configuration.routerOrder {
            let fields = configuration.routers[name] ?? [:]
            let first = fields.values.first!
            if let rule = fields["rule"] {
                if fields["rulesyntax"]?.value.lowercased() == "v2" {
                    report(
                        .traefikV2RuleSyntax,
                        "Router '\(name)' sets ruleSyntax=v2, which Traefik v3 reads but has deprecated and will drop.",
                        fix:
                            "Rewrite the rule in v3 syntax (one argument per matcher) and remove the ruleSyntax label.",
                        at: fields["rulesyntax"]!.location, severity: .warning)
                } else {
                    checkRule(rule, router: name, place)
                }
            }
            if fields["service"] == nil, configuration.services.count > 1 {
                report(
                    .traefikAmbiguousService,
                    "Router '\(name)' names no service, and these \(place.noun)s define \(configuration.services.count) (\(configuration.serviceOrder.joined(separator: ", "))): Traefik cannot choose and drops the router.",
                    fix: "Add traefik.http.routers.\(name).service=<one of them>.", at: first.location)
            }
            if fields["service"]?.value.lowercased() == "api@internal" {
                checkDashboard(router: name, fields: fields, configuration: configuration)
            }
        }
        guard environment.orchestrator == .swarm, place == .swarmService, !configuration.routers.isEmpty else { return }
        if labels.contains(where: { $0.key.lowercased() == "traefik.enable" && $0.value.lowercased() == "false" }) {
            return
        }
        if configuration.services.isEmpty {
            let router = configuration.routerOrder[0]
            let port = service.ports.first?.target
            report(
                .traefikSwarmMissingPort,
                "It has Traefik routers ('\(router)') but no traefik.http.services.<name>.loadbalancer.server.port: Traefik's Swarm provider cannot find a Swarm service's port and drops its whole configuration.",
                fix:
                    "Add the service label traefik.http.services.\(router).loadbalancer.server.port=\(port.map(String.init) ?? "<port>"), or declare the route with .route(…).",
                at: configuration.routers[router]?.values.first?.location ?? service.location)
        }
        for name in configuration.serviceOrder where configuration.services[name]?["loadbalancer.server.port"] == nil {
            report(
                .traefikSwarmMissingPort,
                "Its Traefik service '\(name)' has no loadbalancer.server.port: Traefik's Swarm provider cannot find a Swarm service's port and drops its whole configuration.",
                fix: "Add the service label traefik.http.services.\(name).loadbalancer.server.port=<port>.",
                at: configuration.services[name]?.values.first?.location ?? service.location)
        }
    }

    private mutating func checkRule(_ label: Label, router: String, _ place: LabelPlace) {
        for problem in TraefikRule(label.value).problems {
            let subject = "The rule of router '\(router)' (\(place.noun) '\(label.key)')"
            switch problem {
            case .malformed(let why):
                report(
                    .traefikMalformedRule, "\(subject) does not parse: \(why). Traefik refuses the router.",
                    fix:
                        "Close every '(' and every backquote, and join matchers with && or ||: Host(`shop.example.com`) && PathPrefix(`/api`).",
                    at: label.location)
            case .tooManyArguments(let matcher, let count, let maximum):
                report(
                    .traefikMultiArgumentMatcher,
                    "\(subject) gives \(matcher) \(count) arguments; in Traefik v3 it takes \(maximum), and the router is refused.",
                    fix: "Write one matcher per value and join them with ||: \(matcher)(`a`) || \(matcher)(`b`).",
                    at: label.location)
            case .tooFewArguments(let matcher, let count, let minimum):
                report(
                    .traefikMalformedRule,
                    "\(subject) gives \(matcher) \(count) argument(s); it takes \(minimum). Traefik refuses the router.",
                    fix: "Give \(matcher) \(minimum) backquoted argument(s).", at: label.location)
            case .v2Matcher(let matcher, let replacement):
                report(
                    .traefikV2Matcher,
                    "\(subject) uses \(matcher), a v2 matcher Traefik v3 does not have; it refuses the router.",
                    fix: "Write \(replacement)(…) instead.", at: label.location)
            case .v2Placeholder(let matcher, let argument):
                let fix =
                    matcher == "HostRegexp"
                    ? "Write a Go regular expression without {name:…} placeholders: HostRegexp(`^[a-z]+\\.example\\.com$`)."
                    : "\(matcher) is literal in v3; match the variable part with PathRegexp(`^/users/[0-9]+`)."
                report(
                    .traefikV2Matcher,
                    "\(subject) writes '\(argument)' in \(matcher): a v2 {name:regex} placeholder, which v3 \(matcher == "HostRegexp" ? "reads as a regular expression quantifier or refuses" : "matches literally, so no request matches it").",
                    fix: fix, at: label.location)
            case .invalidArgument(let matcher, let argument, let why):
                report(
                    .traefikInvalidMatcherArgument,
                    "\(subject) gives \(matcher) the argument '\(argument)': \(why). Traefik refuses the router.",
                    fix: matcher == "ClientIP"
                        ? "Write an address or range: ClientIP(`192.0.2.7`) or ClientIP(`10.0.0.0/8`)."
                        : matcher.hasSuffix("Regexp")
                            ? "Write a Go (RE2) regular expression, such as PathRegexp(`^/items/[0-9]+$`)."
                            : "Start the path with '/': \(matcher)(`/\(argument)`).",
                    at: label.location)
            case .unknownMatcher(let matcher):
                report(
                    .traefikUnknownMatcher,
                    "\(subject) uses \(matcher), which is not a Traefik v3 HTTP matcher; it refuses the router.",
                    fix: "Use one of: \(TraefikRule.arity.keys.sorted().joined(separator: ", ")).", at: label.location)
            }
        }
    }

    /// A dashboard router needs an authentication middleware with users: the dashboard can
    /// change nothing, but it shows every route, service and backend address.
    private mutating func checkDashboard(router: String, fields: [String: Label], configuration: Configuration) {
        let names = (fields["middlewares"]?.value ?? "").split(separator: ",").map(trimmed)
        let protected = names.contains { name in
            // A middleware of another provider or another service cannot be seen from here.
            guard !name.contains("@"), let middleware = configuration.middlewares[name] else { return true }
            let has: (String) -> Bool = { !trimmed(middleware[$0]?.value ?? "").isEmpty }
            return has("basicauth.users") || has("basicauth.usersfile") || has("digestauth.users")
                || has("digestauth.usersfile") || has("forwardauth.address")
        }
        if !protected {
            report(
                .traefikDashboardUnprotected,
                "Router '\(router)' serves the Traefik dashboard (api@internal) without an authentication middleware that has users: anyone reaching its host sees every route and backend address.",
                fix:
                    "Give the dashboard users (dashboardUsers: BasicAuth(users: [\"admin:$2y$…\"]), from `htpasswd -nB admin`), or a basicauth or forwardauth middleware on the router.",
                at: fields["service"]?.location ?? fields.values.first!.location)
        }
    }
}

/// `text` without leading and trailing white space.
private func trimmed(_ text: some StringProtocol) -> String {
    var text = Substring(text)
    while let first = text.first, first.isWhitespace { text.removeFirst() }
    while let last = text.last, last.isWhitespace { text.removeLast() }
    return String(text)
}
