import BerthCore
import BerthYAML
import Foundation
import Testing

@testable import BerthDeploy

/// Backups to an S3-compatible bucket on a real engine: moto's S3 server, which checks every
/// signature, as a storage service on the stack's network; the bucket's uploader runs Debian's
/// curl (`berth-test/curl:8`, imported by `scripts/engine.sh`).
@Suite(
    "End to end: backups to an S3-compatible bucket",
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(8)))
struct BucketBackupEndToEndTests {
    static func stack(_ name: String, bucket: Bucket) -> Stack {
        Stack(name) {
            Network.external("storage", realName: "\(name)-storage")
            Volume("files")
            Secret("s3_key_id", .file("s3-key-id"))
            Secret("s3_secret", .file("s3-secret"))
            Secret("backup_key", .generated(length: 32, alphabet: .alphanumeric))
            // PostgreSQL's test image for its openssl: a scheduled job encrypts in the image.
            Service("files", image: "berth-test/postgres:15")
                .user("0:0")
                .entrypoint(["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"])
                .volume("files", at: "/files")
                .stopGracePeriod(.seconds(2))
                .backup(
                    .volume("files"), to: .bucket(bucket), keep: 2, encryptedWith: "backup_key", schedule: "* * * * *")
        }
    }

    @Test(
        "a volume backed up, encrypted, into the bucket by `backup --now` and by the schedule; retention keeps 2 there; restored from it; a damaged object refused; the keys appear nowhere"
    )
    func bucket() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let name = RealEngine.uniqueName("bucket")
        let tmp = try TemporaryDirectory("berth-bucket")
        defer { tmp.remove() }
        let s3 = try await S3Server.start(name: name, port: 18705, bucket: "berth-backups")
        try Data(s3.accessKey.utf8).write(to: tmp.url.appendingPathComponent("s3-key-id"))
        try Data(s3.secretKey.utf8).write(to: tmp.url.appendingPathComponent("s3-secret"))
        let bucket = Bucket(
            "berth-backups", endpoint: "http://s3:5000", accessKey: "s3_key_id", secretKey: "s3_secret",
            client: "berth-test/curl:8", network: "storage")
        let stack = Self.stack(name, bucket: bucket)
        #expect(stack.validate(for: .dev).filter { $0.severity == .error }.isEmpty)
        let scheduled = stack.schedulingBackups(for: .dev)
        #expect(scheduled.services.map(\.name) == ["files", "files-backup-files", "bucket-berth-backups"])
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        let backups = BackupStore(
            engine: engine, stack: scheduled, environment: .dev,
            secrets: SecretStore(
                directory: Workspace(root: tmp.url).secretsDirectory(stack: name, environment: "dev"),
                environment: [:], packageDirectory: tmp.url))
        let project = backups.project
        func container(_ service: String) async throws -> String {
            try #require(try await RealEngine.containerIDs(engine, stack: name)[service]?.first)
        }
        func files(_ script: String) async throws -> String {
            try await engine.output(["exec", try await container("files"), "sh", "-c", script])
        }
        func archives() async throws -> [String] {
            try await s3.keys(prefix: project).filter { $0.hasSuffix(".tar.enc") }
        }

        var failure: (any Error)?
        do {
            _ = try await deployer.up(deployer.prepare(stack, for: .dev), timeout: .seconds(120))
            _ = try await files("echo kept > /files/a.txt; mkdir -p /files/sub; echo deep > /files/sub/.hidden")

            // What a killed writer left half-written in the outbox goes once untouched for an
            // hour; one being written now stays.
            let uploader = try await container("bucket-berth-backups")
            _ = try await engine.output([
                "exec", uploader, "sh", "-c",
                "mkdir -p /backups/\(project) && cd /backups/\(project) && echo x > .stale.tar.partial && touch -t 200001010000 .stale.tar.partial && echo x > .fresh.tar.partial",
            ])

            // `backup --now`: in the bucket when it returns, encrypted, nothing left in the outbox.
            let first = try #require(try await backups.take(service: "files").first)
            let partials = try await engine.output(["exec", uploader, "ls", "-a", "/backups/\(project)"])
            #expect(!partials.contains(".stale.tar.partial") && partials.contains(".fresh.tar.partial"), "\(partials)")
            _ = try await engine.output(["exec", uploader, "rm", "/backups/\(project)/.fresh.tar.partial"])
            #expect(first.status == .ok && first.pending == nil)
            let object = try await s3.request([], path: "/\(project)/\(try #require(first.file))")
            #expect(
                object.succeeded && object.standardOutput.hasPrefix("Salted__"), "\(object.standardOutput.prefix(200))")
            let listed = try await backups.list(service: "files")
            #expect(listed.contains { $0.id == first.id && $0.pending == nil }, "\(listed)")

            // Retention in the bucket: two more, and the first is gone from it.
            let second = try #require(try await backups.take(service: "files").first)
            let third = try #require(try await backups.take(service: "files").first)
            let kept = try await archives()
            #expect(
                !kept.contains("\(project)/\(first.file!)") && kept.contains("\(project)/\(third.file!)"), "\(kept)")
            #expect(kept.count <= 3, "\(kept)")  // 2, or 3 while a scheduled upload awaits its prune
            _ = second

            // Restored from the bucket.
            _ = try await files("rm -rf /files/a.txt /files/sub; echo new > /files/b.txt")
            #expect(try await backups.restore(service: "files", backup: third.id, timeout: .seconds(90)) { _ in true })
            #expect(try await files("cat /files/a.txt /files/sub/.hidden; ls /files") == "kept\ndeep\na.txt\nsub\n")

            // A damaged object: refused before anything stops; the data stays as it is.
            let hash = SHA256.hexDigest("not the archive")
            let put = try await ProcessRunner().run(
                [
                    "curl", "-sS", "--fail-with-body", "-K", "-", "--aws-sigv4", "aws:amz:us-east-1:s3", "-H",
                    "x-amz-content-sha256: \(hash)", "-X", "PUT", "--data-binary", "not the archive",
                    "\(s3.address)/\(s3.bucket)/\(project)/\(third.file!)",
                ], input: Array("user = \"\(s3.accessKey):\(s3.secretKey)\"\n".utf8))
            #expect(put.succeeded, "\(put.standardOutput)")
            _ = try await files("echo after > /files/c.txt")
            await #expect {
                _ = try await backups.restore(service: "files", backup: third.id, timeout: .seconds(90)) { _ in true }
            } throws: { error in
                "\(error)".contains("is damaged") && "\(error)".contains("Nothing was stopped or restored")
            }
            #expect(try await files("cat /files/c.txt") == "after\n")

            // The storage service out of reach: `backup --now` fails and says why, and `backups`
            // cannot answer for the bucket; the archive waits in the outbox, and once the service
            // is back the uploader sends it by itself.
            let deployment = Deployment(environments: [.dev]) { _ in stack }
            _ = try await engine.output(["network", "disconnect", s3.network, s3.container])
            await #expect {
                try await backups.take(service: "files")
            } throws: { error in
                "\(error)".contains("in the outbox of 'bucket-berth-backups', but uploading it")
                    && "\(error)".contains("tries again every 15 s")
            }
            let unreachable = try? await deployment.run(arguments: ["backups", "--directory", tmp.path])
            #expect(unreachable != 0)
            let waiting = try await engine.output([
                "exec", try await container("bucket-berth-backups"), "ls", "/backups/\(project)",
            ]).split(whereSeparator: \.isNewline).filter { $0.hasSuffix(".json") }
            // This one, and a scheduled run's if one came meanwhile.
            #expect(!waiting.isEmpty && waiting.count <= 2, "\(waiting)")
            _ = try await engine.output(["network", "connect", "--alias", "s3", s3.network, s3.container])
            // Uploaded once the outbox no longer holds them (the uploader removes each only once
            // the bucket has it); the newest is then in the bucket (an older one may already be
            // pruned there, if a scheduled run came meanwhile).
            let shipped = ContinuousClock.now + .seconds(60)
            var left = Set(waiting)
            while !left.isEmpty, ContinuousClock.now < shipped {
                try await Task.sleep(for: .seconds(2))
                let outbox = try await engine.output([
                    "exec", try await container("bucket-berth-backups"), "ls", "/backups/\(project)",
                ]).split(whereSeparator: \.isNewline)
                left = left.intersection(outbox)
            }
            #expect(left.isEmpty, "\(left) still wait in the outbox 60 s after the service came back")
            let newest = try #require(waiting.max())
            #expect(try await s3.keys(prefix: project).contains("\(project)/\(newest)"))

            // A service that lists but refuses the upload (a policy without s3:PutObject, a full
            // quota): `backup --now` fails with its answer, `backups` exits 1 and `status` says
            // it; allowed again, the uploader sends what waited.
            try await s3.allowUploads(false)
            await #expect {
                try await backups.take(service: "files")
            } throws: { error in
                "\(error)".contains("HTTP 403") && "\(error)".contains("AccessDenied")
            }
            #expect(try await deployment.run(arguments: ["backups", "--directory", tmp.path]) == 1)
            let refused = await backups.statusSection() ?? ""
            #expect(refused.contains("files volume-files: NOT UPLOADED") && refused.contains("HTTP 403"), "\(refused)")
            try await s3.allowUploads(true)
            let allowed = ContinuousClock.now + .seconds(60)
            var pending = [BackupRecord]()
            repeat {
                try await Task.sleep(for: .seconds(2))
                pending = try await backups.list(service: "files").filter { $0.pending == true }
            } while !pending.isEmpty && ContinuousClock.now < allowed
            #expect(pending.isEmpty, "still waiting 60 s after uploads were allowed again: \(pending)")
            #expect(try await deployment.run(arguments: ["backups", "--directory", tmp.path]) == 0)

            // The schedule: a run of the job lands in the bucket through the outbox by itself.
            let written = BackupStore.time(Date().addingTimeInterval(1))
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(170)
            var byScheduler: BackupRecord?
            while clock.now < deadline, byScheduler == nil {
                byScheduler = try await backups.list(service: "files").first {
                    $0.user == "scheduler" && $0.time > written && $0.pending == nil
                }
                if byScheduler == nil { try await Task.sleep(for: .seconds(3)) }
            }
            let scheduledRecord = try #require(byScheduler, "no scheduled backup reached the bucket within 170 s")
            #expect(
                scheduledRecord.status == .ok && scheduledRecord.encryptionKey == "backup_key", "\(scheduledRecord)")
            let scheduledFile = try #require(scheduledRecord.file, "\(scheduledRecord)")
            #expect(try await s3.keys(prefix: project).contains("\(project)/\(scheduledFile)"))
            let uploaderLogs = try await engine.run(["logs", try await container("bucket-berth-backups")])
            #expect(
                uploaderLogs.standardOutput.contains("uploaded \(scheduledRecord.id) to berth-backups"),
                "\(uploaderLogs.standardOutput.suffix(2000))")

            // The commands, as a user runs them.
            #expect(try await deployment.run(arguments: ["backups", "--directory", tmp.path]) == 0)

            // The keys: in no rendered file, no container's configuration, no log.
            let inspected = try await engine.output(["inspect", try await container("bucket-berth-backups")])
            var rendered = ""
            if let walker = FileManager.default.enumerator(
                at: tmp.url.appendingPathComponent(".berth"), includingPropertiesForKeys: nil)
            {
                for case let file as URL in walker
                where file.pathExtension == "yml" || file.pathExtension == "yaml" || file.pathExtension == "json" {
                    rendered += (try? String(contentsOf: file, encoding: .utf8)) ?? ""
                }
            }
            #expect(!rendered.isEmpty)
            for secret in [s3.secretKey] {
                #expect(!inspected.contains(secret))
                #expect(!rendered.contains(secret))
                #expect(!uploaderLogs.standardOutput.contains(secret) && !uploaderLogs.standardError.contains(secret))
            }
        } catch {
            failure = error
        }
        try await deployer.down(stack: name, environment: "dev", removeVolumes: true)
        await s3.stop()
        if let failure { throw failure }
        let left = try await RealEngine.labelled(name)
        #expect(left.containers.isEmpty && left.networks.isEmpty && left.volumes.isEmpty)
    }
}
