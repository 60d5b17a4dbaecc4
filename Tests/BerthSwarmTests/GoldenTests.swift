import BerthCore
import BerthSwarm
import Foundation
import Testing

/// Rendered stack files compared byte for byte with reviewed golden files.
///
/// Run with `BERTH_RECORD_GOLDEN=1` to (re)write the golden files in the source tree instead
/// of comparing; then read every changed file before committing it.
@Suite("Golden stack files")
struct GoldenTests {
    static var isRecording: Bool { ProcessInfo.processInfo.environment["BERTH_RECORD_GOLDEN"] == "1" }

    /// `Tests/BerthSwarmTests/Golden` in the source tree, for recording.
    static let sourceDirectory = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Golden")

    /// The golden file as copied into the test bundle, falling back to the source tree.
    static func goldenText(_ name: String) throws -> String? {
        let bundled = Bundle.module.resourceURL?.appending(path: "Golden/\(name).yaml")
        for url in [bundled, sourceDirectory.appending(path: "\(name).yaml")].compactMap(\.self)
        where FileManager.default.fileExists(atPath: url.path) {
            return String(decoding: try Data(contentsOf: url), as: UTF8.self)
        }
        return nil
    }

    static func render(_ golden: Fixtures.Golden) -> SwarmDocument {
        SwarmRenderer().render(
            golden.stack, for: golden.environment, secretVersions: golden.secretVersions,
            configVersions: golden.configVersions)
    }

    @Test("renders the golden file byte for byte", arguments: Fixtures.goldens)
    func matchesGolden(_ golden: Fixtures.Golden) throws {
        let yaml = Self.render(golden).yaml
        if Self.isRecording {
            let url = Self.sourceDirectory.appending(path: "\(golden.name).yaml")
            try FileManager.default.createDirectory(at: Self.sourceDirectory, withIntermediateDirectories: true)
            try Data(yaml.utf8).write(to: url)
            print(
                "BERTH_RECORD_GOLDEN=1: recorded \(url.path) (\(yaml.utf8.count) bytes); review it before committing.")
            return
        }
        guard let expected = try Self.goldenText(golden.name) else {
            Issue.record(
                "Golden/\(golden.name).yaml is missing; run the tests with BERTH_RECORD_GOLDEN=1 to record it.")
            return
        }
        if Array(yaml.utf8) != Array(expected.utf8) {
            let actualLines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
            let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let line =
                zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(actualLines.count, expectedLines.count)
            Issue.record(
                """
                Golden/\(golden.name).yaml differs from the rendered file at line \(line + 1):
                  rendered: \(line < actualLines.count ? String(actualLines[line]) : "<end of file>")
                  golden:   \(line < expectedLines.count ? String(expectedLines[line]) : "<end of file>")
                Run with BERTH_RECORD_GOLDEN=1 to re-record if the change is intended.
                """)
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
        let text = Self.isRecording ? document.yaml : try #require(try Self.goldenText(golden.name))
        let verdict = try await SwarmReferee.config(text, relativePath: golden.relativePath)
        StackFileExpectations(
            verdict, document: document, stack: golden.stack, environment: golden.environment,
            secretVersions: golden.secretVersions
        )
        .verify()
    }
}
