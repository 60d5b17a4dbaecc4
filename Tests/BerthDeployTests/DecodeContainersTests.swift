import Foundation
import Testing

@testable import BerthDeploy

@Suite("DockerEngine.decodeContainers")
struct DecodeContainersTests {
    @Test("decodes a real `docker container inspect` array")
    func decodesRealInspectOutput() throws {
        let containers = try DockerEngine.decodeContainers(inspectFixture)
        #expect(containers.count == 2)
        // Sorted by service, then name: `job` before `web`.
        #expect(containers.map(\.service) == ["job", "web"])

        let web = try #require(containers.last)
        #expect(web.id == "f36f688287412e92464907000538f7512b92095036b7e8cf91c1f750c66d5914")
        #expect(web.name == "fixture-dev-web-1")
        #expect(web.state == "running")
        #expect(web.health == "healthy")
        #expect(web.isReady)
        // The most recent entry of the health log, which Docker lists oldest first.
        #expect(web.lastHealthOutput == "probe-output-marker last\n")
        #expect(web.exitCode == 0)
        #expect(web.image == "berth-test/busybox:1")
        #expect(web.startedAt == "2026-11-24T04:33:47.636573603Z")
        // A port that is exposed but not published (`null` bindings) is not listed.
        #expect(web.ports == ["127.0.0.1:18199->8080/tcp"])
        #expect(web.configHash == "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
        #expect(
            web.fieldHashes == [
                "command": "aaaaaaaaaaaa", "environment": "bbbbbbbbbbbb", "image": "cccccccccccc",
            ])

        let job = try #require(containers.first)
        #expect(job.name == "fx-job")
        #expect(job.state == "exited")
        #expect(job.exitCode == 3)
        #expect(job.health == nil)
        #expect(job.lastHealthOutput == nil)
        #expect(!job.isReady)
        #expect(job.ports.isEmpty)
        #expect(job.configHash == nil)
        #expect(job.fieldHashes.isEmpty)
    }

    @Test("falls back to Compose's service label and tolerates missing optional parts")
    func minimalContainer() throws {
        let json = """
            [{"Id": "abc", "Name": "/p-api-1", "State": {"Status": "created"},
              "Config": {"Labels": {"com.docker.compose.service": "api"}}}]
            """
        let container = try #require(try DockerEngine.decodeContainers(json).first)
        #expect(container.service == "api")
        #expect(container.name == "p-api-1")
        #expect(container.state == "created")
        #expect(container.exitCode == 0)
        #expect(container.image == "")
        #expect(container.ports.isEmpty)
    }

    @Test("an empty array decodes to no containers; garbage throws")
    func emptyAndInvalid() throws {
        #expect(try DockerEngine.decodeContainers("[]").isEmpty)
        #expect(throws: (any Error).self) { try DockerEngine.decodeContainers("Error: No such object") }
    }
}
