import BerthCompose
import BerthCore
import BerthGateway
import BerthSwarm
import BerthTesting
import Foundation
import Testing

/// Compose and Swarm documents of stacks behind a Traefik gateway, compared byte for byte with
/// reviewed golden files and read back by the real Docker tools.
///
/// Run with `BERTH_RECORD_GOLDEN=1` to re-record the golden files, then review every change.
@Suite("Traefik golden files")
struct TraefikGoldenTests {
    static let golden = GoldenFile(
        sourceDirectory: URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Golden"),
        bundledDirectory: Bundle.module.resourceURL?.appending(path: "Golden"))

    /// The stack with Traefik's labels, rendered for its environment's orchestrator.
    static func render(_ golden: TraefikFixtures.Golden) -> (yaml: String, diagnostics: [Diagnostic]) {
        let stack = TraefikLabels.apply(to: golden.stack, for: golden.environment)
        switch golden.environment.orchestrator {
        case .compose:
            let document = ComposeRenderer().render(stack, for: golden.environment)
            return (document.yaml, document.diagnostics)
        case .swarm:
            let document = SwarmRenderer().render(stack, for: golden.environment)
            return (document.yaml, document.diagnostics)
        }
    }

    /// The golden file as reviewed, or the rendered text while recording.
    static func text(of golden: TraefikFixtures.Golden) throws -> String {
        GoldenFile.isRecording ? render(golden).yaml : try #require(try Self.golden.text(named: "\(golden.name).yaml"))
    }

    @Test("renders the golden file byte for byte", arguments: TraefikFixtures.goldens)
    func matchesGolden(_ golden: TraefikFixtures.Golden) throws {
        switch try Self.golden.check(Self.render(golden).yaml, named: "\(golden.name).yaml") {
        case .matches: break
        case .recorded(let note): print(note)
        case .mismatch(let message): Issue.record(Comment(rawValue: message))
        }
    }

    @Test(
        "golden stacks pass core and Traefik validation, and render without diagnostics",
        arguments: TraefikFixtures.goldens)
    func goldenStacksAreClean(_ golden: TraefikFixtures.Golden) {
        let applied = TraefikLabels.apply(to: golden.stack, for: golden.environment)
        let core = applied.validate(for: golden.environment).filter { $0.severity != .note }
        #expect(core.isEmpty, "\(core)")
        let traefik = TraefikValidation.diagnostics(of: applied, for: golden.environment)
        #expect(traefik.isEmpty, "\(traefik)")
        let rendering = Self.render(golden).diagnostics
        #expect(rendering.isEmpty, "\(rendering)")
    }

    @Test("a basic-auth hash has every `$` doubled in the file", arguments: TraefikFixtures.goldens)
    func dollarsAreDoubled(_ golden: TraefikFixtures.Golden) throws {
        let yaml = try Self.text(of: golden)
        let doubled = TraefikFixtures.adminEntry.replacingOccurrences(of: "$", with: "$$")
        #expect(yaml.contains(doubled))
        #expect(!yaml.contains(TraefikFixtures.adminEntry))
    }

    @Test(
        "Compose reads every Traefik label back as Berth wrote it",
        .enabled(if: TraefikReferee.compose.shouldRun, Comment(rawValue: TraefikReferee.compose.skipReason)),
        arguments: TraefikFixtures.goldens.filter { $0.environment.orchestrator == .compose })
    func composeReadsLabels(_ golden: TraefikFixtures.Golden) async throws {
        let model = try await TraefikReferee.composeModel(try Self.text(of: golden))
        let applied = TraefikLabels.apply(to: golden.stack, for: golden.environment)
        var checked = 0
        for service in applied.services {
            let read = model["services"]?[service.name]?["labels"]
            for label in service.labels where label.key.hasPrefix("traefik.") {
                #expect(read?[label.key]?.string == Self.composePrinted(label.value), "\(service.name): \(label.key)")
                checked += 1
            }
            #expect(model["services"]?[service.name]?["deploy"]?["labels"] == nil)
        }
        #expect(checked > 10)
        if golden.stack.name == "shop" {
            let users = model["services"]?["api"]?["labels"]?[
                "traefik.http.middlewares.shop-dev-api-1-basic-auth.basicauth.users"]
            #expect(users?.string == Self.composePrinted(TraefikFixtures.adminEntry))
        }
    }

    /// How `docker compose config` prints a value it read as literal text: every `$` escaped
    /// again as `$$`, so that its output is a Compose file too. A `$` Compose had read as the
    /// start of a variable would be gone or replaced instead.
    static func composePrinted(_ value: String) -> String {
        String(value.flatMap { $0 == "$" ? "$$" : "\($0)" })
    }

    @Test(
        "`docker stack config` reads every Traefik service label back as Berth wrote it",
        .enabled(if: TraefikReferee.stack.shouldRun, Comment(rawValue: TraefikReferee.stack.skipReason)),
        arguments: TraefikFixtures.goldens.filter { $0.environment.orchestrator == .swarm })
    func stackReadsLabels(_ golden: TraefikFixtures.Golden) async throws {
        let model = try await TraefikReferee.stackModel(try Self.text(of: golden))
        let applied = TraefikLabels.apply(to: golden.stack, for: golden.environment)
        var checked = 0
        for service in applied.services {
            let node = model["services"]?[service.name]
            for label in service.deploy.labels where label.key.hasPrefix("traefik.") {
                #expect(node?["deploy"]?["labels"]?[label.key]?.string == label.value, "\(service.name): \(label.key)")
                checked += 1
            }
            // The Swarm provider reads only service labels: none on the containers.
            let containerKeys = node?["labels"]?.object?.keys.filter { $0.hasPrefix("traefik.") } ?? []
            #expect(containerKeys.isEmpty, "\(service.name): \(containerKeys)")
        }
        #expect(checked > 10)
        if golden.stack.name == "acme-infra" {
            let traefik = model["services"]?["traefik"]
            #expect(traefik?["deploy"]?["placement"]?["constraints"]?[0]?.string == "node.role == manager")
            let users = traefik?["deploy"]?["labels"]?[
                "traefik.http.middlewares.acme-infra-prod-traefik-dashboard-auth.basicauth.users"]
            #expect(users?.string == TraefikFixtures.adminEntry)
        }
    }
}
