import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// Redis snapshots on a real engine and a real Redis (Debian's, imported by `scripts/engine.sh`
/// as `berth-test/redis:7`), with a password and with its own saves turned off (`save ""`): a
/// value is in an archive only if the backup itself had the server write it.
@Suite(
    "End to end: Redis snapshot backups",
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(6)))
struct RedisBackupEndToEndTests {
    /// The server reads its password from the secret through a configuration file, so it is in
    /// no process's arguments; the shell is PID 1 only until `exec`.
    static let server = #"""
        printf 'requirepass %s\nsave ""\nappendonly no\nprotected-mode no\ndir /data\n' \
          "$(cat /run/secrets/redis_password)" > /tmp/redis.conf && exec redis-server /tmp/redis.conf
        """#

    static func stack(_ name: String) -> Stack {
        Stack(name) {
            Volume("redis-data")
            Volume("backups")
            Secret("redis_password", .generated(length: 24, alphabet: .alphanumeric))
            Service("cache", image: "berth-test/redis:7")
                .command(["/bin/sh", "-c", server])
                .secret("redis_password")
                .volume("redis-data", at: "/data")
                .healthCheck(
                    HealthCheck(
                        .shell(#"REDISCLI_AUTH="$(cat /run/secrets/redis_password)" redis-cli ping | grep -q PONG"#),
                        interval: .seconds(1), timeout: .seconds(10), retries: 60)
                )
                .stopGracePeriod(.seconds(10))
                .backup(
                    .redis(volume: "redis-data", password: "redis_password"), keep: 3, schedule: "* * * * *")
        }
    }

    @Test(
        "backup --now and the scheduled job both have the server save first; restore brings back each archive's values"
    )
    func snapshotAndRestore() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let name = RealEngine.uniqueName("redis-backup")
        let tmp = try TemporaryDirectory("berth-redis-backup")
        defer { tmp.remove() }
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        let stack = Self.stack(name).schedulingBackups(for: .dev)
        #expect(stack.services.map(\.name) == ["cache", "cache-backup"])
        #expect(stack.validate(for: .dev).filter { $0.severity == .error }.isEmpty)
        let backups = BackupEndToEndTests.Lab(name: name, root: tmp.url).store(stack)
        func redis(_ arguments: String...) async throws -> String {
            let container = try #require(try await RealEngine.containerIDs(engine, stack: name)["cache"]?.first)
            return try await engine.output(
                [
                    "exec", container, "/bin/sh", "-c",
                    #"REDISCLI_AUTH="$(cat /run/secrets/redis_password)" exec redis-cli "$@""#, "redis",
                ] + arguments
            ).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        var failure: (any Error)?
        do {
            _ = try await deployer.up(deployer.prepare(stack, for: .dev), timeout: .seconds(120))
            #expect(try await redis("SET", "greeting", "first") == "OK")

            // Taken at once: the value set a moment ago is in it, though the server saves nothing itself.
            let now = try #require(try await backups.take(service: "cache").first)
            #expect(now.status == .ok, "\(now)")

            // Taken by the job over the stack's network, after a second value.
            #expect(try await redis("SET", "greeting", "second") == "OK")
            let since = BackupStore.time(Date().addingTimeInterval(1))
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(170)
            var scheduled: BackupRecord?
            while scheduled == nil, clock.now < deadline {
                scheduled = try await backups.list(service: "cache").first { $0.user == "scheduler" && $0.time > since }
                if scheduled == nil { try await Task.sleep(for: .seconds(3)) }
            }
            let job = try #require(scheduled, "no scheduled backup of cache within 170 s")
            #expect(job.status == .ok, "\(job)")

            _ = try await redis("SET", "greeting", "third")
            _ = try await redis("SET", "other", "x")
            #expect(try await backups.restore(service: "cache", backup: now.id, timeout: .seconds(90)) { _ in true })
            #expect(try await redis("GET", "greeting") == "first")
            #expect(try await redis("EXISTS", "other") == "0")
            #expect(try await backups.restore(service: "cache", backup: job.id, timeout: .seconds(90)) { _ in true })
            #expect(try await redis("GET", "greeting") == "second")

            // The password reached redis-cli through its environment, never its arguments.
            let secret = try String(
                contentsOf: Workspace(root: tmp.url).secretsDirectory(stack: name, environment: "dev")
                    .appendingPathComponent("redis_password"), encoding: .utf8
            ).trimmingCharacters(in: .whitespacesAndNewlines)
            let arguments = BackupStore.redisSave(in: "cache", passwordFile: "/run/secrets/redis_password")
            #expect(!secret.isEmpty && !arguments.joined(separator: " ").contains(secret))
            // Nor in what the engine keeps of the server and the job: their environment and commands.
            for service in ["cache", "cache-backup"] {
                let id = try #require(try await RealEngine.containerIDs(engine, stack: name)[service]?.first)
                let inspected = try await engine.output(["inspect", id])
                #expect(!inspected.contains(secret), "\(service)'s `docker inspect` holds the Redis password")
            }
        } catch {
            failure = error
        }
        try await deployer.down(stack: name, environment: "dev", removeVolumes: true)
        if let failure { throw failure }
        let left = try await RealEngine.labelled(name)
        #expect(left.containers.isEmpty && left.networks.isEmpty && left.volumes.isEmpty)
    }
}
