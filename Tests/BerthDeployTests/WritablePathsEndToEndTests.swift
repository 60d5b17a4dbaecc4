import BerthCompose
import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// `.writablePaths([…])`: a read-only root file system with a tmpfs at each declared path,
/// rendered and then tried on a real engine.
@Suite("Writable paths: a read-only root except where the service writes")
struct WritablePathsTests {
    static func service() -> Service {
        Service("app", image: "berth-test/busybox:1")
            .command(["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"])
            .volume("data", at: "/data")
            .writablePaths(["/tmp", "/data", "/var/run/app"])
            .stopGracePeriod(.seconds(2))
    }

    @Test("the root is read-only, each path without a mount gets a tmpfs, a volume keeps its mount")
    func rendered() throws {
        let stack = Stack("ro") {
            Volume("data")
            Self.service()
        }
        let document = ComposeRenderer().render(stack, for: .dev)
        #expect(!document.diagnostics.containsErrors, "\(document.diagnostics)")
        let yaml = document.yaml
        #expect(yaml.contains("read_only: true"), "\(yaml)")
        let app = try #require(stack.services.first)
        #expect(app.readOnlyRootFilesystem)
        let mounts = app.mounts.map { "\($0.target) \($0.source)" }
        #expect(mounts.count == 3, "\(mounts)")
        #expect(
            app.mounts.filter { if case .tmpfs = $0.source { true } else { false } }.map(\.target) == [
                "/tmp", "/var/run/app",
            ])
    }

    @Test("a relative writable path is an error at its line")
    func relativePath() {
        let stack = Stack("ro") {
            Service("app", image: "berth-test/busybox:1").writablePaths(["tmp"])
        }
        let diagnostics = stack.validate(for: .dev)
        #expect(
            diagnostics.contains { $0.severity == .error && $0.message.contains("'tmp' is not an absolute path") },
            "\(diagnostics)")
    }

    @Test(
        "on a real engine: the declared paths take writes, the rest of the root refuses them",
        .enabled(
            if: RealEngine.shouldRun,
            "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
        .timeLimit(.minutes(4)))
    func onEngine() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let name = RealEngine.uniqueName("ro")
        let tmp = try TemporaryDirectory("berth-ro")
        defer { tmp.remove() }
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        let stack = Stack(name) {
            Volume("data")
            Self.service()
        }
        var failure: (any Error)?
        do {
            try await deployer.up(deployer.prepare(stack, for: .dev), timeout: .seconds(120))
            let container = try #require(try await RealEngine.containerIDs(engine, stack: name)["app"]?.first)
            for path in ["/tmp/a", "/data/a", "/var/run/app/a"] {
                let wrote = try await engine.run(["exec", container, "touch", path])
                #expect(wrote.succeeded, "\(path): \(wrote.standardError)")
            }
            for path in ["/etc/a", "/bin/a", "/a"] {
                let refused = try await engine.run(["exec", container, "touch", path])
                #expect(
                    !refused.succeeded && refused.standardError.contains("Read-only file system"), "\(path): \(refused)"
                )
            }
            let readOnly = try await engine.output([
                "container", "inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}", container,
            ])
            #expect(readOnly.trimmingCharacters(in: .whitespacesAndNewlines) == "true")
        } catch {
            failure = error
        }
        try? await deployer.down(stack: name, environment: "dev", removeVolumes: true)
        if let failure { throw failure }
    }
}
