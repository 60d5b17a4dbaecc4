import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

@Suite("Optional secrets")
struct OptionalSecretTests {
    static func stack() -> Stack {
        Stack("shop") {
            Secret("sentry_dsn", .environment("SHOP_SENTRY_DSN")).optional()
            Secret("license", .file("license.key")).optional()
            Secret("db_password", .environment("SHOP_DB_PASSWORD"))
            Service("api", image: "berth-test/busybox:1")
                .entrypoint([])
                .command(["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"])
                .secret("sentry_dsn", pathVariable: "SENTRY_DSN_FILE")
                .secret("license")
                .secret("db_password")
                .environment("SENTRY_URL", .composed("\(secret: "sentry_dsn")?env=dev"))
                .environment("DATABASE_URL", .composed("postgresql://app:\(secret: "db_password")@db/app"))
                .stopGracePeriod(.seconds(1))
        }
    }

    @Test("a missing optional source leaves its secret, mounts and composed variables out; a present one stays")
    func leftOut() throws {
        let tmp = try TemporaryDirectory("berth-optional")
        defer { tmp.remove() }
        let none = OptionalSecrets(environment: [:], packageDirectory: tmp.url)
        #expect(none.absent(in: Self.stack()) == ["sentry_dsn", "license"])
        let stack = OptionalSecrets.removing(none.absent(in: Self.stack()), from: Self.stack())
        #expect(stack.secrets.map(\.name) == ["db_password"])
        let api = try #require(stack.services.first)
        #expect(api.secrets.map(\.secret) == ["db_password"])
        #expect(api.environment.map(\.key) == ["DATABASE_URL"])
        #expect(stack.validate(for: .dev).isEmpty)

        try Data("key".utf8).write(to: tmp.url.appendingPathComponent("license.key"))
        let some = OptionalSecrets(environment: ["SHOP_SENTRY_DSN": "https://k@sentry/1"], packageDirectory: tmp.url)
        #expect(some.absent(in: Self.stack()).isEmpty)
        #expect(OptionalSecrets.note([], of: Self.stack()) == nil)
        let note = try #require(OptionalSecrets.note(["sentry_dsn", "license"], of: Self.stack()))
        #expect(
            note.contains("'sentry_dsn' (SHOP_SENTRY_DSN is not set)")
                && note.contains("'license' (license.key does not exist)"))
    }

    @Test("only a secret read from a file or an environment variable can be optional")
    func onlyReadSecrets() {
        let stack = Stack("shop") {
            Secret.generated("token").optional()
            Service("api", image: "acme/api:1").secret("token")
        }
        #expect(stack.validate(for: .dev).map(\.code) == [.invalidOptionalSecret])
    }

    @Test(
        "on a real engine: without its source the service runs with no file and no composed variable; once the source is there, up adds them",
        .enabled(
            if: RealEngine.shouldRun,
            "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"))
    func onARealEngine() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let tmp = try TemporaryDirectory("berth-optional")
        defer { tmp.remove() }
        var stack = Self.stack()
        stack.name = RealEngine.uniqueName("optional")
        func deployer(_ environment: [String: String]) -> ComposeDeployer {
            var deployer = RealEngine.deployer(root: tmp.url, label: stack.name)
            deployer.processEnvironment = environment.merging(["PATH": "/usr/bin:/bin"]) { $1 }
            return deployer
        }
        func inContainer(_ script: String) async throws -> String {
            let id = try #require(try await RealEngine.containerIDs(engine, stack: stack.name)["api"]?.first)
            return try await engine.output(["exec", id, "sh", "-c", script])
        }
        let without = deployer(["SHOP_DB_PASSWORD": "pw-1234567890"])
        var failure: (any Error)?
        do {
            _ = try await without.up(without.prepare(stack, for: .dev), timeout: .seconds(60))
            #expect(try await inContainer("ls /run/secrets") == "db_password\n")
            let environ = try await inContainer("tr '\\0' '\\n' < /proc/1/environ")
            #expect(
                !environ.contains("SENTRY") && environ.contains("DATABASE_URL=postgresql://app:pw-1234567890@db/app"))
            #expect(try await !without.plan(without.prepare(stack, for: .dev)).hasChanges)

            let with = deployer(["SHOP_DB_PASSWORD": "pw-1234567890", "SHOP_SENTRY_DSN": "https://k@sentry/1"])
            let plan = try await with.plan(with.prepare(stack, for: .dev))
            #expect(plan.services.map(\.action) == [.update], "\(plan.summary)")
            _ = try await with.up(with.prepare(stack, for: .dev), timeout: .seconds(60))
            #expect(try await inContainer("cat \"$SENTRY_DSN_FILE\"") == "https://k@sentry/1")
            #expect(
                try await inContainer("tr '\\0' '\\n' < /proc/1/environ").contains(
                    "SENTRY_URL=https://k@sentry/1?env=dev\n"))
        } catch {
            failure = error
        }
        try? await without.down(stack: stack.name, environment: "dev", removeVolumes: true)
        if let failure { throw failure }
    }
}
