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

    /// Validates and renders; nothing touches the engine, and nothing is written. The build
    /// contexts of built services are read, for the tags of their images.
    /// - Throws: ``ValidationFailure`` with every error found.
    public func prepare(_ stack: Stack, for environment: Environment) throws -> Prepared {
        // Optional secrets whose source is missing here are left out before anything else.
        let absent = OptionalSecrets(environment: processEnvironment, packageDirectory: workspace.root).absent(
            in: stack)
        if let note = OptionalSecrets.note(absent, of: stack) { console.progress(note) }
        // Scheduled backups are jobs of the stack (idempotent: a deployment's stacks have them).
        // Pinned tags render with their digests (`up --pin-digests` writes the pins).
        let stack = try ImagePins.load(from: workspace.root).applied(
            to: OptionalSecrets.removing(absent, from: stack.schedulingBackups(for: environment)))
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

    /// Where the Compose file is written.
    public func renderedFile(stack: String, environment: String) -> URL {
        workspace.composeFile(stack: stack, environment: environment)
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
        let configs = try configContents(of: prepared.stack)
        let engineState = try await readEngine(for: prepared)
        let versions = try secretStore(for: prepared).currentVersions(
            prepared.stack.secrets, deployedVersions: Self.deployedSecretVersions(in: engineState.live))
        return try plan(prepared, secretVersions: versions, configContents: configs, engineState).plan
    }

    /// What `plan` and `up` read from the engine, all at once, and check before anything
    /// changes: the stack's live state, the networks it expects other stacks to own, the routes
    /// other stacks claim, and the host ports other containers hold.
    private func readEngine(for prepared: Prepared) async throws -> (live: LiveState, routes: [LiveRoute]) {
        let (stack, environment) = (prepared.stack, prepared.environment)
        // Asked beside the reads, not before them: over ssh every round of commands costs a
        // connection, and an engine that does not answer fails the reads too. Its error, which
        // says what to do, is the one reported.
        async let reachable: Void = engine.checkReachable()
        async let reading = engine.liveState(stack: stack.name, environment: environment.name)
        async let networks: Void = engine.checkExternalNetworks(of: stack, swarm: false)
        async let claimed = engine.checkRouteConflicts(of: stack, for: environment)
        async let ports: Void = engine.checkHostPorts(of: stack, for: environment)
        // Images Berth builds are tagged by their content: only a pulled tag can move.
        let pulled = stack.services.filter { $0.build == nil }
        async let images = engine.currentImages(of: Set(pulled.map(\.image.reference)))
        try await reachable
        var live = try await reading
        let current = try await images
        for service in pulled {
            guard let image = current[service.image.reference] else { continue }
            if let pin = service.image.digest {
                if let digest = image.digest, digest != pin { live.movedPins[service.name] = digest }
            } else {
                live.currentImages[service.name] = image.id
            }
        }
        try await networks
        let routes = try await claimed
        try await ports
        return (live, routes)
    }

    /// The document with the secrets' versions and the configs' contents, and the plan from it.
    /// - Throws: ``ValidationFailure`` when a config file cannot be written into the document.
    private func plan(
        _ prepared: Prepared, secretVersions: [String: String], configContents: [String: [UInt8]],
        _ engineState: (live: LiveState, routes: [LiveRoute])
    ) throws -> (plan: Plan, document: ComposeDocument) {
        let (stack, environment) = (prepared.stack, prepared.environment)
        let document = ComposeRenderer().render(
            stack, for: environment, secretVersions: secretVersions, configContents: configContents)
        if document.diagnostics.containsErrors {
            throw ValidationFailure(diagnostics: document.diagnostics.filter { $0.severity == .error })
        }
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

    /// The content of each file-backed config, written into the document as `content:` so it
    /// reaches remote engines; its hash versions it, so editing the file recreates the services
    /// that mount it.
    /// - Throws: ``EngineError`` naming every config whose file is missing.
    func configContents(of stack: Stack) throws -> [String: [UInt8]] {
        try workspace.configFiles(of: stack)
    }

    /// Applies the description and waits until every service is running and healthy.
    ///
    /// Berth drives the update itself (``ComposeRollout``): services whose containers can run
    /// twice are updated start-first, so a routed service never stops answering; the others
    /// stop-first. Everything `plan` reports as drift is repaired.
    /// - Parameter timeout: How long the new containers of each level of the dependency graph
    ///   have to be running and healthy, from when they start, before the deploy counts as failed.
    /// - Throws: ``DeployFailure`` naming the failing service, its health output and log tail.
    /// - Parameter rotating: Generated secrets to give a new value first (`rotate-secret`): the
    ///   services that read them are replaced like any other change.
    @discardableResult
    public func up(_ prepared: Prepared, timeout: Duration, rotating: Set<String> = []) async throws -> Plan {
        var prepared = prepared
        let stack = prepared.stack
        let environment = prepared.environment
        // Everything that can fail without the engine fails here, before anything changes.
        try workspace.prepare(stack: stack.name, environment: environment.name)
        let configs = try configContents(of: stack)
        for secret in rotating.sorted() {
            try secretStore(for: prepared).rotate(secret, in: stack.secrets)
        }
        // A secret whose source is missing stops here, before the engine is asked anything;
        // what the engine knows (the versions it runs) is checked once it has been read.
        _ = try secretStore(for: prepared).currentVersions(stack.secrets)
        let engineState = try await readEngine(for: prepared)
        let live = engineState.live
        let store = secretStore(for: prepared)
        let versions = try store.materialize(stack.secrets, deployedVersions: Self.deployedSecretVersions(in: live))
        // Compose reads each secret from its own environment and copies it into the containers.
        var engine = engine
        engine.environment = try store.composeEnvironment(for: stack.secrets)
        let plan: Plan
        (plan, prepared.document) = try self.plan(
            prepared, secretVersions: versions, configContents: configs, engineState)
        let file = try render(prepared)
        console.output(plan.summary)

        let gatewaySync = GatewaySync(engine: engine, console: console)
        if !plan.hasChanges {
            console.progress("Nothing to apply; every service is ready.")
            try await gatewaySync.sync(routesOf: stack)
            return plan
        }
        // Images built from the package's sources are on the engine before Compose would try,
        // and fail, to pull them.
        try await ImageDelivery(target: engine, workspace: workspace, console: console).deliver(stack)
        console.progress("Applying \(file.path) to \(engine.target)…")
        var switchGateway: (@Sendable (Set<String>) async throws -> Void)?
        if let gateway = stack.gateway, gateway.adapter.routeFiles != nil {
            switchGateway = { excluded in try await gatewaySync.sync(gateway, excluding: excluded) }
        }
        let rollout = ComposeRollout(
            engine: engine, console: console, stack: stack, environment: environment, document: prepared.document,
            file: file, pollInterval: pollInterval, timeout: timeout, switchGateway: switchGateway)
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
        // Whatever Compose did not know about (a file gone, a renamed service, a release task
        // a killed deployer left) still carries Berth's labels; remove it by them.
        try await engine.removeOneOffs(project: project)
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

    /// One row per container: state, health, image, ports and start time.
    public func status(of stack: Stack, in environment: Environment) async throws -> (
        table: String, json: any Encodable
    ) {
        try await engine.checkReachable()
        let live = try await engine.liveState(stack: stack.name, environment: environment.name)
        let jobs = try await JobRuns.section(of: stack) { [engine] job in
            guard let container = live.containers(of: job.name).max(by: { $0.startedAt < $1.startedAt }) else {
                return nil
            }
            return try await engine.run(["logs", "--tail", "500", container.id]).standardOutput
        }
        return (
            [StatusTable(stack: stack, live: live).text, jobs].compactMap { $0 }.joined(separator: "\n\n"),
            live.containers
        )
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
