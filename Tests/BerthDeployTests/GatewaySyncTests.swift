import BerthCore
import BerthGateway
import Foundation
import Testing

@testable import BerthDeploy

/// How a sync treats a gateway container that stops under it, with a scripted Docker CLI: the
/// engine's replacement gets the routes; a container that is running and refuses them fails the
/// sync at once.
@Suite("Gateway sync: containers that stop halfway")
struct GatewaySyncTests {
    static let gateway = Gateway.nginx(
        service: "nginx", network: SharedNetwork("edge", engineName: "edge_edge", owner: "edge"))

    /// What the first container does at the staging step.
    enum Fault {
        /// Stops; the engine runs `second` instead (Swarm replacing a task).
        case stops
        /// Crashes and is restarted by its restart policy: the same container, started again.
        case restarts
        /// Refuses: it runs on, and the step's own error stands.
        case refuses
        /// Its process ended, and Docker says so to the exec before the engine's state does.
        case endsUnseen
    }

    /// A Docker CLI with one running gateway container at a time: `first`, or `second` once
    /// `first` stopped.
    final class Engine: @unchecked Sendable {
        let lock = NSLock()
        var calls: [[String]] = []
        var replaced = false
        var restarted = false
        let fault: Fault

        init(_ fault: Fault) { self.fault = fault }

        func respond(_ arguments: [String]) -> CommandResult {
            lock.lock()
            defer { lock.unlock() }
            calls.append(arguments)
            let command = Array(arguments.dropFirst())
            let ok = CommandResult(exitCode: 0, standardOutput: "", standardError: "")
            let start = restarted && fault == .restarts ? "2026-12-04T10:00:09Z" : "2026-12-04T10:00:00Z"
            switch command.first {
            case "ps" where command.contains("status=running"):
                return CommandResult(exitCode: 0, standardOutput: replaced ? "second\n" : "first\n", standardError: "")
            case "ps":
                return ok
            case "container" where command.contains("{{.State.StartedAt}}"):
                return CommandResult(
                    exitCode: 0, standardOutput: String(repeating: start + "\n", count: command.count - 4),
                    standardError: "")
            case "container" where command.contains("inspect"):
                return CommandResult(
                    exitCode: 0, standardOutput: (replaced ? "exited " : "running ") + start + "\n", standardError: "")
            case "exec":
                let container = command.first { $0 == "first" || $0 == "second" } ?? ""
                guard container == "first", !restarted,
                    command.last == GatewaySyncTests.gateway.adapter.routeFiles?.prepareStagingScript
                else { return ok }
                switch fault {
                case .stops:
                    replaced = true
                    return CommandResult(
                        exitCode: 1, standardOutput: "",
                        standardError: "Error response from daemon: Container first is not running")
                case .restarts:
                    restarted = true
                    return CommandResult(exitCode: 137, standardOutput: "", standardError: "")
                case .refuses:
                    return CommandResult(exitCode: 1, standardOutput: "", standardError: "mkdir: permission denied")
                case .endsUnseen:
                    // From here on the container answers again, started at the same time as far
                    // as `inspect` can tell.
                    restarted = true
                    return CommandResult(
                        exitCode: 126, standardOutput: "",
                        standardError:
                            "OCI runtime exec failed: exec failed: cannot exec in a stopped container: unknown")
                }
            default:
                return ok
            }
        }

        func execs(on container: String) -> Int {
            lock.lock()
            defer { lock.unlock() }
            return calls.filter { $0.dropFirst().first == "exec" && $0.contains(container) }.count
        }
    }

    @Test("a container that stopped during the reload is not a refusal: its replacement gets the routes")
    func replacementGetsTheRoutes() async throws {
        let fake = Engine(.stops)
        let docker = DockerEngine(runner: ScriptedRunner { fake.respond($0) })
        try await GatewaySync(engine: docker, console: Console(isTerminal: false, sink: { _, _ in })).sync(Self.gateway)
        #expect(fake.replaced)
        // Lock, check, stage, write, activate and unlock on the replacement.
        #expect(fake.execs(on: "second") >= 4)
    }

    @Test("a container that crashed and was restarted during the reload is not a refusal: it gets the routes again")
    func restartedGetsTheRoutes() async throws {
        let fake = Engine(.restarts)
        let docker = DockerEngine(runner: ScriptedRunner { fake.respond($0) })
        try await GatewaySync(engine: docker, console: Console(isTerminal: false, sink: { _, _ in })).sync(Self.gateway)
        #expect(fake.restarted)
        // The staging step twice: the one the crash cut short, and the one that went through.
        let staging = GatewaySyncTests.gateway.adapter.routeFiles?.prepareStagingScript
        #expect(fake.calls.filter { $0.last == staging }.count == 2)
    }

    @Test("Docker's \"cannot exec in a stopped container\" is a stop, even while inspect still says running")
    func endedBeforeTheEngineSawIt() async throws {
        let fake = Engine(.endsUnseen)
        let docker = DockerEngine(runner: ScriptedRunner { fake.respond($0) })
        try await GatewaySync(engine: docker, console: Console(isTerminal: false, sink: { _, _ in })).sync(Self.gateway)
        let staging = GatewaySyncTests.gateway.adapter.routeFiles?.prepareStagingScript
        #expect(fake.calls.filter { $0.last == staging }.count == 2)
    }

    @Test("a running container that fails a step fails the sync at once, naming the step")
    func runningContainerFails() async throws {
        let fake = Engine(.refuses)
        let docker = DockerEngine(runner: ScriptedRunner { fake.respond($0) })
        do {
            try await GatewaySync(engine: docker, console: Console(isTerminal: false, sink: { _, _ in })).sync(
                Self.gateway)
            Issue.record("the sync succeeded")
        } catch let failure as GatewayReloadFailure {
            #expect(failure.step == "prepare the staged routes")
            #expect(failure.output.contains("permission denied"))
        }
        #expect(fake.execs(on: "second") == 0)
    }
}
