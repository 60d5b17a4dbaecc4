import Berth
import BerthTesting
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
    /// `Tests/NextCandleTopologyTests/Golden`: recorded into the source tree, read from the test
    /// bundle (or the source tree, for a bundle built before the file was recorded).
    static let golden = GoldenFile(
        sourceDirectory: URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Golden"),
        bundledDirectory: Bundle.module.resourceURL?.appending(path: "Golden"))

    /// The file `render` writes: validated, then rendered without secret or config versions,
    /// which only a deploy knows.
    static func render(_ rendition: Rendition) throws -> String {
        let deployer = SwarmDeployer(
            engine: DockerEngine(), workspace: Workspace(root: packageDirectory))
        return try deployer.prepare(rendition.stack, for: rendition.environment).document.yaml
    }

    @Test("renders the golden file byte for byte", arguments: Rendition.all)
    func matchesGolden(_ rendition: Rendition) throws {
        switch try Self.golden.check(try Self.render(rendition), named: "\(rendition.goldenName).yaml") {
        case .matches: break
        case .recorded(let note): print(note)
        case .mismatch(let message): Issue.record(Comment(rawValue: message))
        }
    }

    @Test("the production golden file has production's sizes, restarts and Redis settings")
    func productionDiffers() throws {
        guard !GoldenFile.isRecording else { return }
        let dev = try #require(try Self.golden.text(named: "nextcandle-dev.yaml"))
        let prod = try #require(try Self.golden.text(named: "nextcandle-prod.yaml"))
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
            GoldenFile.isRecording
            ? try Self.render(rendition) : try #require(try Self.golden.text(named: "\(rendition.goldenName).yaml"))
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
