import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// Releases on a real engine: recorded by `up`, listed by `history` from another checkout,
/// applied again by `rollback`, pruned to the newest N. Loopback port 18491.
@Suite(
    "End to end: ReleaseHistory on a real engine",
    .serialized,
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(10)))
struct ReleaseHistoryEndToEndTests {
    static let port = 18490

    /// Removes every release of a project with the raw CLI: `down` keeps the history.
    static func removeReleases(of project: String) async {
        let engine = DockerEngine()
        guard
            let ids = try? await engine.output([
                "ps", "--all", "--quiet", "--filter", "label=berth.release.project=\(project)",
            ]).split(whereSeparator: \.isNewline).map(String.init), !ids.isEmpty
        else { return }
        _ = try? await engine.run(["container", "rm"] + ids)
    }

    static func history(_ fixture: FixtureDeploy, directory: URL) async throws -> [ReleaseListing] {
        let listed = try await fixture.run(["history", "--json", "--directory", directory.path], version: "0")
        try #require(listed.status == 0, "\(listed.output)")
        // Progress goes to standard error, which the fixture interleaves: the JSON is the array.
        let start = try #require(listed.output.firstIndex(of: "["), "\(listed.output)")
        return try JSONDecoder().decode([ReleaseListing].self, from: Data(listed.output[start...].utf8))
    }

    /// What `pinned` serves: the VERSION it was deployed with.
    static func served() async -> String? {
        await RealEngine.get("http://127.0.0.1:\(port + 1)/")?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(
        "two ups, a rollback to the first, history from another checkout with three releases, pruning to N, and a secret that cannot be restored"
    )
    func upRollbackHistory() async throws {
        try RealEngine.require()
        let checkout = try TemporaryDirectory("berth-release-a")
        let elsewhere = try TemporaryDirectory("berth-release-b")
        defer {
            checkout.remove()
            elsewhere.remove()
        }
        let stack = RealEngine.uniqueName("release")
        let fixture = FixtureDeploy(
            directory: checkout.url, stack: stack, port: Self.port, settings: ["FIXTURE_ONLY": "stubborn,pinned"])
        let other = FixtureDeploy(
            directory: elsewhere.url, stack: stack, port: Self.port, settings: ["FIXTURE_ONLY": "stubborn,pinned"])
        var failure: (any Error)?
        do {
            try await exercise(fixture, from: other)
        } catch {
            failure = error
        }
        await fixture.tearDown()
        await Self.removeReleases(of: fixture.project)
        if let failure { throw failure }
        let left = try await DockerEngine().output([
            "ps", "--all", "--quiet", "--filter", "label=berth.release.project=\(fixture.project)",
        ])
        #expect(left.trimmed.isEmpty)
    }

    private func exercise(_ fixture: FixtureDeploy, from other: FixtureDeploy) async throws {
        // The application's checkout is a git repository: releases name its commit.
        let git = ["git", "-C", fixture.directory.path, "-c", "user.name=t", "-c", "user.email=t@example.com"]
        for arguments in [["init", "-q"], ["commit", "-q", "--allow-empty", "-m", "first"]] {
            let result = try await ProcessRunner().run(git + arguments, input: nil)
            try #require(result.succeeded, "\(result.standardError)")
        }
        let head = try await ProcessRunner().run(git + ["rev-parse", "HEAD"], input: nil).standardOutput.trimmed

        let first = try await fixture.run(["up"], version: "1")
        try #require(first.status == 0, "\(first.output)")
        #expect(first.output.contains("Recorded release 1 of \(fixture.project)"), "\(first.output)")
        let second = try await fixture.run(["up"], version: "2")
        try #require(second.status == 0, "\(second.output)")
        #expect(await Self.served() == "2")

        // The description now says version 2: what comes back is the recorded release 1.
        let rollback = try await fixture.run(["rollback"], version: "2")
        try #require(rollback.status == 0, "\(rollback.output)")
        #expect(!rollback.output.contains("cannot be restored"), "\(rollback.output)")
        #expect(await Self.served() == "1")

        let releases = try await Self.history(other, directory: other.directory)
        try #require(releases.map(\.number) == [3, 2, 1], "\(releases.map(\.number))")
        #expect(releases.map(\.command) == ["rollback 1", "up", "up"])
        #expect(releases.allSatisfy { $0.commit == head && $0.dirty == false && $0.stack == fixture.stack })
        #expect(releases[0].configHashes == releases[2].configHashes)
        #expect(releases[1].configHashes != releases[2].configHashes)
        #expect(Set(releases[2].configHashes.keys) == ["stubborn", "pinned"])
        #expect(releases[2].secretVersions.keys.sorted() == ["token"])
        let live = try await DockerEngine().liveState(stack: fixture.stack, environment: "dev")
        for service in ["stubborn", "pinned"] {
            let hashes = Set(live.containers(of: service).compactMap(\.configHash))
            #expect(hashes == [releases[2].configHashes[service]!], "\(service): \(hashes)")
        }
        let table = try await other.run(["history", "--directory", other.directory.path], version: "0")
        #expect(
            table.status == 0 && table.output.contains("rollback 1") && table.output.contains(String(head.prefix(8))))

        // No secret value in any release, raw or decoded.
        let token = try String(
            contentsOf: fixture.directory.appendingPathComponent(".berth/\(fixture.stack)/dev/secrets/token"),
            encoding: .utf8
        ).trimmed
        try #require(token.count >= 16)
        let stored = try await ReleaseHistory(engine: DockerEngine(), project: fixture.project).list()
        try #require(stored.count == 3)
        let encoded = String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
        #expect(!encoded.contains(token))
        #expect(stored.allSatisfy { !$0.renderedFile.isEmpty && !$0.renderedFile.contains(token) })
        #expect(try stored[2].decodedStack().name == fixture.stack)

        let unknown = try await fixture.run(["rollback", "9"], version: "2")
        #expect(unknown.status == 1)
        #expect(unknown.output.contains("Recorded releases: 3, 2, 1"), "\(unknown.output)")

        // Keep two: release 4 leaves 4 and 3.
        let third = try await fixture.run(["up", "--keep-releases", "2"], version: "3")
        try #require(third.status == 0, "\(third.output)")
        #expect(try await Self.history(other, directory: other.directory).map(\.number) == [4, 3])

        // A rotated secret cannot go back to its old value: rollback says so and succeeds.
        let rotated = try await fixture.run(["rotate-secret", "token", "--timeout", "120"], version: "3")
        try #require(rotated.status == 0, "\(rotated.output)")
        let back = try await fixture.run(["rollback", "4", "--keep-releases", "2"], version: "3")
        #expect(back.status == 0, "\(back.output)")
        #expect(back.output.contains("token changed since release 4"), "\(back.output)")
        let last = try await Self.history(other, directory: other.directory)
        #expect(last.map(\.number) == [6, 5])
        #expect(last.map(\.command) == ["rollback 4", "rotate-secret token"])
    }

    @Test(
        "releases with a 50 KB and a 400 KB rendered file are stored and read back; six deployers recording at once get six numbers"
    )
    func largeAndConcurrentReleases() async throws {
        try RealEngine.require()
        let project = RealEngine.uniqueName("release-size")
        let history = ReleaseHistory(engine: DockerEngine(), project: project)
        do {
            var release = try ReleaseHistoryTests.release()
            for size in [50_000, 400_000] {
                release.renderedFile = String(repeating: "services: {} # padding\n", count: size / 23)
                let recorded = try await history.record(release)
                let read = try #require(try await history.list().first)
                #expect(read.number == recorded.number)
                #expect(read.renderedFile == release.renderedFile)
            }
            let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await history.record(try ReleaseHistoryTests.release()).number }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(numbers.sorted() == Array(3...8))
            #expect(try await history.list().map(\.number) == Array((1...8).reversed()))
        } catch {
            await Self.removeReleases(of: project)
            throw error
        }
        await Self.removeReleases(of: project)
    }
}
