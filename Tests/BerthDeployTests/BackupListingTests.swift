import BerthCore
import Foundation
import Synchronization
import Testing

@testable import BerthDeploy

@Suite("backups: the listing, and which failures it reports")
struct BackupListingTests {
    static func record(_ service: String, _ policy: String, _ time: String, failed: Bool = false) -> BackupRecord {
        BackupRecord(
            id: "\(service)-\(policy)-\(time)", service: service, policy: policy, status: failed ? .failed : .ok,
            time: "2026-12-04T03:00:\(time).000Z", file: failed ? nil : "\(service)-\(policy)-\(time).dump",
            size: failed ? nil : 1536, sha256: failed ? nil : "ab", encryptionKey: nil,
            error: failed ? "pg_dump exited with status 1" : nil, user: "ops", host: "ci")
    }

    @Test("only the newest backup of each policy counts: an old failure a success followed does not")
    func failing() {
        let records = [
            Self.record("db", "postgres", "01", failed: true), Self.record("db", "postgres", "02"),
            Self.record("files", "volume-files", "01"), Self.record("files", "volume-files", "03", failed: true),
        ]
        #expect(BackupListing.failing(records).map(\.id) == ["files-volume-files-03"])
        #expect(BackupListing.failing(Array(records.prefix(3))).isEmpty)
    }

    @Test("the table has a row per backup with its size, status and who took it")
    func table() {
        let text = BackupListing.table([
            Self.record("db", "postgres", "02"), Self.record("db", "postgres", "03", failed: true),
        ])
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("BACKUP"))
        #expect(
            lines[1].contains("2026-12-04 03:00:02.000") && lines[1].contains("1.5 KiB") && lines[1].contains("ops@ci"))
        #expect(lines[2].contains("failed: pg_dump exited with status 1"))
    }

    @Test("sizes read as people read them")
    func sizes() {
        #expect(BackupStore.size(900) == "900 B")
        #expect(BackupStore.size(1536) == "1.5 KiB")
        #expect(BackupStore.size(5 * 1024 * 1024 * 1024) == "5.0 GiB")
    }

    @Test(
        "restore on a Swarm of several nodes is refused after asking for the nodes only, and says how to do it by hand")
    func swarmRestoreRefused() async throws {
        let calls = Mutex<[[String]]>([])
        let runner = ScriptedRunner { arguments in
            calls.withLock { $0.append(arguments) }
            if arguments.suffix(3) == ["node", "ls", "--quiet"] {
                return CommandResult(exitCode: 0, standardOutput: "n1\nn2\n", standardError: "")
            }
            return CommandResult(exitCode: 1, standardOutput: "", standardError: "not expected")
        }
        let stack = Stack("shop") {
            Volume("pgdata")
            Volume("backups")
            Service("db", image: "postgres:16").volume("pgdata", at: "/var/lib/postgresql/data")
                .backup(.postgres(database: "shop", user: "shop"))
        }
        let store = BackupStore(
            engine: DockerEngine(runner: runner), stack: stack, environment: Environment.prod.on(.swarm),
            secrets: SecretStore(
                directory: URL(fileURLWithPath: "/nonexistent"), environment: [:],
                packageDirectory: URL(fileURLWithPath: "/nonexistent")))
        let error = await #expect(throws: EngineError.self) {
            _ = try await store.restore(service: "db", backup: "db-postgres-x", timeout: .seconds(1)) { _ in true }
        }
        #expect(error?.message.contains("docker service scale") == true)
        #expect(error?.message.contains("manages 2 nodes") == true)
        #expect(calls.withLock { $0 }.map { Array($0.suffix(3)) } == [["node", "ls", "--quiet"]])
    }

    @Test("a helper counts as stranded only when the engine's clock says it is older than the limit")
    func strandedHelpers() {
        let inspected = """
            aaa 2026-12-05T01:00:00.123456789Z
            bbb 2026-12-05T01:00:55.5Z
            ccc 2026-12-05T02:00:30+01:00
            ddd not a time
            """
        let now = "2026-12-05T01:01:00.987654321Z"
        #expect(BackupStore.stranded(inspected, now: now, olderThan: 10) == ["aaa", "ccc"])
        #expect(BackupStore.stranded(inspected, now: now, olderThan: 60) == [])
        #expect(BackupStore.stranded(inspected, now: "garbage", olderThan: 0) == [])
        #expect(BackupStore.engineTime("2026-12-05T02:00:00.5+01:00") == BackupStore.engineTime("2026-12-05T01:00:00Z"))
    }
}
