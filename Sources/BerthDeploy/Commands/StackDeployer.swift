import BerthCore
import Foundation

/// The command tree's view of the orchestrator an environment runs on: each command validates
/// and renders once, holds the deploy lock while it changes the stack, and keeps an nginx
/// gateway's routes in step.
struct StackDeployer {
    /// The orchestrator, chosen once by ``Orchestrators/make(for:engine:workspace:)``.
    var orchestrator: any Orchestrator

    /// The application's package directory.
    var packageDirectory: URL
    /// How many releases ``up(_:for:timeout:lockWait:rotating:command:)`` keeps on the engine.
    var keepReleases = ReleaseHistory.defaultKeep

    /// Runs the docker commands instead of ``ProcessRunner``, when set (tests of the command
    /// tree with a fake engine).
    @TaskLocal static var runner: (any CommandRunner)?

    init(for environment: Environment, stack: Stack, options: CommonOptions) {
        let root = URL(
            fileURLWithPath: options.directory ?? FileManager.default.currentDirectoryPath, isDirectory: true)
        packageDirectory = root
        orchestrator = Orchestrators.make(
            for: environment,
            engine: DockerEngine(target: options.target(for: stack), runner: Self.runner ?? ProcessRunner()),
            workspace: Workspace(root: root))
    }

    var engine: DockerEngine { orchestrator.engine }

    func plan(_ stack: Stack, for environment: Environment) async throws -> Plan {
        try await Self.plan(orchestrator, stack, environment)
    }

    /// Deploys, then records the release (``ReleaseHistory``).
    /// - Parameter command: What the release says deployed it (`up`, `rollback 3`).
    /// - Returns: The release recorded, or `nil` when it could not be (the deploy stands; a
    ///   warning says why).
    @discardableResult
    func up(
        _ stack: Stack, for environment: Environment, timeout: Duration, lockWait: Duration,
        rotating: Set<String> = [], command: String? = nil
    ) async throws -> Release? {
        let command = command ?? (rotating.isEmpty ? "up" : "rotate-secret \(rotating.sorted().joined(separator: " "))")
        return try await prepareUp(stack, for: environment).apply(timeout, lockWait, rotating, command)
    }

    /// A stack validated and rendered for `up`, ready to apply. A command over several stacks
    /// prepares every one before the first touches an engine, and none twice: preparing hashes
    /// the build contexts of built services.
    struct PreparedUp: Sendable {
        /// Applies it under the lock and records the release.
        let apply:
            @Sendable (_ timeout: Duration, _ lockWait: Duration, _ rotating: Set<String>, _ command: String)
                async throws -> Release?

        func up(timeout: Duration, lockWait: Duration) async throws {
            _ = try await apply(timeout, lockWait, [], "up")
        }
    }

    /// Validates and renders a stack for ``PreparedUp``, printing its warnings.
    /// - Throws: ``ValidationFailure`` with every error.
    func prepareUp(_ stack: Stack, for environment: Environment) throws -> PreparedUp {
        try Self.prepareUp(orchestrator, stack, environment, deployer: self)
    }

    /// The releases of a stack in an environment, on this deployer's engine.
    func releases(_ stack: Stack, _ environment: Environment) -> ReleaseHistory {
        ReleaseHistory(engine: engine, project: lock(stack, environment).project, keep: keepReleases)
    }

    func down(_ stack: Stack, for environment: Environment, removeVolumes: Bool, lockWait: Duration) async throws {
        try await locked(stack, environment, command: "down", wait: lockWait) {
            // A stranded helper holds the volumes it mounts, which `--volumes` could not remove.
            await BackupStore.removeStrandedHelpers(
                of: lock(stack, environment).project, on: engine, console: Console())
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

    private static func prepareUp<O: Orchestrator>(
        _ orchestrator: O, _ stack: Stack, _ environment: Environment, deployer: StackDeployer
    ) throws -> PreparedUp {
        let prepared = try Self.prepared(orchestrator, stack, environment)
        return PreparedUp { timeout, lockWait, rotating, command in
            try await deployer.up(
                orchestrator, prepared, stack, environment, timeout: timeout, lockWait: lockWait, rotating: rotating,
                command: command)
        }
    }

    private func up<O: Orchestrator>(
        _ orchestrator: O, _ prepared: O.Prepared, _ stack: Stack, _ environment: Environment, timeout: Duration,
        lockWait: Duration, rotating: Set<String>, command: String
    ) async throws -> Release? {
        var release: Release?
        try await locked(stack, environment, command: command, wait: lockWait) {
            let plan = try await orchestrator.up(prepared, timeout: timeout, rotating: rotating)
            // Still under the lock, so the release describes exactly this deploy.
            do {
                release = try await releases(stack, environment).recordDeploy(
                    stack, environment: environment, command: command, changed: plan.hasChanges,
                    packageDirectory: packageDirectory,
                    renderedFile: orchestrator.renderedFile(stack: stack.name, environment: environment.name),
                    console: Console())
            } catch {
                Console().progress(
                    "\(Terminal.current.severity(.warning, on: .error)): deployed, but the release could not be recorded: \(error)"
                )
            }
        }
        return release
    }

    /// Runs `body` holding the stack's deploy lock, and releases it however `body` ends:
    /// success, failure, or cancellation by `SIGINT`/`SIGTERM`.
    func locked(
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
