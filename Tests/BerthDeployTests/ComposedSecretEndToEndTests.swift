import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// A variable composed from a secret, on a real engine: the program gets it, nothing the engine
/// keeps or shows has the value.
@Suite(
    "End to end: variables composed from secrets at start",
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(5)))
struct ComposedSecretEndToEndTests {
    static func stack(_ name: String, host: String) -> Stack {
        Stack(name) {
            Secret.generated("db_password")
            Service("api", image: "berth-test/busybox:1")
                .entrypoint([])
                .command(["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"])
                .secret("db_password")
                .environment("MODE", "test")
                .environment("DATABASE_URL", .composed("postgresql://app:\(secret: "db_password")@\(host):5432/app"))
                .stopGracePeriod(.seconds(2))
        }
    }

    @Test(
        "the program (PID 1) has the composed URL; the rendered file, docker inspect and every argv hold only the template; a second up changes nothing"
    )
    func composedAtStart() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let name = RealEngine.uniqueName("composed")
        let tmp = try TemporaryDirectory("berth-composed")
        defer { tmp.remove() }
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        var failure: (any Error)?
        do {
            let stack = Self.stack(name, host: "db")
            _ = try await deployer.up(deployer.prepare(stack, for: .dev), timeout: .seconds(90))
            let workspace = Workspace(root: tmp.url)
            let password = try String(
                contentsOf: workspace.secretsDirectory(stack: name, environment: "dev").appending(path: "db_password"),
                encoding: .utf8)
            #expect(password.count == 32)
            let container = try #require(try await RealEngine.containerIDs(engine, stack: name)["api"]?.first)

            // The program is PID 1 (the shim exec'd it) and has the composed value.
            let environ = try await engine.output(["exec", container, "sh", "-c", "tr '\\0' '\\n' < /proc/1/environ"])
            #expect(environ.contains("DATABASE_URL=postgresql://app:\(password)@db:5432/app\n"), "\(environ)")
            #expect(environ.contains("MODE=test"))
            let argv = try await engine.output(["exec", container, "sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline"])
            #expect(argv.hasPrefix("sh -c trap"), "PID 1 runs \(argv)")
            // No process in the container has the value in its arguments.
            let all = try await engine.output([
                "exec", container, "sh", "-c", "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; done",
            ])
            #expect(!all.contains(password))

            // What the engine keeps and shows: the template only.
            let inspect = try await engine.output(["inspect", container])
            #expect(!inspect.contains(password), "docker inspect holds the value")
            #expect(inspect.contains("berth_secret_1"))
            let rendered = try String(
                contentsOf: workspace.composeFile(stack: name, environment: "dev"), encoding: .utf8)
            #expect(!rendered.contains(password))

            // Nothing to change on a second deploy; a changed template is an update.
            #expect(try await !deployer.plan(deployer.prepare(stack, for: .dev)).hasChanges)
            let moved = Self.stack(name, host: "db2")
            let plan = try await deployer.plan(deployer.prepare(moved, for: .dev))
            #expect(plan.services.map(\.action) == [.update], "\(plan.services)")
            _ = try await deployer.up(deployer.prepare(moved, for: .dev), timeout: .seconds(90))
            let replaced = try #require(try await RealEngine.containerIDs(engine, stack: name)["api"]?.first)
            let updated = try await engine.output(["exec", replaced, "sh", "-c", "tr '\\0' '\\n' < /proc/1/environ"])
            #expect(updated.contains("DATABASE_URL=postgresql://app:\(password)@db2:5432/app\n"))
        } catch {
            failure = error
        }
        try? await deployer.down(stack: name, environment: "dev", removeVolumes: true)
        if let failure { throw failure }
    }
}
