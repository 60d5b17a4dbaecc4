import BerthCore
import BerthSwarm
import BerthTesting
import Foundation
import Testing

/// Rendered stack files compared byte for byte with reviewed golden files.
///
/// Run with `BERTH_RECORD_GOLDEN=1` to (re)write the golden files in the source tree instead
/// of comparing; then read every changed file before committing it.
@Suite("Golden stack files")
struct GoldenTests {
    static let golden = GoldenFile(
        sourceDirectory: URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Golden"),
        bundledDirectory: Bundle.module.resourceURL?.appending(path: "Golden"))

    static func render(_ golden: Fixtures.Golden) -> SwarmDocument {
        SwarmRenderer().render(
            golden.stack, for: golden.environment, secretVersions: golden.secretVersions,
            configVersions: golden.configVersions)
    }

    @Test("renders the golden file byte for byte", arguments: Fixtures.goldens)
    func matchesGolden(_ golden: Fixtures.Golden) throws {
        let yaml = Self.render(golden).yaml
        switch try Self.golden.check(yaml, named: "\(golden.name).yaml") {
        case .matches: break
        case .recorded(let note): print(note)
        case .mismatch(let message): Issue.record(Comment(rawValue: message))
        }
    }

    @Test("golden stacks are valid and render only the expected diagnostics", arguments: Fixtures.goldens)
    func goldenStacksAreValid(_ golden: Fixtures.Golden) {
        let errors = golden.stack.validate(for: golden.environment).errors
        #expect(errors.isEmpty, "\(errors)")
        let diagnostics = Self.render(golden).diagnostics
        if golden.name == "everything" {
            // `api` depends on `db` on purpose: Swarm ignores it, and says so.
            #expect(diagnostics.map(\.code) == [.lossyRendering])
            #expect(diagnostics.first?.severity == .warning)
            #expect(diagnostics.first?.element == "service 'api'")
        } else {
            #expect(diagnostics.isEmpty, "\(diagnostics)")
        }
    }

    @Test(
        "every golden file passes `docker stack config` and reads back as described",
        .enabled(if: SwarmReferee.shouldRun, SwarmReferee.skipComment),
        arguments: Fixtures.goldens)
    func goldenPassesStackConfig(_ golden: Fixtures.Golden) async throws {
        let document = Self.render(golden)
        // The golden file itself, as reviewed; the rendered text when it is being recorded.
        let text =
            GoldenFile.isRecording ? document.yaml : try #require(try Self.golden.text(named: "\(golden.name).yaml"))
        let verdict = try await SwarmReferee.config(text, relativePath: golden.relativePath)
        StackFileExpectations(
            verdict, document: document, stack: golden.stack, environment: golden.environment,
            secretVersions: golden.secretVersions
        )
        .verify()
    }
}
