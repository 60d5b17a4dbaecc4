import ArgumentParser
import BerthDeploy
import BerthImport
import Foundation

extension Berth {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Write a Swift package that describes an existing Compose project with Berth.",
            discussion: """
                Reads the project as `docker compose config` resolves it (interpolation, .env, \
                anchors and merge keys, extends, include; every profile), and writes one Service \
                per service, with its networks, volumes, secrets and configs. Literal credentials \
                become secrets read from the deployer's environment; anything Berth cannot express \
                is kept as a comment and listed, with its file and line, in IMPORT-REPORT.md. \
                Needs the docker CLI with Compose v2; no engine.
                """)

        @Argument(help: "The Compose file (default: compose.yaml).") var file: String = "compose.yaml"
        @Option(name: .shortAndLong, help: "More Compose files, merged over the first as `docker compose -f` does.")
        var more: [String] = []
        @Option(help: "An env file for interpolation (default: .env beside the first file, as Compose reads it).")
        var envFile: String?
        @Option(help: "The project name (default: the file's `name:`, else its folder's name).") var projectName:
            String?
        @Option(help: "The folder of the new package.") var output: String?
        @Option(help: "An existing package to add the stack's source file to, instead of --output.") var into: String?
        @Option(help: "With --into: the target folder under Sources/ (default: the first that is not Deploy).")
        var target: String?
        @Option(help: "How the new package names Berth: a git URL or a local path.")
        var berth = "https://github.com/acme/berth"

        func validate() throws {
            guard (output == nil) != (into == nil) else {
                throw ValidationError(
                    "Give either --output DIR for a new package or --into PACKAGE for an existing one.")
            }
        }

        func run() async throws {
            let files = [file] + more
            for path in files where !FileManager.default.fileExists(atPath: path) {
                throw ValidationError("\(path) does not exist.")
            }
            var arguments = ["compose"] + files.flatMap { ["--file", $0] }
            if let envFile { arguments += ["--env-file", envFile] }
            if let projectName { arguments += ["--project-name", projectName] }
            arguments += ["--profile", "*", "config", "--format", "json"]
            let result = try await DockerEngine().run(arguments)
            guard result.succeeded else {
                throw ImportError(
                    "`docker \(arguments.joined(separator: " "))` refused the project (exit \(result.exitCode)):\n\(result.standardError.trimmingCharacters(in: .whitespacesAndNewlines))"
                )
            }
            let project = try ComposeJSON.parse(Data(result.standardOutput.utf8))
            let destination = URL(
                fileURLWithPath: output ?? into!, isDirectory: true,
                relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            ).standardizedFileURL
            let sourceMap = ComposeSourceMap(files: files)
            let imported = ComposeImporter(packageDirectory: destination.path).run(project, sourceMap: sourceMap)
            let package = ImportedPackage(result: imported, berth: berth, composeFiles: files, sourceMap: sourceMap)
            let written: String
            if output != nil {
                try await package.write(to: destination)
                written = "Wrote the package \(destination.path)"
            } else {
                let sources = destination.appendingPathComponent("Sources")
                let chosen =
                    try target
                    ?? FileManager.default.contentsOfDirectory(atPath: sources.path).sorted().first { $0 != "Deploy" }
                guard let chosen else {
                    throw ImportError("\(sources.path) has no target folder; name one with --target.")
                }
                written = "Wrote \(try await package.write(into: destination, target: chosen).path)"
            }
            let notes = package.locatedNotes
            print(
                "\(written): stack \(imported.projectName), \(project["services"].flatMap { if case .object(let s) = $0 { s.count } else { nil } } ?? 0) service(s); \(notes.count) note(s) in the report."
            )
            for note in notes { print("  \(note)") }
            if !imported.deployerVariables.isEmpty {
                print("Export before deploying: \(imported.deployerVariables.joined(separator: ", ")).")
            }
        }
    }
}
