import BerthCore
import BerthSwarm
import Testing

@Suite("Jobs rendered for Swarm")
struct JobSwarmRenderingTests {
    static let cleanup = Service("cleanup", image: "acme/api:1")
        .entrypoint([])
        .command(["bin/cleanup"])
        .schedule("@daily")

    @Test("on Swarm the same process, one replica, updated stop-first")
    func swarm() {
        let yaml = SwarmRenderer().render(
            Stack("shop") { Self.cleanup }, for: Environment("prod", orchestrator: .swarm)
        ).yaml
        let scheduler = JobScheduler(of: Self.cleanup)!
        #expect(yaml.contains("order: \"stop-first\""))
        #expect(yaml.contains("berth_due()"))
        #expect(scheduler.program == ["bin/cleanup"])
    }
}

@Suite("A bucket's uploader rendered for Swarm")
struct BucketSwarmRenderingTests {
    @Test("`docker stack config` reads the uploader back: its program, its secrets, the outbox the job shares")
    func swarm() async throws {
        let bucket = Bucket(
            "shop-backups", endpoint: "https://s3.eu-west-1.amazonaws.com", region: "eu-west-1", accessKey: "s3_key_id",
            secretKey: "s3_secret", client: "curlimages/curl:8.11.1")
        let environment = Environment("prod", orchestrator: .swarm)
        let stack = Stack("shop") {
            Volume("uploads")
            Secret("s3_key_id", .file("secrets/s3_key_id"))
            Secret("s3_secret", .file("secrets/s3_secret"))
            Service("web", image: "acme/web:1")
                .volume("uploads", at: "/srv/uploads")
                .backup(.volume("uploads"), to: .bucket(bucket), keep: 7, schedule: "0 3 * * *")
        }.schedulingBackups(for: environment)
        #expect(stack.validate(for: environment).filter { $0.severity == .error }.isEmpty)
        let yaml = SwarmRenderer().render(stack, for: environment).yaml
        guard SwarmReferee.shouldRun else { return }
        let verdict = try await SwarmReferee.config(yaml)
        let uploader = try #require(verdict.model["services"]?["bucket-shop-backups"])
        // `docker stack config` prints the file interpolated: `$$` is `$` again.
        #expect(uploader["command"]?.strings?[2] == BucketUploader.script)
        #expect(uploader["secrets"]?.array?.compactMap { $0["source"]?.string } == ["s3_key_id", "s3_secret"])
        let job = try #require(verdict.model["services"]?["web-backup-uploads"])
        #expect(job["volumes"]?.array?.contains { $0["source"]?.string == "bucket-shop-backups-outbox" } == true)
    }
}
