import BerthCompose
import BerthCore
import BerthTesting
import Foundation
import Testing

/// Rendered files compared byte for byte with reviewed golden files.
///
/// Run with `BERTH_RECORD_GOLDEN=1` to (re)write the golden files in the source tree instead
/// of comparing; then read every changed file before committing it.
@Suite("Golden files")
struct GoldenTests {
    static let golden = GoldenFile(
        sourceDirectory: URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Golden"),
        bundledDirectory: Bundle.module.resourceURL?.appending(path: "Golden"))

    @Test("renders the golden file byte for byte", arguments: Fixtures.goldens)
    func matchesGolden(_ golden: Fixtures.Golden) throws {
        let yaml = ComposeRenderer().render(golden.stack, for: golden.environment).yaml
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
        let diagnostics = ComposeRenderer().render(golden.stack, for: golden.environment).diagnostics
        if golden.name == "everything" {
            // The external secret is there on purpose: every secret source is rendered.
            #expect(diagnostics.map(\.code) == [.lossyRendering])
            #expect(diagnostics.first?.element == "secret 'tls_key'")
        } else {
            #expect(diagnostics.isEmpty, "\(diagnostics)")
        }
    }

    @Test(
        "every golden file passes `docker compose config` and reads back as described",
        .enabled(if: ComposeReferee.shouldRun, ComposeReferee.skipComment),
        arguments: Fixtures.goldens)
    func goldenPassesCompose(_ golden: Fixtures.Golden) async throws {
        let document = ComposeRenderer().render(golden.stack, for: golden.environment)
        // The golden file itself, as reviewed; the rendered text when it is being recorded.
        let text =
            GoldenFile.isRecording ? document.yaml : try #require(try Self.golden.text(named: "\(golden.name).yaml"))
        let verdict = try await ComposeReferee.config(text, relativePath: golden.relativePath)
        ModelExpectations(verdict, document: document, stack: golden.stack, environment: golden.environment)
            .verify()
    }
}
