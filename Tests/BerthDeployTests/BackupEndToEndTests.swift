import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// Backups on a real engine and a real PostgreSQL (Debian's postgresql-15, imported by
/// `scripts/engine.sh` as `berth-test/postgres:15`): rows written, backed up, deleted and
/// restored; a damaged archive refused with the data untouched; retention; a plain volume; a
/// failed backup recorded and reported.
@Suite(
    "End to end: backups and verified restores",
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(6)))
struct BackupEndToEndTests {
    /// `db` is PostgreSQL with its password from a generated secret; `app` depends on it, so a
    /// restore stops and restarts it; `files` keeps files in a volume.
    static func stack(_ name: String, database: String = "app", encrypted: Bool = true) -> Stack {
        Stack(name) {
            Volume("pgdata")
            Volume("files")
            Volume("backups")
            Secret("db_password", .generated(length: 24, alphabet: .alphanumeric))
            Secret("backup_key", .generated(length: 32, alphabet: .alphanumeric))
            Service("db", image: "berth-test/postgres:15")
                .environment("POSTGRES_USER", "app")
                .environment("POSTGRES_DB", "app")
                .secret("db_password", pathVariable: "POSTGRES_PASSWORD_FILE")
                .volume("pgdata", at: "/var/lib/postgresql/data")
                .healthCheck(
                    HealthCheck(
                        .command(["pg_isready", "-U", "app", "-d", "app"]), interval: .seconds(1),
                        timeout: .seconds(10), retries: 60)
                )
                .stopGracePeriod(.seconds(20))
                .backup(
                    .postgres(database: database, user: "app"), keep: 2, encryptedWith: encrypted ? "backup_key" : nil)
            Service("app", image: "berth-test/busybox:1")
                // A shell as PID 1 without a handler ignores SIGTERM: a restore waits out its grace period.
                .command(["sh", "-c", "while true; do sleep 1; done"])
                .dependsOn("db", condition: .healthy)
                .stopGracePeriod(.seconds(2))
            Service("files", image: "berth-test/busybox:1")
                .command(["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"])
                .volume("files", at: "/files")
                .stopGracePeriod(.seconds(2))
                .backup(.volume("files"), keep: 3)
        }
    }

    /// What both tests do on the engine to one deployed stack.
    struct Lab {
        let engine = DockerEngine()
        let name: String
        let root: URL

        func store(_ stack: Stack) -> BackupStore {
            BackupStore(
                engine: engine, stack: stack, environment: .dev,
                secrets: SecretStore(
                    directory: Workspace(root: root).secretsDirectory(stack: name, environment: "dev"),
                    environment: [:], packageDirectory: root))
        }

        func container(_ service: String) async throws -> String {
            try #require(try await RealEngine.containerIDs(engine, stack: name)[service]?.first)
        }

        func sql(_ statement: String) async throws -> String {
            try await engine.output(
                ["exec", try await container("db"), "psql", "-U", "app", "-d", "app", "-tAc", statement]
            ).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    @Test(
        "PostgreSQL: rows backed up, deleted and restored; a damaged archive is refused with the data untouched; retention keeps 2; a volume comes back; a failed backup is reported"
    )
    func backupAndRestore() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let name = RealEngine.uniqueName("backup")
        let tmp = try TemporaryDirectory("berth-backup")
        defer { tmp.remove() }
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        let stack = Self.stack(name)
        let lab = Lab(name: name, root: tmp.url)
        let store = lab.store
        let backups = store(stack)
        let container = lab.container
        let sql = lab.sql
        func startedAt(_ service: String) async throws -> String {
            try await engine.output(["inspect", "--format", "{{.State.StartedAt}}", try await container(service)])
        }
        func inVolume(_ script: String) async throws -> String {
            try await engine.output([
                "run", "--rm", "--network", "none", "-v", "\(backups.volumeName("backups")):/b",
                "berth-test/busybox:1", "sh", "-c", script,
            ])
        }

        var failure: (any Error)?
        do {
            _ = try await deployer.up(deployer.prepare(stack, for: .dev), timeout: .seconds(120))
            _ = try await sql("CREATE TABLE notes (id int PRIMARY KEY, body text)")
            _ = try await sql("INSERT INTO notes VALUES (1, 'one'), (2, 'two'), (3, 'three')")

            // Backed up, encrypted: the archive is not a readable dump.
            let first = try #require(try await backups.take(service: "db").first)
            #expect(first.status == .ok && first.encryptionKey == "backup_key")
            let head = try await inVolume("head -c 8 /b/\(backups.project)/\(first.file!)")
            #expect(head.hasPrefix("Salted__"), "the archive begins with \(head.debugDescription)")

            // Deleted, restored: the rows are back, and the writer was stopped and restarted.
            _ = try await sql("DELETE FROM notes")
            #expect(try await sql("SELECT count(*) FROM notes") == "0")
            let appBefore = try await startedAt("app")
            let restored = try await backups.restore(service: "db", backup: first.id, timeout: .seconds(90)) { _ in
                true
            }
            #expect(restored)
            #expect(try await sql("SELECT string_agg(body, ',' ORDER BY id) FROM notes") == "one,two,three")
            #expect(try await startedAt("app") != appBefore, "app writes to the database, so it is stopped and started")

            // A damaged archive: refused before anything stops; rows written since stay.
            let second = try #require(try await backups.take(service: "db").first)
            _ = try await inVolume("printf x >> /b/\(backups.project)/\(second.file!)")
            _ = try await sql("INSERT INTO notes VALUES (4, 'after')")
            let appRunning = try await startedAt("app")
            await #expect {
                _ = try await backups.restore(service: "db", backup: second.id, timeout: .seconds(90)) { _ in true }
            } throws: { error in
                "\(error)".contains("is damaged") && "\(error)".contains("Nothing was stopped or restored")
            }
            #expect(try await sql("SELECT count(*) FROM notes") == "4")
            #expect(try await startedAt("app") == appRunning)

            // Retention: a third backup removes the oldest; two remain.
            let third = try #require(try await backups.take(service: "db").first)
            let kept = try await backups.list(service: "db").filter { $0.status == .ok }.map(\.id)
            #expect(kept == [second.id, third.id])
            let files = try await inVolume("ls /b/\(backups.project)")
            #expect(!files.contains(first.id), "\(files)")

            // A policy changed since: the archive is read with the key it was written with.
            _ = try await sql("DELETE FROM notes WHERE id = 4")
            let plain = store(Self.stack(name, encrypted: false))
            #expect(try await plain.restore(service: "db", backup: third.id, timeout: .seconds(90)) { _ in true })
            #expect(try await sql("SELECT count(*) FROM notes") == "4")

            // A plain volume: a file deleted comes back.
            let filesContainer = try await container("files")
            _ = try await engine.output([
                "exec", filesContainer, "sh", "-c",
                "echo kept > /files/a.txt; mkdir -p /files/sub; echo deep > /files/sub/.hidden",
            ])
            let archive = try #require(try await backups.take(service: "files").first)
            _ = try await engine.output([
                "exec", filesContainer, "sh", "-c", "rm -rf /files/a.txt /files/sub; echo new > /files/b.txt",
            ])
            #expect(
                try await backups.restore(service: "files", backup: archive.id, timeout: .seconds(90)) { _ in true })
            let now = try await engine.output([
                "exec", try await container("files"), "sh", "-c", "cat /files/a.txt /files/sub/.hidden; ls /files",
            ])
            #expect(now == "kept\ndeep\na.txt\nsub\n", "\(now)")

            // A failed backup (a database that does not exist) is recorded and reported.
            let broken = store(Self.stack(name, database: "missing"))
            await #expect(throws: BackupFailure.self) { try await broken.take(service: "db") }
            let records = try await backups.list(service: "db")
            let failing = BackupListing.failing(records)
            #expect(failing.count == 1 && failing.first?.error?.contains("missing") == true, "\(failing)")
            let section = await backups.statusSection() ?? ""
            #expect(
                section.contains("db postgres: FAILED at")
                    && section.contains("files volume-files: files-volume-files-"), "\(section)")
            // The commands, as a user runs them: `backups` exits 1 while the newest failed.
            let deployment = Deployment(environments: [.dev]) { _ in stack }
            #expect(try await deployment.run(arguments: ["backups", "--directory", tmp.path]) == 1)
            #expect(try await deployment.run(arguments: ["backups", "files", "--directory", tmp.path]) == 0)
            // A later success, by the command, prunes the failure.
            #expect(try await deployment.run(arguments: ["backup", "db", "--now", "--directory", tmp.path]) == 0)
            let after = try await backups.list(service: "db")
            #expect(BackupListing.failing(after).isEmpty && after.allSatisfy { $0.status == .ok } && after.count == 2)
            #expect(try await deployment.run(arguments: ["backups", "--json", "--directory", tmp.path]) == 0)
            // No terminal to confirm on: refused, nothing stopped.
            let appBeforeRefusal = try await startedAt("app")
            await #expect(throws: (any Error).self) {
                _ = try await deployment.run(arguments: ["restore", "db", after[0].id, "--directory", tmp.path])
            }
            #expect(try await startedAt("app") == appBeforeRefusal)
        } catch {
            failure = error
        }
        try await deployer.down(stack: name, environment: "dev", removeVolumes: true)
        if let failure { throw failure }
        let left = try await RealEngine.labelled(name)
        #expect(left.containers.isEmpty && left.networks.isEmpty && left.volumes.isEmpty)
    }

    @Test(
        "a one-minute schedule: jobs back up the database (encrypted in the container) and a volume by themselves; restore takes their archives"
    )
    func scheduled() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let name = RealEngine.uniqueName("backup-cron")
        let tmp = try TemporaryDirectory("berth-backup-cron")
        defer { tmp.remove() }
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        var stack = Self.stack(name)
        stack.services[0].backups = []
        stack.services[0] = stack.services[0].backup(
            .postgres(database: "app", user: "app", password: "db_password"), keep: 2, encryptedWith: "backup_key",
            schedule: "* * * * *")
        stack.services[2].backups = []
        stack.services[2] = stack.services[2].backup(.volume("files"), keep: 2, schedule: "* * * * *")
        #expect(stack.validate(for: .dev).filter { $0.severity == .error }.isEmpty)
        let scheduled = stack.schedulingBackups(for: .dev)
        #expect(scheduled.services.map(\.name) == ["db", "app", "files", "db-backup", "files-backup-files"])
        #expect(scheduled.validate(for: .dev).filter { $0.severity == .error }.isEmpty)
        let lab = Lab(name: name, root: tmp.url)
        let backups = lab.store(scheduled)
        let container = lab.container
        let sql = lab.sql
        /// The first backup the scheduler took of `service` after `since`, waiting for it (a run
        /// is due at each minute, so within about a minute and its run time).
        func scheduledBackup(of service: String, after since: String) async throws -> BackupRecord? {
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(170)
            while clock.now < deadline {
                if let found = try await backups.list(service: service).first(where: {
                    $0.user == "scheduler" && $0.time > since
                }) {
                    return found
                }
                try await Task.sleep(for: .seconds(3))
            }
            return nil
        }

        var failure: (any Error)?
        do {
            _ = try await deployer.up(deployer.prepare(scheduled, for: .dev), timeout: .seconds(120))
            _ = try await sql("CREATE TABLE notes (id int PRIMARY KEY, body text)")
            _ = try await sql("INSERT INTO notes VALUES (1, 'one'), (2, 'two')")
            _ = try await engine.output(["exec", try await container("files"), "sh", "-c", "echo kept > /files/a.txt"])
            // A run may have come between `up` and the writes: only later ones hold them. Runs
            // start at a whole minute, so one in this second does not count either.
            let written = BackupStore.time(Date().addingTimeInterval(1))

            let dump = try #require(
                try await scheduledBackup(of: "db", after: written), "no scheduled backup of db within 170 s")
            #expect(dump.status == .ok && dump.encryptionKey == "backup_key", "\(dump)")
            let archive = try #require(
                try await scheduledBackup(of: "files", after: written), "no scheduled backup of files within 170 s")
            #expect(archive.status == .ok, "\(archive)")

            _ = try await sql("DELETE FROM notes")
            #expect(try await backups.restore(service: "db", backup: dump.id, timeout: .seconds(90)) { _ in true })
            #expect(try await sql("SELECT string_agg(body, ',' ORDER BY id) FROM notes") == "one,two")

            _ = try await engine.output(["exec", try await container("files"), "rm", "/files/a.txt"])
            #expect(
                try await backups.restore(service: "files", backup: archive.id, timeout: .seconds(90)) { _ in true })
            #expect(try await engine.output(["exec", try await container("files"), "cat", "/files/a.txt"]) == "kept\n")

            // The job's runs show as a job's do.
            let logs = try await engine.output(["logs", try await container("db-backup")])
            #expect(logs.contains("berth-job: run") && logs.contains("backup \(dump.id) written"), "\(logs)")
        } catch {
            failure = error
        }
        try await deployer.down(stack: name, environment: "dev", removeVolumes: true)
        if let failure { throw failure }
        let left = try await RealEngine.labelled(name)
        #expect(left.containers.isEmpty && left.networks.isEmpty && left.volumes.isEmpty)
    }
}
