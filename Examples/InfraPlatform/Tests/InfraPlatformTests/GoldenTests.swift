import Berth
import BerthTesting
import Foundation
import InfraPlatform
import Testing

/// The rendered Compose files, compared byte for byte with reviewed golden files, and read back
/// by the real `docker compose config`.
///
/// A golden file is what `swift run Deploy render --env ENV` writes to
/// `.berth/infra/<env>/compose.yaml`: the stack with its Traefik labels, rendered by
/// `ComposeRenderer`. Run the tests with `BERTH_RECORD_GOLDEN=1` to re-record them in the source
/// tree instead of comparing; read every changed file before committing it.
@Suite("Golden Compose files")
struct GoldenTests {
    static let golden = GoldenFile(
        sourceDirectory: URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Golden"),
        bundledDirectory: Bundle.module.resourceURL?.appending(path: "Golden"))

    static let compose = Referee.Availability.check(
        "the real `docker compose` (v2 plugin)", suite: "InfraPlatformTests",
        hint: "Install the Docker CLI with its Compose v2 plugin."
    ) { Referee.composeUnavailableReason() }

    static func fileName(_ environment: Environment) -> String { "infra-\(environment.name).yaml" }

    /// What `render` writes, and what the renderer reported.
    static func render(_ environment: Environment) -> ComposeDocument {
        let resolved = Preflight.resolved(InfraPlatform.stack(for: environment), for: environment)
        return ComposeRenderer().render(resolved, for: environment)
    }

    /// The golden file as reviewed, or the rendered text while recording.
    static func text(_ environment: Environment) throws -> String {
        GoldenFile.isRecording
            ? render(environment).yaml : try #require(try golden.text(named: fileName(environment)))
    }

    @Test("renders the golden file byte for byte", arguments: InfraPlatform.environments)
    func matchesGolden(environment: Environment) throws {
        let document = Self.render(environment)
        #expect(document.diagnostics.map(\.description) == [])
        switch try Self.golden.check(document.yaml, named: Self.fileName(environment)) {
        case .matches: break
        case .recorded(let note): print(note)
        case .mismatch(let message): Issue.record(Comment(rawValue: message))
        }
    }

    @Test(
        "`docker compose config` accepts the file and reads every Traefik label as written",
        .enabled(if: compose.shouldRun, Comment(rawValue: compose.skipReason)),
        arguments: InfraPlatform.environments)
    func composeReadsTheFile(environment: Environment) async throws {
        try Self.compose.requireAvailable()
        // Where `render` writes it, so the relative paths of configs and secrets resolve the same.
        let root = try Referee.temporaryDirectory(prefix: "infra-platform-golden")
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appending(path: ".berth/infra/\(environment.name)/compose.yaml")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(try Self.text(environment).utf8).write(to: file)

        let output = try await Referee.composeConfig(file: file)
        try #require(output.status == 0, "`docker compose config` rejected the file:\n\(output.stderr)")
        let model = try RefereeJSON.parse(output.stdout)
        #expect(model["name"]?.string == "infra-\(environment.name)")

        let resolved = Preflight.resolved(InfraPlatform.stack(for: environment), for: environment)
        #expect(model["services"]?.object?.keys.sorted() == resolved.services.map(\.name).sorted())
        var checked = 0
        for service in resolved.services {
            let node = model["services"]?[service.name]
            for label in service.labels where label.key.hasPrefix("traefik.") {
                #expect(node?["labels"]?[label.key]?.string == label.value, "\(service.name): \(label.key)")
                checked += 1
            }
            // Only the gateway has ports on the host.
            #expect((node?["ports"] != nil) == (service.name == "traefik"), "\(service.name)")
        }
        #expect(checked > 50)
        #expect(
            model["services"]?["prometheus"]?["labels"]?[
                "traefik.http.middlewares.infra-\(environment.name)-prometheus-0-forward-auth.forwardauth.address"]?
                .string == "http://oauth2-proxy:4180/oauth2/auth")
        #expect(model["networks"]?["infra_net"]?["name"]?.string == "infra_net")
        // The realm's placeholders reach Keycloak as written, for it to fill in.
        let realm = model["configs"]?["keycloak-realm"]?["content"]?.string ?? ""
        #expect(realm.contains("\"secret\" : \"$${OAUTH2_PROXY_CLIENT_SECRET}\""))
    }
}

/// The Prometheus configuration the stack ships as a config, read by the real `promtool`.
@Suite("Prometheus's configuration")
struct PrometheusConfigurationTests {
    static let promtool = Referee.promtoolAvailability(suite: "InfraPlatformTests")

    @Test(
        "`promtool check config` accepts configs/prometheus/prometheus.yml",
        .enabled(if: promtool.shouldRun, Comment(rawValue: promtool.skipReason)))
    func promtoolAccepts() async throws {
        try Self.promtool.requireAvailable()
        let file = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "configs/prometheus/prometheus.yml")
        let output = try await Referee.promtoolCheckConfig(try String(contentsOf: file, encoding: .utf8))
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
    }
}
