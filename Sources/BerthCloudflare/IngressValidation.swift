import BerthCore

extension Tunnel {
    /// Checks the rules as cloudflared checks them before it starts (`ingress/ingress.go`), on
    /// ``completedIngress``, and reports every problem instead of the first.
    ///
    /// Each rejection of cloudflared has a diagnostic: an empty ingress, a `service` without a
    /// scheme and hostname or with a path, an `http_status:` outside 100…999, a hostname with a
    /// port or a misplaced `*`, a last rule that is not a catch-all or a catch-all before it, a
    /// `path` Go's `regexp` refuses, Access with audience tags but no team. Berth also refuses
    /// what cloudflared would only fail on later: a hostname that is not a DNS name. Go regular
    /// expressions are approximated with ICU's `NSRegularExpression` and RE2's known limits.
    public func validateIngress() -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func report(_ code: Diagnostic.Code, _ element: String, _ message: String, fix: String, at: SourceLocation) {
            diagnostics.append(Diagnostic(.error, code, element: element, message: message, fix: fix, location: at))
        }
        guard !ingress.isEmpty else {
            report(
                .tunnelEmptyIngress, "tunnel '\(serviceName)'",
                """
                The tunnel has no ingress rules, so it routes no hostname; cloudflared refuses a configuration \
                without rules.
                """,
                fix: "Add a rule such as IngressRule.route(\"app.example.com\", to: \"gateway\", port: 80).",
                at: location)
            return diagnostics
        }
        let rules = completedIngress
        let tunnelBastionMode = originRequest?.bastionMode ?? false
        for (index, rule) in rules.enumerated() {
            let element = Self.element(of: rule, at: index)
            let bastionMode = rule.originRequest?.bastionMode ?? tunnelBastionMode
            if case .failure(let problem) = OriginService.parse(rule.service, bastionMode: bastionMode) {
                let (code, message, fix) = Self.describe(problem, service: rule.service)
                report(code, element, message, fix: fix, at: rule.location)
            }
            if let access = rule.access, !access.audTags.isEmpty, (access.teamName ?? "").isEmpty {
                report(
                    .tunnelAccessWithoutTeam, element,
                    """
                    Access lists audience tags but no team name, so cloudflared cannot fetch the keys that sign \
                    Access tokens\(access.isRequired ? " and refuses the configuration" : "").
                    """,
                    fix: "Set teamName: to your Zero Trust team, the <team> of <team>.cloudflareaccess.com.",
                    at: access.location)
            }
            if let hostname = rule.hostname, !hostname.isEmpty {
                checkHostname(hostname, element: element, at: rule.location, report: report)
            }
            let isLast = index == rules.count - 1
            if isLast && !rule.isCatchAll {
                report(
                    .tunnelLastRuleNotCatchAll, element,
                    """
                    The last rule matches only \(Self.scope(of: rule)); cloudflared needs a last rule that matches \
                    every request (no hostname and no path).
                    """,
                    fix:
                        """
                        Leave catchAllService at its default so Berth appends the rule http_status:404, or end the \
                        rules with IngressRule.catchAll(service: \"http_status:404\").
                        """,
                    at: rule.location)
            } else if !isLast && rule.isCatchAll {
                report(
                    .tunnelCatchAllNotLast, element,
                    """
                    Rule \(index + 1) matches every request, so the \(rules.count - index - 1) rule(s) after it would \
                    never match; cloudflared refuses it.
                    """,
                    fix: "Give the rule a hostname, or remove it: Berth appends the catch-all rule itself.",
                    at: rule.location)
            }
            if let path = rule.path, !path.isEmpty, let problem = GoRegexp.problem(in: path) {
                report(
                    .tunnelInvalidPathRegex, element,
                    """
                    The path '\(path)' is a Go regular expression, and \(problem) (checked with ICU and RE2's known \
                    limits, an approximation of Go's regexp).
                    """,
                    fix: "Escape the special characters it means literally (\\*, \\., \\?), for example \"^/static/\".",
                    at: rule.location)
            }
        }
        return diagnostics
    }

    private func checkHostname(
        _ hostname: String,
        element: String,
        at location: SourceLocation,
        report: (Diagnostic.Code, String, String, String, SourceLocation) -> Void
    ) {
        if let colon = hostname.firstIndex(of: ":") {
            report(
                .tunnelHostnameWithPort, element,
                """
                The hostname '\(hostname)' has a port; cloudflared matches host names only, and Cloudflare's edge \
                chooses the public ports.
                """,
                "Remove '\(hostname[colon...])' from the hostname.", location)
            return
        }
        let stars = hostname.count { $0 == "*" }
        if stars > 1 || (stars == 1 && hostname != "*" && !hostname.hasPrefix("*.")) {
            report(
                .tunnelInvalidWildcard, element,
                """
                The hostname '\(hostname)' has a '*' that is not the whole leftmost label; cloudflared supports only \
                one wildcard, as in '*.example.com'.
                """,
                "Use a pattern such as '*.example.com', or write one rule per hostname.", location)
            return
        }
        if hostname != "*", let problem = Self.hostnameProblem(hostname) {
            report(
                .tunnelInvalidHostname, element,
                "The hostname '\(hostname)' is not a DNS name: \(problem).",
                "Write the hostname as it appears in your Cloudflare zone, such as 'app.example.com'.", location)
        }
    }

    /// Why a hostname (after an optional `*.`) cannot be a DNS name, or `nil`.
    static func hostnameProblem(_ hostname: String) -> String? {
        let name = hostname.hasPrefix("*.") ? hostname.dropFirst(2) : Substring(hostname)
        guard name.utf8.count <= 253 else { return "it is longer than 253 bytes" }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty else { return "it has an empty label (a leading, trailing or doubled '.')" }
            if label.unicodeScalars.count > 63 { return "the label '\(label)' is longer than 63 characters" }
            if label.hasPrefix("-") || label.hasSuffix("-") {
                return "the label '\(label)' starts or ends with '-'"
            }
            if let bad = label.unicodeScalars.first(where: { !isHostnameScalar($0) }) {
                let code = String(bad.value, radix: 16, uppercase: true)
                return
                    """
                    it contains U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code), which no domain \
                    name can hold
                    """
            }
        }
        return nil
    }

    /// Letters, digits, `-` and `_` in ASCII; letters, digits and combining marks beyond it,
    /// which internationalised names (`môô.example.com`) are made of.
    private static func isHostnameScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "-" || scalar == "_"
        }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber: return true
        default: return properties.isAlphabetic
        }
    }

    /// How diagnostics name a rule: its position (one-based, as cloudflared counts) and hostname.
    static func element(of rule: IngressRule, at index: Int) -> String {
        if rule.isCatchAll { return "ingress rule \(index + 1) (catch-all)" }
        return "ingress rule \(index + 1) ('\(rule.hostname ?? "*")\(rule.path.map { " " + $0 } ?? "")')"
    }

    private static func scope(of rule: IngressRule) -> String {
        switch (rule.hostname, rule.path) {
        case (let hostname?, let path?): return "'\(hostname)' with path '\(path)'"
        case (let hostname?, nil): return "'\(hostname)'"
        case (nil, let path?): return "the path '\(path)'"
        case (nil, nil): return "nothing"
        }
    }

    private static func describe(
        _ problem: OriginService.Problem,
        service: String
    ) -> (Diagnostic.Code, String, String) {
        switch problem {
        case .statusNotANumber(let text):
            return (
                .tunnelInvalidStatus,
                "The service '\(service)' answers with a status, but '\(text)' is not a number.",
                "Write http_status: and a status code from 100 to 999, such as http_status:404."
            )
        case .statusOutOfRange(let status):
            return (
                .tunnelInvalidStatus,
                "The service '\(service)' answers with status \(status), which is not an HTTP status code (100-999).",
                """
                Use a status code from 100 to 999, such as http_status:404; to reach a port, write \
                http://SERVICE:\(status).
                """
            )
        case .missingSchemeOrHost:
            return (
                .tunnelInvalidService,
                """
                The service '\(service)' is not an origin cloudflared understands: a URL needs a scheme and a \
                hostname.
                """,
                """
                Write a URL such as 'http://\(service.contains("://") ? "gateway:80" : service)', or use hello_world, \
                bastion, unix:PATH or http_status:NNN.
                """
            )
        case .invalidHostCharacter(let character):
            return (
                .tunnelInvalidService,
                "The host of the service '\(service)' contains \(character.debugDescription), which host names cannot.",
                "Correct the host: a service of the stack is reached by its name, as in http://gateway:80."
            )
        case .invalidPort(let port):
            return (
                .tunnelInvalidService,
                "The port '\(port)' of the service '\(service)' is not a TCP port number.",
                "Use a port from 1 to 65535, as in http://gateway:80."
            )
        case .hasPath(let path):
            let fix =
                path == "/"
                ? "Remove the trailing '/'."
                : "Remove '\(path)' from the service; to route by path, set the rule's path: \"\(path)\" instead."
            return (
                .tunnelServiceWithPath,
                """
                The service '\(service)' has the path '\(path)'; cloudflared forwards each request's own path and \
                refuses an origin URL with one.
                """,
                fix
            )
        }
    }
}
