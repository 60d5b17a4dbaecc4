import BerthCore
import Foundation

/// Copies images from one engine to others without a registry: `docker save IMAGE | docker
/// --host TARGET load`, streamed between the two commands.
///
/// An engine that already holds the image (the same image ID under the reference) is skipped,
/// so a second deploy of unchanged sources sends nothing.
public struct ImageShipper: Sendable {
    /// The engine that holds the images.
    public var source: DockerEngine
    /// Where progress goes.
    public var console: Console

    /// What happened to one image on one engine.
    public struct Shipment: Sendable, Hashable {
        /// The image's reference.
        public var reference: String
        /// The engine, as ``Target`` describes it.
        public var target: String
        /// Whether it was sent; `false` when the engine already held it.
        public var shipped: Bool
        /// The image's size as the source engine reports it.
        public var bytes: Int
    }

    /// Creates a shipper.
    public init(source: DockerEngine = DockerEngine(), console: Console = Console()) {
        self.source = source
        self.console = console
    }

    /// Ships each image to each engine that lacks it; engines are served at the same time.
    /// - Throws: ``EngineError`` naming the image, the engine and the side that failed.
    @discardableResult
    public func ship(_ images: [BuiltImage], to targets: [DockerEngine]) async throws -> [Shipment] {
        try await ship(images.map { ($0.reference, $0.serviceList) }, to: targets)
    }

    /// Ships images named by reference (`berth ship`).
    @discardableResult
    public func ship(references: [String], to targets: [DockerEngine]) async throws -> [Shipment] {
        try await ship(references.map { ($0, $0) }, to: targets)
    }

    /// - Parameter images: Each reference, and what progress lines call it (its services).
    private func ship(_ images: [(reference: String, label: String)], to targets: [DockerEngine]) async throws
        -> [Shipment]
    {
        var details: [String: (id: String, size: Int)] = [:]
        for image in images {
            guard let found = try await source.imageDetails(image.reference) else {
                throw EngineError(
                    "The image \(image.reference) of \(image.label) is not on \(source.target), so it cannot be shipped: build it first."
                )
            }
            details[image.reference] = found
        }
        let known = details
        return try await withThrowingTaskGroup(of: [Shipment].self) { group in
            for target in targets {
                group.addTask {
                    var shipments: [Shipment] = []
                    for image in images {
                        shipments.append(
                            try await ship(
                                image.reference, label: image.label, details: known[image.reference]!, to: target))
                    }
                    return shipments
                }
            }
            var all: [Shipment] = []
            for try await shipments in group { all += shipments }
            return all
        }
    }

    private func ship(_ reference: String, label: String, details: (id: String, size: Int), to target: DockerEngine)
        async throws -> Shipment
    {
        var shipment = Shipment(
            reference: reference, target: target.target.description, shipped: false, bytes: details.size)
        if try await target.imageID(reference) == details.id {
            console.progress("\(label): image already on \(target.target), not shipped.")
            return shipment
        }
        console.progress("Shipping \(reference) (\(Self.size(details.size))) to \(target.target)…")
        let started = ContinuousClock().now
        let result = try await source.runner.pipe(
            source.prefix + ["save", reference], into: target.prefix + ["load", "--quiet"])
        guard result.succeeded else {
            if !result.producer.succeeded {
                throw EngineError(
                    "Shipping \(reference) to \(target.target) failed: `docker save` on \(source.target) exited with \(result.producer.exitCode): \(result.producer.standardError.trimmed)"
                )
            }
            throw EngineError(
                "Shipping \(reference) to \(target.target) failed: `docker load` there exited with \(result.consumer.exitCode): \(result.consumer.standardError.trimmed) Check that the engine answers and has room for \(Self.size(details.size))."
            )
        }
        // The load succeeded; the engine must now hold the very image sent, or a deploy would
        // run something else under the same tag.
        let loaded = try await target.imageID(reference)
        guard loaded == details.id else {
            throw EngineError(
                "Shipped \(reference) to \(target.target), but it holds \(loaded ?? "no image") under that reference instead of \(details.id)."
            )
        }
        console.progress(
            "Shipped \(reference) to \(target.target) in \(Self.seconds(ContinuousClock().now - started)).")
        shipment.shipped = true
        return shipment
    }

    /// A duration as progress lines print it: `1.3 s`.
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.1f s", Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// A size as people read it: `830 kB`, `12 MB`, `1.4 GB`.
    static func size(_ bytes: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 || value >= 10
            ? "\(Int(value.rounded())) \(units[unit])" : "\(String(format: "%.1f", value)) \(units[unit])"
    }
}

/// The images a stack builds, delivered to the engine that runs it: built on this machine's
/// engine when missing there, then shipped when the target is another engine.
///
/// When no engine answers on this machine, the target builds them itself (the CLI sends it the
/// context), so a machine without Docker can still deploy over ssh.
public struct ImageDelivery: Sendable {
    /// The engine that runs the stack.
    public var target: DockerEngine
    /// The engine `docker` reaches without `--host` or `--context`: `DOCKER_HOST`, or the
    /// default socket.
    public var local: DockerEngine
    /// The package the build contexts are relative to.
    public var workspace: Workspace
    /// Where progress goes.
    public var console: Console

    /// Creates a delivery to a target engine; the local engine uses the target's runner.
    public init(target: DockerEngine, local: DockerEngine? = nil, workspace: Workspace, console: Console = Console()) {
        self.target = target
        self.local = local ?? DockerEngine(runner: target.runner)
        self.workspace = workspace
        self.console = console
    }

    /// Builds and ships the images of a stack whose builds are resolved; a stack without
    /// builds costs nothing.
    public func deliver(_ stack: Stack) async throws {
        let images = try BuiltImage.of(stack)
        guard !images.isEmpty else { return }
        guard try await localEngineAnswers() else {
            console.progress("No Docker engine answers on this machine; \(target.target) builds the images itself.")
            try await ImageBuilder(engine: target, workspace: workspace, console: console).build(images)
            return
        }
        try await ImageBuilder(engine: local, workspace: workspace, console: console).build(images)
        if try await !isLocal(target) {
            try await ImageShipper(source: local, console: console).ship(images, to: [target])
        }
    }

    private func localEngineAnswers() async throws -> Bool {
        if local.target == target.target { return true }
        do {
            return try await local.run(["version", "--format", "{{.Server.Version}}"]).succeeded
        } catch is CommandError {
            return false
        }
    }

    /// Whether an engine is the local one: the same address, or the same engine ID behind
    /// another address (a context, a socket path, an ssh alias of this machine).
    func isLocal(_ engine: DockerEngine) async throws -> Bool {
        if engine.target == local.target { return true }
        async let here = local.output(["info", "--format", "{{.ID}}"])
        async let there = engine.output(["info", "--format", "{{.ID}}"])
        let (a, b) = try await (here.trimmed, there.trimmed)
        return !a.isEmpty && a == b
    }
}
