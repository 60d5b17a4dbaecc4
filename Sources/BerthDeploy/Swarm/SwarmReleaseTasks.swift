import BerthCore
import BerthRendering
import BerthSwarm
import BerthYAML
import Foundation

/// Release tasks on Swarm, before `docker stack deploy` replaces the services that have them.
///
/// Swarm updates every service of a stack file at once, so Berth splits the deploy:
/// 1. when a releasing service depends on services the deploy creates or changes, the stack
///    without the releasing services is deployed first (without `--prune`, so the releasing
///    services keep running their previous version), and Berth waits until those
///    dependencies run their replicas;
/// 2. each task runs as a one-off Swarm job (`mode: replicated-job`, no restart) of the new
///    version: the service's own image, environment, secrets, configs, networks and mounts,
///    with the task's command; Berth waits for it to complete, then removes it;
/// 3. the whole stack is deployed as usual.
/// A task that fails or outlives its timeout stops the deploy before step 3: the releasing
/// services still run their previous version. A job a killed deployer left behind is removed
/// before the next task runs.
struct SwarmReleaseTasks {
    var engine: DockerEngine
    var console: Console
    var workspace: Workspace
    var pollInterval: Duration
    var resolveImage: SwarmDeployer.ResolveImage

    /// The label a release job carries, with the service it runs the task of.
    static let label = "berth.release-task"

    /// Runs the release tasks of the services the plan creates or updates.
    /// - Parameters:
    ///   - prepared: The stack and its current document (with this deploy's object versions).
    ///   - objects: The secret and config versions of this deploy.
    ///   - timeout: How long the dependencies have to run their replicas.
    /// - Throws: ``DeployFailure`` naming the service whose task failed; nothing of it changed.
    func run(
        _ prepared: SwarmDeployer.Prepared, plan: Plan, secretVersions: [String: String],
        configVersions: [String: String], timeout: Duration
    ) async throws {
        let stack = prepared.stack
        let changing = Set(plan.services.filter { $0.action == .create || $0.action == .update }.map(\.service))
        let releasing = stack.services.filter { changing.contains($0.name) && $0.releaseTask != nil }
        guard !releasing.isEmpty else { return }
        let stackName = prepared.document.stackName
        try await removeLeftoverJobs(stackName: stackName)

        // 1. What the tasks need, first.
        let graph = DependencyGraph(stack: stack)
        var needed: Set<String> = []
        var frontier = releasing.flatMap { graph.edges[$0.name] ?? [] }
        while let next = frontier.popLast() {
            guard needed.insert(next).inserted else { continue }
            frontier += graph.edges[next] ?? []
        }
        let releasingNames = Set(releasing.map(\.name))
        let prerequisites = needed.subtracting(releasingNames).filter(changing.contains)
        if !prerequisites.isEmpty {
            var document = prepared.document
            document.root = Self.removingServices(releasingNames, from: document.root)
            let file = try write(document.yaml, named: "stack-before-release.yaml", prepared)
            console.progress(
                "Deploying \(prerequisites.sorted().joined(separator: ", ")) first: the release task(s) of \(releasingNames.sorted().joined(separator: ", ")) need them."
            )
            // The update each changed one last had: `stack deploy --detach` returns before Swarm
            // starts the new one, and until then the previous version looks ready.
            let before = try await engine.swarmServices(stack: stack.name, environment: prepared.environment.name)
            let waiting = Dictionary(
                uniqueKeysWithValues: prerequisites.map { name in
                    let live = before.first { $0.service == name }
                    return (name, live == nil ? Prerequisite.created : .updated(since: live?.updateStartedAt))
                })
            let result = try await engine.run([
                "stack", "deploy", "--detach=true", "--resolve-image", resolveImage.rawValue, "--compose-file",
                file.path, stackName,
            ])
            guard result.succeeded else {
                throw DeployFailure(
                    service: nil, reason: "docker stack deploy failed: \(result.standardError.trimmed)",
                    healthOutput: nil, logTail: nil, stillServing: [])
            }
            try await waitForReplicas(
                of: waiting, stack: stack.name, environment: prepared.environment.name, timeout: timeout)
        }

        // 2. The tasks, in dependency order.
        let order = graph.levels().flatMap { $0 }
        for service in releasing.sorted(by: {
            (order.firstIndex(of: $0.name) ?? 0) < (order.firstIndex(of: $1.name) ?? 0)
        }) {
            try await runTask(of: service, prepared, secretVersions: secretVersions, configVersions: configVersions)
        }
    }

    /// The document without some services; the networks, secrets and configs stay declared.
    static func removingServices(_ names: Set<String>, from root: YAMLNode) -> YAMLNode {
        guard case .mapping(var top) = root, case .mapping(let services)? = top["services"] else { return root }
        top["services"] = .mapping(
            YAMLMapping(services.entries.filter { !names.contains($0.key) }.map { ($0.key, $0.value) }))
        return .mapping(top)
    }

    /// The task of one service as a Swarm job of its new version.
    static func job(
        of service: Service, in stack: Stack, for environment: Environment, secretVersions: [String: String],
        configVersions: [String: String]
    ) throws -> (name: String, document: SwarmDocument) {
        let task = service.releaseTask!
        var job = service
        job.name = "\(service.name)-release"
        // With a composed environment the shim is the entrypoint and runs the program it is
        // given, so the task goes through the service's own entrypoint as its command would.
        job.command = ComposedEnvironment(of: service) == nil ? task.command : (service.entrypoint ?? []) + task.command
        job.healthCheck = nil
        job.ports = []
        job.routes = []
        job.replicas = 1
        job.releaseTask = nil
        job.schedule = nil
        job.backups = []
        job.metrics = nil
        job.dependencies = []
        job.labels.append(Label(key: label, value: service.name, location: task.location))
        var only = stack
        only.services = [job]
        var document = SwarmRenderer().render(
            only, for: environment, secretVersions: secretVersions, configVersions: configVersions)
        if document.diagnostics.containsErrors {
            throw ValidationFailure(diagnostics: document.diagnostics.filter { $0.severity == .error })
        }
        // A job runs once to its end: no restart, no rolling update, no health to wait for.
        guard case .mapping(var top) = document.root, case .mapping(var services)? = top["services"],
            case .mapping(var node)? = services[job.name]
        else { return (job.name, document) }
        var deploy: YAMLMapping
        if case .mapping(let existing)? = node["deploy"] { deploy = existing } else { deploy = YAMLMapping() }
        deploy["mode"] = "replicated-job"
        deploy["replicas"] = 1
        deploy["restart_policy"] = ["condition": "none"]
        deploy["update_config"] = nil
        deploy["rollback_config"] = nil
        deploy["endpoint_mode"] = nil
        // On the service too, so a job an interrupted deploy left is found by `service ls`.
        switch deploy["labels"] {
        case .mapping(var labels)?:
            labels[label] = .string(service.name)
            deploy["labels"] = .mapping(labels)
        case .sequence(let labels)?:
            deploy["labels"] = .sequence(labels + [.string("\(label)=\(service.name)")])
        default:
            deploy["labels"] = .mapping(YAMLMapping([(label, .string(service.name))]))
        }
        node["deploy"] = .mapping(deploy)
        node["healthcheck"] = ["disable": true]
        services[job.name] = .mapping(node)
        top["services"] = .mapping(services)
        document.root = .mapping(top)
        return (job.name, document)
    }

    private func runTask(
        of service: Service, _ prepared: SwarmDeployer.Prepared, secretVersions: [String: String],
        configVersions: [String: String]
    ) async throws {
        let task = service.releaseTask!
        let shown = task.command.joined(separator: " ")
        console.progress("  \(service.name): running its release task `\(shown)` in the new version (a Swarm job)…")
        let (name, document) = try Self.job(
            of: service, in: prepared.stack, for: prepared.environment, secretVersions: secretVersions,
            configVersions: configVersions)
        let file = try write(document.yaml, named: "release-\(service.name).yaml", prepared)
        let stackName = prepared.document.stackName
        let serviceName = "\(stackName)_\(name)"
        let clock = ContinuousClock()
        let started = clock.now
        let deploy = try await engine.run([
            "stack", "deploy", "--detach=true", "--resolve-image", resolveImage.rawValue, "--compose-file", file.path,
            stackName,
        ])
        guard deploy.succeeded else {
            throw DeployFailure(
                service: service.name, reason: "its release job could not be created: \(deploy.standardError.trimmed)",
                healthOutput: nil, logTail: nil, stillServing: [],
                note: "Nothing of \(service.name) changed; the previous version keeps serving.")
        }
        var outcome: (succeeded: Bool, reason: String)?
        while outcome == nil {
            let states = try await engine.run([
                "service", "ps", "--no-trunc", "--format", "{{.CurrentState}}\t{{.Error}}", serviceName,
            ])
            let rows = states.standardOutput.split(whereSeparator: \.isNewline).map(String.init)
            if rows.contains(where: { $0.hasPrefix("Complete") }) {
                outcome = (true, "")
            } else if let failed = rows.first(where: {
                $0.hasPrefix("Failed") || $0.hasPrefix("Rejected") || $0.hasPrefix("Shutdown")
            }) {
                let error = failed.split(separator: "\t", maxSplits: 1).dropFirst().first.map(String.init) ?? failed
                outcome = (false, "its release task `\(shown)` failed: \(error.trimmed)")
            } else if clock.now - started >= task.timeout {
                outcome = (
                    false,
                    "its release task `\(shown)` ran longer than \(ImageShipper.seconds(task.timeout)) and was stopped"
                )
            } else {
                try await Task.sleep(for: pollInterval)
            }
        }
        let logs = try? await engine.run(["service", "logs", "--raw", "--no-task-ids", "--tail", "20", serviceName])
        try await removeJobs([serviceName], stackName: stackName)
        let elapsed = ImageShipper.seconds(clock.now - started)
        guard let outcome, !outcome.succeeded else {
            console.progress("  \(service.name): release task done in \(elapsed)")
            return
        }
        let tail = logs.map { ($0.standardOutput + $0.standardError).trimmed }
        throw DeployFailure(
            service: service.name, reason: outcome.reason, healthOutput: nil,
            logTail: tail?.isEmpty == false ? tail : nil, stillServing: [],
            note: "The release stopped before \(service.name) changed; the previous version keeps serving.")
    }

    /// Release jobs a killed deployer left: a task must never run beside another of its kind.
    private func removeLeftoverJobs(stackName: String) async throws {
        let jobs = try await engine.output([
            "service", "ls", "--format", "{{.Name}}", "--filter", "label=com.docker.stack.namespace=\(stackName)",
            "--filter", "label=\(Self.label)",
        ])
        .split(whereSeparator: \.isNewline).map(String.init)
        if !jobs.isEmpty { console.progress("Removing \(jobs.count) release job(s) an interrupted deploy left.") }
        try await removeJobs(jobs, stackName: stackName)
    }

    /// Removes job services and their containers: Swarm leaves the containers of a removed job,
    /// a running one included, on the node.
    private func removeJobs(_ services: [String], stackName: String) async throws {
        if !services.isEmpty { _ = try await engine.run(["service", "rm"] + services) }
        let containers = try await engine.output([
            "ps", "--all", "--quiet", "--filter", "label=com.docker.stack.namespace=\(stackName)", "--filter",
            "label=\(Self.label)",
        ])
        .split(whereSeparator: \.isNewline).map(String.init)
        if !containers.isEmpty { _ = try await engine.run(["container", "rm", "--force"] + containers) }
    }

    /// How a service the release tasks need changes in this deploy.
    enum Prerequisite: Sendable, Hashable {
        /// It did not run before.
        case created
        /// It ran; the update it last had started then (`nil` for none).
        case updated(since: String?)
    }

    /// Whether every service the tasks need runs this deploy's version: a created one its
    /// replicas, an updated one an update started after `since` that completed.
    static func ready(_ services: [LiveSwarmService], waitingFor waiting: [String: Prerequisite]) -> Bool {
        waiting.allSatisfy { name, change in
            services.contains { live in
                guard live.service == name, live.desired > 0, live.running == live.desired else { return false }
                switch change {
                case .created: return live.updateState == nil || live.updateState == "completed"
                case .updated(let since):
                    return live.updateStartedAt != nil && live.updateStartedAt != since
                        && live.updateState == "completed"
                }
            }
        }
    }

    /// Waits until each service runs this deploy's version (``ready(_:waitingFor:)``).
    private func waitForReplicas(
        of waiting: [String: Prerequisite], stack: String, environment: String, timeout: Duration
    ) async throws {
        let names = Set(waiting.keys)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let services = try await engine.swarmServices(stack: stack, environment: environment)
            let ready = Self.ready(services, waitingFor: waiting)
            if ready { return }
            // An update undone before this deploy says nothing about it.
            let failedNow = services.first { live in
                guard let change = waiting[live.service], live.updateFailed else { return false }
                if case .updated(let since) = change { return live.updateStartedAt != since }
                return true
            }
            if let failed = failedNow {
                throw DeployFailure(
                    service: failed.service,
                    reason: "its update was \(failed.updateState ?? ""): \(failed.updateMessage ?? "")",
                    healthOutput: try? await engine.lastTaskError(of: failed.name), logTail: nil, stillServing: [],
                    note: "The release tasks did not run; the services that have them keep their previous version.")
            }
            if clock.now >= deadline {
                let late = names.sorted().filter { name in
                    !Self.ready(services, waitingFor: [name: waiting[name]!])
                }
                throw DeployFailure(
                    service: late.first,
                    reason:
                        "not running this version's replicas after \(GoDuration.format(timeout)), so the release tasks that need it did not run (raise --timeout if it needs longer)",
                    healthOutput: nil, logTail: nil, stillServing: [])
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    private func write(_ yaml: String, named name: String, _ prepared: SwarmDeployer.Prepared) throws -> URL {
        let directory = workspace.directory(stack: prepared.stack.name, environment: prepared.environment.name)
        try workspace.prepare(stack: prepared.stack.name, environment: prepared.environment.name)
        let file = directory.appendingPathComponent(name)
        try workspace.write(yaml, to: file)
        return file
    }
}
