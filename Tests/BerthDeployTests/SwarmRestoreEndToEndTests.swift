import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// A volume backup restored on the single-node Swarm the test script starts: the services that
/// write to the volume are scaled to 0 while the archive goes in and back to their replicas after.
@Suite(
    "End to end: restore on Swarm",
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine in Swarm mode (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(6)))
struct SwarmRestoreEndToEndTests {
    static func stack(_ name: String) -> Stack {
        Stack(name) {
            Volume("files")
            Volume("backups")
            Service("files", image: "berth-test/busybox:1")
                .command(["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"])
                .volume("files", at: "/files")
                .endpointMode(.dnsrr)
                .stopGracePeriod(.seconds(2))
                .backup(.volume("files"), keep: 3)
            // A shell as PID 1 without a handler ignores SIGTERM, as many real images do:
            // scaling it to 0 waits out its grace period and the engine kills it.
            Service("indexer", image: "berth-test/busybox:1")
                .command(["sh", "-c", "sleep 3600 & wait"])
                .volume("files", at: "/files")
                .replicas(2)
                .endpointMode(.dnsrr)
                .stopGracePeriod(.seconds(2))
        }
    }

    @Test("the writers are scaled to 0 and back; the volume holds exactly the archive's files; plan is clean")
    func restoreOnSwarm() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let name = RealEngine.uniqueName("sw-restore")
        let tmp = try TemporaryDirectory("berth-swarm-restore")
        defer { tmp.remove() }
        let deployer = SwarmEndToEndTests.deployer(root: tmp.url, label: name)
        let environment = SwarmEndToEndTests.swarmDev
        let stack = Self.stack(name)
        let store = BackupStore(
            engine: engine, stack: stack.schedulingBackups(for: environment), environment: environment,
            secrets: SecretStore(
                directory: Workspace(root: tmp.url).secretsDirectory(stack: name, environment: "dev"),
                environment: [:], packageDirectory: tmp.url))
        func files() async throws -> String {
            let container = try await ServiceExec(engine: engine, stack: stack, environment: environment)
                .container(of: "files", index: 1)
            return try await engine.output([
                "exec", container.id, "sh", "-c", "cd /files && for f in $(ls | sort); do echo \"$f=$(cat $f)\"; done",
            ]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try await SwarmEndToEndTests.withStack(name, deployer) {
            try await deployer.up(deployer.prepare(stack, for: environment), timeout: .seconds(120))
            let writer = try await ServiceExec(engine: engine, stack: stack, environment: environment)
                .container(of: "files", index: 1)
            _ = try await engine.output(["exec", writer.id, "sh", "-c", "echo one > /files/a"])
            let record = try #require(try await store.take(service: "files").first)
            #expect(record.status == .ok)
            _ = try await engine.output(["exec", writer.id, "sh", "-c", "echo two > /files/a; echo extra > /files/b"])
            #expect(try await files() == "a=two\nb=extra")

            var asked = ""
            let restored = try await store.restore(service: "files", backup: record.id, timeout: .seconds(120)) {
                asked = $0
                return true
            }
            #expect(restored)
            #expect(asked.contains("scaling \(name)-dev_files, \(name)-dev_indexer to 0"), "\(asked)")
            #expect(try await files() == "a=one")
            let services = try await engine.swarmServices(stack: name, environment: "dev")
            #expect(services.map { "\($0.service) \($0.running)/\($0.desired)" } == ["files 1/1", "indexer 2/2"])
            #expect(try await !deployer.plan(deployer.prepare(stack, for: environment)).hasChanges)
        }
    }
}
