import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// Release tasks on the single-node Swarm the test script starts, with the stack of
/// ``ReleaseTaskEndToEndTests``: the task runs as a one-off Swarm job of the new version, after
/// the services it needs and before the service changes; a failing or stuck one leaves the
/// previous version serving and no job behind.
@Suite(
    "End to end: release tasks on Swarm",
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine in Swarm mode (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(10)))
struct SwarmReleaseTaskEndToEndTests {
    @Test(
        "the task runs once per version, as a job, before the service changes; a failing or stuck task stops the release with the previous version serving"
    )
    func releaseTasksOnSwarm() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let name = RealEngine.uniqueName("sw-release")
        let tmp = try TemporaryDirectory("berth-swarm-release")
        defer { tmp.remove() }
        let deployer = SwarmEndToEndTests.deployer(root: tmp.url, label: name)
        let environment = SwarmEndToEndTests.swarmDev
        let stackName = "\(name)-dev"
        func up(_ version: String) async throws -> Plan {
            try await deployer.up(
                deployer.prepare(
                    ReleaseTaskEndToEndTests.stack(name, version: version, onSwarm: true), for: environment),
                timeout: .seconds(180))
        }
        /// The running task container of a service.
        func container(_ service: String) async throws -> String {
            let ids = try await engine.output([
                "ps", "--quiet", "--filter", "label=com.docker.swarm.service.name=\(stackName)_\(service)", "--filter",
                "status=running",
            ]).split(whereSeparator: \.isNewline).map(String.init)
            return try #require(ids.first, "no running task of \(service)")
        }
        func log() async throws -> [String] {
            try await engine.output(["exec", try await container("db"), "cat", "/schema/log"])
                .split(separator: "\n").map(String.init)
        }
        func served() async throws -> String {
            try await engine.output([
                "exec", try await container("api"), "wget", "-qO-", "http://127.0.0.1:8080/index.html",
            ])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        /// Release job services and their containers, running or not, by the engine's own names.
        func jobs() async throws -> [String] {
            let services = try await engine.output(["service", "ls", "--format", "{{.Name}}"])
                .split(whereSeparator: \.isNewline).map(String.init).filter { $0.hasPrefix("\(stackName)_api-release") }
            let containers = try await engine.output([
                "ps", "--all", "--format", "{{.Names}}", "--filter",
                "label=com.docker.swarm.service.name=\(stackName)_api-release",
            ]).split(whereSeparator: \.isNewline).map(String.init)
            return services + containers
        }
        try await SwarmEndToEndTests.withStack(name, deployer) {
            // First deploy: db first, then the task, then api, which starts only if it ran.
            _ = try await up("1")
            #expect(try await log() == ["migrated 1"])
            #expect(try await served() == "1")

            // Unchanged: no task.
            let again = try await up("1")
            #expect(!again.hasChanges)
            #expect(try await log() == ["migrated 1"])

            // A new version: one more run, then the update.
            _ = try await up("2")
            #expect(try await log() == ["migrated 1", "migrated 2"])
            #expect(try await served() == "2")

            for (version, reason) in [("bad", "exit (4)"), ("slow", "ran longer than 8.0 s")] {
                do {
                    _ = try await up(version)
                    Issue.record("up of version \(version) succeeded")
                } catch let failed as DeployFailure {
                    #expect(failed.service == "api")
                    #expect(failed.reason.contains(reason), "\(failed.reason)")
                    #expect(failed.description.contains("previous version keeps serving"), "\(failed)")
                    if version == "bad" {
                        #expect(failed.logTail?.contains("migration failed: column exists") == true, "\(failed)")
                    }
                }
                #expect(try await served() == "2")
                #expect(try await log() == ["migrated 1", "migrated 2"])
                #expect(try await jobs().isEmpty)
            }
            // A deployer stopped while its task runs leaves the job running; the next deploy
            // removes it before its own task, so two never run at once.
            let stopped = Task { try await up("slow") }
            let clock = ContinuousClock()
            let started = clock.now
            while try await jobs().isEmpty && clock.now - started < .seconds(60) {
                try await Task.sleep(for: .milliseconds(200))
            }
            stopped.cancel()
            _ = await stopped.result
            #expect(try await !jobs().isEmpty, "the stopped deployer's job is still there")

            // The plan still shows the change; the next good version goes through.
            #expect(
                try await deployer.plan(
                    deployer.prepare(
                        ReleaseTaskEndToEndTests.stack(name, version: "3", onSwarm: true), for: environment)
                ).hasChanges)
            _ = try await up("3")
            #expect(try await served() == "3")
            #expect(try await log() == ["migrated 1", "migrated 2", "migrated 3"])
            #expect(try await jobs().isEmpty)
        }
    }
}
