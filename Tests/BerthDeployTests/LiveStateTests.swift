import Foundation
import Testing

@testable import BerthDeploy

@Suite("DockerEngine.liveState")
struct LiveStateTests {
    static let webID = "f36f688287412e92464907000538f7512b92095036b7e8cf91c1f750c66d5914"
    static let goneID = "b3cb1b08fa5d79bfc730a61a0769f01225d455941f797263cce150dd8d2646f9"

    /// An engine on which `ps` lists two containers but one of them is removed before
    /// `inspect` runs, as when Compose replaces a container while `up` watches. The
    /// `inspect` answer is what Docker 20.10 with CLI 28 prints then: the found containers on
    /// standard output, an error for the other on standard error, exit status 1.
    static func engine(inspectError: String) -> DockerEngine {
        let fixture = try! JSONSerialization.jsonObject(with: Data(inspectFixture.utf8)) as! [Any]
        let webOnly = String(
            decoding: try! JSONSerialization.data(withJSONObject: [fixture[0]]), as: UTF8.self)
        return DockerEngine(
            runner: ScriptedRunner { arguments in
                switch arguments.dropFirst().first {
                case "ps":
                    return CommandResult(
                        exitCode: 0, standardOutput: "\(Self.webID)\n\(Self.goneID)\n", standardError: "")
                case "container":
                    return CommandResult(
                        exitCode: 1, standardOutput: webOnly + "\n", standardError: inspectError)
                case "network":
                    return CommandResult(
                        exitCode: 0, standardOutput: "fixture-dev_front\n", standardError: "")
                default:
                    return CommandResult(exitCode: 0, standardOutput: "", standardError: "")
                }
            })
    }

    @Test("a container removed between `ps` and `inspect` is no longer live, not an error")
    func vanishedContainer() async throws {
        let engine = Self.engine(
            inspectError: "Error response from daemon: No such container: \(Self.goneID)\n")
        let live = try await engine.liveState(stack: "fixture", environment: "dev")
        #expect(live.containers.map(\.id) == [Self.webID])
        #expect(live.networks == ["fixture-dev_front"])
    }

    @Test("when every listed container vanished, nothing is live")
    func everyContainerVanished() async throws {
        let engine = DockerEngine(
            runner: ScriptedRunner { arguments in
                switch arguments.dropFirst().first {
                case "ps":
                    return CommandResult(exitCode: 0, standardOutput: "\(Self.goneID)\n", standardError: "")
                case "container":
                    return CommandResult(
                        exitCode: 1, standardOutput: "[]\n",
                        standardError: "Error: No such object: \(Self.goneID)\n")
                default: return CommandResult(exitCode: 0, standardOutput: "", standardError: "")
                }
            })
        #expect(try await engine.liveState(stack: "fixture", environment: "dev").isEmpty)
    }

    @Test("any other `inspect` failure is an error naming the command")
    func otherFailures() async throws {
        let engine = Self.engine(
            inspectError: "permission denied while trying to connect to the Docker daemon socket")
        let error = await #expect(throws: EngineError.self) {
            try await engine.liveState(stack: "fixture", environment: "dev")
        }
        #expect(error?.description.contains("docker container inspect") == true)
        #expect(error?.description.contains("permission denied") == true)
    }

    @Test("liveState asks only for the stack's objects in the environment")
    func filtersByOwnershipLabels() async throws {
        let seen = Locked<[[String]]>([])
        let engine = DockerEngine(
            runner: ScriptedRunner { arguments in
                seen.mutate { $0.append(arguments) }
                return CommandResult(exitCode: 0, standardOutput: "", standardError: "")
            })
        #expect(try await engine.liveState(stack: "shop", environment: "prod").isEmpty)
        let calls = seen.value
        #expect(calls.count == 3)  // no `inspect` without containers
        for call in calls {
            #expect(call.contains("label=berth.stack=shop"))
            #expect(call.contains("label=berth.environment=prod"))
        }
    }
}
