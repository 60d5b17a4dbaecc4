import Foundation
import Testing

@testable import BerthCore

@Suite("Validation: backups to a bucket")
struct BucketValidationTests {
    static let bucket = Bucket(
        "shop-backups", endpoint: "https://s3.eu-west-1.amazonaws.com", region: "eu-west-1",
        accessKey: "s3_key_id", secretKey: "s3_secret", client: "curlimages/curl:8.11.1")

    static func stack(bucket: Bucket = bucket, schedule: String? = "0 3 * * *") -> Stack {
        Stack("shop") {
            Volume("uploads")
            Secret("s3_key_id", .file("secrets/s3_key_id"))
            Secret("s3_secret", .file("secrets/s3_secret"))
            Service("web", image: "acme/web:1")
                .volume("uploads", at: "/srv/uploads")
                .backup(.volume("uploads"), to: .bucket(bucket), keep: 7, schedule: schedule)
        }
    }

    /// What every command validates: the stack with its jobs and uploaders.
    static func diagnostics(_ stack: Stack) -> [Diagnostic] {
        stack.schedulingBackups(for: .dev).validate(for: .dev).filter { $0.severity == .error }
    }

    @Test("a bucket adds one uploader with the keys as secrets and an outbox the jobs write to")
    func uploader() throws {
        let stack = Self.stack().schedulingBackups(for: .dev)
        #expect(Self.diagnostics(Self.stack()).isEmpty, "\(Self.diagnostics(Self.stack()))")
        #expect(stack.services.map(\.name) == ["web", "web-backup-uploads", "bucket-shop-backups"])
        #expect(stack.volumes.map(\.name) == ["uploads", "bucket-shop-backups-outbox"])
        let uploader = try #require(stack.service(named: "bucket-shop-backups"))
        #expect(uploader.image.reference == "curlimages/curl:8.11.1")
        #expect(uploader.secrets.map(\.secret) == ["s3_key_id", "s3_secret"])
        #expect(uploader.command == ["/bin/sh", "-c", BucketUploader.script, "berth-bucket", "serve"])
        let environment = Dictionary(uniqueKeysWithValues: uploader.environment.map { ($0.key, $0.value) })
        #expect(environment["BERTH_RETENTION"] == .literal("web volume-uploads 7"))
        #expect(environment["BERTH_ENDPOINT"] == .literal("https://s3.eu-west-1.amazonaws.com"))
        #expect(environment["BERTH_PROJECT"] == .literal("shop-dev"))
        // The job writes into the outbox, as it would into a volume destination.
        let job = try #require(stack.service(named: "web-backup-uploads"))
        #expect(job.mounts.contains { $0.source == .volume("bucket-shop-backups-outbox") && $0.target == "/backups" })
        // Without a schedule the uploader is still there: `backup --now` goes through it.
        let unscheduled = Self.stack(schedule: nil).schedulingBackups(for: .dev)
        #expect(unscheduled.services.map(\.name) == ["web", "bucket-shop-backups"])
        // On a Swarm the uploader runs on every node (an outbox is a node's volume), and the job
        // where the service it backs up runs.
        var pinned = Self.stack()
        pinned.services[0] = pinned.services[0].constraint("node.hostname == storage-1")
        let swarm = pinned.schedulingBackups(for: Environment("prod", orchestrator: .swarm))
        #expect(swarm.service(named: "bucket-shop-backups")?.deploy.mode == .global)
        #expect(
            swarm.service(named: "web-backup-uploads")?.deploy.constraints.map(\.expression) == [
                "node.hostname == storage-1"
            ])
        #expect(stack.service(named: "bucket-shop-backups")?.deploy.mode == .replicated)
        // Idempotent: a deployment's stacks already have it.
        #expect(stack.schedulingBackups(for: .dev).services.count == 3)
    }

    @Test("each mistake is an error on the line of its .backup, naming what to fix")
    func mistakes() throws {
        func only(_ bucket: Bucket, _ code: Diagnostic.Code = .invalidBackup) throws -> Diagnostic {
            let found = Self.diagnostics(Self.stack(bucket: bucket))
            #expect(found.count == 1, "\(found)")
            let diagnostic = try #require(found.first)
            #expect(diagnostic.code == code)
            #expect(diagnostic.location?.fileID.hasSuffix("BucketValidationTests.swift") == true)
            return diagnostic
        }
        var bucket = Self.bucket
        bucket.name = "Shop_Backups"
        #expect(try only(bucket).message.contains("not a bucket name S3 accepts"))
        bucket = Self.bucket
        bucket.endpoint = "s3.eu-west-1.amazonaws.com"
        #expect(try only(bucket).fix.contains("http://minio:9000"))
        bucket = Self.bucket
        bucket.region = "EU West"
        #expect(try only(bucket).message.contains("region \"EU West\""))
        bucket = Self.bucket
        bucket.secretKey = "s3_secrt"
        let undeclared = try only(bucket, .undeclaredSecret)
        #expect(undeclared.message.contains("'s3_secrt'") && undeclared.fix.contains("s3_secret"))
        bucket = Self.bucket
        bucket.network = "storage"
        #expect(try only(bucket, .undeclaredNetwork).message.contains("'storage'"))
    }

    @Test("credentials in the endpoint are caught before they reach a rendered file")
    func credentialsInEndpoint() {
        var bucket = Self.bucket
        bucket.endpoint = "https://AKIAEXAMPLE:wJalrXUtnFEMIK7MDENG@s3.eu-west-1.amazonaws.com"
        let found = Self.diagnostics(Self.stack(bucket: bucket))
        #expect(!found.isEmpty && found.allSatisfy { $0.code == .secretInEnvironment }, "\(found)")
    }

    @Test("one bucket described two ways, and an uploader's name taken, are errors")
    func conflicts() throws {
        var other = Self.bucket
        other.endpoint = "https://s3.us-east-1.amazonaws.com"
        var stack = Self.stack()
        stack.volumes.append(Volume("files"))
        stack.services.append(
            Service("files", image: "acme/files:1").volume("files", at: "/files").backup(
                .volume("files"), to: .bucket(other)))
        let twice = Self.diagnostics(stack)
        #expect(
            twice.count == 1 && twice[0].message.contains("differently from the backup of service 'web'"), "\(twice)")

        stack = Self.stack()
        stack.services.append(Service("bucket-shop-backups", image: "acme/other:1"))
        let taken = Self.diagnostics(stack)
        #expect(taken.contains { $0.message.contains("through the uploader 'bucket-shop-backups'") }, "\(taken)")
    }
}
