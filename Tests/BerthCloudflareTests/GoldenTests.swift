import BerthCloudflare
import BerthCompose
import BerthCore
import BerthTesting
import BerthYAML
import Foundation
import Testing

/// One rendered file compared byte for byte with its reviewed golden file by `GoldenFile`.
struct GoldenCase: Sendable, CustomTestStringConvertible {
    var name: String
    var render: @Sendable () -> String

    var testDescription: String { name }

    static let all: [GoldenCase] = [
        GoldenCase(name: "config-local.yml") { YAMLEmitter.emit(Fixtures.localTunnel.configDocument!) },
        GoldenCase(name: "remote-configuration.json") {
            Fixtures.remoteTunnel.remoteConfigurationJSON(prettyPrinted: true) + "\n"
        },
        GoldenCase(name: "compose-local.yaml") {
            ComposeRenderer().render(Fixtures.shop(Fixtures.localTunnel), for: .dev).yaml
        },
        GoldenCase(name: "compose-remote.yaml") {
            ComposeRenderer().render(Fixtures.shop(Fixtures.remoteTunnel, for: .prod), for: .prod).yaml
        },
    ]

    static var composeFiles: [GoldenCase] { all.filter { $0.name.hasPrefix("compose-") } }
}

/// Rendered files compared byte for byte with reviewed golden files.
///
/// Run with `BERTH_RECORD_GOLDEN=1` to (re)write the golden files in the source tree instead of
/// comparing; then read every changed file before committing it.
@Suite("Golden files")
struct GoldenTests {
    /// `Tests/BerthCloudflareTests/Golden`: recorded into the source tree, read from the test bundle.
    static let golden = GoldenFile(
        sourceDirectory: URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Golden"),
        bundledDirectory: Bundle.module.resourceURL?.appending(path: "Golden"))

    @Test("renders the golden file byte for byte", arguments: GoldenCase.all)
    func matchesGolden(_ golden: GoldenCase) throws {
        switch try Self.golden.check(golden.render(), named: golden.name) {
        case .matches: break
        case .recorded(let note): print(note)
        case .mismatch(let message): Issue.record(Comment(rawValue: message))
        }
    }

    @Test("the golden stacks render without diagnostics", arguments: [Environment.dev, .prod])
    func goldenStacksRenderCleanly(_ environment: Environment) {
        for tunnel in [Fixtures.localTunnel, Fixtures.remoteTunnel] {
            let diagnostics = ComposeRenderer().render(Fixtures.shop(tunnel, for: environment), for: environment)
                .diagnostics
            #expect(diagnostics.isEmpty, "\(diagnostics)")
        }
    }
}
