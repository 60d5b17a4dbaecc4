import BerthCompose
import BerthCore
import BerthDeploy
import BerthImport
import BerthSwarm
import BerthTesting
import Foundation
import ImportedFixtures
import Testing

/// The examples' own rendered files, imported back: the source the importer writes is the one
/// compiled in `Tests/ImportedFixtures/Reimported`, and rendering that stack gives the same file
/// byte for byte — apart from where each route was declared (`berth.routes` records the file and
/// line of its `.route(…)`, which an import necessarily moves; a service's configuration hash
/// leaves it out).
///
/// The files: InfraPlatform's and NextCandle's golden renders (their own tests keep them equal to
/// what they render; NextCandle's are Swarm stack files), and the Behindy packages' renders in
/// `Tests/Fixtures/rendered` (the shared-infrastructure end-to-end test keeps them equal to what
/// each package's `render` writes).
@Suite("berth import: the examples' rendered files give back packages that render them")
struct RenderedExamplesTests {
    static let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let compiled = root.appending(path: "ImportedFixtures/Reimported")
    static let repository = root.deletingLastPathComponent()

    struct Case: Sendable, CustomStringConvertible {
        /// `<stack>-<environment>`.
        var name: String
        var stack: String
        var environment: String
        /// The rendered file.
        var file: URL
        /// The config files the file names, relative to its package, where they are kept.
        var configs: URL?

        var description: String { name }
    }

    static var cases: [Case] {
        var cases = ["dev", "prod"].map { environment in
            Case(
                name: "infra-\(environment)", stack: "infra", environment: environment,
                file: repository.appending(
                    path: "Examples/InfraPlatform/Tests/InfraPlatformTests/Golden/infra-\(environment).yaml"),
                configs: repository.appending(path: "Examples/InfraPlatform/configs"))
        }
        // Swarm stack files: the environment stack and the shared one, in each environment.
        for stack in ["nextcandle", "nextcandle-shared"] {
            for environment in ["dev", "stg", "prod"] {
                cases.append(
                    Case(
                        name: "\(stack)-\(environment)", stack: stack, environment: environment,
                        file: repository.appending(
                            path:
                                "Examples/NextCandle/Tests/NextCandleTopologyTests/Golden/\(stack)-\(environment).yaml")
                    ))
            }
        }
        for package in ["behindy-ops", "behindy-front", "behindy-back", "behindy-story", "behindy-admin"] {
            for environment in ["dev", "prod"] {
                cases.append(
                    Case(
                        name: "\(package)-\(environment)", stack: package, environment: environment,
                        file: root.appending(path: "Fixtures/rendered/\(package)-\(environment).yaml")))
            }
        }
        return cases
    }

    static let compose = Referee.Availability.check(
        "the real `docker compose` (v2 plugin)", suite: "BerthImportTests",
        hint: "Install the Docker CLI with its Compose v2 plugin."
    ) { Referee.composeUnavailableReason() }

    /// The file where `render` writes it in a package of its own (`.berth/<stack>/<env>/`), with
    /// the package's configs beside, imported as `berth import` does.
    static func importing(_ test: Case, in scratch: URL) async throws -> (ComposeImport, String, [ImportNote]) {
        let package = scratch.appending(path: test.name)
        let file = package.appending(path: ".berth/\(test.stack)/\(test.environment)/compose.yaml")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: test.file, to: file)
        if let configs = test.configs {
            try FileManager.default.createSymbolicLink(
                at: package.appending(path: "configs"), withDestinationURL: configs)
        }
        let docker = try #require(Referee.docker)
        let output = try await docker.run(
            ["compose", "-f", file.path, "config", "--format", "json"], in: file.deletingLastPathComponent())
        try #require(output.status == 0, "docker compose config refused \(test.name): \(output.stderr)")
        let map = ComposeSourceMap(files: [file.path])
        let result = ComposeImporter(packageDirectory: scratch.appending(path: "out").path).run(
            try ComposeJSON.parse(Data(output.stdout.utf8)), sourceMap: map)
        let imported = ImportedPackage(
            result: result, berth: "../..", composeFiles: [file.path], sourceMap: map)
        return (result, await imported.formattedSource(), imported.locatedNotes)
    }

    /// `berth.routes` without the `location` of each route.
    static func withoutRouteLocations(_ yaml: String) -> String {
        yaml.replacingOccurrences(
            of: #"\\"location\\":\{\\"fileID\\":\\"(?:[^"\\]|\\\\/)*\\",\\"line\\":[0-9]+\}"#, with: "LOCATION",
            options: .regularExpression)
    }

    @Test(
        "each import is the source compiled in Tests/ImportedFixtures/Reimported, and renders the file it came from",
        .enabled(if: compose.shouldRun, Comment(rawValue: compose.skipReason)))
    func roundTrip() async throws {
        try Self.compose.requireAvailable()
        let record = GoldenFile.isRecording
        let scratch = try Referee.temporaryDirectory(prefix: "berth-reimport")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var table: [String] = []
        for test in Self.cases {
            let (result, source, notes) = try await Self.importing(test, in: scratch)
            let golden = Self.compiled.appending(path: "\(result.typeName).swift")
            table.append("    \(SwiftLiteral.string(test.name)): \(result.typeName).deployment,")
            if record {
                try FileManager.default.createDirectory(at: Self.compiled, withIntermediateDirectories: true)
                try source.write(to: golden, atomically: true, encoding: .utf8)
                continue
            }
            #expect(
                (try? String(contentsOf: golden, encoding: .utf8)) == source,
                "\(test.name): the import changed; record with BERTH_RECORD_GOLDEN=1")
            // What the file does not say is named, never guessed silently.
            #expect(notes.allSatisfy { $0.file != nil }, "\(test.name): \(notes.filter { $0.file == nil })")

            let deployment = try #require(reimportedExamples[test.name], "\(test.name) is not compiled: record")
            let environment = try #require(deployment.environments.first { $0.name == test.environment })
            let stack = deployment.describe(environment)
            #expect(stack.name == test.stack)
            let errors = stack.validate(for: environment).filter { $0.severity == .error }
            #expect(errors.isEmpty, "\(test.name): \(errors.map(\.description))")
            // As `render` writes it: a Swarm stack file without the versions only a deploy knows.
            let rendered =
                environment.orchestrator == .swarm
                ? try SwarmDeployer(
                    engine: DockerEngine(),
                    workspace: Workspace(root: Self.repository.appending(path: "Examples/NextCandle"))
                )
                .prepare(stack, for: environment).document.yaml
                : ComposeRenderer().render(Preflight.resolved(stack, for: environment), for: environment).yaml
            let original = try String(contentsOf: test.file, encoding: .utf8)
            #expect(
                Self.withoutRouteLocations(rendered) == Self.withoutRouteLocations(original),
                "\(test.name): the import renders another file")
        }
        if record {
            let registry = """
                // Written by `BERTH_RECORD_GOLDEN=1 swift test --filter RenderedExamplesTests`: each example's
                // rendered file as `berth import` writes it back, compiled here so the tests render exactly
                // what the importer wrote.
                import Berth

                /// The deployment of each re-imported example, by `<stack>-<environment>`.
                public let reimportedExamples: [String: Deployment] = [
                \(table.joined(separator: "\n"))
                ]

                """
            try registry.write(to: Self.compiled.appending(path: "Reimported.swift"), atomically: true, encoding: .utf8)
        }
    }
}
