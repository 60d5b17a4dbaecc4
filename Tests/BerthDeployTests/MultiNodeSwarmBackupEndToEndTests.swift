import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// Backups and restores on a Swarm of two nodes (`scripts/remote-engines.sh`: manager `swa`,
/// worker `swb`, each a dockerd of its own): the data lives on the worker, so the helpers must
/// run on the worker's engine while the writers are scaled through the manager.
@Suite(
    "End to end: backup and restore on a Swarm of two nodes",
    .enabled(
        if: RemoteEngines.shouldRun,
        "needs the remote engines' Swarm (scripts/remote-engines.sh up); BERTH_REMOTE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(6)))
struct MultiNodeSwarmBackupEndToEndTests {
    struct Lab {
        var manager: String
        var worker: String
        var workerNode: String

        static func require() throws -> Lab {
            _ = try RemoteEngines.require()
            let environment = ProcessInfo.processInfo.environment
            guard let manager = environment["BERTH_SWARM_MANAGER"], let worker = environment["BERTH_SWARM_WORKER"],
                let node = environment["BERTH_SWARM_WORKER_NODE"]
            else {
                Issue.record("BERTH_SWARM_MANAGER, BERTH_SWARM_WORKER and BERTH_SWARM_WORKER_NODE are not set")
                throw RemoteEnginesUnavailable()
            }
            return Lab(manager: manager, worker: worker, workerNode: node)
        }
    }

    static func stack(_ name: String, on node: String) -> Stack {
        Stack(name) {
            Volume("files")
            Volume("backups")
            Service("files", image: "berth-test/busybox:1")
                .command(["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"])
                .volume("files", at: "/files")
                .constraint("node.hostname == \(node)")
                .endpointMode(.dnsrr)
                .stopGracePeriod(.seconds(2))
                .backup(.volume("files"), keep: 2)
            Service("indexer", image: "berth-test/busybox:1")
                .command(["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"])
                .volume("files", at: "/files")
                .constraint("node.hostname == \(node)")
                .endpointMode(.dnsrr)
                .stopGracePeriod(.seconds(2))
        }
    }

    @Test(
        "the data on the worker: without its engine Berth says which node and what to declare; with it, the archive is taken and restored there and the writers scaled through the manager"
    )
    func restoreOnWorker() async throws {
        let lab = try Lab.require()
        let name = RealEngine.uniqueName("sw-nodes")
        let tmp = try TemporaryDirectory("berth-swarm-nodes")
        defer { tmp.remove() }
        let managerEngine = DockerEngine(target: Target(host: lab.manager))
        let workerEngine = DockerEngine(target: Target(host: lab.worker))
        let compose = RealEngine.deployer(root: tmp.url, label: name)
        var deployer = SwarmDeployer(engine: managerEngine, workspace: compose.workspace, console: compose.console)
        deployer.pollInterval = .milliseconds(500)
        let plain = Environment("dev", orchestrator: .swarm)
        let environment = plain.node(lab.workerNode, engine: lab.worker)
        let stack = Self.stack(name, on: lab.workerNode)
        func store(_ environment: Environment) -> BackupStore {
            BackupStore(
                engine: managerEngine, stack: stack.schedulingBackups(for: environment), environment: environment,
                secrets: SecretStore(
                    directory: Workspace(root: tmp.url).secretsDirectory(stack: name, environment: "dev"),
                    environment: [:], packageDirectory: tmp.url))
        }
        let project = store(environment).project
        func files() async throws -> String {
            let container = try await ServiceExec(engine: workerEngine, stack: stack, environment: environment)
                .container(of: "files", index: 1)
            return try await workerEngine.output([
                "exec", container.id, "sh", "-c", "cd /files && for f in $(ls | sort); do echo \"$f=$(cat $f)\"; done",
            ]).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        var failure: (any Error)?
        do {
            try await deployer.up(deployer.prepare(stack, for: environment), timeout: .seconds(150))
            let writer = try await ServiceExec(engine: workerEngine, stack: stack, environment: environment)
                .container(of: "files", index: 1)
            _ = try await workerEngine.output(["exec", writer.id, "sh", "-c", "echo one > /files/a"])

            // Without the worker's engine: refused, naming the node and the line to add.
            await #expect {
                try await store(plain).take(service: "files")
            } throws: { error in
                "\(error)".contains("on the Swarm node \(lab.workerNode)")
                    && "\(error)".contains(".node(\"\(lab.workerNode)\", engine:")
            }

            // With it: the archive is written on the worker, beside the data.
            let backups = store(environment)
            let record = try #require(try await backups.take(service: "files").first)
            #expect(record.status == .ok)
            let onWorker = try await workerEngine.output(["volume", "ls", "--quiet"])
            #expect(onWorker.contains("\(project)_backups"), "\(onWorker)")
            let onManager = try await managerEngine.output(["volume", "ls", "--quiet"])
            #expect(!onManager.contains("\(project)_backups"), "\(onManager)")
            #expect(try await backups.list(service: "files").map(\.id) == [record.id])

            _ = try await workerEngine.output([
                "exec", writer.id, "sh", "-c", "echo two > /files/a; echo extra > /files/b",
            ])
            #expect(try await files() == "a=two\nb=extra")
            var asked = ""
            #expect(
                try await backups.restore(service: "files", backup: record.id, timeout: .seconds(120)) {
                    asked = $0
                    return true
                })
            #expect(asked.contains("scaling \(project)_files, \(project)_indexer to 0"), "\(asked)")
            #expect(try await files() == "a=one")
            let services = try await managerEngine.swarmServices(stack: name, environment: "dev")
            #expect(services.map { "\($0.service) \($0.running)/\($0.desired)" } == ["files 1/1", "indexer 1/1"])
            #expect(try await !deployer.plan(deployer.prepare(stack, for: environment)).hasChanges)
        } catch {
            failure = error
        }
        do {
            try await deployer.down(stack: name, environment: "dev", removeVolumes: true)
        } catch {
            if failure == nil { failure = error }
        }
        // A node's volumes are its own: the manager removes only those it holds.
        let left = try await workerEngine.output([
            "volume", "ls", "--quiet", "--filter", "label=com.docker.stack.namespace=\(project)",
        ]).split(whereSeparator: \.isNewline).map(String.init)
        if !left.isEmpty {
            // The tasks' containers go a moment after their services.
            for _ in 0..<30 {
                if try await workerEngine.run(["volume", "rm"] + left).succeeded { break }
                try await Task.sleep(for: .seconds(1))
            }
        }
        if let failure { throw failure }
    }
}
