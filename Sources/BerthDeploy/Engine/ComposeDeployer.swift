import BerthCompose
import BerthCore
import Foundation

/// Deploys a stack onto a Docker engine with Docker Compose: validate, render, plan, apply,
/// wait until healthy, verify.
public struct ComposeDeployer: Sendable {
    /// The engine.
    public var engine: DockerEngine
    /// Where rendered files and secrets go.
    public var workspace: Workspace
    /// Where progress goes.
    public var console: Console
    /// The deployer's environment variables, for secrets read from it.
    public var processEnvironment: [String: String]
    /// How often live state is read while waiting.
    public var pollInterval: Duration = .milliseconds(500)

    /// Creates a deployer.
    public init(
        engine: DockerEngine,
        workspace: Workspace,
        console: Console = Console(),
        processEnvironment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.engine = engine
        self.workspace = workspace
        self.console = console
        self.processEnvironment = processEnvironment
    }

    /// A stack that passed validation, with its rendered document.
    public struct Prepared: Sendable {
        public var stack: Stack
        public var environment: Environment
        public var document: ComposeDocument
        /// Warnings and notes; errors never get this far.
        public var diagnostics: [Diagnostic]
    }

    /// Validates and renders; nothing touches the engine or the disk.
    /// - Throws: ``ValidationFailure`` with every error found.
    public func prepare(_ stack: Stack, for environment: Environment) throws -> Prepared {
        let checked = try Preflight.render(stack, for: environment) { ComposeRenderer().render($0, for: environment) }
        return Prepared(
            stack: checked.stack, environment: environment, document: checked.document,
            diagnostics: checked.diagnostics)
    }

    /// Writes the rendered Compose file and returns its location.
    @discardableResult
    public func render(_ prepared: Prepared) throws -> URL {
        let stack = prepared.stack.name
        let environment = prepared.environment.name
        try workspace.prepare(stack: stack, environment: environment)
        let file = workspace.composeFile(stack: stack, environment: environment)
        try workspace.write(prepared.document.yaml, to: file)
        return file
    }

    /// Compares the description with what runs.
    ///
    /// Secrets are read (never written) so that a changed value shows as a change of the
    /// services that read it.
    /// - Throws: ``SecretError`` when a secret's source is missing.
    public func plan(_ prepared: Prepared) async throws -> Plan {
        let versions = try secretStore(for: prepared).currentVersions(prepared.stack.secrets)
        let document = ComposeRenderer().render(prepared.stack, for: prepared.environment, secretVersions: versions)
        try await engine.checkReachable()
        try await engine.checkExternalNetworks(of: prepared.stack, swarm: false)
        let routes = try await engine.checkRouteConflicts(of: prepared.stack, for: prepared.environment)
        let live = try await engine.liveState(stack: prepared.stack.name, environment: prepared.environment.name)
        var plan = Plan(stack: prepared.stack, environment: prepared.environment, document: document, live: live)
        plan.routes = Plan.routeChanges(of: prepared.stack, for: prepared.environment, live: routes)
        return plan
    }

    private func secretStore(for prepared: Prepared) -> SecretStore {
        SecretStore(
            directory: workspace.secretsDirectory(stack: prepared.stack.name, environment: prepared.environment.name),
            environment: processEnvironment,
            packageDirectory: workspace.root)
    }

    /// Applies the description and waits until every service is running and healthy.
    /// - Parameter timeout: How long to wait for health before the deploy counts as failed.
    /// - Throws: ``DeployFailure`` naming the failing service, its health output and log tail.
    @discardableResult
    public func up(_ prepared: Prepared, timeout: Duration) async throws -> Plan {
        var prepared = prepared
        let stack = prepared.stack
        let environment = prepared.environment
        // Everything that can fail without the engine fails here, before anything changes.
        try workspace.prepare(stack: stack.name, environment: environment.name)
        let versions = try secretStore(for: prepared).materialize(
            stack.secrets, readableByAnyUser: Self.secretsReadByNonRootUsers(in: stack))
        prepared.document = ComposeRenderer().render(stack, for: environment, secretVersions: versions)
        try await engine.checkReachable()
        // What other stacks own is checked before anything changes.
        try await engine.checkExternalNetworks(of: stack, swarm: false)
        let routes = try await engine.checkRouteConflicts(of: stack, for: environment)
        let live = try await engine.liveState(stack: stack.name, environment: environment.name)
        var plan = Plan(stack: stack, environment: environment, document: prepared.document, live: live)
        plan.routes = Plan.routeChanges(of: stack, for: environment, live: routes)
        let file = try render(prepared)
        console.output(plan.summary)

        if !plan.hasChanges, Readiness(stack: stack, live: live).isComplete {
            console.progress("Nothing to apply; every service is ready.")
            return plan
        }

        let compose = composeArguments(project: prepared.document.projectName, file: file)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        console.progress("Applying \(file.path) to \(engine.target)…")
        let outcome = Outcome()
        let apply = Task { [engine] in
            do {
                outcome.set(.success(try await engine.run(compose + ["up", "--detach", "--remove-orphans"])))
            } catch {
                outcome.set(.failure(error))
            }
        }
        // Whatever ends the wait (failure, timeout, an error reading state) also stops Compose.
        defer { apply.cancel() }
        var watcher = Watcher(stack: stack, console: console)
        var applied: CommandResult?
        while true {
            if applied == nil, let result = outcome.value {
                applied = try result.get()
            }
            let state = try await engine.liveState(stack: stack.name, environment: environment.name)
            let readiness = Readiness(stack: stack, live: state)
            watcher.observe(state, readiness: readiness, elapsed: timeout - (deadline - clock.now))
            if let applied, !applied.succeeded, readiness.failed.isEmpty {
                // Compose refused before any container could fail: the reason is in its output.
                throw DeployFailure(
                    service: nil, reason: "docker compose up failed: \(applied.standardError.trimmed)",
                    healthOutput: nil, logTail: nil, stillServing: readiness.ready)
            }
            if let failed = readiness.failed.first {
                throw try await failure(of: failed, in: state, readiness: readiness)
            }
            if applied?.succeeded == true, readiness.isComplete {
                // Compose never removes a network that left the file; the plan promised to.
                for network in plan.networks where network.action == .remove {
                    let removal = try await engine.run(["network", "rm", network.name])
                    if !removal.succeeded {
                        console.progress(
                            "Could not remove network \(network.name): \(removal.standardError.trimmed)")
                    }
                }
                console.clearLive()
                console.progress(
                    "Deployed \(stack.name) (\(environment.name)): \(readiness.ready.count) service(s) ready.")
                return plan
            }
            if clock.now >= deadline {
                let waiting = readiness.waiting.first ?? stack.services.first!.name
                throw try await failure(
                    of: waiting, in: state, readiness: readiness,
                    reason: "not ready after \(GoDuration.format(timeout)) (raise --timeout if it needs longer)")
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    private func failure(
        of service: String,
        in state: LiveState,
        readiness: Readiness,
        reason: String? = nil
    ) async throws -> DeployFailure {
        let container = state.containers(of: service).first { !$0.isReady } ?? state.containers(of: service).first
        var logs: String?
        if let container {
            let result = try await engine.run(["logs", "--tail", "20", container.id])
            logs = (result.standardOutput + result.standardError).trimmed
        }
        let observed = container.map { c in
            c.health.map { "\(c.state), \($0)" } ?? "\(c.state), exit code \(c.exitCode)"
        }
        return DeployFailure(
            service: service,
            reason: reason ?? "it is \(observed ?? "not running")",
            healthOutput: container?.lastHealthOutput?.trimmed,
            logTail: logs,
            stillServing: readiness.ready)
    }

    /// Removes every container, network (and, when asked, volume) the stack created.
    public func down(stack: String, environment: String, removeVolumes: Bool) async throws {
        try await engine.checkReachable()
        let project = ComposeRenderer.projectName(stack: stack, environment: environment)
        let file = workspace.composeFile(stack: stack, environment: environment)
        let hasFile = FileManager.default.fileExists(atPath: file.path)
        let result = try await engine.run(
            composeArguments(project: project, file: hasFile ? file : nil)
                + ["down", "--remove-orphans"] + (removeVolumes ? ["--volumes"] : []))
        if !result.succeeded {
            console.progress("docker compose down reported: \(result.standardError.trimmed)")
        }
        // Whatever Compose did not know about (a file gone, a renamed service) still carries
        // Berth's labels; remove it by them.
        let left = try await engine.liveState(stack: stack, environment: environment)
        if !left.containers.isEmpty {
            _ = try await engine.output(["rm", "--force", "--volumes"] + left.containers.map(\.id))
        }
        for network in left.networks {
            _ = try await engine.output(["network", "rm", network])
        }
        if removeVolumes {
            for volume in left.volumes {
                _ = try await engine.output(["volume", "rm", volume])
            }
        }
        let after = try await engine.liveState(stack: stack, environment: environment)
        guard after.containers.isEmpty, after.networks.isEmpty, removeVolumes ? after.volumes.isEmpty : true else {
            throw EngineError(
                "Some objects of \(stack) (\(environment)) are still on the engine: \((after.containers.map(\.name) + after.networks + after.volumes).joined(separator: ", "))."
            )
        }
        let kept =
            after.volumes.isEmpty
            ? "" : " Kept volume(s) \(after.volumes.joined(separator: ", ")); pass --volumes to remove them."
        console.progress("Removed \(stack) (\(environment)).\(kept)")
    }

    /// Secrets mounted by a service that runs as a user other than root.
    static func secretsReadByNonRootUsers(in stack: Stack) -> Set<String> {
        let root: Set<String> = ["0", "root", "0:0", "root:root"]
        return Set(
            stack.services.filter { service in service.user.map { !root.contains($0) } ?? false }
                .flatMap { $0.secrets.map(\.secret) })
    }

    func composeArguments(project: String, file: URL?) -> [String] {
        ["compose", "--project-name", project] + (file.map { ["--file", $0.path] } ?? [])
    }
}

/// The result of a command running in the background, read while the engine is watched.
final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Result<CommandResult, any Error>?

    var value: Result<CommandResult, any Error>? { lock.withLock { stored } }

    func set(_ result: Result<CommandResult, any Error>) { lock.withLock { stored = result } }
}
