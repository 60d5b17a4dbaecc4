import Foundation

/// The files `berth import` writes: a Swift package with the stack in a library target, a
/// `Deploy` program, the config files the stack reads, and the report.
public struct ImportedPackage: Sendable {
    /// The import.
    public var result: ComposeImport
    /// How the package names Berth: a URL (`https://…`) or a local path.
    public var berth: String
    /// The Compose files it came from, as the user named them.
    public var composeFiles: [String]
    /// Where each note's element is written in them.
    public var sourceMap: ComposeSourceMap

    /// Creates the package's contents.
    public init(result: ComposeImport, berth: String, composeFiles: [String], sourceMap: ComposeSourceMap) {
        self.result = result
        self.berth = berth
        self.composeFiles = composeFiles
        self.sourceMap = sourceMap
    }

    var topologyTarget: String { "\(result.typeName)Topology" }

    /// The stack's source as the package holds it: formatted by `swift format` where the
    /// toolchain has it.
    public func formattedSource() async -> String { await SwiftFormatting.format(result.source) ?? result.source }

    /// `Package.swift`.
    public var manifest: String {
        let dependency =
            berth.hasPrefix("http") || berth.hasPrefix("git@")
            ? ".package(url: \(SwiftSource.string(berth)), from: \"0.1.0\")"
            : ".package(name: \"Berth\", path: \(SwiftSource.string(berth)))"
        let package = berth.hasPrefix("http") || berth.hasPrefix("git@") ? packageName(of: berth) : "Berth"
        return """
            // swift-tools-version: 6.2
            import PackageDescription

            let package = Package(
                name: \(SwiftSource.string(result.typeName)),
                platforms: [.macOS(.v15)],
                products: [.executable(name: "Deploy", targets: ["Deploy"])],
                dependencies: [\(dependency)],
                targets: [
                    .target(name: \(SwiftSource.string(topologyTarget)), dependencies: [.product(name: "Berth", package: \(SwiftSource.string(package)))]),
                    .executableTarget(
                        name: "Deploy",
                        dependencies: [\(SwiftSource.string(topologyTarget)), .product(name: "Berth", package: \(SwiftSource.string(package)))]),
                ],
                swiftLanguageModes: [.v6]
            )

            """
    }

    /// SwiftPM's package identity of a URL: its last component without `.git`.
    private func packageName(of url: String) -> String {
        var last = url.split(separator: "/").last.map(String.init) ?? "berth"
        if last.hasSuffix(".git") { last.removeLast(4) }
        return last.lowercased()
    }

    /// `Sources/Deploy/main.swift`.
    public var program: String {
        """
        import Berth
        import \(topologyTarget)

        await \(result.typeName).deployment.main()

        """
    }

    /// The notes with their files and lines.
    public var locatedNotes: [ImportNote] {
        result.notes.map { note in
            var located = note
            if let place = sourceMap.locate(note) {
                located.file = place.file
                located.line = place.line
            }
            return located
        }
    }

    /// `IMPORT-REPORT.md`.
    public var report: String {
        let notes = locatedNotes
        var lines = [
            "# Import of \(composeFiles.joined(separator: ", "))", "",
            "`berth import` wrote the `\(result.projectName)` project as `Sources/\(topologyTarget)/\(result.typeName).swift`.",
            "Everything below was not carried over as it was; each place is also a comment in the source.", "",
        ]
        let changed = notes.filter { $0.kind == .changed }
        let unsupported = notes.filter { $0.kind == .unsupported }
        if !result.deployerVariables.isEmpty {
            lines += [
                "## Before the first deploy", "",
                "Literal credentials are now secrets read from the deploying machine's environment; their values were not copied. Export:",
                "",
            ]
            lines += result.deployerVariables.map { "- `\($0)`" }
            lines.append("")
        }
        if !changed.isEmpty {
            lines += ["## Expressed differently (\(changed.count))", ""]
            lines += changed.map { "- \(place($0))\($0.service.map { "`\($0)` " } ?? "")`\($0.key)`: \($0.message)" }
            lines.append("")
        }
        if !unsupported.isEmpty {
            lines += ["## Not imported (\(unsupported.count))", ""]
            lines += unsupported.map {
                "- \(place($0))\($0.service.map { "`\($0)` " } ?? "")`\($0.key)`: \($0.message)"
            }
            lines.append("")
        }
        if notes.isEmpty { lines += ["Everything was imported as it was.", ""] }
        lines += [
            "## Next", "",
            "- `swift run Deploy validate` checks the description; `swift run Deploy plan` shows what `up` would do.",
            "- `swift run Deploy render` writes the Compose file Berth applies, to compare with the original (`docker compose config`).",
            "",
        ]
        return lines.joined(separator: "\n")
    }

    private func place(_ note: ImportNote) -> String {
        guard let file = note.file else { return "" }
        return "\(file)\(note.line.map { ":\($0)" } ?? ""): "
    }

    /// Writes a new package into `directory`, which must not hold one.
    public func write(to directory: URL) async throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            throw ImportError(
                "\(directory.path) already holds a package; choose another --output, or add the stack to it with --into."
            )
        }
        let sources = directory.appendingPathComponent("Sources")
        try manager.createDirectory(
            at: sources.appendingPathComponent(topologyTarget), withIntermediateDirectories: true)
        try manager.createDirectory(at: sources.appendingPathComponent("Deploy"), withIntermediateDirectories: true)
        try manifest.write(to: directory.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try await formattedSource().write(
            to: sources.appendingPathComponent(topologyTarget).appendingPathComponent("\(result.typeName).swift"),
            atomically: true, encoding: .utf8)
        try SwiftFormatting.configuration.write(
            to: directory.appendingPathComponent(".swift-format"), atomically: true, encoding: .utf8)
        try program.write(
            to: sources.appendingPathComponent("Deploy").appendingPathComponent("main.swift"), atomically: true,
            encoding: .utf8)
        try ".build/\n.berth/\n".write(
            to: directory.appendingPathComponent(".gitignore"), atomically: true, encoding: .utf8)
        try copyFiles(into: directory)
        try report.write(to: directory.appendingPathComponent("IMPORT-REPORT.md"), atomically: true, encoding: .utf8)
    }

    /// Writes the stack's source into a target of an existing package.
    public func write(into package: URL, target: String) async throws -> URL {
        let folder = package.appendingPathComponent("Sources").appendingPathComponent(target)
        guard FileManager.default.fileExists(atPath: folder.path) else {
            throw ImportError("\(package.path) has no target folder Sources/\(target); name one with --target.")
        }
        let file = folder.appendingPathComponent("\(result.typeName).swift")
        if FileManager.default.fileExists(atPath: file.path) {
            throw ImportError("\(file.path) exists already; remove it or import with another --project-name.")
        }
        try await formattedSource().write(to: file, atomically: true, encoding: .utf8)
        try copyFiles(into: package)
        try report.write(
            to: package.appendingPathComponent("IMPORT-REPORT-\(result.projectName).md"), atomically: true,
            encoding: .utf8)
        return file
    }

    private func copyFiles(into directory: URL) throws {
        for (source, destination) in result.copiedFiles.sorted(by: { $0.key < $1.key }) {
            let target = directory.appendingPathComponent(destination)
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }
            try FileManager.default.copyItem(atPath: source, toPath: target.path)
        }
    }
}

/// An import that cannot go on, with what to do.
public struct ImportError: Error, CustomStringConvertible, Sendable {
    /// The explanation.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
