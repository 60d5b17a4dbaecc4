import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// A tag that moves under running containers (a `docker pull`, a push under the same tag) leaves
/// them running an image the description no longer names: `plan` shows it, `up` replaces them.
@Suite(
    "End to end: a tag that moved under running containers",
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(5)))
struct TagMovedEndToEndTests {
    @Test("plan shows the service whose tag moved, up replaces its containers, and plan is clean again")
    func movedTagIsAnUpdate() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let name = RealEngine.uniqueName("moved")
        let tag = "berth-test/\(name):1"
        let tmp = try TemporaryDirectory("berth-moved")
        defer { tmp.remove() }
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        /// Builds the tag from the test's busybox with one file saying which build it is.
        func build(_ version: String) async throws {
            let dockerfile = "FROM berth-test/busybox:1\nRUN echo \(version) > /version\n"
            let result = try await engine.run(["build", "--quiet", "--tag", tag, "-"], input: Array(dockerfile.utf8))
            #expect(result.succeeded, "\(result.standardError)")
        }
        let stack = Stack(name) {
            Service("web", image: Image(tag))
                .command(["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"])
                .replicas(2)
                .stopGracePeriod(.seconds(2))
            Service("other", image: "berth-test/busybox:1")
                .command(["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"])
                .stopGracePeriod(.seconds(2))
        }
        func versions() async throws -> [String] {
            try await RealEngine.containerIDs(engine, stack: name)["web", default: []].asyncMap {
                try await engine.output(["exec", $0, "cat", "/version"]).trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        var failure: (any Error)?
        do {
            try await build("1")
            try await deployer.up(deployer.prepare(stack, for: .dev), timeout: .seconds(120))
            #expect(try await versions() == ["1", "1"])
            #expect(try await !deployer.plan(deployer.prepare(stack, for: .dev)).hasChanges)
            let other = try await RealEngine.containerIDs(engine, stack: name)["other"]

            // The same tag, another image: the description did not change, what runs did.
            try await build("2")
            let plan = try await deployer.plan(deployer.prepare(stack, for: .dev))
            let web = try #require(plan.services.first { $0.service == "web" })
            #expect(web.action == .update)
            #expect(web.changedFields == ["image"])
            #expect(web.drift.count == 2 && web.drift.allSatisfy { $0.contains("(the tag moved)") }, "\(web.drift)")
            #expect(plan.services.first { $0.service == "other" }?.action == .unchanged)
            #expect(plan.summary.contains("the tag moved"), "\(plan.summary)")

            try await deployer.up(deployer.prepare(stack, for: .dev), timeout: .seconds(120))
            #expect(try await versions() == ["2", "2"])
            #expect(try await RealEngine.containerIDs(engine, stack: name)["other"] == other)
            #expect(try await !deployer.plan(deployer.prepare(stack, for: .dev)).hasChanges)
        } catch {
            failure = error
        }
        try? await deployer.down(stack: name, environment: "dev", removeVolumes: true)
        _ = try? await engine.run(["image", "rm", "--force", tag])
        if let failure { throw failure }
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

/// `up --pin-digests` against the loopback registry `scripts/engine.sh` starts: the tag is
/// pinned to the registry's digest, a push under the same tag changes nothing that runs until
/// the next `--pin-digests`, and `plan` says the tag moved meanwhile.
@Suite(
    "End to end: image tags pinned to registry digests",
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine and the registry scripts/engine.sh starts (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes them required"
    ),
    .timeLimit(.minutes(6)))
struct PinDigestsEndToEndTests {
    /// The registry's address, from `BERTH_REGISTRY` (`scripts/engine.sh up` exports it).
    static var registry: String {
        get throws {
            try #require(
                ProcessInfo.processInfo.environment["BERTH_REGISTRY"].flatMap { $0.isEmpty ? nil : $0 },
                "BERTH_REGISTRY is not set: start the engine and its registry with `eval \"$(scripts/engine.sh up)\"`.")
        }
    }

    @Test(
        "up --pin-digests pins the tag; a push under it changes nothing until the next --pin-digests, and plan says so")
    func pinsHoldUntilMoved() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let stack = RealEngine.uniqueName("pins")
        let reference = "\(try Self.registry)/berth-test/\(stack):1"
        let tmp = try TemporaryDirectory("berth-pins")
        defer { tmp.remove() }
        let fixture = FixtureDeploy(
            directory: tmp.url, stack: stack, port: 0,
            settings: ["FIXTURE_ONLY": "web", "FIXTURE_WEB_IMAGE": reference])
        /// Builds the tag with a file saying which build it is, pushes it, and returns the
        /// registry's digest for it.
        func publish(_ version: String) async throws -> String {
            let dockerfile = "FROM berth-test/busybox:1\nRUN echo \(version) > /version\n"
            let build = try await engine.run(
                ["build", "--quiet", "--tag", reference, "-"], input: Array(dockerfile.utf8))
            try #require(build.succeeded, "\(build.standardError)")
            let push = try await engine.run(["push", "--quiet", reference])
            try #require(push.succeeded, "\(push.standardError)")
            return try #require(try await engine.repoDigests(of: reference).values.first)
        }
        func running() async throws -> (version: String, image: String) {
            let live = try await engine.liveState(stack: stack, environment: "dev").containers(of: "web")
            let container = try #require(live.first)
            #expect(live.count == 1)
            let version = try await engine.output(["exec", container.id, "cat", "/version"])
            return (version.trimmingCharacters(in: .whitespacesAndNewlines), container.image)
        }
        func pins() throws -> [String: String] { try ImagePins.load(from: tmp.url).pins }
        do {
            let first = try await publish("1")
            let pinned = try await fixture.run(["up", "--pin-digests"], version: "1")
            #expect(pinned.status == 0, "\(pinned.output)")
            #expect(pinned.output.contains("\(reference): pinned to \(Plan.shortID(first))"), "\(pinned.output)")
            #expect(try pins() == [reference: first])
            #expect(try await running() == ("1", "\(reference)@\(first)"))

            // The same tag, another image, in the registry and on the engine.
            let second = try await publish("2")
            #expect(second != first)
            let plan = try await fixture.run(["plan"], version: "1")
            #expect(plan.status == 0, "the pin holds, so nothing changes: \(plan.output)")
            #expect(
                plan.output.contains("is \(Plan.shortID(second)) now. `up --pin-digests` moves the pin"),
                "\(plan.output)")
            let up = try await fixture.run(["up"], version: "1")
            #expect(up.status == 0, "\(up.output)")
            #expect(try await running() == ("1", "\(reference)@\(first)"))

            let moved = try await fixture.run(["up", "--pin-digests"], version: "1")
            #expect(moved.status == 0, "\(moved.output)")
            #expect(
                moved.output.contains("\(Plan.shortID(first)) → \(Plan.shortID(second)) (the tag moved)"),
                "\(moved.output)")
            #expect(try pins() == [reference: second])
            #expect(try await running() == ("2", "\(reference)@\(second)"))
            let clean = try await fixture.run(["plan"], version: "1")
            #expect(clean.status == 0 && !clean.output.contains("note:"), "\(clean.output)")
        } catch {
            Issue.record(error)
        }
        await fixture.tearDown()
        _ = try? await engine.run(["image", "rm", "--force", reference])
    }
}
