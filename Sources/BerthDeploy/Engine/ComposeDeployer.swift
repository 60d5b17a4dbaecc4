import BerthCompose
import BerthCore
import BerthRendering
import BerthYAML
import Foundation

/// Deploys a stack onto a Docker engine with Docker Compose: validate, render, plan, apply,
/// wait until healthy, verify.
public struct ComposeDeployer: Orchestrator {
    /// The engine.
    public var engine: DockerEngine
    /// Where rendered files and secrets go.
    public var workspace: Workspace
    /// Where progress goes.
    public var console: Console
    /// The deployer's environment variables, for secrets read from it.
    public var processEnvironment: [String: String]
    /// How often live state is read while waiting.
    public var pollInterval: Duration = .milliseconds(250)

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
        let checked = try Preflight.render(stack, for: environment, packageDirectory: workspace.root) {
            ComposeRenderer().render($0, for: environment)
        }
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

    /// Compares the description with what runs, drift included: missing, stopped, exited,
    /// restarting and unhealthy containers, leftovers of an interrupted update, and containers
    /// of an older configuration.
    ///
    /// Secrets and file-backed configs are read (never written) so that a changed value or
    /// file shows as a change of exactly the services that read it.
    /// - Throws: ``SecretError`` when a secret's source is missing, ``EngineError`` when a
    ///   config's file is.
    public func plan(_ prepared: Prepared) async throws -> Plan {
        let configs = try configVersions(of: prepared.stack)
        let engineState = try await readEngine(for: prepared)
        let versions = try secretStore(for: prepared).currentVersions(
            prepared.stack.secrets, deployedVersions: Self.deployedSecretVersions(in: engineState.live))
        return plan(prepared, secretVersions: versions, configVersions: configs, engineState).plan
    }

    /// What `plan` and `up` read from the engine, all at once, and check before anything
    /// changes: the stack's live state, the networks it expects other stacks to own, the routes
    /// other stacks claim, and the host ports other containers hold.
    private func readEngine(for prepared: Prepared) async throws -> (live: LiveState, routes: [LiveRoute]) {
        let (stack, environment) = (prepared.stack, prepared.environment)
        try await engine.checkReachable()
        async let reading = engine.liveState(stack: stack.name, environment: environment.name)
        async let networks: Void = engine.checkExternalNetworks(of: stack, swarm: false)
        async let claimed = engine.checkRouteConflicts(of: stack, for: environment)
        async let ports: Void = engine.checkHostPorts(of: stack, for: environment)
        let live = try await reading
        try await networks
        let routes = try await claimed
        try await ports
        return (live, routes)
    }

    /// The document with the secrets' and configs' versions, and the plan from it.
    private func plan(
        _ prepared: Prepared, secretVersions: [String: String], configVersions: [String: String],
        _ engineState: (live: LiveState, routes: [LiveRoute])
    ) -> (plan: Plan, document: ComposeDocument) {
        let (stack, environment) = (prepared.stack, prepared.environment)
        let document = ComposeRenderer().render(
            stack, for: environment, secretVersions: secretVersions, configVersions: configVersions)
        var plan = Plan(stack: stack, environment: environment, document: document, live: engineState.live)
        plan.routes = Plan.routeChanges(of: stack, for: environment, live: engineState.routes)
        return (plan, document)
    }

    private func secretStore(for prepared: Prepared) -> SecretStore {
        SecretStore(
            directory: workspace.secretsDirectory(stack: prepared.stack.name, environment: prepared.environment.name),
            environment: processEnvironment,
            packageDirectory: workspace.root)
    }

    /// The secret versions the stack's containers were created with, from their labels: a
    /// generated secret the engine uses must not be generated anew because its file is gone.
    static func deployedSecretVersions(in live: LiveState) -> [String: String] {
        live.containers.reduce(into: [:]) { versions, container in
            versions.merge(OwnershipLabel.pairs(container.labels[OwnershipLabel.secretVersions] ?? "")) { $1 }
        }
    }

    /// The version of each file-backed config: a hash of the file's content, so editing the file
    /// recreates the services that mount it.
    /// - Throws: ``EngineError`` naming every config whose file is missing.
    func configVersions(of stack: Stack) throws -> [String: String] {
        try workspace.configFiles(of: stack).mapValues { ContentVersion.of($0) }
    }

    /// Applies the description and waits until every service is running and healthy.
    ///
    /// Berth drives the update itself (``ComposeRollout``): services whose containers can run
    /// twice are updated start-first, so a routed service never stops answering; the others
    /// stop-first. Everything `plan` reports as drift is repaired.
    /// - Parameter timeout: How long to wait for health before the deploy counts as failed.
    /// - Throws: ``DeployFailure`` naming the failing service, its health output and log tail.
    /// - Parameter rotating: Generated secrets to give a new value first (`rotate-secret`): the
    ///   services that read them are replaced like any other change.
    @discardableResult
    public func up(_ prepared: Prepared, timeout: Duration, rotating: Set<String> = []) async throws -> Plan {
        var prepared = prepared
        let stack = prepared.stack
        let environment = prepared.environment
        let deadline = ContinuousClock().now + timeout
        // Everything that can fail without the engine fails here, before anything changes.
        try workspace.prepare(stack: stack.name, environment: environment.name)
        let configs = try configVersions(of: stack)
        for secret in rotating.sorted() {
            try secretStore(for: prepared).rotate(secret, in: stack.secrets)
        }
        // A secret whose source is missing stops here, before the engine is asked anything;
        // what the engine knows (the versions it runs) is checked once it has been read.
        _ = try secretStore(for: prepared).currentVersions(stack.secrets)
        let engineState = try await readEngine(for: prepared)
        let live = engineState.live
        let versions = try secretStore(for: prepared).materialize(
            stack.secrets, readableByAnyUser: Self.secretsReadByNonRootUsers(in: stack),
            deployedVersions: Self.deployedSecretVersions(in: live))
        let plan: Plan
        (plan, prepared.document) = self.plan(
            prepared, secretVersions: versions, configVersions: configs, engineState)
        let file = try render(prepared)
        console.output(plan.summary)

        let gatewaySync = GatewaySync(engine: engine, console: console)
        if !plan.hasChanges {
            console.progress("Nothing to apply; every service is ready.")
            try await gatewaySync.sync(routesOf: stack)
            return plan
        }
        console.progress("Applying \(file.path) to \(engine.target)…")
        var switchGateway: (@Sendable (Set<String>) async throws -> Void)?
        if let gateway = stack.gateway, gateway.kind == .nginx {
            switchGateway = { excluded in try await gatewaySync.sync(gateway, excluding: excluded) }
        }
        let rollout = ComposeRollout(
            engine: engine, console: console, stack: stack, environment: environment, document: prepared.document,
            file: file, pollInterval: pollInterval, deadline: deadline, switchGateway: switchGateway)
        let gatewayCurrent = try await rollout.run(plan, live: live)
        if !gatewayCurrent { try await gatewaySync.sync(routesOf: stack) }
        console.progress("Deployed \(stack.name) (\(environment.name)): \(stack.services.count) service(s) ready.")
        return plan
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

    /// One row per container: state, health, image, ports and start time.
    public func status(of stack: Stack, in environment: Environment) async throws -> (
        table: String, json: any Encodable
    ) {
        try await engine.checkReachable()
        let live = try await engine.liveState(stack: stack.name, environment: environment.name)
        return (StatusTable(stack: stack, live: live).text, live.containers)
    }

    /// `docker compose logs` of the service.
    public func logs(of service: String, in stack: Stack, environment: Environment, tail: Int, follow: Bool)
        async throws -> Int32
    {
        let live = try await engine.liveState(stack: stack.name, environment: environment.name)
        guard !live.containers(of: service).isEmpty else {
            throw EngineError("Service '\(service)' has no container on \(engine.target); deploy it with `up` first.")
        }
        let project = ComposeRenderer.projectName(stack: stack.name, environment: environment.name)
        return try await engine.runAttached(
            ["compose", "--project-name", project, "logs", "--tail", String(tail)] + (follow ? ["--follow"] : [])
                + [service])
    }

    func composeArguments(project: String, file: URL?) -> [String] {
        ["compose", "--project-name", project] + (file.map { ["--file", $0.path] } ?? [])
    }
}
