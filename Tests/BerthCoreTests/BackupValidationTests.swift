import BerthProcess
import Foundation
import Testing

@testable import BerthCore

@Suite("Validation: backups")
struct BackupValidationTests {
    static func db(_ backup: (Service) -> Service) -> Service {
        backup(Service("db", image: "postgres:16").volume("pgdata", at: "/var/lib/postgresql/data"))
    }

    @Test("a PostgreSQL dump and a volume archive to a declared volume, encrypted with a file secret, pass")
    func valid() {
        let stack = Stack("shop") {
            Volume("pgdata")
            Volume("backups")
            Secret("backup_key", .file("secrets/backup_key"))
            Self.db {
                $0.backup(.postgres(database: "shop", user: "shop"), keep: 7, encryptedWith: "backup_key")
                    .backup(.volume("pgdata"), to: .hostDirectory("/var/backups/shop"))
            }
        }
        #expect(stack.validate(for: .dev).isEmpty)
        let backups = stack.services[0].backups
        #expect(backups.map(\.name) == ["postgres", "volume-pgdata"])
        #expect(backups.map(\.fileExtension) == ["dump.enc", "tar"])
        #expect(backups[1].keep == 30 && backups[1].encryptionKey == nil)
    }

    @Test("each mistake is an error on the line of its .backup, naming what to fix")
    func mistakes() throws {
        func only(_ stack: Stack) throws -> Diagnostic {
            let found = stack.validate(for: .dev).filter { $0.code == .invalidBackup }
            #expect(found.count == 1, "\(found)")
            return try #require(found.first)
        }
        var line = #line + 4
        var found = try only(
            Stack("shop") {
                Volume("pgdata")
                Self.db { $0.backup(.postgres(database: "shop", user: "shop")) }
            })
        #expect(found.message.contains("'backups', which the stack does not declare"))
        #expect(found.location?.line == line)

        line = #line + 5
        found = try only(
            Stack("shop") {
                Volume("pgdata")
                Volume("backups")
                Self.db { $0.backup(.volume("uploads")) }
            })
        #expect(found.message.contains("'uploads', which it does not mount; it mounts 'pgdata'"))
        #expect(found.location?.line == line)

        found = try only(
            Stack("shop") {
                Volume("pgdata")
                Self.db { $0.backup(.volume("pgdata"), to: .volume("pgdata")) }
            })
        #expect(found.message.contains("into itself"))

        found = try only(
            Stack("shop") {
                Volume("pgdata")
                Volume("backups")
                Self.db { $0.backup(.postgres(database: "shop", user: "shop"), keep: 0) }
            })
        #expect(found.message.contains("keeps 0 archives"))

        found = try only(
            Stack("shop") {
                Volume("pgdata")
                Self.db { $0.backup(.postgres(database: "shop", user: "shop"), to: .hostDirectory("backups/../x")) }
            })
        #expect(found.message.contains("not an absolute path"))

        found = try only(
            Stack("shop") {
                Volume("pgdata")
                Volume("backups")
                Self.db { $0.backup(.postgres(database: "shop", user: "shop"), encryptedWith: "key") }
            })
        #expect(
            found.message.contains("'key', which the stack does not declare") && found.fix.contains("Secret(\"key\""))

        found = try only(
            Stack("shop") {
                Volume("pgdata")
                Volume("backups")
                Secret("key", .external("backup-key"))
                Self.db { $0.backup(.postgres(database: "shop", user: "shop"), encryptedWith: "key") }
            })
        #expect(found.message.contains("Berth cannot read"))

        found = try only(
            Stack("shop") {
                Volume("pgdata")
                Volume("backups")
                Self.db {
                    $0.backup(.postgres(database: "shop", user: "shop")).backup(
                        .postgres(database: "other", user: "shop"))
                }
            })
        #expect(found.message.contains("two backups of the same postgres"))

        found = try only(
            Stack("shop") {
                Volume("pgdata")
                Volume("backups")
                Self.db { $0.backup(.postgres(database: "my db", user: "shop")) }
            })
        #expect(found.message.contains("the database \"my db\""))
    }

    @Test(
        "a scheduled backup is a job of the stack; a bad schedule, or a scheduled dump without a password, is an error")
    func scheduled() throws {
        let stack = Stack("shop") {
            Volume("pgdata")
            Volume("backups")
            Secret("db_password", .file("secrets/db"))
            Self.db {
                $0.backup(.postgres(database: "shop", user: "shop", password: "db_password"), schedule: "0 3 * * *")
                    .backup(.volume("pgdata"), keep: 3, schedule: "@hourly")
            }
        }
        #expect(stack.validate(for: .dev).isEmpty)
        let jobs = stack.schedulingBackups(for: .prod)
        #expect(jobs.services.map(\.name) == ["db", "db-backup", "db-backup-pgdata"])
        #expect(jobs.validate(for: .dev).isEmpty, "\(jobs.validate(for: .dev))")
        let dump = jobs.services[1]
        #expect(dump.schedule?.expression == "0 3 * * *" && dump.user == "0:0")
        #expect(dump.secrets.map(\.secret) == ["db_password"])
        #expect(dump.mounts.map(\.target) == ["/backups"])
        let variables = Dictionary(uniqueKeysWithValues: dump.environment.map { ($0.key, "\($0.value)") })
        #expect(
            variables["BERTH_PROJECT"]?.contains("shop-prod") == true && variables["BERTH_KEEP"]?.contains("30") == true
        )
        let archive = jobs.services[2]
        #expect(archive.mounts.map { "\($0.target) \($0.isReadOnly)" } == ["/data true", "/backups false"])
        // Without limits of its own, a job has none; with them, it is bounded like its service.
        #expect(dump.resources.isEmpty)
        let limited = Stack("shop") {
            Volume("pgdata")
            Volume("backups")
            Self.db {
                $0.resources(Resources(cpuLimit: 2, memoryLimit: "2g", cpuReservation: 1))
                    .backup(.volume("pgdata"), keep: 3, schedule: "@hourly")
            }
        }.schedulingBackups(for: .prod)
        #expect(limited.services[1].resources == Resources(cpuLimit: 2, memoryLimit: "2g"))
        // Deployments see the jobs; a stack without schedules is left as it is.
        #expect(Deployment { _ in stack }.describe(.dev).services.count == 3)
        #expect(Stack("plain") { validService() }.schedulingBackups(for: .dev).services.count == 1)

        let bad = Stack("shop") {
            Volume("pgdata")
            Volume("backups")
            Self.db { $0.backup(.postgres(database: "shop", user: "shop"), schedule: "0 25 * * *") }
        }
        let found = bad.validate(for: .dev).filter { $0.code == .invalidBackup }.map(\.message)
        #expect(found.count == 2, "\(found)")
        #expect(found.contains { $0.contains("not a cron expression") })
        #expect(found.contains { $0.contains("needs the password") })
    }

    @Test("the job's script is valid POSIX sh, for dash and busybox alike")
    func scriptParses() async throws {
        for shell in ["/bin/sh", "/bin/dash", "/bin/busybox"] where FileManager.default.isExecutableFile(atPath: shell)
        {
            let arguments = [shell] + (shell.hasSuffix("busybox") ? ["sh"] : []) + ["-n", "-c", BackupJob.script]
            let outcome = try await Command.run(arguments)
            #expect(outcome.status == 0, "\(shell) -n refuses the script: \(outcome.errorText)")
        }
    }
}

@Suite("Validation: Redis snapshot backups")
struct RedisBackupValidationTests {
    static func cache(password: String? = "redis_password", reads: Bool = true, volume: String = "redis-data")
        -> Stack
    {
        Stack("shop") {
            Volume("redis-data")
            Volume("backups")
            Secret("redis_password", .file("secrets/redis"))
            Service("cache", image: "redis:7.4")
                .volume("redis-data", at: "/data")
                .secret(reads ? "redis_password" : "unrelated")
                .backup(.redis(volume: volume, password: password), keep: 5, schedule: "@hourly")
        }
    }

    @Test("a snapshot of the volume the server keeps its data in: a tar archive named redis, its job on the network")
    func valid() throws {
        var stack = Self.cache()
        stack.secrets.append(Secret("unrelated", .file("secrets/unrelated")))
        #expect(stack.validate(for: .dev).isEmpty, "\(stack.validate(for: .dev))")
        let backup = try #require(stack.services[0].backups.first)
        #expect(backup.name == "redis" && backup.fileExtension == "tar" && backup.kind.archivedVolume == "redis-data")
        let jobs = stack.schedulingBackups(for: .prod)
        #expect(jobs.services.map(\.name) == ["cache", "cache-backup"])
        let job = jobs.services[1]
        #expect(job.secrets.map(\.secret) == ["redis_password"])
        #expect(job.mounts.map { "\($0.target) \($0.isReadOnly)" } == ["/data true", "/backups false"])
        #expect(job.networks == stack.services[0].networks)
        let variables = Dictionary(uniqueKeysWithValues: job.environment.map { ($0.key, "\($0.value)") })
        #expect(
            variables["BERTH_KIND"]?.contains("redis") == true && variables["BERTH_HOST"]?.contains("cache") == true)
        #expect(variables["BERTH_PASSWORD_FILE"]?.contains("/run/secrets/redis_password") == true)
        #expect(BackupJob.script.contains("redis-cli -h \"$BERTH_HOST\" SAVE"))
    }

    @Test("a volume the server does not mount, or a password secret it does not read, is an error naming the fix")
    func mistakes() throws {
        var unread = Self.cache(reads: false)
        unread.secrets.append(Secret("unrelated", .file("secrets/unrelated")))
        let notRead = unread.validate(for: .dev).filter { $0.code == .invalidBackup }
        #expect(notRead.count == 1, "\(notRead)")
        #expect(notRead.first?.message.contains("'redis_password', which the service does not read") == true)
        #expect(notRead.first?.fix.contains(".secret(\"redis_password\")") == true)

        let unmounted = Self.cache(volume: "elsewhere").validate(for: .dev).filter { $0.code == .invalidBackup }
        #expect(unmounted.count == 1, "\(unmounted)")
        #expect(
            unmounted.first?.message.contains("keeps its Redis data in the volume 'elsewhere', which it does not mount")
                == true)
        #expect(Self.cache(password: nil).validate(for: .dev).filter { $0.code == .invalidBackup }.isEmpty)
    }
}
