import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

@Suite(
    "End to end: services built from a Dockerfile, images shipped to remote engines",
    .serialized,
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(5)))
struct ImageShippingEndToEndTests {
    /// A package whose `app` folder builds a `FROM scratch` image holding busybox, copied from
    /// the test image, and a page.
    static func package(page: String) async throws -> TemporaryDirectory {
        let package = try TemporaryDirectory("berth-build-e2e")
        let app = package.url.appendingPathComponent("app")
        try FileManager.default.createDirectory(at: app, withIntermediateDirectories: true)
        let runner = ProcessRunner()
        let created = try await runner.run(["docker", "create", "berth-test/busybox:1", "sh"], input: nil)
        try #require(created.succeeded, "docker create: \(created.standardError)")
        let container = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let copied = try await runner.run(
            ["docker", "cp", "\(container):/bin/busybox", app.appendingPathComponent("busybox").path], input: nil)
        _ = try await runner.run(["docker", "rm", container], input: nil)
        try #require(copied.succeeded, "docker cp: \(copied.standardError)")
        try Data(
            """
            FROM scratch
            COPY busybox /bin/busybox
            COPY page.txt /www/index.html
            CMD ["/bin/busybox", "sh", "-c", "trap 'exit 0' TERM; while true; do /bin/busybox sleep 1; done"]

            """.utf8
        ).write(to: app.appendingPathComponent("Dockerfile"))
        try Data(page.utf8).write(to: app.appendingPathComponent("page.txt"))
        try Data("*.log\n".utf8).write(to: app.appendingPathComponent(".dockerignore"))
        return package
    }

    static func stack(_ name: String) -> Stack {
        Stack(name) {
            Service("web").build(context: "app")
        }
    }

    static func removeImages(_ references: [String], on engine: DockerEngine = DockerEngine()) async {
        guard !references.isEmpty else { return }
        _ = try? await engine.run(["image", "rm", "--force"] + references)
    }

    static func created(_ reference: String, on engine: DockerEngine = DockerEngine()) async throws -> String {
        try await engine.output(["image", "inspect", "--format", "{{.Created}}", reference]).trimmed
    }

    @Test func aBuiltServiceDeploysLocallyAndAnUnchangedSourceIsNotRebuilt() async throws {
        if RealEngine.isRequired { try RealEngine.require() }
        let name = RealEngine.uniqueName("built")
        let package = try await Self.package(page: "one\n")
        defer { package.remove() }
        let captured = CapturedConsole()
        var deployer = ComposeDeployer(
            engine: DockerEngine(), workspace: Workspace(root: package.url), console: captured.console)
        deployer.pollInterval = .milliseconds(250)
        var references: [String] = []
        try await EndToEndTests.withStack(name, deployer) {
            let prepared = try deployer.prepare(Self.stack(name), for: .dev)
            let reference = prepared.stack.services[0].image.reference
            references.append(reference)
            #expect(reference.hasPrefix("berth-build/\(name)-web:"))
            try await deployer.up(prepared, timeout: .seconds(60))
            #expect(captured.text.contains("Building web (\(reference))"), "\(captured.text)")
            let live = try await deployer.engine.liveState(stack: name, environment: "dev")
            #expect(live.containers.map(\.image) == [reference])
            #expect(live.containers.allSatisfy { $0.state == "running" })
            let firstCreated = try await Self.created(reference)

            // The same sources, and a log file the .dockerignore leaves out: same tag, nothing to do.
            try Data("noise".utf8).write(to: package.url.appendingPathComponent("app/debug.log"))
            let again = try deployer.prepare(Self.stack(name), for: .dev)
            #expect(again.stack.services[0].image.reference == reference)
            let plan = try await deployer.up(again, timeout: .seconds(60))
            #expect(!plan.hasChanges)
            // Delivering again finds the image in place.
            let before = captured.lines.value.count
            try await ImageDelivery(target: deployer.engine, workspace: deployer.workspace, console: captured.console)
                .deliver(again.stack)
            let delivered = captured.lines.value.dropFirst(before).joined()
            #expect(delivered.contains("web: image \(reference) already built, not rebuilt."), "\(delivered)")
            #expect(!delivered.contains("Building"))
            #expect(!delivered.contains("Shipping"))
            #expect(try await Self.created(reference) == firstCreated)

            // A changed page is a new image, and the service is updated to it.
            try Data("two\n".utf8).write(to: package.url.appendingPathComponent("app/page.txt"))
            let changed = try deployer.prepare(Self.stack(name), for: .dev)
            let newReference = changed.stack.services[0].image.reference
            references.append(newReference)
            #expect(newReference != reference)
            let update = try await deployer.up(changed, timeout: .seconds(60))
            #expect(update.services.first?.action == .update)
            let updated = try await deployer.engine.liveState(stack: name, environment: "dev")
            #expect(updated.containers.map(\.image) == [newReference])
            let page = try await deployer.engine.output([
                "exec", try #require(updated.containers.first?.id), "/bin/busybox", "cat", "/www/index.html",
            ])
            #expect(page == "two\n")
        }
        await Self.removeImages(references)
    }

    @Test(
        .enabled(
            if: RemoteEngines.shouldRun,
            "needs the remote lab (see the WARNING line); BERTH_REMOTE_REQUIRED=1 makes it required"))
    func imagesAreShippedToEachRemoteEngineOnceAndRunThere() async throws {
        let lab = try RemoteEngines.require()
        let name = RealEngine.uniqueName("shipped")
        let package = try await Self.package(page: "shipped\n")
        defer { package.remove() }
        let workspace = Workspace(root: package.url)
        let prepared = try ComposeDeployer(engine: DockerEngine(), workspace: workspace).prepare(
            Self.stack(name), for: .dev)
        let images = try BuiltImage.of(prepared.stack)
        let reference = try #require(images.first?.reference)
        let local = DockerEngine()
        let core = DockerEngine(target: lab.core.target)
        let edge = DockerEngine(target: lab.edge.target)
        var failure: (any Error)?
        do {
            try await Self.shipTwice(
                images, local: local, core: core, edge: edge, workspace: workspace, stack: prepared.stack)
        } catch {
            failure = error
        }
        for engine in [core, edge, local] { await Self.removeImages([reference], on: engine) }
        if let failure { throw failure }
    }

    static func shipTwice(
        _ images: [BuiltImage], local: DockerEngine, core: DockerEngine, edge: DockerEngine, workspace: Workspace,
        stack: Stack
    ) async throws {
        let reference = try #require(images.first?.reference)
        let captured = CapturedConsole()
        try await ImageBuilder(engine: local, workspace: workspace, console: captured.console).build(images)
        let localID = try #require(try await local.imageID(reference))

        let shipper = ImageShipper(source: local, console: captured.console)
        let first = try await shipper.ship(images, to: [core, edge])
        #expect(first.count == 2)
        #expect(first.allSatisfy { $0.shipped }, "\(captured.text)")
        #expect(captured.text.contains("Shipping \(reference) ("), "\(captured.text)")
        for engine in [core, edge] {
            #expect(try await engine.imageID(reference) == localID)
            let ran = try await engine.output(["run", "--rm", reference, "/bin/busybox", "cat", "/www/index.html"])
            #expect(ran == "shipped\n")
        }

        let before = captured.lines.value.count
        let second = try await shipper.ship(images, to: [core, edge])
        #expect(second.count == 2)
        #expect(second.allSatisfy { !$0.shipped })
        let skipped = captured.lines.value.dropFirst(before).joined()
        #expect(skipped.contains("web: image already on \(core.target), not shipped."), "\(skipped)")
        #expect(skipped.contains("web: image already on \(edge.target), not shipped."), "\(skipped)")
        #expect(!skipped.contains("Shipping"))

        // Delivery to a remote target builds nothing more and ships nothing more.
        let third = captured.lines.value.count
        try await ImageDelivery(target: core, local: local, workspace: workspace, console: captured.console)
            .deliver(stack)
        let delivered = captured.lines.value.dropFirst(third).joined()
        #expect(delivered.contains("already built, not rebuilt"), "\(delivered)")
        #expect(delivered.contains("not shipped"), "\(delivered)")
    }

    @Test(
        .enabled(
            if: RemoteEngines.shouldRun,
            "needs the remote lab (see the WARNING line); BERTH_REMOTE_REQUIRED=1 makes it required"))
    func anUnreachableTargetIsNamedInTheError() async throws {
        _ = try RemoteEngines.require()
        let local = DockerEngine()
        let unreachable = DockerEngine(target: Target(host: "ssh://nobody@127.0.0.1:1"))
        let image = BuiltImage(
            reference: "berth-test/busybox:1", services: ["web"],
            build: Build(context: "app", location: BerthCore.SourceLocation(fileID: "x", line: 1)))
        // The target cannot be inspected at all: the error names it.
        let error = await #expect(throws: EngineError.self) {
            try await ImageShipper(source: local, console: CapturedConsole().console).ship([image], to: [unreachable])
        }
        #expect(error?.message.contains("ssh://nobody@127.0.0.1:1") == true, "\(String(describing: error))")
    }
}
