import BerthImport
import BerthTesting
import Foundation
import Testing

/// `berth import` as a user runs it: the real executable, the real `docker compose config`.
@Suite("berth import: the command")
struct ImportCommandTests {
    static let compose = ComposeCorpusTests.compose

    /// The `berth` executable, built beside the test bundle by `swift build --build-tests`.
    static func berth() throws -> ExternalTool {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        while ["xctest", "MacOS", "Contents"].contains(where: { directory.lastPathComponent.hasSuffix($0) }) {
            directory.deleteLastPathComponent()
        }
        let path = directory.appending(path: "berth").path
        try #require(FileManager.default.isExecutableFile(atPath: path), "berth is not built at \(path)")
        return ExternalTool(path: path)
    }

    @Test(
        "writes a package (manifest, formatted stack, Deploy program, copied configs, report with lines); adds a second project with --into; refuses to overwrite",
        .enabled(if: compose.shouldRun, Comment(rawValue: compose.skipReason)))
    func writesAPackage() async throws {
        try Self.compose.requireAvailable()
        let berth = try Self.berth()
        let scratch = try Referee.temporaryDirectory(prefix: "berth-import-cli")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let package = scratch.appending(path: "monitoring")
        let fixture = ComposeCorpusTests.corpus.appending(path: "monitoring")
        let output = try await berth.run(
            [
                "import", "compose.yaml", "--output", package.path, "--berth",
                ComposeCorpusTests.root.deletingLastPathComponent().path,
            ],
            in: fixture)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("Wrote the package \(package.path)"), "\(output.stdout)")
        let names = try FileManager.default.subpathsOfDirectory(atPath: package.path).sorted()
        for expected in [
            "Package.swift", ".swift-format", ".gitignore", "IMPORT-REPORT.md", "Sources/Deploy/main.swift",
        ] {
            #expect(names.contains(expected), "\(names)")
        }
        let source = try #require(names.first { $0.hasPrefix("Sources/") && $0.hasSuffix("Topology/Monitoring.swift") })
        let text = try String(contentsOf: package.appending(path: source), encoding: .utf8)
        #expect(text.contains("public enum Monitoring") && text.contains("Service(\"prometheus\""))
        #expect(names.contains { $0.hasPrefix("config/") }, "the configs the stack reads are copied: \(names)")
        let report = try String(contentsOf: package.appending(path: "IMPORT-REPORT.md"), encoding: .utf8)
        #expect(report.contains("compose.yaml:"), "\(report)")
        let manifest = try String(contentsOf: package.appending(path: "Package.swift"), encoding: .utf8)
        #expect(manifest.contains(".package(name: \"Berth\", path:") && manifest.contains("\"MonitoringTopology\""))
        // The formatted source passes Berth's own format check.
        if let swift = ExternalTool.find("swift") {
            let lint = try await swift.run(
                ["format", "lint", "--strict", package.appending(path: source).path], in: package)
            #expect(lint.status == 0, "\(lint.stderr)")
        }

        // A second project into the same package.
        let into = try await berth.run(
            ["import", "compose.yaml", "--into", package.path, "--project-name", "blog"],
            in: ComposeCorpusTests.corpus.appending(path: "wordpress-mysql"))
        #expect(into.status == 0, "\(into.stderr)")
        #expect(
            FileManager.default.fileExists(
                atPath: package.appending(path: "Sources/MonitoringTopology/Blog.swift").path))
        #expect(into.stdout.contains("Export before deploying:") == false || into.stdout.contains("_PASSWORD"))

        // Never over an existing package; a project Compose refuses is refused with its words.
        let again = try await berth.run(["import", "compose.yaml", "--output", package.path], in: fixture)
        #expect(again.status != 0 && again.stderr.contains("already holds a package"), "\(again.stderr)")
        try "services: {web: {image: 3}}\nnot: [valid\n".write(
            to: scratch.appending(path: "compose.yaml"), atomically: true, encoding: .utf8)
        let broken = try await berth.run(["import", "compose.yaml", "--output", "out"], in: scratch)
        #expect(broken.status != 0 && broken.stderr.contains("refused the project"), "\(broken.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.appending(path: "out").path))
    }
}
