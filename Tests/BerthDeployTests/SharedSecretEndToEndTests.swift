import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// A secret the shared infrastructure generates and an app stack reads, on the single-node Swarm
/// the test script starts.
@Suite(
    "End to end: a shared secret on Swarm",
    .serialized,
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine in Swarm mode (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(6)))
struct SharedSecretEndToEndTests {
    static func reader(_ name: String) -> Service {
        Service(name, image: "berth-test/busybox:1")
            .command(["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"])
            .secret("db_password", pathVariable: "DB_PASSWORD_FILE")
            .endpointMode(.dnsrr)
            .healthCheck(HealthCheck(.shell("test -s /run/secrets/db_password"), interval: .seconds(1)))
    }

    /// The secret as one task of a service reads it; compared, never printed.
    static func value(in stack: String, service: String) async throws -> String {
        let task = try await DockerEngine().output([
            "ps", "--quiet", "--filter", "label=com.docker.swarm.service.name=\(stack)-dev_\(service)",
        ])
        let id = try #require(task.split(whereSeparator: \.isNewline).first.map(String.init))
        return try await DockerEngine().output(["exec", id, "cat", "/run/secrets/db_password"])
    }

    @Test("the app reads the owner's generated value; before the owner is deployed, the app is refused naming it")
    func sharedSecret() async throws {
        try RealEngine.require()
        let tmp = try TemporaryDirectory("berth-shared-secret")
        defer { tmp.remove() }
        let owner = RealEngine.uniqueName("infra")
        let app = RealEngine.uniqueName("app")
        let password = SharedSecret("db_password", owner: owner, length: 24)
        let environment = SwarmEndToEndTests.swarmDev
        let ownerStack = Stack(owner) {
            password
            Self.reader("db")
        }
        let appStack = Stack(app) {
            password
            Self.reader("api")
        }
        #expect(ownerStack.secrets.map(\.source) == [.generated(length: 24, alphabet: .alphanumeric)])
        #expect(appStack.secrets.map(\.source) == [.shared(owner: owner, name: "db_password")])

        let ownerDeployer = SwarmEndToEndTests.deployer(root: tmp.url.appending(path: "infra"), label: owner)
        let appDeployer = SwarmEndToEndTests.deployer(root: tmp.url.appending(path: "app"), label: app)
        do {
            try await appDeployer.up(appDeployer.prepare(appStack, for: environment), timeout: .seconds(60))
            Issue.record("the app deployed before the stack that owns its secret")
        } catch let error as SecretError {
            #expect(error.description.contains("deploy \(owner) first"), "\(error)")
        }
        #expect(try await DockerEngine().swarmServices(stack: app, environment: "dev").isEmpty)

        try await SwarmEndToEndTests.withStack(owner, ownerDeployer) {
            try await ownerDeployer.up(ownerDeployer.prepare(ownerStack, for: environment), timeout: .seconds(120))
            try await SwarmEndToEndTests.withStack(app, appDeployer) {
                try await appDeployer.up(appDeployer.prepare(appStack, for: environment), timeout: .seconds(120))
                let ownerValue = try await Self.value(in: owner, service: "db")
                let appValue = try await Self.value(in: app, service: "api")
                #expect(ownerValue.count == 24)
                #expect(ownerValue == appValue, "the app reads another value than the owner's")
                // The app created no secret of its own: it refers to the owner's.
                #expect(try await SwarmEndToEndTests.secrets(of: app).isEmpty)

                // The owner rotates; the app still reads the old version, which therefore stays.
                let ownerPrepared = try ownerDeployer.prepare(ownerStack, for: environment)
                try await ownerDeployer.up(ownerPrepared, timeout: .seconds(120), rotating: ["db_password"])
                let rotated = try await Self.value(in: owner, service: "db")
                #expect(rotated != ownerValue)
                #expect(try await SwarmEndToEndTests.secrets(of: owner).count == 2)  // the old version and the new
                // Another deploy of the owner keeps the newest version, not the one still in use.
                try await ownerDeployer.up(ownerPrepared, timeout: .seconds(120))
                #expect(try await Self.value(in: owner, service: "db") == rotated)
                // The app's next deploy moves it to the owner's current version.
                try await appDeployer.up(appDeployer.prepare(appStack, for: environment), timeout: .seconds(120))
                #expect(try await Self.value(in: app, service: "api") == rotated)
            }
        }
    }
}
