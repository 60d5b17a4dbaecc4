import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

@Suite("Deployment.run(arguments:)")
struct CommandTests {
    /// Valid in `dev`; in `prod` its untagged image is an error, and in `broken` a dependency
    /// names a service that does not exist.
    static let deployment = Deployment(environments: [.dev, .prod, Environment("broken")]) { environment in
        Stack("cmdtest") {
            Service("web", image: "berth-test/busybox")
                .command(["httpd", "-f", "-p", "8080"])
                .publish(8080, on: 18160)
            if environment.name == "broken" {
                Service("worker", image: "berth-test/busybox:1").dependsOn("database")
            }
        }
    }

    @Test("validate: 0 for a valid stack (warnings allowed), 1 with errors")
    func validate() async throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        #expect(
            try await Self.deployment.run(arguments: ["validate", "--env", "dev", "--directory", tmp.path])
                == 0)
        #expect(
            try await Self.deployment.run(arguments: ["validate", "--env", "prod", "--directory", tmp.path])
                == 1)
        #expect(
            try await Self.deployment.run(arguments: ["validate", "--env", "broken", "--directory", tmp.path])
                == 1)
        // The first environment is the default.
        #expect(try await Self.deployment.run(arguments: ["validate", "--directory", tmp.path]) == 0)
        // Validation never writes anything.
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
    }

    @Test("render --env-example writes the variables the deployer provides, beside the rendered file")
    func renderEnvironmentExample() async throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let deployment = Deployment(environments: [.dev]) { _ in
            Stack("cmdtest") {
                Service("web", image: "berth-test/busybox:1")
                    .environment("TAG", .interpolated("${WEB_TAG:-1}"))
                    .environment("QUEUE", .interpolated("${QUEUE_URL}"))
            }
        }
        let path = tmp.path + "/.env.example"
        #expect(
            try await deployment.run(
                arguments: ["render", "--env-example", path, "--directory", tmp.path]) == 0)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(
            text.hasPrefix("# The variables stack 'cmdtest' read from the deployer's environment in environment 'dev'.")
        )
        #expect(text.contains("\nQUEUE_URL=\n"))
        #expect(text.contains("\nWEB_TAG=1\n"))
        #expect(FileManager.default.fileExists(atPath: tmp.path + "/.berth/cmdtest/dev/compose.yaml"))
    }

    @Test("render writes .berth/<stack>/<env>/compose.yaml without an engine")
    func render() async throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        #expect(
            try await Self.deployment.run(arguments: ["render", "--env", "dev", "--directory", tmp.path]) == 0
        )
        let file = tmp.url.appendingPathComponent(".berth/cmdtest/dev/compose.yaml")
        let yaml = try String(contentsOf: file, encoding: .utf8)
        #expect(yaml.contains("cmdtest-dev"))
        #expect(yaml.contains("berth.config-hash"))
        #expect(FileManager.default.fileExists(atPath: tmp.path + "/.berth/.gitignore"))

        // An invalid stack is refused before anything is written.
        let other = try TemporaryDirectory()
        defer { other.remove() }
        await #expect(throws: ValidationFailure.self) {
            try await Self.deployment.run(arguments: ["render", "--env", "broken", "--directory", other.path])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: other.path).isEmpty)
    }

    @Test(
        "an unknown --env is a usage error that names the known environments",
        arguments: ["validate", "render", "plan", "up", "down", "status"])
    func unknownEnvironment(command: String) async throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let error = await #expect(throws: (any Error).self) {
            try await Self.deployment.run(arguments: [command, "--env", "qa", "--directory", tmp.path])
        }
        let thrown = try #require(error)
        #expect(DeployCommand.exitCode(for: thrown).rawValue == 64)
        let message = DeployCommand.message(for: thrown)
        #expect(message.contains("'qa'"))
        #expect(message.contains("dev, prod, broken"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
    }

    @Test("unknown commands and options are usage errors")
    func usageErrors() async throws {
        for arguments in [["deploy-everything"], ["validate", "--frobnicate"]] {
            let error = await #expect(throws: (any Error).self) {
                try await Self.deployment.run(arguments: arguments)
            }
            #expect(error.map { DeployCommand.exitCode(for: $0).rawValue } == 64)
        }
    }
}
