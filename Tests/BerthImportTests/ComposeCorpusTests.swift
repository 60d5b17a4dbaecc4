import BerthCompose
import BerthCore
import BerthImport
import BerthTesting
import Foundation
import ImportedFixtures
import Testing

/// The corpus of real-world Compose files in `Tests/Fixtures/compose`: each is imported, the
/// source the importer writes is the one compiled in `Tests/ImportedFixtures` (so it builds), and
/// rendering that stack gives a file `docker compose config` reads as the original, on every
/// field Berth models, apart from what the report names.
@Suite("berth import: the Compose corpus, imported, built and rendered back")
struct ComposeCorpusTests {
    static let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let corpus = root.appending(path: "Fixtures/compose")
    static let compiled = root.appending(path: "ImportedFixtures")

    static let compose = Referee.Availability.check(
        "the real `docker compose` (v2 plugin)", suite: "BerthImportTests",
        hint: "Install the Docker CLI with its Compose v2 plugin."
    ) { Referee.composeUnavailableReason() }

    static var fixtures: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []).filter {
            FileManager.default.fileExists(atPath: corpus.appending(path: "\($0)/compose.yaml").path)
        }.sorted()
    }

    /// The `-f` files (and `--env-file`) a fixture's README names, else `compose.yaml`.
    static func files(of fixture: String) -> [String] {
        let readme = (try? String(contentsOf: corpus.appending(path: "\(fixture)/README"), encoding: .utf8)) ?? ""
        let words = readme.replacingOccurrences(of: "args:", with: "").split(whereSeparator: \.isWhitespace).map(
            String.init)
        var files: [String] = []
        var index = 0
        while index < words.count {
            if words[index] == "-f" || words[index] == "--file", index + 1 < words.count {
                files.append(words[index + 1])
                index += 1
            }
            index += 1
        }
        return files.isEmpty ? ["compose.yaml"] : files
    }

    /// `docker compose config --format json` of a fixture, every profile on.
    static func config(_ fixture: String) async throws -> ComposeJSON {
        let docker = try #require(Referee.docker)
        let arguments =
            ["compose"] + files(of: fixture).flatMap { ["-f", $0] } + ["--profile", "*", "config", "--format", "json"]
        let output = try await docker.run(arguments, in: corpus.appending(path: fixture))
        try #require(output.status == 0, "docker compose config refused \(fixture): \(output.stderr)")
        return try ComposeJSON.parse(Data(output.stdout.utf8))
    }

    static func importing(_ fixture: String) async throws -> (ComposeImport, ComposeJSON, [ImportNote], String) {
        let project = try await config(fixture)
        let directory = corpus.appending(path: fixture)
        let result = ComposeImporter(packageDirectory: directory.path).run(project)
        let map = ComposeSourceMap(files: files(of: fixture).map { directory.appending(path: $0).path })
        let package = ImportedPackage(result: result, berth: "../..", composeFiles: files(of: fixture), sourceMap: map)
        return (result, project, package.locatedNotes, await package.formattedSource())
    }

    @Test("the corpus has at least 25 projects")
    func corpusSize() {
        #expect(Self.fixtures.count >= 25, "\(Self.fixtures)")
    }

    @Test(
        "each import is the source compiled in Tests/ImportedFixtures; every note has its file and line",
        .enabled(if: compose.shouldRun, Comment(rawValue: compose.skipReason)))
    func goldenSources() async throws {
        try Self.compose.requireAvailable()
        let record = ProcessInfo.processInfo.environment["BERTH_RECORD_GOLDEN"] == "1"
        var table: [String] = []
        for fixture in Self.fixtures {
            let (result, _, notes, source) = try await Self.importing(fixture)
            let file = Self.compiled.appending(path: "\(result.typeName).swift")
            table.append("    \(SwiftLiteral.string(fixture)): \(result.typeName).stack(for:),")
            if record {
                try source.write(to: file, atomically: true, encoding: .utf8)
            } else {
                let golden = try? String(contentsOf: file, encoding: .utf8)
                #expect(golden == source, "\(fixture): the import changed; record with BERTH_RECORD_GOLDEN=1")
            }
            for note in notes where note.kind == .unsupported {
                #expect(note.file != nil && note.line != nil, "\(fixture): \(note) has no line")
            }
        }
        if record {
            let all = """
                // Written by `BERTH_RECORD_GOLDEN=1 swift test --filter ComposeCorpusTests`: each fixture of
                // Tests/Fixtures/compose as `berth import` writes it, compiled here so the tests build and render
                // exactly what the importer wrote.
                import Berth

                /// The stack of each fixture, by the fixture's folder name.
                public let importedStacks: [String: @Sendable (Environment) -> Stack] = [
                \(table.joined(separator: "\n"))
                ]

                """
            try all.write(to: Self.compiled.appending(path: "All.swift"), atomically: true, encoding: .utf8)
        }
    }

    @Test(
        "each imported stack validates and renders back to the original, by `docker compose config`, apart from what its report names",
        .enabled(if: compose.shouldRun, Comment(rawValue: compose.skipReason)))
    func roundTrip() async throws {
        try Self.compose.requireAvailable()
        let docker = try #require(Referee.docker)
        let scratch = try Referee.temporaryDirectory(prefix: "berth-import")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for fixture in Self.fixtures {
            let (result, original, notes, _) = try await Self.importing(fixture)
            let describe = try #require(importedStacks[fixture], "\(fixture) is not compiled: record the goldens")
            let stack = describe(.dev)
            let errors = stack.validate(for: .dev).filter { $0.severity == .error }
            #expect(errors.isEmpty, "\(fixture): \(errors.map(\.description))")
            let directory = Self.corpus.appending(path: fixture)
            let rendered = ComposeRenderer(pathToPackage: directory.path).render(stack, for: .dev)
            let file = scratch.appending(path: "\(fixture).yaml")
            try rendered.yaml.write(to: file, atomically: true, encoding: .utf8)
            var environment = ProcessInfo.processInfo.environment
            for secret in stack.secrets { environment[ComposeRenderer.secretVariable(secret.name)] = "x" }
            let output = try await docker.run(
                ["compose", "-f", file.path, "--project-name", result.projectName, "config", "--format", "json"],
                in: directory, environment: environment)
            try #require(output.status == 0, "\(fixture): docker compose config refused Berth's file: \(output.stderr)")
            let back = try ComposeJSON.parse(Data(output.stdout.utf8))
            let differences = ComposeEquivalence.differences(
                original, back, notes: notes, madeSecrets: Set(result.credentialSecrets))
            #expect(differences.isEmpty, "\(fixture):\n\(differences.joined(separator: "\n"))")
        }
    }
}

/// What `ComposeCorpusTests` writes into Swift source.
enum SwiftLiteral {
    static func string(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
}
