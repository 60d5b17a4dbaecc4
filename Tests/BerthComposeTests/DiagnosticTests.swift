import BerthCompose
import BerthCore
import BerthRendering
import BerthYAML
import Testing

/// What the Compose adapter reports because plain Compose cannot do what the stack asks.
@Suite("Compose adapter diagnostics")
struct DiagnosticTests {
    let renderer = ComposeRenderer()

    @Test("an external secret is a lossy-rendering error")
    func externalSecret() throws {
        let stack = Stack("s") {
            Secret("cert", .external("shared_cert_v2"), line: 7)
            Service("web", image: "nginx:1.27").secret("cert")
        }
        let diagnostics = renderer.render(stack, for: .dev).diagnostics
        let diagnostic = try #require(diagnostics.only)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .lossyRendering)
        #expect(diagnostic.element == "secret 'cert'")
        #expect(diagnostic.location?.line == 7)
        #expect(diagnostic.message.contains("external"))
    }

    @Test("the other secret sources render without diagnostics")
    func otherSecretSources() {
        let stack = Stack("s") {
            Secret("a", .file("secrets/a"))
            Secret("b", .environment("B_VALUE"))
            Secret.generated("c")
            Service("web", image: "nginx:1.27").secret("a").secret("b").secret("c")
        }
        #expect(renderer.render(stack, for: .dev).diagnostics.isEmpty)
    }

    @Test("several replicas publishing a host port are a port-conflict error")
    func replicasWithPublishedPort() throws {
        let stack = Stack("s") {
            Service("web", image: "nginx:1.27").publish(80, on: 8080).replicas(2)
        }
        let diagnostics = renderer.render(stack, for: .dev).diagnostics
        let diagnostic = try #require(diagnostics.only)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .portConflict)
        #expect(diagnostic.element == "service 'web'")
        #expect(diagnostic.message.contains("8080"))
        #expect(diagnostic.location == stack.services[0].ports[0].location)
    }

    @Test(
        "replicas with only exposed ports, or one replica publishing, are fine",
        arguments: [
            Service("web", image: "nginx:1.27").expose(80).replicas(5),
            Service("web", image: "nginx:1.27").publish(80, on: 8080),
            Service("web", image: "nginx:1.27").publish(80, on: 8080).replicas(0),
        ])
    func noPortConflict(_ service: Service) {
        let stack = Stack("s") { service }
        #expect(renderer.render(stack, for: .dev).diagnostics.isEmpty)
    }

    @Test(
        "a user label with an ownership key is refused, not duplicated",
        arguments: OwnershipLabel.all.sorted())
    func reservedLabel(_ key: String) throws {
        let stack = Stack("s") {
            Service("web", image: "nginx:1.27").label(key, "mine").label("ok", "yes")
        }
        let document = renderer.render(stack, for: .dev)
        let diagnostic = try #require(document.diagnostics.only)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidName)
        #expect(diagnostic.message.contains(key))
        // The document stays loadable: each key once, with Berth's value.
        guard case .mapping(let root) = document.root, case .mapping(let services)? = root["services"],
            case .mapping(let web)? = services["web"], case .mapping(let labels)? = web["labels"]
        else {
            Issue.record("unexpected document shape")
            return
        }
        // `berth.secret-versions` and `berth.routes` exist only on services that read secrets
        // or have routes; this one has neither.
        let onlySometimes: Set<String> = [OwnershipLabel.secretVersions, OwnershipLabel.routes]
        #expect(labels.keys.filter { $0 == key }.count == (onlySometimes.contains(key) ? 0 : 1))
        #expect(labels[key] != .string("mine"))
        #expect(labels["ok"] == .string("yes"))
    }

    @Test("an empty config content is a lossy-rendering error")
    func emptyConfigContent() throws {
        let stack = Stack("s") {
            Config("empty", .content(""))
            Config("full", .content("x"))
            Service("web", image: "nginx:1.27").config("empty", at: "/etc/empty").config(
                "full", at: "/etc/full")
        }
        let diagnostic = try #require(renderer.render(stack, for: .dev).diagnostics.only)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .lossyRendering)
        #expect(diagnostic.element == "config 'empty'")
    }

    @Test(
        "stacks with diagnostics still render files Compose accepts",
        .enabled(if: ComposeReferee.shouldRun, ComposeReferee.skipComment))
    func diagnosedStacksStillLoad() async throws {
        let stack = Stack("s") {
            Secret("cert", .external("shared_cert_v2"))
            Service("web", image: "nginx:1.27")
                .publish(80, on: 8080).replicas(2)
                .secret("cert", target: "cert$HOME.pem", pathVariable: "CERT_FILE")
                .label(OwnershipLabel.stack, "mine")
        }
        let document = renderer.render(stack, for: .dev)
        #expect(document.diagnostics.count == 3)
        let verdict = try await ComposeReferee.config(document.yaml)
        let web = verdict.model["services"]?["web"]
        // A `$` in a secret's target is the user's literal text, in the mount and in the path variable.
        #expect(web?["secrets"]?[0]?["target"]?.string == "cert$$HOME.pem")
        #expect(web?["environment"]?["CERT_FILE"]?.string == "/run/secrets/cert$$HOME.pem")
        #expect(web?["labels"]?[OwnershipLabel.stack]?.string == "s")
        #expect(web?["deploy"]?["replicas"]?.number == 2)
    }
}

extension Collection {
    /// The single element, or `nil` when there are none or several.
    var only: Element? { count == 1 ? first : nil }
}
