import Berth
import Foundation
import NextCandleTopology
import Testing

/// The rendered Swarm stack files, compared byte for byte with reviewed golden files, and each
/// checked by the Docker CLI's own stack loader.
///
/// A golden file is what `swift run Deploy render --env ENV` (or `DeployShared`) writes to
/// `.berth/<stack>/<env>/stack.yaml`. Run the tests with `BERTH_RECORD_GOLDEN=1` to re-record
/// them in the source tree instead of comparing; read every changed file before committing it.
@Suite("Golden stack files")
struct GoldenTests {
    static var isRecording: Bool { ProcessInfo.processInfo.environment["BERTH_RECORD_GOLDEN"] == "1" }

    /// `Tests/NextCandleTopologyTests/Golden` in the source tree, for recording.
    static let sourceDirectory = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Golden")

    /// The golden file as copied into the test bundle, falling back to the source tree (for a
    /// bundle built before the file was recorded).
    static func goldenText(_ name: String) throws -> String? {
        let bundled = Bundle.module.resourceURL?.appending(path: "Golden/\(name).yaml")
        for url in [bundled, sourceDirectory.appending(path: "\(name).yaml")].compactMap(\.self)
        where FileManager.default.fileExists(atPath: url.path) {
            return String(decoding: try Data(contentsOf: url), as: UTF8.self)
        }
        return nil
    }

    /// The file `render` writes: validated, then rendered without secret or config versions,
    /// which only a deploy knows.
    static func render(_ rendition: Rendition) throws -> String {
        let deployer = SwarmDeployer(
            engine: DockerEngine(), workspace: Workspace(root: FileManager.default.temporaryDirectory))
        return try deployer.prepare(rendition.stack, for: rendition.environment).document.yaml
    }

    @Test("renders the golden file byte for byte", arguments: Rendition.all)
    func matchesGolden(_ rendition: Rendition) throws {
        let yaml = try Self.render(rendition)
        if Self.isRecording {
            let url = Self.sourceDirectory.appending(path: "\(rendition.goldenName).yaml")
            try FileManager.default.createDirectory(at: Self.sourceDirectory, withIntermediateDirectories: true)
            try Data(yaml.utf8).write(to: url)
            print(
                "BERTH_RECORD_GOLDEN=1: recorded \(url.path) (\(yaml.utf8.count) bytes); review it before committing.")
            return
        }
        let expected = try #require(
            try Self.goldenText(rendition.goldenName),
            "Golden/\(rendition.goldenName).yaml is missing; run the tests with BERTH_RECORD_GOLDEN=1 to record it.")
        guard Array(yaml.utf8) != Array(expected.utf8) else { return }
        let rendered = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        let golden = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line =
            zip(rendered, golden).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(rendered.count, golden.count)
        Issue.record(
            """
            Golden/\(rendition.goldenName).yaml differs from the rendered file at line \(line + 1):
              rendered: \(line < rendered.count ? String(rendered[line]) : "<end of file>")
              golden:   \(line < golden.count ? String(golden[line]) : "<end of file>")
            Run with BERTH_RECORD_GOLDEN=1 to re-record if the change is intended.
            """)
    }

    @Test("the production golden file has production's sizes, restarts and Redis settings")
    func productionDiffers() throws {
        guard !Self.isRecording else { return }
        let dev = try #require(try Self.goldenText("nextcandle-dev"))
        let prod = try #require(try Self.goldenText("nextcandle-prod"))
        #expect(prod.contains("max_attempts: 5") && !prod.contains("max_attempts: 3"))
        #expect(dev.contains("max_attempts: 3") && !dev.contains("max_attempts: 5"))
        #expect(prod.contains("memory: \"1024M\"") && !dev.contains("memory: \"1024M\""))
        #expect(prod.contains("--appendfsync everysec") && !dev.contains("--appendfsync"))
    }

    @Test(
        "every rendered stack file passes `docker stack config`",
        .enabled(if: DockerCLI.shouldRun, "needs the docker CLI; set BERTH_ENGINE_REQUIRED=1 to fail without it"),
        arguments: Rendition.all)
    func passesDockerStackConfig(_ rendition: Rendition) async throws {
        let docker = try DockerCLI.require()
        // The golden file as reviewed; the rendered text while recording.
        let text =
            Self.isRecording
            ? try Self.render(rendition) : try #require(try Self.goldenText(rendition.goldenName))
        let root = try makeTemporaryDirectory("nextcandle-stack-config")
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appending(path: "pkg").appending(path: rendition.relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        // The loader interpolates variables: none of the test process's may leak in.
        let environment = ProcessInfo.processInfo.environment.filter { key, _ in
            ["PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "DOCKER_CONFIG"].contains(key)
        }
        let output = try await runCommand(
            docker, ["stack", "config", "-c", file.path], in: file.deletingLastPathComponent(),
            environment: environment)
        #expect(output.status == 0, "`docker stack config` rejected \(rendition.goldenName):\n\(output.standardError)")
        // What the loader read: every service, and not one published port.
        for service in rendition.stack.services {
            #expect(output.standardOutput.contains("\n  \(service.name):\n"), "\(service.name) is missing")
        }
        #expect(!output.standardOutput.contains("published:"))
    }
}
