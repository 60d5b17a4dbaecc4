import Testing

@testable import BerthCore

/// The shared infrastructure the routed stacks below go through.
private enum Edge {
    static let network = SharedNetwork("edge", engineName: "acme_edge", owner: "acme-infra")
    static let traefik = Gateway.traefik(network: network)
    static let nginx = Gateway.nginx(network: network)
}

/// A service a gateway can route to: it declares port 8080, joins `edge` and has a health check.
private func routable(fileID: String = #fileID, line: Int = #line) -> Service {
    validService("api", fileID: fileID, line: line).expose(8080).networks("edge").healthCheck(.http(port: 8080))
}

/// A service with one route, told apart from other services so that its stack gets a gateway.
struct RoutedService {
    var service: Service
}

/// A service with a route to port 8080, written on the caller's line.
private func routed(
    _ host: String = "shop.example.com",
    path: String = "/",
    tls: RouteTLS = .none,
    middlewares: [Middleware] = [],
    health: UpstreamHealth? = nil,
    fileID: String = #fileID,
    line: Int = #line
) -> RoutedService {
    let service = routable(fileID: fileID, line: line).route(
        host, path: path, port: 8080, tls: tls, middlewares: middlewares, health: health, fileID: fileID, line: line)
    return RoutedService(service: service)
}

/// Route settings with a NUL byte, too long to write on the line of their case.
private enum Hostile {
    static let certificate = RouteTLS.certificate(certificate: "/etc/certs/shop.pem\0", key: "/etc/certs/shop.key")
    static let securityHeaders: [Middleware] = [.securityHeaders(SecurityHeaders(contentSecurityPolicy: "'self'\0"))]
    static let basicAuth: [Middleware] = [.basicAuth(BasicAuth(users: ["alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\0"]))]
    static let forwardAuth: [Middleware] = [.forwardAuth(ForwardAuth(address: "http://auth\0:4180/"))]
    static let forwardAuthHeader: [Middleware] = [
        .forwardAuth(ForwardAuth(address: "http://auth:4180/", responseHeaders: ["X-User\0"]))
    ]
}

/// A stack with a NUL byte in one of its strings, and the line that wrote it.
struct NULByteCase: Sendable, CustomTestStringConvertible {
    let field: String
    let stack: Stack
    let line: Int

    var testDescription: String { field }

    init(_ field: String, _ stack: Stack, _ line: Int) {
        self.field = field
        self.stack = stack
        self.line = line
    }

    /// A service in a stack that declares everything it may refer to.
    init(_ field: String, _ service: Service, _ line: Int) {
        let stack = Stack("shop") {
            Volume("data")
            Secret.generated("token")
            Config("conf", .content("x"))
            service
        }
        self.init(field, stack, line)
    }

    /// A stack element on its own.
    init(_ field: String, _ element: StackElement, _ line: Int) {
        self.init(field, Stack("shop") { [element] }, line)
    }

    /// A routed service in a stack behind a gateway.
    init(_ field: String, _ service: Service, behind gateway: Gateway, _ line: Int) {
        let stack = Stack("shop") {
            gateway
            service
        }
        self.init(field, stack, line)
    }

    /// A routed service in a stack behind Traefik.
    init(_ field: String, _ service: RoutedService, _ line: Int) {
        self.init(field, service.service, behind: Edge.traefik, line)
    }

    static let all: [NULByteCase] = [
        // Environment
        .init("environment value", validService().environment("GREETING", "hello\0world"), #line),
        .init("interpolated value", validService().environment("TAG", .interpolated("${TAG}\0")), #line),
        .init("environment key", validService().environment("GREE\0TING", "hello"), #line),
        .init("secret path variable", validService().secret("token", pathVariable: "TOKEN\0_FILE"), #line),
        // Labels
        .init("label key", validService().label("com.acme\0.team", "shop"), #line),
        .init("label value", validService().label("com.acme.team", "shop\0"), #line),
        .init("service label", validService().serviceLabel("traefik.enable", "true\0"), #line),
        // What runs
        .init("command", validService().command(["echo", "a\0b"]), #line),
        .init("entrypoint", validService().entrypoint(["/bin/sh\0"]), #line),
        .init("health check command", validService().healthCheck(HealthCheck(.command(["true\0"]))), #line),
        .init("health check shell", validService().healthCheck(HealthCheck(.shell("true\0"))), #line),
        .init("image repository", Service("web", image: "ng\0inx:1.27"), #line),
        .init("image tag", Service("web", image: "nginx:1.27\0"), #line),
        .init("image digest", Service("web", image: "nginx@sha256:ab\0"), #line),
        .init("user", validService().user("1000\0:1000"), #line),
        .init("working directory", validService().workingDirectory("/srv\0"), #line),
        .init("dropped capability", validService().dropCapabilities(["NET_RAW\0"]), #line),
        .init("host address", validService().publish(80, on: 8080, hostIP: "127.0.0.1\0"), #line),
        // Mounts
        .init("bind path", validService().mount(.bind("./site\0"), at: "/srv"), #line),
        .init("volume target", validService().volume("data", at: "/data\0"), #line),
        .init("tmpfs target", validService().mount(.tmpfs(sizeBytes: nil), at: "\0/tmp"), #line),
        .init("secret target", validService().secret("token", target: "tok\0en"), #line),
        .init("config target", validService().config("conf", at: "/etc/app\0.conf"), #line),
        // Placement
        .init("constraint", validService().constraint("node.role == manager\0"), #line),
        .init("spread label", validService().spread(over: "node.labels.zone\0"), #line),
        // Names
        .init("service name", Service("we\0b", image: "nginx:1.27"), #line),
        .init("stack name", Stack("sh\0op") {}, #line),
        .init("network name", .network(Network("back\0end")), #line),
        .init("network real name", .network(.external("edge", realName: "acme\0edge")), #line),
        .init("network driver", .network(Network("backend", driver: "overlay\0")), #line),
        .init("volume name", .volume(Volume("da\0ta")), #line),
        .init("volume real name", .volume(.external("data", realName: "data\0")), #line),
        .init("secret name", .secret(.generated("tok\0en")), #line),
        .init("config name", .config(Config("co\0nf", .content("x"))), #line),
        // Sources
        .init("secret file", .secret(Secret("token", .file("secrets/token\0"))), #line),
        .init("secret environment variable", .secret(Secret("token", .environment("TOKEN\0"))), #line),
        .init("secret external name", .secret(Secret("token", .external("token\0"))), #line),
        .init("config content", .config(Config("conf", .content("listen 80;\0"))), #line),
        .init("config file", .config(Config("conf", .file("conf/app.conf\0"))), #line),
        // Routes
        .init("route host", routed("shop.example\0.com"), #line),
        .init("route path", routed(path: "/api\0"), #line),
        .init("certificate resolver", routed(tls: .resolver("le\0")), #line),
        .init("certificate file", routed(tls: Hostile.certificate).service, behind: Edge.nginx, #line),
        .init("security header", routed(middlewares: Hostile.securityHeaders), #line),
        .init("basic-auth entry", routed(middlewares: Hostile.basicAuth), #line),
        .init("forward-auth address", routed(middlewares: Hostile.forwardAuth), #line),
        .init("forward-auth header", routed(middlewares: Hostile.forwardAuthHeader), #line),
        .init("upstream health path", routed(health: UpstreamHealth(path: "/health\0")), #line),
    ]
}

@Suite("Validation: NUL bytes")
struct ValidationNULByteTests {
    @Test(arguments: NULByteCase.all)
    func nulByteIsAnErrorAtItsLine(_ hostile: NULByteCase) throws {
        let diagnostic = try onlyDiagnostic(of: hostile.stack, for: .prod)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .nulByte)
        #expect(diagnostic.location == here(hostile.line))
        #expect(diagnostic.message.contains(" has a NUL byte (U+0000). "))
        #expect(diagnostic.fix.hasPrefix(#"Remove the NUL byte (written "\0" or "\u{0}" in Swift) from "#))
        // Printed, the byte shows as `\0`: a raw one would cut the line short.
        #expect(!diagnostic.description.utf8.contains(0))
    }

    @Test func environmentValue() throws {
        let (service, line) = (validService().environment("GREETING", "hello\0world"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { service })
        #expect(diagnostic.element == "service 'web'")
        #expect(
            diagnostic.message
                == "The value of environment variable 'GREETING' has a NUL byte (U+0000). Docker, Compose and runc pass strings on as C strings, which end at a NUL byte, so the engine refuses the value or cuts it short, possibly after the old container is already gone."
        )
        #expect(
            diagnostic.fix
                == #"Remove the NUL byte (written "\0" or "\u{0}" in Swift) from the value of environment variable 'GREETING'."#
        )
        // Values are not quoted: they may be credentials.
        #expect(!diagnostic.description.contains("hello"))
        #expect(diagnostic.location == here(line))
    }

    @Test func aNameWithANULByteShowsIt() throws {
        let (service, line) = (validService().environment("GREE\0TING", "hello"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { service })
        #expect(diagnostic.message.hasPrefix(#"The environment key 'GREE\0TING' has a NUL byte"#))
        #expect(diagnostic.location == here(line))
    }

    @Test func basicAuthEntryIsNotQuoted() throws {
        let stack = Stack("shop") {
            Edge.traefik
            routed(middlewares: Hostile.basicAuth).service
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.code == .nulByte)
        #expect(diagnostic.message.hasPrefix("A basic-auth entry of the route has a NUL byte"))
        #expect(!diagnostic.description.contains("alice"))
    }

    @Test func environmentName() throws {
        let diagnostic = try onlyDiagnostic(of: Stack("shop") {}, for: Environment("pr\0od"))
        #expect(diagnostic.code == .nulByte)
        #expect(diagnostic.element == #"environment 'pr\0od'"#)
        // An environment is not written in the stack's code.
        #expect(diagnostic.location == nil)
    }

    @Test func gatewayEntrypoint() throws {
        let gateway = Gateway.traefik(network: Edge.network, httpEntrypoint: "web\0")
        let line = #line
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { [.gateway(gateway, here(line))] })
        #expect(diagnostic.code == .nulByte)
        #expect(diagnostic.element == "gateway 'traefik'")
        #expect(diagnostic.message.hasPrefix("The gateway's HTTP entrypoint has a NUL byte"))
        #expect(diagnostic.location == here(line))
    }

    @Test func everyStringWithANULByteIsReported() {
        let (service, line) = (validService().environment("A", "\0").environment("B", "\0").command(["\0"]), #line)
        let found = diagnostics(of: Stack("shop") { service }, code: .nulByte)
        #expect(found.count == 3)
        #expect(found.allSatisfy { $0.location == here(line) })
    }

    @Test func textWithoutANULByteIsFine() {
        let stack = Stack("shop") {
            Config("conf", .content("a\tb\n\u{1}"))
            validService().environment("GREETING", "hello world 0 \\0").command(["echo", "\\0"])
                .config("conf", at: "/c")
        }
        #expect(stack.validate(for: .prod) == [])
    }
}

@Suite("Validation: DNS label lengths")
struct ValidationNameLengthTests {
    @Test func serviceNameLongerThanADNSLabel() throws {
        let name = String(repeating: "a", count: 60) + "-bcd"
        let (service, line) = (Service(name, image: "nginx:1.27"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { service })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidName)
        #expect(diagnostic.element == "service '\(name)'")
        #expect(
            diagnostic.message
                == "The name is 64 characters long, but a service's name is its DNS name on the stack's networks, and a DNS label holds at most 63."
        )
        let suggestion = String(repeating: "a", count: 60) + "-bc"
        #expect(diagnostic.fix == "Shorten the name to at most 63 characters, for example to '\(suggestion)'.")
        #expect(diagnostic.location == here(line))
    }

    @Test func suggestionDoesNotEndWithASeparator() throws {
        let name = String(repeating: "a", count: 62) + "-b"
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { Service(name, image: "nginx:1.27") })
        #expect(diagnostic.fix.hasSuffix("'\(String(repeating: "a", count: 62))'."))
    }

    @Test func serviceNameOfADNSLabelIsFine() {
        let name = String(repeating: "a", count: 63)
        #expect(Stack("shop") { Service(name, image: "nginx:1.27") }.validate(for: .prod) == [])
    }

    @Test func projectNameLongerThanADNSLabel() throws {
        // `<stack>-prod`: 59 + 1 + 4 characters.
        let name = String(repeating: "s", count: 59)
        let (stack, line) = (Stack(name) {}, #line)
        let diagnostic = try onlyDiagnostic(of: stack, for: .prod)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidName)
        #expect(diagnostic.element == "stack '\(name)'")
        #expect(
            diagnostic.message
                == "With environment 'prod', the Compose project name '\(name)-prod' is 64 characters long. It prefixes the name of every container, network and volume of the stack, and on Swarm the DNS name of every service, where a DNS label holds at most 63 characters."
        )
        #expect(diagnostic.fix == "Shorten the stack name to at most 58 characters, or shorten the environment name.")
        #expect(diagnostic.location == here(line))
    }

    @Test func projectNameOfADNSLabelIsFine() {
        #expect(Stack(String(repeating: "s", count: 58)) {}.validate(for: .prod) == [])
        #expect(Stack(String(repeating: "s", count: 59)) {}.validate(for: .dev) == [])
    }

    @Test func environmentNameLeavingNoRoom() throws {
        let (stack, line) = (Stack("a") {}, #line)
        let diagnostic = try onlyDiagnostic(of: stack, for: Environment(String(repeating: "e", count: 62)))
        #expect(diagnostic.code == .invalidName)
        #expect(
            diagnostic.fix
                == "Shorten the environment name: with it, the project name leaves no room for the stack name.")
        #expect(diagnostic.location == here(line))
    }
}

@Suite("Validation: names and targets that are folders")
struct ValidationDotNameTests {
    @Test(
        arguments: [ResourceKind.secret, .config],
        [(".", "app"), ("..", "app"), (".version-key", "version-key"), (".checksums", "checksums"), ("..env", "env")])
    func secretOrConfigNameStartingWithADot(_ kind: ResourceKind, _ example: (name: String, suggestion: String))
        throws
    {
        let (element, line) = (kind.declare(example.name), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { [element] }, for: .prod)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidName)
        #expect(diagnostic.element == "\(kind.rawValue) '\(example.name)'")
        let rule =
            kind == .secret
            ? "A secret's name becomes" : "A config's name keeps to the rule of a secret's, which becomes"
        #expect(
            diagnostic.message
                == "\(rule) the name of a file under .berth/shop/prod/secrets/, where names starting with '.' are kept for Berth's own files (such as .version-key) and '.' and '..' are folders: '\(example.name)' collides with Berth's own files."
        )
        #expect(
            diagnostic.fix
                == "Rename the \(kind.rawValue) without the leading '.', for example to '\(example.suggestion)'.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [ResourceKind.network, .volume], [".", ".."])
    func networkOrVolumeNamedLikeAFolder(_ kind: ResourceKind, _ name: String) throws {
        let (element, line) = (kind.declare(name), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { [element] })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidName)
        #expect(diagnostic.element == "\(kind.rawValue) '\(name)'")
        #expect(
            diagnostic.message
                == "The name '\(name)' means a folder (the current one or the one above), not a name, wherever the \(kind.rawValue)'s name becomes part of a path."
        )
        #expect(diagnostic.fix == "Rename the \(kind.rawValue), for example to 'app'.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [".", ".."])
    func stackAndEnvironmentNamedLikeAFolder(_ name: String) throws {
        let (stack, line) = (Stack(name) {}, #line)
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.code == .invalidName)
        #expect(diagnostic.location == here(line))
        let environment = try onlyDiagnostic(of: Stack("shop") {}, for: Environment(name))
        #expect(environment.code == .invalidName)
        #expect(environment.element == "environment '\(name)'")
    }

    @Test(arguments: [(".", "/run/secrets itself"), ("..", "/run")])
    func secretTargetNamingAFolder(_ target: String, _ folder: String) throws {
        let (service, line) = (validService().secret("token", target: target), #line)
        let stack = Stack("shop") {
            Secret.generated("token")
            service
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidPath)
        #expect(diagnostic.element == "service 'web'")
        #expect(
            diagnostic.message
                == "The secret target '\(target)' is not a file name: under /run/secrets/ it names \(folder), so the secret would be mounted over that whole folder."
        )
        #expect(diagnostic.fix == "Use a plain file name such as 'token'.")
        #expect(diagnostic.location == here(line))
    }

    @Test func secretNamedParentFolderIsReportedWhereDeclaredAndWhereMounted() {
        let (secret, declared) = (Secret.generated(".."), #line)
        let (service, mounted) = (validService().secret(".."), #line)
        let stack = Stack("shop") {
            secret
            service
        }
        let found = stack.validate(for: .dev)
        #expect(found.map(\.code) == [.invalidName, .invalidPath])
        #expect(found.map(\.location) == [here(declared), here(mounted)])
        #expect(found.last?.fix == "Use a plain file name such as 'app'.")
    }

    @Test(arguments: [
        ("/etc/../passwd", "/passwd"), ("/srv/./data/..", "/srv"), ("/data/../../etc", "/etc"),
    ])
    func mountTargetWithAParentComponent(_ target: String, _ resolved: String) throws {
        for (makeService, line) in [
            ({ validService().config("conf", at: target) }, #line),
            ({ validService().volume("data", at: target) }, #line),
            ({ validService().mount(.tmpfs(sizeBytes: nil), at: target) }, #line),
        ] as [(() -> Service, Int)] {
            let service = makeService()
            let stack = Stack("shop") {
                Volume("data")
                Config("conf", .content("x"))
                service
            }
            let diagnostic = try onlyDiagnostic(of: stack)
            #expect(diagnostic.severity == .error)
            #expect(diagnostic.code == .invalidPath)
            #expect(
                diagnostic.message
                    == "The mount target '\(target)' has a '..' component, so the engine mounts at '\(resolved)', not in the folder it seems to name."
            )
            #expect(diagnostic.fix == "Write the target without '..', as '\(resolved)' or the path you meant.")
            #expect(diagnostic.location == here(line))
        }
    }

    @Test(arguments: ["/..", "/tmp/.."])
    func mountTargetResolvingToTheRootWithAParentComponent(_ target: String) throws {
        let (service, line) = (validService().config("conf", at: target), #line)
        let diagnostic = try onlyDiagnostic(
            of: Stack("shop") {
                Config("conf", .content("x"))
                service
            })
        #expect(diagnostic.code == .invalidPath)
        #expect(diagnostic.message.contains("has a '..' component, so the engine mounts at '/'"))
        #expect(diagnostic.fix == "Write the absolute path of the folder you mean, without '..', such as /data.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: ["/", "//", "/."])
    func mountTargetAtTheRoot(_ target: String) throws {
        let (service, line) = (validService().volume("data", at: target), #line)
        let diagnostic = try onlyDiagnostic(
            of: Stack("shop") {
                Volume("data")
                service
            })
        #expect(diagnostic.code == .invalidPath)
        #expect(
            diagnostic.message
                == "The mount target '\(target)' is the container's root folder, which the engine refuses to mount over."
        )
        #expect(diagnostic.fix == "Mount at a folder under the root, such as /data.")
        #expect(diagnostic.location == here(line))
    }

    @Test func namesAndTargetsWithDotsInsideAreFine() {
        let stack = Stack("shop") {
            Network("back.end")
            Volume(".cache")
            Secret.generated("db.password")
            Config("app..conf", .content("x"))
            validService().networks("back.end").volume(".cache", at: "/srv/.cache")
                .secret("db.password", target: ".env").config("app..conf", at: "/etc/app..conf")
        }
        #expect(stack.validate(for: .prod) == [])
    }
}
