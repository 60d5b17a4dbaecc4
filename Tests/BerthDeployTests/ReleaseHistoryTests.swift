import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

@Suite("ReleaseHistory")
struct ReleaseHistoryTests {
    static let stack = Stack("shop") {
        Secret.generated("session_key")
        Service("web", image: "berth-test/busybox:1")
            .environment("VERSION", "1")
            .secret("session_key")
    }

    static func release(rendered: String = "services: {}\n", command: String = "up") throws -> Release {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Release(
            number: 0, time: "2025-01-02T03:04:05Z", user: "ada", host: "build-1",
            commit: "0123456789abcdef0123456789abcdef01234567", dirty: true, command: command, stack: "shop",
            environment: "dev", configHashes: ["web": "aa11"], images: ["web": "berth-test/busybox@sha256:feed"],
            secretVersions: ["session_key": "v1"], renderedFile: rendered,
            stackJSON: String(decoding: try encoder.encode(stack), as: UTF8.self))
    }

    static func history(_ fake: FakeReleaseEngine, keep: Int = 10) -> ReleaseHistory {
        ReleaseHistory(engine: DockerEngine(runner: fake), project: "shop-dev", keep: keep)
    }

    @Test("a release survives the trip through labels, a 200 KB rendered file included")
    func roundTrip() async throws {
        let rendered = String(repeating: "# a long rendered file line\n", count: 7_500)
        let fake = FakeReleaseEngine()
        let recorded = try await Self.history(fake).record(try Self.release(rendered: rendered))
        let listed = try await Self.history(fake).list()
        #expect(listed == [recorded])
        #expect(listed.first?.renderedFile == rendered)
        #expect(try listed.first?.decodedStack() == Self.stack)
        // Cut into several labels, each under the CLI's line limit.
        let file = try ReleaseHistory.labelFile(of: recorded, project: "shop-dev")
        #expect(file.split(separator: "\n").allSatisfy { $0.utf8.count <= ReleaseHistory.chunkSize + 40 })
        #expect(file.contains("berth.release.record.6="))
        #expect(file.contains("berth.release.commit=0123456789abcdef0123456789abcdef01234567\n"))
    }

    @Test("large labels go through standard input, never as arguments")
    func labelsOnStandardInput() async throws {
        let fake = FakeReleaseEngine()
        try await Self.history(fake).record(try Self.release(rendered: String(repeating: "x", count: 50_000)))
        let create = try #require(fake.calls.first { $0.starts(with: ["docker", "container", "create"]) })
        #expect(create.contains("--label-file") && create.contains("/dev/stdin"))
        #expect(create.joined(separator: " ").utf8.count < 200)
    }

    @Test("numbers go up by one, and list is newest first")
    func numbering() async throws {
        let fake = FakeReleaseEngine()
        let history = Self.history(fake)
        for _ in 1...3 { try await history.record(try Self.release()) }
        #expect(try await history.list().map(\.number) == [3, 2, 1])
        #expect(fake.names == ["berth-release.shop-dev.1", "berth-release.shop-dev.2", "berth-release.shop-dev.3"])
    }

    @Test("a number another deployer took meanwhile is skipped")
    func concurrentRecording() async throws {
        let raced = Locked(false)
        let fake = FakeReleaseEngine { engine in
            guard !raced.value else { return }
            raced.mutate { $0 = true }
            // The other deployer creates release 1 between our `ps` and our `create`.
            engine.add(
                name: "berth-release.shop-dev.1",
                labels: ["berth.release.project": "shop-dev", "berth.release.number": "1"])
        }
        let recorded = try await Self.history(fake).record(try Self.release())
        #expect(recorded.number == 2)
        #expect(fake.names.sorted() == ["berth-release.shop-dev.1", "berth-release.shop-dev.2"])
    }

    @Test("only the newest N are kept")
    func pruning() async throws {
        let fake = FakeReleaseEngine()
        let history = Self.history(fake, keep: 2)
        for _ in 1...4 { try await history.record(try Self.release()) }
        #expect(try await history.list().map(\.number) == [4, 3])
        #expect(fake.names == ["berth-release.shop-dev.3", "berth-release.shop-dev.4"])
    }

    @Test("the image is imported when the engine lacks it")
    func importsTheImage() async throws {
        let fake = FakeReleaseEngine(hasImage: false)
        let recorded = try await Self.history(fake).record(try Self.release())
        #expect(fake.imports == 1)
        #expect(recorded.number == 1)
    }

    @Test("an unreadable release names the container to remove")
    func unreadableRelease() async throws {
        let fake = FakeReleaseEngine()
        fake.add(
            name: "berth-release.shop-dev.1",
            labels: ["berth.release.project": "shop-dev", "berth.release.number": "1", "berth.release.format": "9"])
        let error = await #expect(throws: EngineError.self) { try await Self.history(fake).list() }
        #expect(error?.description.contains("docker container rm berth-release.shop-dev.1") == true)
    }

    @Test("rollback's default is the release before the newest; an unknown number lists the known ones")
    func choosingTheRelease() throws {
        var releases = try [3, 2, 1].map { number in
            var release = try Self.release()
            release.number = number
            return release
        }
        #expect(try RollbackCommand.choose(nil, from: releases, project: "shop-dev").number == 2)
        #expect(try RollbackCommand.choose(1, from: releases, project: "shop-dev").number == 1)
        let unknown = #expect(throws: EngineError.self) {
            try RollbackCommand.choose(7, from: releases, project: "shop-dev")
        }
        #expect(unknown?.description.contains("Recorded releases: 3, 2, 1") == true)
        releases = [releases[0]]
        let alone = #expect(throws: EngineError.self) { try RollbackCommand.choose(nil, from: releases, project: "p") }
        #expect(alone?.description.contains("nothing earlier to roll back to") == true)
        #expect(throws: EngineError.self) { try RollbackCommand.choose(nil, from: [], project: "p") }
    }

    @Test("secrets whose version changed since a release are named")
    func secretsDiffering() throws {
        let old = try Self.release()
        var now = old
        #expect(old.secretsDiffering(from: now) == [])
        now.secretVersions["session_key"] = "v2"
        #expect(old.secretsDiffering(from: now) == ["session_key"])
        #expect(old.runsTheSame(as: now))
        now.configHashes["web"] = "bb22"
        #expect(!old.runsTheSame(as: now))
    }

    @Test("an image's repository is its reference without tag or digest")
    func repositories() {
        #expect(ReleaseHistory.repository(of: "berth-test/busybox:1") == "berth-test/busybox")
        #expect(ReleaseHistory.repository(of: "registry:5000/shop") == "registry:5000/shop")
        #expect(ReleaseHistory.repository(of: "registry:5000/shop:1.2@sha256:ab") == "registry:5000/shop")
        #expect(ReleaseHistory.repository(of: "ghcr.io/acme/shop@sha256:ab") == "ghcr.io/acme/shop")
    }

    @Test("images resolve to the digest of their own repository, else the image ID")
    func resolvingImages() async throws {
        let history = Self.history(FakeReleaseEngine())
        #expect(try await history.resolve("berth-test/busybox:1") == "berth-test/busybox@sha256:feed")
        #expect(try await history.resolve("other/image:2") == "berth-test/busybox@sha256:feed")
    }

    @Test("the commit and dirty flag come from git, and are absent outside a repository")
    func gitState() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "berth-release-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outside = await ReleaseHistory.gitState(of: directory, runner: ProcessRunner())
        #expect(outside.commit == nil && outside.dirty == nil)

        let git = ["git", "-C", directory.path, "-c", "user.name=t", "-c", "user.email=t@example.com"]
        for arguments in [["init", "-q"], ["commit", "-q", "--allow-empty", "-m", "first"]] {
            let result = try await ProcessRunner().run(git + arguments, input: nil)
            try #require(result.succeeded, "\(result.standardError)")
        }
        let clean = await ReleaseHistory.gitState(of: directory, runner: ProcessRunner())
        #expect(clean.commit?.count == 40 && clean.dirty == false)
        try Data("x".utf8).write(to: directory.appendingPathComponent("Package.swift"))
        let dirty = await ReleaseHistory.gitState(of: directory, runner: ProcessRunner())
        #expect(dirty.commit == clean.commit && dirty.dirty == true)
    }
}
