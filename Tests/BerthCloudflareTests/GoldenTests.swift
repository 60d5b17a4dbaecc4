import BerthCloudflare
import BerthCompose
import BerthCore
import BerthYAML
import Foundation
import Testing

/// One rendered file compared byte for byte with its reviewed golden file.
struct GoldenFile: Sendable, CustomTestStringConvertible {
    var name: String
    var render: @Sendable () -> String

    var testDescription: String { name }

    static let all: [GoldenFile] = [
        GoldenFile(name: "config-local.yml") { YAMLEmitter.emit(Fixtures.localTunnel.configDocument!) },
        GoldenFile(name: "remote-configuration.json") {
            Fixtures.remoteTunnel.remoteConfigurationJSON(prettyPrinted: true) + "\n"
        },
        GoldenFile(name: "compose-local.yaml") {
            ComposeRenderer().render(Fixtures.shop(Fixtures.localTunnel), for: .dev).yaml
        },
        GoldenFile(name: "compose-remote.yaml") {
            ComposeRenderer().render(Fixtures.shop(Fixtures.remoteTunnel, for: .prod), for: .prod).yaml
        },
    ]

    static var composeFiles: [GoldenFile] { all.filter { $0.name.hasPrefix("compose-") } }

    static var isRecording: Bool { ProcessInfo.processInfo.environment["BERTH_RECORD_GOLDEN"] == "1" }

    /// `Tests/BerthCloudflareTests/Golden` in the source tree, for recording.
    static let sourceDirectory = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Golden")

    /// The golden file as copied into the test bundle, falling back to the source tree.
    func expected() throws -> String? {
        let bundled = Bundle.module.resourceURL?.appending(path: "Golden/\(name)")
        for url in [bundled, Self.sourceDirectory.appending(path: name)].compactMap(\.self)
        where FileManager.default.fileExists(atPath: url.path) {
            return String(decoding: try Data(contentsOf: url), as: UTF8.self)
        }
        return nil
    }
}

/// Rendered files compared byte for byte with reviewed golden files.
///
/// Run with `BERTH_RECORD_GOLDEN=1` to (re)write the golden files in the source tree instead of
/// comparing; then read every changed file before committing it.
@Suite("Golden files")
struct GoldenTests {
    @Test("renders the golden file byte for byte", arguments: GoldenFile.all)
    func matchesGolden(_ golden: GoldenFile) throws {
        let text = golden.render()
        if GoldenFile.isRecording {
            let url = GoldenFile.sourceDirectory.appending(path: golden.name)
            try FileManager.default.createDirectory(at: GoldenFile.sourceDirectory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            print(
                "BERTH_RECORD_GOLDEN=1: recorded \(url.path) (\(text.utf8.count) bytes); review it before committing.")
            return
        }
        guard let expected = try golden.expected() else {
            Issue.record("Golden/\(golden.name) is missing; run the tests with BERTH_RECORD_GOLDEN=1 to record it.")
            return
        }
        if Array(text.utf8) != Array(expected.utf8) {
            let rendered = text.split(separator: "\n", omittingEmptySubsequences: false)
            let golden = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let line =
                zip(rendered, golden).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(rendered.count, golden.count)
            Issue.record(
                """
                Golden file differs from the rendered text at line \(line + 1):
                  rendered: \(line < rendered.count ? String(rendered[line]) : "<end of file>")
                  golden:   \(line < golden.count ? String(golden[line]) : "<end of file>")
                Run with BERTH_RECORD_GOLDEN=1 to re-record if the change is intended.
                """)
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
