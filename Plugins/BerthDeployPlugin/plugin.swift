import Foundation
import PackagePlugin

/// `swift package deploy <command> [options]`: builds the package's `Deploy` executable and
/// runs it with the remaining arguments, so the plugin and `swift run Deploy` behave alike.
@main
struct BerthDeployPlugin: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        var extractor = ArgumentExtractor(arguments)
        let chosen = extractor.extractOption(named: "product").last
        let forwarded = extractor.remainingArguments

        let executables = context.package.products.compactMap { $0 as? ExecutableProduct }
        // `Deploy` by convention; a shared-infrastructure package, whose library app packages
        // import, names its one executable otherwise, since a second `Deploy` product in the
        // package graph would make `swift run Deploy` in an app ambiguous.
        let product =
            chosen
            ?? (executables.contains { $0.name == "Deploy" } || executables.count != 1
                ? "Deploy" : executables[0].name)
        guard executables.contains(where: { $0.name == product }) else {
            let names = executables.map(\.name)
            Diagnostics.error(
                "This package has no executable product named '\(product)'. "
                    + (names.isEmpty
                        ? "Add an executable target named Deploy that calls Deployment.main()."
                        : "Its executables: \(names.joined(separator: ", ")); choose one with --product NAME."))
            throw PluginFailure()
        }

        log("Building \(product)…")
        let build = try packageManager.build(
            .product(product), parameters: .init(configuration: .debug, logging: .concise))
        guard build.succeeded,
            let executable = build.builtArtifacts.first(where: { $0.kind == .executable })
        else {
            Diagnostics.error("Building \(product) failed:\n\(build.logText)")
            throw PluginFailure()
        }

        let process = Process()
        process.executableURL = executable.url
        process.arguments = forwarded
        process.currentDirectoryURL = context.package.directoryURL
        // Help and usage name the command as the user typed it.
        var environment = ProcessInfo.processInfo.environment
        environment["BERTH_COMMAND_NAME"] = "swift package deploy"
        process.environment = environment
        // The exit is reported by the termination handler: `waitUntilExit()` spins a core for
        // the whole command on any thread but the main one.
        let status = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        // The command's exit status is the plugin's, so scripts can branch on `plan`'s 2.
        if status != 0 {
            exit(status)
        }
    }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

struct PluginFailure: Error, CustomStringConvertible {
    var description: String { "swift package deploy failed" }
}
