import BerthCore
import BerthRendering
import BerthSwarm
import BerthYAML
import Foundation

/// Deploys a stack onto Docker Swarm: validate, render, create versioned secrets and configs,
/// `docker stack deploy`, then check every updated service's `UpdateStatus` — the CLI exits 0
/// even after Swarm rolled an update back.
public struct SwarmDeployer: Orchestrator {
    /// The engine; it must be a Swarm manager.
    public var engine: DockerEngine
    /// Where rendered files go (secrets live in the Swarm, not on disk).
    public var workspace: Workspace
    /// Where progress goes.
    public var console: Console
    /// The deployer's environment variables, for secrets read from it.
    public var processEnvironment: [String: String]
    /// How often services are read while waiting.
    public var pollInterval: Duration = .seconds(1)
    /// Whether `docker stack deploy` asks the registry for image digests: `never` (images are
    /// pinned or local) or `changed` (pin each service to the digest its tag has now).
    public var resolveImage: ResolveImage = .never

    /// The values of `docker stack deploy --resolve-image` Berth uses.
    public enum ResolveImage: String, Sendable, CaseIterable {
        case never, changed
    }

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
        public var document: SwarmDocument
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
            SwarmRenderer().render($0, for: environment)
        }
        return Prepared(
            stack: checked.stack, environment: environment, document: checked.document,
            diagnostics: checked.diagnostics)
    }

    /// Writes the rendered stack file and returns its location.
    @discardableResult
    public func render(_ prepared: Prepared) throws -> URL {
        let stack = prepared.stack.name
        let environment = prepared.environment.name
        try workspace.prepare(stack: stack, environment: environment)
        let file = renderedFile(stack: stack, environment: environment)
        try workspace.write(prepared.document.yaml, to: file)
        return file
    }

    /// Where the stack file is written.
    public func renderedFile(stack: String, environment: String) -> URL {
        workspace.directory(stack: stack, environment: environment).appendingPathComponent("stack.yaml")
    }

    // MARK: Secrets and configs

    /// The versions the engine should hold, and the values Berth must create for them.
    struct Objects {
        var secretVersions: [String: String] = [:]
        var configVersions: [String: String] = [:]
        /// Values to create, by logical name; only those whose version is not on the engine.
        var newSecrets: [String: [UInt8]] = [:]
        var newConfigs: [String: [UInt8]] = [:]
    }

    /// Reads every source, reusing generated secrets the Swarm already holds, so a deploy from
    /// another machine finds them through their labels instead of generating new ones.
    func resolveObjects(_ prepared: Prepared, rotating: Set<String>) async throws -> Objects {
        let stack = prepared.stack
        let environment = prepared.environment.name
        let existingSecrets = try await engine.swarmObjects("secret", stack: stack.name, environment: environment)
        let existingConfigs = try await engine.swarmObjects("config", stack: stack.name, environment: environment)
        let key = try await versionKey(stack: stack.name, environment: environment)
        var objects = Objects()
        var problems: [String] = []
        for secret in stack.secrets {
            let value: [UInt8]
            switch secret.source {
            case .external:
                continue
            case .shared(let owner, let name):
                // The owner's current version: what the owner's own services read.
                let versions = try await engine.swarmObjects("secret", stack: owner, environment: environment)
                if let current = versions.last(where: { $0.logicalName == name }) {
                    objects.secretVersions[secret.name] = current.version
                } else {
                    problems.append(
                        "\(secret.location): secret '\(secret.name)' is created by stack '\(owner)' (\(environment)), which has not created it on \(engine.target): deploy \(owner) first."
                    )
                }
                continue
            case .generated(let length, let alphabet):
                let current = existingSecrets.last { $0.logicalName == secret.name }
                if let current, !rotating.contains(secret.name) {
                    objects.secretVersions[secret.name] = current.version
                    continue
                }
                value = Array(SecretStore.generate(length: length, alphabet: alphabet).utf8)
            case .environment(let variable):
                guard let text = processEnvironment[variable] else {
                    problems.append(
                        "\(secret.location): secret '\(secret.name)' reads the environment variable \(variable), which is not set. Export \(variable) before deploying."
                    )
                    continue
                }
                value = Array(text.utf8)
            case .file(let path):
                let url = workspace.file(path)
                guard let data = FileManager.default.contents(atPath: url.path) else {
                    problems.append(
                        "\(secret.location): secret '\(secret.name)' reads \(url.path), which does not exist or cannot be read. Create the file or correct the path."
                    )
                    continue
                }
                value = Array(data)
            }
            let version = SHA256.hex(SecretStore.hmac(key: key, message: value).prefix(8))
            objects.secretVersions[secret.name] = version
            if !existingSecrets.contains(where: { $0.logicalName == secret.name && $0.version == version }) {
                objects.newSecrets[secret.name] = value
            }
        }
        guard problems.isEmpty else { throw SecretError(problems: problems) }
        let files = try workspace.configFiles(of: stack)
        for config in stack.configs {
            let content: [UInt8]
            switch config.source {
            case .content(let text): content = Array(text.utf8)
            case .file: content = files[config.name]!
            }
            let version = ContentVersion.of(content)
            objects.configVersions[config.name] = version
            if !existingConfigs.contains(where: { $0.logicalName == config.name && $0.version == version }) {
                objects.newConfigs[config.name] = content
            }
        }
        return objects
    }

    /// The key secret versions are computed with, kept in the Swarm as a config so every machine
    /// that deploys the stack computes the same versions. Whoever can read it can already run
    /// containers that read the secrets themselves.
    private func versionKey(stack: String, environment: String) async throws -> [UInt8] {
        let name = SwarmRenderer.stackName(stack: stack, environment: environment) + "_berth-version-key"
        let existing = try await engine.run(["config", "inspect", "--format", "{{json .Spec.Data}}", name])
        if existing.succeeded,
            let data = try? JSONDecoder().decode(Data.self, from: Data(existing.standardOutput.trimmed.utf8))
        {
            return Array(data)
        }
        let key = Array(SecretStore.generate(length: 64, alphabet: .alphanumeric).utf8)
        try await engine.createSwarmObject(
            "config", name: name, logicalName: "berth-version-key", version: "1", stack: stack,
            environment: environment, value: key)
        return key
    }

    private func render(_ prepared: Prepared, objects: Objects) -> Prepared {
        var prepared = prepared
        prepared.document = SwarmRenderer().render(
            prepared.stack, for: prepared.environment, secretVersions: objects.secretVersions,
            configVersions: objects.configVersions)
        return prepared
    }

    // MARK: Commands

    /// Checks that the target is a Swarm manager, that the external networks exist and that no
    /// other stack serves the stack's routes; returns the routes on the engine.
    private func checkTarget(_ prepared: Prepared) async throws -> [LiveRoute] {
        try await engine.checkReachable()
        let state = try await engine.output([
            "info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}",
        ])
        guard state.trimmed == "active true" else {
            throw EngineError(
                "\(engine.target) is not a Swarm manager (swarm state: \(state.trimmed)). Run `docker swarm init` there, or deploy this environment with Compose."
            )
        }
        try await engine.checkExternalNetworks(of: prepared.stack, swarm: true)
        return try await engine.checkRouteConflicts(of: prepared.stack, for: prepared.environment)
    }

    /// Compares the description with the live services.
    public func plan(_ prepared: Prepared) async throws -> Plan {
        let routes = try await checkTarget(prepared)
        let current = render(prepared, objects: try await resolveObjects(prepared, rotating: []))
        let live = try await engine.swarmServices(stack: prepared.stack.name, environment: prepared.environment.name)
        var plan = Plan(
            stack: current.stack, environment: current.environment, stackName: current.document.stackName,
            hashes: current.document.serviceHashes, live: live)
        plan.routes = Plan.routeChanges(of: current.stack, for: current.environment, live: routes)
        return plan
    }

    /// Deploys and waits until every updated service converged; a rolled-back or paused
    /// update is a failed deploy.
    /// - Parameters:
    ///   - timeout: How long to wait for the services to converge.
    ///   - rotating: Generated secrets to replace with new values.
    @discardableResult
    public func up(_ prepared: Prepared, timeout: Duration, rotating: Set<String> = []) async throws -> Plan {
        let stack = prepared.stack
        let environment = prepared.environment
        let routes = try await checkTarget(prepared)
        let objects = try await resolveObjects(prepared, rotating: rotating)
        let current = render(prepared, objects: objects)
        let live = try await engine.swarmServices(stack: stack.name, environment: environment.name)
        var plan = Plan(
            stack: stack, environment: environment, stackName: current.document.stackName,
            hashes: current.document.serviceHashes, live: live)
        plan.routes = Plan.routeChanges(of: stack, for: environment, live: routes)
        let file = try render(current)
        console.output(plan.summary)
        if !plan.hasChanges, live.allSatisfy({ $0.running == $0.desired }) {
            console.progress("Nothing to apply; every service runs its desired replicas.")
            try await GatewaySync(engine: engine, console: console).sync(routesOf: stack)
            return plan
        }
        // Images built from the package's sources reach the manager before any service asks
        // for them; Swarm never pulls a `berth-build/` image.
        try await ImageDelivery(target: engine, workspace: workspace, console: console).deliver(stack)

        for (name, value) in objects.newSecrets.sorted(by: { $0.key < $1.key }) {
            try await engine.createSwarmObject(
                "secret", name: current.document.secretNames[name]!, logicalName: name,
                version: objects.secretVersions[name]!, stack: stack.name, environment: environment.name, value: value)
            console.progress("Created secret \(current.document.secretNames[name]!).")
        }
        for (name, value) in objects.newConfigs.sorted(by: { $0.key < $1.key }) {
            try await engine.createSwarmObject(
                "config", name: current.document.configNames[name]!, logicalName: name,
                version: objects.configVersions[name]!, stack: stack.name, environment: environment.name, value: value)
            console.progress("Created config \(current.document.configNames[name]!).")
        }

        // Release tasks run before the services that have them change; a failing one stops here.
        try await SwarmReleaseTasks(
            engine: engine, console: console, workspace: workspace, pollInterval: pollInterval,
            resolveImage: resolveImage
        ).run(
            current, plan: plan, secretVersions: objects.secretVersions, configVersions: objects.configVersions,
            timeout: timeout)

        let stackName = current.document.stackName
        console.progress("Deploying \(file.path) to \(engine.target) as stack \(stackName)…")
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let outcome = Outcome()
        let deploy = Task { [engine, resolveImage] in
            do {
                outcome.set(
                    .success(
                        try await engine.run([
                            "stack", "deploy", "--detach=false", "--prune", "--resolve-image", resolveImage.rawValue,
                            "--compose-file", file.path, stackName,
                        ])))
            } catch {
                outcome.set(.failure(error))
            }
        }
        // Whatever ends the wait also stops the CLI, which would otherwise wait for ever on a
        // service whose tasks never become healthy.
        defer { deploy.cancel() }
        // A repaired service is waited for like a changed one: scaled back, or running again.
        let changed = Set(
            plan.services.filter { $0.action == .create || $0.action == .update || $0.action == .repair }.map(\.service)
        )
        var reported: [String: String] = [:]
        let earlierUpdates = Dictionary(live.map { ($0.service, $0.updateStartedAt) }, uniquingKeysWith: { $1 })
        // An update that started before this deploy says nothing about it.
        func isCurrent(_ service: LiveSwarmService) -> Bool {
            service.updateStartedAt != nil && service.updateStartedAt != earlierUpdates[service.service] ?? nil
        }
        // Once the deploy converged: old secret and config versions go, and the user hears.
        func finish(_ services: [LiveSwarmService]) async throws {
            try await removeUnusedObjects(stack: stack.name, environment: environment.name, keeping: current.document)
            console.clearLive()
            console.progress(
                "Deployed \(stack.name) (\(environment.name)) to Swarm: \(services.count) service(s) converged.")
            try await GatewaySync(engine: engine, console: console).sync(routesOf: stack)
        }
        while true {
            let services = try await engine.swarmServices(stack: stack.name, environment: environment.name)
            for service in services where changed.contains(service.service) {
                let line =
                    "\(service.running)/\(service.desired)" + (service.updateState.map { ", update \($0)" } ?? "")
                if reported[service.service] != line {
                    reported[service.service] = line
                    console.progress("  \(service.service): \(line)")
                }
                // Report once the rollback has finished and the previous version runs again, so
                // "still serving" is what serves; a paused update will not move on by itself.
                let settled =
                    service.updateState == "paused"
                    || (service.updateState == "rollback_completed" && service.running == service.desired)
                if service.updateFailed && isCurrent(service) && (settled || clock.now >= deadline) {
                    throw await failure(
                        of: service, reason: "its update was \(service.updateState!): \(service.updateMessage ?? "")",
                        ready: services)
                }
            }
            let converged = changed.allSatisfy { name in
                services.contains { service in
                    service.service == name && service.running == service.desired
                        && (!isCurrent(service) || service.updateState == "completed")
                }
            }
            if let result = try outcome.value?.get(), !result.succeeded {
                throw DeployFailure(
                    service: nil, reason: "docker stack deploy failed: \(result.standardError.trimmed)",
                    healthOutput: nil, logTail: nil, stillServing: [])
            }
            // The CLI can keep waiting after Swarm converged (seen with global services), so the
            // services' own state also ends the wait: every created service runs its replicas,
            // every updated one finished the update this deploy started, every removed one is gone.
            let settled =
                plan.services.allSatisfy { change in
                    let live = services.first { $0.service == change.service }
                    switch change.action {
                    case .unchanged: return true
                    case .repair:
                        // This loop can read the engine before `stack deploy` scaled a service
                        // back: a service left at 0 of 0 is not repaired yet.
                        let described = stack.services.first { $0.name == change.service }
                        let replicas = described?.deploy.mode == .replicated ? described?.replicas : nil
                        return live.map { $0.running == $0.desired && (replicas == nil || $0.desired == replicas) }
                            ?? false
                    case .remove: return live == nil
                    case .create: return live.map { $0.running == $0.desired } ?? false
                    case .update:
                        return live.map { isCurrent($0) && $0.updateState == "completed" && $0.running == $0.desired }
                            ?? false
                    }
                }
            if settled, outcome.value == nil {
                try await finish(services)
                return plan
            }
            if let result = try outcome.value?.get(), converged {
                guard result.succeeded else {
                    throw DeployFailure(
                        service: nil, reason: "docker stack deploy failed: \(result.standardError.trimmed)",
                        healthOutput: nil, logTail: nil, stillServing: [])
                }
                try await finish(services)
                return plan
            }
            if clock.now >= deadline {
                let waiting =
                    services.first { changed.contains($0.service) && $0.running != $0.desired }
                    ?? services.first { changed.contains($0.service) }
                if let waiting {
                    throw await failure(
                        of: waiting,
                        reason:
                            "\(waiting.running)/\(waiting.desired) replicas after \(GoDuration.format(timeout)) (raise --timeout if it needs longer)",
                        ready: services)
                }
                throw DeployFailure(
                    service: nil, reason: "the stack did not converge in \(GoDuration.format(timeout))",
                    healthOutput: nil, logTail: nil, stillServing: [])
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    private func failure(of service: LiveSwarmService, reason: String, ready: [LiveSwarmService]) async -> DeployFailure
    {
        let taskError = try? await engine.lastTaskError(of: service.name)
        let logs = try? await engine.run(["service", "logs", "--tail", "20", "--no-task-ids", service.name])
        return DeployFailure(
            service: service.service, reason: reason, healthOutput: taskError ?? nil,
            logTail: logs.map { ($0.standardOutput + $0.standardError).trimmed },
            stillServing: ready.filter { $0.running == $0.desired && $0.running > 0 && $0.service != service.service }
                .map(\.service)
                // After a rollback the previous version of the failed service serves again.
                + (service.updateState == "rollback_completed" && service.running == service.desired
                    && service.running > 0
                    ? ["\(service.service) (previous version, \(service.running)/\(service.desired))"] : []))
    }

    /// Removes the versions of secrets and configs no service uses any more; one still in use
    /// (a task not yet replaced) stays and goes with a later deploy.
    private func removeUnusedObjects(stack: String, environment: String, keeping document: SwarmDocument) async throws {
        let keep = Set(document.secretNames.values).union(document.configNames.values)
        for kind in ["secret", "config"] {
            for object in try await engine.swarmObjects(kind, stack: stack, environment: environment)
            where !keep.contains(object.name) && object.logicalName != "berth-version-key" {
                let removal = try await engine.run([kind, "rm", object.name])
                if removal.succeeded { console.progress("Removed unused \(kind) \(object.name).") }
            }
        }
    }

    /// Removes the stack's services, networks, secrets and configs (volumes with `removeVolumes`).
    /// One row per service: replicas running, update state and the last task error.
    public func status(of stack: Stack, in environment: Environment) async throws -> (
        table: String, json: any Encodable
    ) {
        try await engine.checkReachable()
        let services = try await engine.swarmServices(stack: stack.name, environment: environment.name)
        var rows = [["SERVICE", "NAME", "REPLICAS", "UPDATE", "LAST TASK ERROR"]]
        for service in stack.services {
            guard let live = services.first(where: { $0.service == service.name }) else {
                rows.append([service.name, "-", "absent", "-", "-"])
                continue
            }
            let error = try await engine.lastTaskError(of: live.name) ?? "-"
            rows.append([
                service.name, live.name, "\(live.running)/\(live.desired)", live.updateState ?? "-", error,
            ])
        }
        let jobs = try await JobRuns.section(of: stack) { [engine] job in
            guard let live = services.first(where: { $0.service == job.name }) else { return nil }
            return try await engine.run(["service", "logs", "--raw", "--tail", "500", live.name]).standardOutput
        }
        return ([StatusTable(rows: rows).text, jobs].compactMap { $0 }.joined(separator: "\n\n"), services)
    }

    /// `docker service logs` of the service.
    public func logs(of service: String, in stack: Stack, environment: Environment, tail: Int, follow: Bool)
        async throws -> Int32
    {
        let name = SwarmRenderer.stackName(stack: stack.name, environment: environment.name) + "_" + service
        return try await engine.runAttached(
            ["service", "logs", "--tail", String(tail)] + (follow ? ["--follow"] : []) + [name])
    }

    public func down(stack: String, environment: String, removeVolumes: Bool) async throws {
        try await engine.checkReachable()
        let stackName = SwarmRenderer.stackName(stack: stack, environment: environment)
        _ = try await engine.run(["stack", "rm", stackName])
        // Swarm removes tasks and networks in the background; secrets in use cannot go before.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(90)
        let namespace = ["--filter", "label=com.docker.stack.namespace=\(stackName)"]
        while clock.now < deadline {
            let tasks = try await engine.output(["ps", "--all", "--quiet"] + namespace)
            let networks = try await engine.output(["network", "ls", "--quiet"] + namespace)
            if tasks.trimmed.isEmpty && networks.trimmed.isEmpty { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        for kind in ["secret", "config"] {
            for object in try await engine.swarmObjects(kind, stack: stack, environment: environment) {
                _ = try await engine.output([kind, "rm", object.name])
            }
        }
        if removeVolumes {
            for volume in try await engine.output(["volume", "ls", "--quiet"] + namespace).split(
                whereSeparator: \.isNewline)
            {
                _ = try await engine.output(["volume", "rm", String(volume)])
            }
        }
        let left = try await engine.swarmServices(stack: stack, environment: environment)
        guard left.isEmpty else {
            throw EngineError(
                "Some services of \(stack) (\(environment)) are still on the engine: \(left.map(\.name).joined(separator: ", "))."
            )
        }
        console.progress("Removed \(stack) (\(environment)) from the Swarm.")
    }
}

/// The result of a command running in the background, read while the engine is watched.
final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Result<CommandResult, any Error>?

    var value: Result<CommandResult, any Error>? { lock.withLock { stored } }

    func set(_ result: Result<CommandResult, any Error>) { lock.withLock { stored = result } }
}
