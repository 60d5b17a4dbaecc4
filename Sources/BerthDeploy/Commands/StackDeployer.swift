import BerthCore
import Foundation

/// The command tree's view of the orchestrator an environment runs on: each command validates
/// and renders once, holds the deploy lock while it changes the stack, and keeps an nginx
/// gateway's routes in step.
struct StackDeployer {
    /// The orchestrator, chosen once by ``Orchestrators/make(for:engine:workspace:)``.
    var orchestrator: any Orchestrator

    init(for environment: Environment, options: CommonOptions) {
        let root = URL(
            fileURLWithPath: options.directory ?? FileManager.default.currentDirectoryPath, isDirectory: true)
        orchestrator = Orchestrators.make(
            for: environment, engine: DockerEngine(target: Target(context: options.context)),
            workspace: Workspace(root: root))
    }

    var engine: DockerEngine { orchestrator.engine }

    func plan(_ stack: Stack, for environment: Environment) async throws -> Plan {
        try await Self.plan(orchestrator, stack, environment)
    }

    func up(
        _ stack: Stack, for environment: Environment, timeout: Duration, lockWait: Duration,
        rotating: Set<String> = []
    ) async throws {
        try await up(orchestrator, stack, environment, timeout: timeout, lockWait: lockWait, rotating: rotating)
    }

    func down(_ stack: Stack, for environment: Environment, removeVolumes: Bool, lockWait: Duration) async throws {
        try await locked(stack, environment, command: "down", wait: lockWait) {
            try await orchestrator.down(stack: stack.name, environment: environment.name, removeVolumes: removeVolumes)
            // The gateway's own stack going away takes the gateway with it: nothing to reload.
            if stack.gateway?.owner != stack.name {
                try await syncGateway(of: stack)
            }
        }
    }

    func render(_ stack: Stack, for environment: Environment) throws -> URL {
        try Self.render(orchestrator, stack, environment)
    }

    /// The deploy lock of a stack in an environment.
    func lock(_ stack: Stack, _ environment: Environment) -> DeployLock {
        orchestrator.lock(stack: stack.name, environment: environment.name)
    }

    // The existential opens here, once per command: everything after it is generic over the
    // orchestrator and its prepared stack.

    private static func prepared<O: Orchestrator>(_ orchestrator: O, _ stack: Stack, _ environment: Environment)
        throws -> O.Prepared
    {
        let prepared = try orchestrator.prepare(stack, for: environment)
        printWarnings(prepared.diagnostics)
        return prepared
    }

    private static func plan<O: Orchestrator>(_ orchestrator: O, _ stack: Stack, _ environment: Environment)
        async throws -> Plan
    {
        try await orchestrator.plan(prepared(orchestrator, stack, environment))
    }

    private static func render<O: Orchestrator>(_ orchestrator: O, _ stack: Stack, _ environment: Environment)
        throws -> URL
    {
        try orchestrator.render(prepared(orchestrator, stack, environment))
    }

    private func up<O: Orchestrator>(
        _ orchestrator: O, _ stack: Stack, _ environment: Environment, timeout: Duration, lockWait: Duration,
        rotating: Set<String>
    ) async throws {
        let prepared = try Self.prepared(orchestrator, stack, environment)
        try await locked(stack, environment, command: rotating.isEmpty ? "up" : "rotate-secret", wait: lockWait) {
            try await orchestrator.up(prepared, timeout: timeout, rotating: rotating)
        }
    }

    /// Runs `body` holding the stack's deploy lock, and releases it however `body` ends:
    /// success, failure, or cancellation by `SIGINT`/`SIGTERM`.
    private func locked(
        _ stack: Stack, _ environment: Environment, command: String, wait: Duration,
        _ body: () async throws -> Void
    ) async throws {
        try await engine.checkReachable()
        let lock = lock(stack, environment)
        let lease = try await lock.acquire(command: command, wait: wait, console: Console()) { _ in
            // A deployer killed with SIGKILL leaves its docker commands running: stop them before
            // they race this one.
            let stopped = try await OrphanedCommands.stop(project: lock.project)
            if stopped > 0 {
                Console().progress("Stopped \(stopped) docker command(s) the killed deployer left running.")
            }
        }
        do {
            try await body()
        } catch {
            // Released even when the task was cancelled: the release must not be cancelled too.
            await Task.detached { await lock.release(lease) }.value
            throw error
        }
        await Task.detached { await lock.release(lease) }.value
    }

    /// An nginx gateway learns routes only from Berth: after a `down` of a stack behind one (an
    /// `up` leaves it up to date itself).
    private func syncGateway(of stack: Stack) async throws {
        try await GatewaySync(engine: engine).sync(routesOf: stack)
    }
}
