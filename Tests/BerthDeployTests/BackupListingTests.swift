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
        "on a Swarm of several nodes the data's node decides: its engine from the environment, else an error naming it; a service on two nodes, or on none and pinned to none, is refused"
    )
    func swarmNodes() async throws {
        final class Calls: Sendable {
            let made = Mutex<[[String]]>([])
            var count: Int { made.withLock { $0.count } }
        }
        func store(tasks: String, environment: Environment, pinned: String? = nil) -> (BackupStore, Calls) {
            let calls = Calls()
            let runner = ScriptedRunner { arguments in
                calls.made.withLock { $0.append(arguments) }
                if arguments.contains("node") && arguments.contains("ls") {
                    return CommandResult(exitCode: 0, standardOutput: "n1 true\nn2 false\n", standardError: "")
                }
                if arguments.contains("service") && arguments.contains("ps") {
                    return CommandResult(exitCode: 0, standardOutput: tasks, standardError: "")
                }
                if arguments.contains("inspect") {
                    return CommandResult(exitCode: 0, standardOutput: "10.0.0.5\n", standardError: "")
                }
                return CommandResult(exitCode: 1, standardOutput: "", standardError: "not expected")
            }
            var db = Service("db", image: "postgres:16").volume("pgdata", at: "/var/lib/postgresql/data")
                .backup(.postgres(database: "shop", user: "shop"))
            if let pinned { db = db.constraint("node.hostname == \(pinned)") }
            let stack = Stack("shop") {
                Volume("pgdata")
                Volume("backups")
                db
            }
            let store = BackupStore(
                engine: DockerEngine(runner: runner), stack: stack, environment: environment,
                secrets: SecretStore(
                    directory: URL(fileURLWithPath: "/nonexistent"), environment: [:],
                    packageDirectory: URL(fileURLWithPath: "/nonexistent")))
            return (store, calls)
        }
        let swarm = Environment.prod.on(.swarm)

        // On the node Berth talks to: this store, nothing more asked.
        var (backups, calls) = store(tasks: "n1\n", environment: swarm)
        var onNode = try await backups.onNode(of: "db")
        #expect(onNode.manager == nil && onNode.engine.target == Target())
        #expect(calls.count == 2)

        // On another node the environment does not name: refused, naming it and the line to add.
        (backups, calls) = store(tasks: "n2\n", environment: swarm)
        var error = await #expect(throws: EngineError.self) { _ = try await backups.onNode(of: "db") }
        #expect(error?.message.contains("on the Swarm node n2 (10.0.0.5)") == true, "\(String(describing: error))")
        #expect(error?.message.contains(#".node("n2", engine: "ssh://USER@10.0.0.5")"#) == true)

        // Named: the helpers go to its engine, the scaling to the manager.
        (backups, calls) = store(tasks: "n2\n", environment: swarm.node("n2", engine: "ssh://deploy@10.0.0.5"))
        onNode = try await backups.onNode(of: "db")
        #expect(onNode.engine.target == Target(host: "ssh://deploy@10.0.0.5"))
        #expect(onNode.manager?.target == Target())

        // Replicas on two nodes: two copies of the data, none of them the one.
        (backups, calls) = store(tasks: "n1\nn2\n", environment: swarm)
        error = await #expect(throws: EngineError.self) { _ = try await backups.onNode(of: "db") }
        #expect(error?.message.contains("runs on the nodes n1, n2") == true)

        // No task (scaled to 0 by a restore a killed deployer left): the constraint says where.
        (backups, calls) = store(
            tasks: "", environment: swarm.node("n2", engine: "ssh://deploy@10.0.0.5"), pinned: "n2")
        #expect(try await backups.onNode(of: "db").engine.target == Target(host: "ssh://deploy@10.0.0.5"))
        (backups, calls) = store(tasks: "", environment: swarm)
        error = await #expect(throws: EngineError.self) { _ = try await backups.onNode(of: "db") }
        #expect(error?.message.contains("no placement constraint says which node") == true)

        // Compose, and a Swarm of one node: no question asked beyond the nodes.
        (backups, calls) = store(tasks: "n2\n", environment: .prod)
        #expect(try await backups.onNode(of: "db").manager == nil)
        #expect(calls.count == 0)
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
