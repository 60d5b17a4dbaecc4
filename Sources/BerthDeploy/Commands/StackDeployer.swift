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

    func up(_ stack: Stack, for environment: Environment, timeout: Duration, rotating: Set<String> = []) async throws {
        switch self {
        case .compose(let deployer):
            try await deployer.up(checked(deployer.prepare(stack, for: environment)), timeout: timeout)
        case .swarm(let deployer):
            try await deployer.up(
                checked(deployer.prepare(stack, for: environment)), timeout: timeout, rotating: rotating)
        }
        try await syncGateway(of: stack)
    }

    func down(_ stack: Stack, for environment: Environment, removeVolumes: Bool) async throws {
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
