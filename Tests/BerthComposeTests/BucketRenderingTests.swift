import BerthCompose
import BerthCore
import BerthTesting
import Foundation
import Testing

@Suite("A bucket's uploader rendered for Compose")
struct BucketRenderingTests {
    static let stack = Stack("shop") {
        Network("storage")
        Volume("uploads")
        Secret("s3_key_id", .file("secrets/s3_key_id"))
        Secret("s3_secret", .file("secrets/s3_secret"))
        Service("web", image: "acme/web:1")
            .volume("uploads", at: "/srv/uploads")
            .backup(
                .volume("uploads"),
                to: .bucket(
                    Bucket(
                        "shop-backups", endpoint: "http://minio:9000", accessKey: "s3_key_id", secretKey: "s3_secret",
                        client: "curlimages/curl:8.11.1", network: "storage")), keep: 7, schedule: "0 3 * * *")
    }

    @Test(
        "Compose reads the uploader back whole: its program, the keys as secret files, the outbox shared with the job")
    func compose() async throws {
        let stack = Self.stack.schedulingBackups(for: .dev)
        #expect(stack.validate(for: .dev).filter { $0.severity == .error }.isEmpty)
        let yaml = ComposeRenderer().render(stack, for: .dev).yaml
        guard ComposeReferee.shouldRun else { return }
        let verdict = try await ComposeReferee.config(yaml)
        let uploader = try #require(verdict.model["services"]?["bucket-shop-backups"])
        #expect(
            uploader["command"]?.strings
                == ["/bin/sh", "-c", BucketUploader.script, "berth-bucket", "serve"].map {
                    $0.replacingOccurrences(of: "$", with: "$$")
                })
        #expect(uploader["image"]?.string == "curlimages/curl:8.11.1")
        #expect(uploader["secrets"]?.array?.compactMap { $0["source"]?.string } == ["s3_key_id", "s3_secret"])
        #expect(uploader["networks"]?["storage"] != nil)
        let outbox = "shop-dev_bucket-shop-backups-outbox"
        #expect(verdict.model["volumes"]?["bucket-shop-backups-outbox"]?["name"]?.string == outbox)
        for service in ["bucket-shop-backups", "web-backup-uploads"] {
            let mounts = verdict.model["services"]?[service]?["volumes"]?.array ?? []
            #expect(
                mounts.contains {
                    $0["source"]?.string == "bucket-shop-backups-outbox" && $0["target"]?.string == "/backups"
                }, "\(service): \(mounts)")
        }
    }
}
