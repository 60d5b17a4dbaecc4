import BerthCore
import Foundation

/// An image a stack builds from its own sources, once its build inputs are resolved.
public struct BuiltImage: Sendable, Hashable {
    /// The full reference, `berth-build/shop-web:0123456789abcdef`.
    public var reference: String
    /// The services that run it, in the stack's order.
    public var services: [String]
    /// How it is built.
    public var build: Build

    /// Creates a built image.
    public init(reference: String, services: [String], build: Build) {
        self.reference = reference
        self.services = services
        self.build = build
    }

    /// The built images of a stack whose builds are resolved (``Preflight/resolvingBuilds(of:packageDirectory:)``),
    /// one per reference.
    /// - Throws: ``EngineError`` for a built service whose image has no tag yet.
    public static func of(_ stack: Stack) throws -> [BuiltImage] {
        var images: [BuiltImage] = []
        for service in stack.services {
            guard let build = service.build else { continue }
            guard service.image.tag != nil else {
                throw EngineError(
                    "Service '\(service.name)' is built, but its image has no tag yet: prepare the stack (validate and render) before building it."
                )
            }
            let reference = service.image.reference
            if let index = images.firstIndex(where: { $0.reference == reference }) {
                images[index].services.append(service.name)
            } else {
                images.append(BuiltImage(reference: reference, services: [service.name], build: build))
            }
        }
        return images
    }

    /// The services, for progress lines: `web` or `web, worker`.
    var serviceList: String { services.joined(separator: ", ") }
}

/// Builds images from the application's sources on one engine, only those it does not hold.
///
/// The tag of a built image is the hash of its inputs (``BuildInputs``), so an image already
/// on the engine under its tag is the image the sources give: it is not built again.
public struct ImageBuilder: Sendable {
    /// The engine that builds: the one `docker` reaches on this machine.
    public var engine: DockerEngine
    /// The package the contexts are relative to.
    public var workspace: Workspace
    /// Where progress goes.
    public var console: Console

    /// Creates a builder.
    public init(engine: DockerEngine = DockerEngine(), workspace: Workspace, console: Console = Console()) {
        self.engine = engine
        self.workspace = workspace
        self.console = console
    }

    /// Builds each image the engine does not have.
    /// - Returns: The references it built; the others were already there.
    /// - Throws: ``EngineError`` with the end of the builder's output when a build fails.
    @discardableResult
    public func build(_ images: [BuiltImage]) async throws -> [String] {
        var built: [String] = []
        for image in images {
            if try await engine.imageID(image.reference) != nil {
                console.progress("\(image.serviceList): image \(image.reference) already built, not rebuilt.")
                continue
            }
            let started = ContinuousClock().now
            console.progress("Building \(image.serviceList) (\(image.reference)) on \(engine.target)…")
            let result = try await engine.run(arguments(for: image))
            guard result.succeeded else {
                let output = (result.standardOutput + result.standardError).split(
                    separator: "\n", omittingEmptySubsequences: true
                ).suffix(30).joined(separator: "\n")
                throw EngineError(
                    "Building the image of \(image.serviceList) failed (exit \(result.exitCode)), declared at \(image.build.location):\n\(output)\nFix the Dockerfile or the context, then deploy again."
                )
            }
            console.progress("Built \(image.reference) in \(ImageShipper.seconds(ContinuousClock().now - started)).")
            built.append(image.reference)
        }
        return built
    }

    /// `docker build`: absolute paths, since the CLI reads a relative `--file` from its working
    /// folder, not from the context.
    func arguments(for image: BuiltImage) -> [String] {
        let inputs = BuildInputs(build: image.build, packageDirectory: workspace.root)
        var arguments = ["build", "--tag", image.reference, "--file", inputs.dockerfile.path]
        if let target = image.build.target { arguments += ["--target", target] }
        for (key, value) in image.build.arguments.sorted(by: { $0.key < $1.key }) {
            arguments += ["--build-arg", "\(key)=\(value)"]
        }
        return arguments + [inputs.contextDirectory.path]
    }
}

extension DockerEngine {
    /// The ID of an image the engine holds under a reference, or `nil` when it holds none.
    func imageID(_ reference: String) async throws -> String? {
        try await imageDetails(reference)?.id
    }

    /// An image's ID and size in bytes, or `nil` when the engine holds no image by that reference.
    func imageDetails(_ reference: String) async throws -> (id: String, size: Int)? {
        let result = try await run(["image", "inspect", "--format", "{{.Id}} {{.Size}}", reference])
        guard result.succeeded else {
            if result.standardError.localizedCaseInsensitiveContains("no such image") { return nil }
            throw EngineError(
                "Could not inspect the image \(reference) on \(target) (exit \(result.exitCode)): \(result.standardError.trimmed)"
            )
        }
        let parts = result.standardOutput.trimmed.split(separator: " ")
        return (String(parts.first ?? ""), parts.count > 1 ? Int(parts[1]) ?? 0 : 0)
    }
}
