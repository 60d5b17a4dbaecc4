import BerthCloudflare
import BerthCore
import Testing

/// One ingress from cloudflared's own tests (`ingress/ingress_test.go`, `TestParseIngress`).
struct IngressCase: Sendable, CustomTestStringConvertible {
    var name: String
    var rules: [IngressRule]
    /// The diagnostic Berth reports for a rejected ingress.
    var code: Diagnostic.Code?
    /// Whether cloudflared rejects it only because the last rule is not a catch-all, which the
    /// catch-all Berth appends by default repairs.
    var repairedByCatchAll = false

    var testDescription: String { name }

    static func rejected(
        _ name: String,
        _ code: Diagnostic.Code,
        repairedByCatchAll: Bool = false,
        _ rules: [IngressRule]
    ) -> IngressCase {
        IngressCase(name: name, rules: rules, code: code, repairedByCatchAll: repairedByCatchAll)
    }

    static func accepted(_ name: String, _ rules: [IngressRule]) -> IngressCase {
        IngressCase(name: name, rules: rules, code: nil)
    }
}

/// Every input cloudflared's tests reject, with the diagnostic Berth gives it.
let cloudflaredRejects: [IngressCase] = [
    .rejected("empty ingress", .tunnelEmptyIngress, []),
    .rejected(
        "invalid unicode hostname", .tunnelInvalidHostname,
        // Go turns the surrogate 0xd8f3 of cloudflared's test into U+FFFD.
        [rule("\u{FFFD}.cloudflare.com", "https://localhost:8000")]),
    .rejected("service with a space in its host", .tunnelInvalidService, [rule("*", "https://local host:8000")]),
    .rejected(
        "one rule with a hostname only", .tunnelLastRuleNotCatchAll, repairedByCatchAll: true,
        [rule("example.com", "https://localhost:8000")]),
    .rejected(
        "catch-all first", .tunnelCatchAllNotLast,
        [rule("https://localhost:8000"), rule("example.com", "https://localhost:8000")]),
    .rejected(
        "catch-all with a path", .tunnelLastRuleNotCatchAll, repairedByCatchAll: true,
        [rule(path: "/subpath1/(.*)/subpath2", "https://localhost:8001")]),
    .rejected(
        "invalid path regex", .tunnelInvalidPathRegex,
        [rule("example.com", path: "*/subpath2", "https://localhost:8000"), rule("https://localhost:8001")]),
    .rejected("service without a scheme", .tunnelInvalidService, [rule("localhost:8000")]),
    .rejected(
        "wildcard not at the start", .tunnelInvalidWildcard, [rule("test.*.example.com", "https://localhost:8000")]),
    .rejected("service with a path", .tunnelServiceWithPath, [rule("https://localhost:8000/static/")]),
    .rejected("http_status that is not a number", .tunnelInvalidStatus, [rule("http_status:asdf")]),
    .rejected("http_status out of range", .tunnelInvalidStatus, [rule("http_status:8080")]),
    .rejected(
        "hostname with a port", .tunnelHostnameWithPort,
        [rule("test.example.com:443", "https://localhost:8000"), rule("*", "https://localhost:8001")]),
]

/// Every form cloudflared's tests accept, and every service form it documents.
let cloudflaredAccepts: [IngressCase] = [
    .accepted(
        "multiple rules", [rule("tunnel1.example.com", "https://localhost:8000"), rule("*", "https://localhost:8001")]),
    .accepted("ws service", [rule("*", "wss://localhost:8000")]),
    .accepted("hostname omitted", [rule("https://localhost:8000")]),
    .accepted(
        "unicode domain", [rule("môô.cloudflare.com", "https://localhost:8000"), rule("https://localhost:8001")]),
    .accepted("http_status:404", [rule("http_status:404")]),
    .accepted("http_status:100, the lowest", [rule("http_status:100")]),
    .accepted("http_status:999, the highest", [rule("http_status:999")]),
    .accepted("hello_world", [rule("hello_world")]),
    .accepted("unix socket", [rule("unix:/tmp/echo.sock")]),
    .accepted("unix socket with TLS", [rule("unix+tls:/tmp/echo.sock")]),
    .accepted(
        "TCP services",
        [
            rule("tcp.foo.com", "tcp://127.0.0.1"), rule("tcp2.foo.com", "tcp://localhost:8000"),
            rule("http_status:404"),
        ]),
    .accepted("ssh", [rule("ssh://127.0.0.1")]),
    .accepted("rdp", [rule("rdp://127.0.0.1")]),
    .accepted("smb", [rule("smb://127.0.0.1")]),
    .accepted("other TCP services", [rule("ftp://127.0.0.1")]),
    .accepted("socks proxy", [rule("socks.foo.com", "socks-proxy"), rule("http_status:404")]),
    .accepted("bastion", [rule("bastion.foo.com", "bastion"), rule("http_status:404")]),
    .accepted(
        "bastion mode without a URL",
        [rule("bastion.foo.com", "").originRequest(OriginRequest(bastionMode: true)), rule("http_status:404")]),
    .accepted("http", [rule("app.example.com", "http://gateway:80"), rule("http_status:404")]),
    .accepted("http without a port", [rule("app.example.com", "http://gateway"), rule("http_status:404")]),
    .accepted("https", [rule("app.example.com", "https://gateway:443"), rule("http_status:404")]),
    .accepted("ws", [rule("app.example.com", "ws://gateway:80"), rule("http_status:404")]),
    .accepted("IPv6 origin", [rule("app.example.com", "http://[::1]:8080"), rule("http_status:404")]),
    .accepted("wildcard subdomains", [rule("*.example.com", "http://gateway:80"), rule("http_status:404")]),
    .accepted(
        "path regexes",
        [
            rule("example.com", path: "/api/(v1|v2)/", "http://gateway:80"),
            rule("example.com", path: "^/static/[[:alnum:]]+\\.css$", "http://gateway:80"),
            rule("example.com", path: "(?P<id>\\d{1,8})/\\pL+", "http://gateway:80"),
            rule("example.com", path: "/a{2,", "http://gateway:80"),
            rule("http_status:404"),
        ]),
    .accepted(
        "access with a team",
        [
            rule("app.example.com", "http://gateway:80").access(Access(teamName: "acme", audTags: ["tag"])),
            rule("http_status:404"),
        ]),
]

@Suite("cloudflared's own ingress rules")
struct CloudflaredRuleTests {
    @Test("every ingress cloudflared rejects is rejected with a Berth diagnostic", arguments: cloudflaredRejects)
    func rejected(_ input: IngressCase) throws {
        let code = try #require(input.code)
        let diagnostics = Fixtures.literal(input.rules).validateIngress()
        #expect(diagnostics.map(\.code).contains(code), "\(diagnostics)")
        #expect(diagnostics.allSatisfy { $0.severity == .error && !$0.fix.isEmpty }, "\(diagnostics)")
    }

    @Test(
        "with Berth's catch-all, only the two missing a last catch-all become valid",
        arguments: cloudflaredRejects)
    func rejectedWithCatchAll(_ input: IngressCase) throws {
        let diagnostics = Fixtures.literal(input.rules, catchAll: "http_status:404").validateIngress()
        if input.repairedByCatchAll {
            #expect(diagnostics.isEmpty, "\(diagnostics)")
        } else {
            #expect(diagnostics.map(\.code).contains(try #require(input.code)), "\(diagnostics)")
        }
    }

    @Test("every form cloudflared accepts is accepted", arguments: cloudflaredAccepts)
    func accepted(_ input: IngressCase) {
        let diagnostics = Fixtures.literal(input.rules).validateIngress()
        #expect(diagnostics.isEmpty, "\(diagnostics)")
    }

    @Test("diagnostics point at the rule and name it as cloudflared counts")
    func locations() throws {
        let line = #line + 1
        let bad = rule("test.example.com:443", "https://localhost:8000")
        let diagnostic = try #require(Fixtures.literal([bad]).validateIngress().first)
        #expect(diagnostic.location == SourceLocation(fileID: #fileID, line: line))
        #expect(diagnostic.element == "ingress rule 1 ('test.example.com:443')")
        #expect(diagnostic.code == .tunnelHostnameWithPort)
        #expect(diagnostic.fix == "Remove ':443' from the hostname.")
    }

    @Test("every problem is reported, not only the first")
    func allAtOnce() {
        let tunnel = Fixtures.literal(
            [
                rule("a.example.com", "localhost:8000"),
                rule("b.*.example.com", path: "(?=x)", "http_status:42"),
            ], catchAll: "http_status:404")
        #expect(
            tunnel.validateIngress().map(\.code) == [
                .tunnelInvalidService, .tunnelInvalidStatus, .tunnelInvalidWildcard, .tunnelInvalidPathRegex,
            ])
    }

    @Test(
        "hostnames that are not DNS names are refused",
        arguments: [
            "example..com", ".example.com", "example.com.", "-a.example.com", "a b.example.com",
            "a$.example.com", String(repeating: "a", count: 64) + ".com", "**.example.com", "*example.com",
        ])
    func badHostnames(_ hostname: String) {
        let diagnostics = Fixtures.literal([rule(hostname, "http://gateway:80")], catchAll: "http_status:404")
            .validateIngress()
        #expect(
            diagnostics.map(\.code) == [.tunnelInvalidHostname] || diagnostics.map(\.code) == [.tunnelInvalidWildcard],
            "\(diagnostics)")
    }

    @Test(
        "Go regular expressions RE2 refuses are refused although ICU accepts them",
        arguments: ["/a(?=b)", "/a(?<!b)", "(x)\\1", "/a++", "/a*+", "/a(?>b)", "/a{1001}", "/x\\Z", "/a{3,2}"])
    func re2Limits(_ path: String) {
        let diagnostics = Fixtures.literal(
            [rule("example.com", path: path, "http://gateway:80")], catchAll: "http_status:404"
        )
        .validateIngress()
        #expect(diagnostics.map(\.code) == [.tunnelInvalidPathRegex], "\(diagnostics)")
    }

    @Test("Access without a team is refused")
    func accessWithoutTeam() throws {
        let line = #line + 1
        let access = Access(audTags: ["tag"])
        let tunnel = Fixtures.literal(
            [rule("app.example.com", "http://gateway:80").access(access)], catchAll: "http_status:404")
        let diagnostic = try #require(tunnel.validateIngress().first)
        #expect(diagnostic.code == .tunnelAccessWithoutTeam)
        #expect(diagnostic.location == SourceLocation(fileID: #fileID, line: line))
        #expect(Fixtures.literal([], catchAll: nil).validateIngress().map(\.code) == [.tunnelEmptyIngress])
    }
}
