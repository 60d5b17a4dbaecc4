import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// Release tasks on a real engine: run once per new version, after the services the app depends
/// on and before its containers are replaced; a failing one leaves the previous version serving.
@Suite(
    "End to end: release tasks before a new version serves",
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(6)))
struct ReleaseTaskEndToEndTests {
    static let port = 18175

    /// `db` keeps the migration log in its volume; `api` shares the volume, refuses to start
    /// unless its version's migration ran, and serves its version. The task fails for version
    /// `bad`, and never ends for version `slow`, which alone has an 8 s limit. On Swarm (a
    /// kernel without IPVS here) the services resolve by DNS round robin and `api` publishes
    /// nothing; the tests read its page from inside its container.
    static func stack(_ name: String, version: String, onSwarm: Bool = false) -> Stack {
        let stack = Stack(name) {
            Volume("schema")
            Service("db", image: "berth-test/busybox:1")
                .command(["sh", "-c", "touch /schema/log; trap 'exit 0' TERM; sleep 3600 & wait"])
                .volume("schema", at: "/schema")
                .healthCheck(HealthCheck(.shell("test -f /schema/log"), interval: .seconds(1), timeout: .seconds(10)))
                .stopGracePeriod(.seconds(2))
            Service("api", image: "berth-test/busybox:1")
                .command([
                    "sh", "-c",
                    "grep -qx \"migrated $VERSION\" /schema/log || exit 3; mkdir -p /www && echo \"$VERSION\" > /www/index.html; trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait",
                ])
                .environment("VERSION", version)
                .volume("schema", at: "/schema")
                .publish(8080, on: port, hostIP: "127.0.0.1")
                .dependsOn("db", condition: .healthy)
                .healthCheck(.http(port: 8080, path: "/index.html", interval: .seconds(1), timeout: .seconds(10)))
                .stopGracePeriod(.seconds(2))
                .beforeRelease(
                    [
                        "sh", "-c",
                        "case $VERSION in bad) echo 'migration failed: column exists' >&2; exit 4;; slow) sleep 600;; esac; echo \"migrated $VERSION\" >> /schema/log",
                    ],
                    // A one-off container takes seconds to start on a loaded engine: only the
                    // stuck version gets a short limit.
                    timeout: version == "slow" ? .seconds(8) : .seconds(120))
        }
        guard onSwarm else { return stack }
        var swarm = stack
        swarm.services = swarm.services.map { service in
            var service = service.endpointMode(.dnsrr)
            service.ports = []
            return service
        }
        return swarm
    }

    @Test(
        "the task runs once per version before the new containers; a failing or stuck task stops the release and the previous version serves on"
    )
    func releaseTasks() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let name = RealEngine.uniqueName("release")
        let tmp = try TemporaryDirectory("berth-release")
        defer { tmp.remove() }
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        func up(_ version: String) async throws -> Plan {
            try await deployer.up(
                deployer.prepare(Self.stack(name, version: version), for: .dev), timeout: .seconds(90))
        }
        func log() async throws -> [String] {
            let db = try #require(try await RealEngine.containerIDs(engine, stack: name)["db"]?.first)
            return try await engine.output(["exec", db, "cat", "/schema/log"]).split(separator: "\n").map(String.init)
        }
        func served() async -> String? {
            await RealEngine.get("http://127.0.0.1:\(Self.port)/index.html")?.trimmingCharacters(
                in: .whitespacesAndNewlines)
        }
        var failure: (any Error)?
        do {
            // First deploy: db first, then the task, then api, which starts only if it ran.
            _ = try await up("1")
            #expect(try await log() == ["migrated 1"])
            #expect(await served() == "1")

            // Unchanged: no task.
            let again = try await up("1")
            #expect(!again.hasChanges)
            #expect(try await log() == ["migrated 1"])

            // A new version: one more run, then the replacement.
            _ = try await up("2")
            #expect(try await log() == ["migrated 1", "migrated 2"])
            #expect(await served() == "2")
            let serving = try await RealEngine.containerIDs(engine, stack: name)["api"]

            // A failing task: up fails naming it, with its output; api was never touched.
            for (version, reason) in [("bad", "exited with status 4"), ("slow", "ran longer than 8.0 s")] {
                do {
                    _ = try await up(version)
                    Issue.record("up of version \(version) succeeded")
                } catch let failed as DeployFailure {
                    #expect(failed.service == "api")
                    #expect(failed.reason.contains(reason), "\(failed.reason)")
                    #expect(failed.description.contains("keep serving the previous version"), "\(failed)")
                    if version == "bad" {
                        #expect(failed.logTail?.contains("migration failed: column exists") == true, "\(failed)")
                    }
                }
                #expect(try await RealEngine.containerIDs(engine, stack: name)["api"] == serving)
                #expect(await served() == "2")
                #expect(try await log() == ["migrated 1", "migrated 2"])
            }
            // No one-off container is left behind, and the next good version goes through.
            let oneOffs = try await engine.output([
                "ps", "--all", "--quiet", "--filter", "label=com.docker.compose.project=\(name)-dev",
                "--filter", "label=com.docker.compose.oneoff=True",
            ])
            #expect(oneOffs.isEmpty)
            _ = try await up("3")
            #expect(await served() == "3")
        } catch {
            failure = error
        }
        try? await deployer.down(stack: name, environment: "dev", removeVolumes: true)
        if let failure { throw failure }
    }
}
