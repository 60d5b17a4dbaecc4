import BerthCompose
import BerthCore
import Foundation

/// The command tree's view of a deployer: the same commands whatever runs the stack.
enum StackDeployer {
    case compose(ComposeDeployer)
    case swarm(SwarmDeployer)

    init(for environment: Environment, options: CommonOptions) {
        let root = URL(
            fileURLWithPath: options.directory ?? FileManager.default.currentDirectoryPath, isDirectory: true)
        let engine = DockerEngine(target: Target(context: options.context))
        switch environment.orchestrator {
        case .compose: self = .compose(ComposeDeployer(engine: engine, workspace: Workspace(root: root)))
        case .swarm: self = .swarm(SwarmDeployer(engine: engine, workspace: Workspace(root: root)))
        }
    }

    var engine: DockerEngine {
        switch self {
        case .compose(let deployer): deployer.engine
        case .swarm(let deployer): deployer.engine
        }
    }

    // Each command validates and renders once: `prepare` throws ``ValidationFailure`` on errors
    // before anything touches the engine, and `checked` prints the warnings.

    func plan(_ stack: Stack, for environment: Environment) async throws -> Plan {
        switch self {
        case .compose(let deployer): try await deployer.plan(checked(deployer.prepare(stack, for: environment)))
        case .swarm(let deployer): try await deployer.plan(checked(deployer.prepare(stack, for: environment)))
        }
    }

    func up(
        _ stack: Stack, for environment: Environment, timeout: Duration, lockWait: Duration,
        rotating: Set<String> = []
    ) async throws {
        switch self {
        case .compose(let deployer):
            let prepared = checked(try deployer.prepare(stack, for: environment))
            try await locked(stack, environment, command: rotating.isEmpty ? "up" : "rotate-secret", wait: lockWait) {
                try await deployer.up(prepared, timeout: timeout)
                try await syncGateway(of: stack)
            }
        case .swarm(let deployer):
            let prepared = checked(try deployer.prepare(stack, for: environment))
            try await locked(stack, environment, command: rotating.isEmpty ? "up" : "rotate-secret", wait: lockWait) {
                try await deployer.up(prepared, timeout: timeout, rotating: rotating)
                try await syncGateway(of: stack)
            }
        }
    }

    func down(_ stack: Stack, for environment: Environment, removeVolumes: Bool, lockWait: Duration) async throws {
        try await locked(stack, environment, command: "down", wait: lockWait) {
            switch self {
            case .compose(let deployer):
                try await deployer.down(stack: stack.name, environment: environment.name, removeVolumes: removeVolumes)
            case .swarm(let deployer):
                try await deployer.down(stack: stack.name, environment: environment.name, removeVolumes: removeVolumes)
            }
            // The gateway's own stack going away takes the gateway with it: nothing to reload.
            if stack.gateway?.owner != stack.name {
                try await syncGateway(of: stack)
            }
        }
    }

    /// The deploy lock of a stack in an environment.
    func lock(_ stack: Stack, _ environment: Environment) -> DeployLock {
        DeployLock(
            engine: engine, project: ComposeRenderer.projectName(stack: stack.name, environment: environment.name))
    }

    /// Runs `body` holding the stack's deploy lock, and releases it however `body` ends:
    /// success, failure, or cancellation by `SIGINT`/`SIGTERM`.
    private func locked(
        _ stack: Stack, _ environment: Environment, command: String, wait: Duration,
        _ body: () async throws -> Void
    ) async throws {
        try await engine.checkReachable()
        let lock = lock(stack, environment)
        let holder = try await lock.acquire(command: command, wait: wait, console: Console()) { _ in
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
            await Task.detached { await lock.release(holder) }.value
            throw error
        }
        await Task.detached { await lock.release(holder) }.value
    }

    /// An nginx gateway learns routes only from Berth: after every change of a stack behind one.
    private func syncGateway(of stack: Stack) async throws {
        guard let gateway = stack.gateway, gateway.kind == .nginx else { return }
        try await GatewaySync(engine: engine).sync(gateway)
    }

    func render(_ stack: Stack, for environment: Environment) throws -> URL {
        switch self {
        case .compose(let deployer): try deployer.render(checked(deployer.prepare(stack, for: environment)))
        case .swarm(let deployer): try deployer.render(checked(deployer.prepare(stack, for: environment)))
        }
    }

    private func checked(_ prepared: ComposeDeployer.Prepared) -> ComposeDeployer.Prepared {
        printWarnings(prepared.diagnostics)
        return prepared
    }

    private func checked(_ prepared: SwarmDeployer.Prepared) -> SwarmDeployer.Prepared {
        printWarnings(prepared.diagnostics)
        return prepared
    }
}
