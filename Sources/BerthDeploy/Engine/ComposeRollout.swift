import BerthCompose
import BerthCore
import Foundation

/// Applies a plan to a Compose project service by service, driving every replacement itself.
///
/// Compose is asked only to create and start containers (`up --no-deps --no-recreate --scale`),
/// never to stop or replace one, except for the services that cannot run twice, which Compose
/// replaces stop-first exactly as `docker compose up` would. Everything else is Berth's:
/// - services go in dependency order, a level of the dependency graph at a time;
/// - a start-first service gets its new containers beside the old ones; only containers of the
///   new configuration are judged, so an old container the engine marks unhealthy while it
///   stops is never taken for a failing new one;
/// - once the new containers are ready the gateway sends requests to them alone, the old ones
///   finish what they are answering (`drain`), and are stopped with their stop grace period;
/// - a new container that fails is removed while the old ones keep serving, and the deploy
///   fails naming the service, its exit code or health output, and its log tail;
/// - leftovers of an interrupted update, stopped and exited containers, and services that left
///   the description are removed, so everything `plan` reports is repaired.
struct ComposeRollout {
    var engine: DockerEngine
    var console: Console
    var stack: Stack
    var environment: Environment
    var document: ComposeDocument
    var file: URL
    var pollInterval: Duration
    /// How long each level's new containers have to be ready, from when they are started: a
    /// deep dependency graph, or a slow release task before a level, takes nothing from the
    /// time the next level has.
    var timeout: Duration
    /// Points the stack's gateway at every ready container except the given ones; `nil` when
    /// the gateway learns routes by itself (Traefik) or there is none.
    var switchGateway: (@Sendable (Set<String>) async throws -> Void)?
    /// How long old containers of a routed service keep running, for the requests they are
    /// answering, when the gateway was not switched explicitly (Traefik finds the new containers
    /// by itself). An nginx switch waits for its old workers instead.
    var drain: Duration = .milliseconds(500)
    /// How long a container without a health check must run before it counts as started.
    var settle: Duration = .seconds(1)

    private let clock = ContinuousClock()

    /// One service's part of a level.
    struct Step {
        var service: Service
        var strategy: UpdateStrategy
        /// Ready containers of the new configuration that stay.
        var kept: [LiveContainer]
        /// Running containers that the new ones replace, stopped once those are ready.
        var replaced: [LiveContainer]
        /// New containers to create.
        var needed: Int
        /// Containers that serve nothing (exited, created, leftovers): removed first.
        var idle: [LiveContainer]
    }

    /// Applies the plan.
    /// - Returns: Whether the gateway already serves the final routes: it was switched after the
    ///   last change of a container it sends requests to. Otherwise the caller syncs it.
    func run(_ plan: Plan, live: LiveState) async throws -> Bool {
        var gatewayCurrent = false
        var live = live
        // Drift makes a change too (`repair`): every service the plan would touch.
        let work = Set(plan.services.filter { $0.action != .unchanged }.map(\.service))
        // A release task belongs to a new version, not to the repair of a crashed container.
        let releasing = Set(plan.services.filter { $0.action == .create || $0.action == .update }.map(\.service))
        let byName = Dictionary(stack.services.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let levels = DependencyGraph(stack: stack).levels()
            .map { level in level.filter(work.contains).compactMap { byName[$0] } }.filter { !$0.isEmpty }
        for (index, services) in levels.enumerated() {
            if try await roll(services, live: live, releasing: releasing) {
                gatewayCurrent = true
            } else if services.contains(where: affectsGateway) {
                gatewayCurrent = false
            }
            if index < levels.count - 1 {
                let images = live.currentImages
                live = try await engine.liveContainers(stack: stack.name, environment: environment.name)
                live.currentImages = images
            }
        }
        // Services the description no longer has were there before the rollout, which never
        // creates them.
        let described = Set(stack.services.map(\.name))
        let orphans = live.containers.filter { !described.contains($0.service) }
        if !orphans.isEmpty {
            if orphans.contains(where: \.isRouted), let switchGateway {
                try await switchGateway(Set(orphans.map(\.id)))
                gatewayCurrent = true
            }
            console.progress(
                "  removing \(Set(orphans.map(\.service)).sorted().joined(separator: ", ")): no longer described")
            try await remove(orphans, stopping: true)
        }
        // Compose never removes a network that left the file; the plan promised to.
        for network in plan.networks where network.action == .remove {
            let removal = try await engine.run(["network", "rm", network.name])
            if !removal.succeeded {
                console.progress("Could not remove network \(network.name): \(removal.standardError.trimmed)")
            }
        }
        return gatewayCurrent
    }

    /// Whether a service's containers change what the stack's gateway serves: it is routed, or
    /// it is the gateway itself.
    private func affectsGateway(_ service: Service) -> Bool {
        !service.routes.isEmpty || (stack.gateway?.owner == stack.name && stack.gateway?.service == service.name)
    }

    /// Rolls one level out.
    /// - Returns: Whether the gateway was switched once the level's new containers were ready.
    private func roll(_ services: [Service], live: LiveState, releasing: Set<String>) async throws -> Bool {
        // Before anything of the level changes: a failing task leaves every container as it was.
        for service in services where releasing.contains(service.name) {
            if let task = service.releaseTask { try await run(task, of: service) }
        }
        let steps = services.map { self.step(for: $0, live: live) }
        let idle = steps.flatMap(\.idle)
        if !idle.isEmpty { try await remove(idle, stopping: true) }

        let startFirst = steps.filter { $0.strategy.order == .startFirst }
        let stopFirst = steps.filter { $0.strategy.order == .stopFirst }
        for step in steps {
            describe(step)
        }
        let before = Set(live.containers.map(\.id))
        // Start-first: the new containers join the old ones.
        let creating = startFirst.filter { $0.needed > 0 }
        if !creating.isEmpty {
            try await compose(
                ["up", "--detach", "--no-deps", "--no-recreate"]
                    + creating.flatMap {
                        ["--scale", "\($0.service.name)=\($0.kept.count + $0.replaced.count + $0.needed)"]
                    } + creating.map(\.service.name))
        }
        // Stop-first: Compose replaces them as `docker compose up` does, carrying anonymous
        // volumes over; it runs to its end, never cancelled halfway.
        if !stopFirst.isEmpty {
            try await compose(
                ["up", "--detach", "--no-deps"]
                    + stopFirst.flatMap { ["--scale", "\($0.service.name)=\($0.service.replicas)"] }
                    + stopFirst.map(\.service.name))
        }
        let outcome = try await waitForNewContainers(of: steps, before: before)

        // Every start-first service that came up switches over together: one gateway reload,
        // which also keeps out the new containers of a service that failed, so a bad version
        // never gets a request while it is being removed.
        let switched = startFirst.filter { outcome.failures[$0.service.name] == nil }
        let old = switched.flatMap(\.replaced)
        let failedNew = outcome.failures.keys.flatMap { outcome.new[$0] ?? [] }
        // Only containers a gateway sends requests to need it told, and time to finish them.
        var switchedGateway = false
        if (old + failedNew).contains(where: \.isRouted), let switchGateway {
            try await switchGateway(Set((old + failedNew).map(\.id)))
            switchedGateway = true
        }
        if !old.isEmpty {
            // An nginx switch returns once its old workers finished their requests; a gateway
            // that learns containers by itself (Traefik) gets a moment instead.
            if old.contains(where: \.isRouted) && !switchedGateway { try await Task.sleep(for: drain) }
            try await remove(old, stopping: true)
        }
        for step in switched where !step.replaced.isEmpty || step.needed > 0 {
            console.progress("  \(step.service.name): ready")
        }
        guard let (name, failure) = outcome.failures.sorted(by: { $0.key < $1.key }).first else {
            return switchedGateway
        }
        let failedStep = steps.first { $0.service.name == name }!
        // The failed new containers go; the old ones never stopped serving.
        let report = try await report(failure.reason, container: failure.container)
        for step in steps where step.strategy.order == .startFirst {
            try await remove(
                outcome.new[step.service.name, default: []].filter { _ in outcome.failures[step.service.name] != nil },
                stopping: false)
        }
        let serving =
            failedStep.strategy.order == .startFirst && !failedStep.replaced.isEmpty
            ? "The previous version of \(name) keeps serving; the new container(s) were removed."
            : nil
        throw DeployFailure(
            service: name, reason: report.reason, healthOutput: report.health, logTail: report.logs,
            stillServing: stack.services.map(\.name).filter { $0 != name && outcome.failures[$0] == nil },
            note: serving)
    }

    /// What happens to one service: which containers stay, which go, how many are made.
    func step(for service: Service, live: LiveState) -> Step {
        let desired = document.serviceHashes[service.name]!.configuration
        let containers = live.containers(of: service.name)
        let strategy = UpdateStrategy.compose(for: service, live: containers.filter { !$0.isLeftover })
        var idle = containers.filter(\.isLeftover)
        var kept: [LiveContainer] = []
        var replaced: [LiveContainer] = []
        for container in containers where !container.isLeftover {
            let verdict = ContainerVerdict(container, service: service)
            // A container of the new configuration that is ready, or running and still coming
            // up, stays and is waited for: replacing it would only start the same again.
            // One made before its tag moved is replaced like one of an older configuration.
            if container.configHash == desired, !live.runsMovedImage(container), kept.count < service.replicas,
                verdict.isReady || (container.state == "running" && verdict.failure == nil)
            {
                kept.append(container)
            } else if container.state == "running" && verdict.failure == nil {
                replaced.append(container)
            } else {
                idle.append(container)
            }
        }
        return Step(
            service: service, strategy: strategy, kept: kept, replaced: replaced,
            needed: max(0, service.replicas - kept.count), idle: idle)
    }

    private func describe(_ step: Step) {
        let name = step.service.name
        var parts: [String] = []
        if !step.idle.isEmpty { parts.append("removed \(step.idle.count) stopped or left-over container(s)") }
        switch step.strategy.order {
        case .startFirst:
            if step.needed > 0 {
                parts.append(
                    step.replaced.isEmpty
                        ? "starting \(step.needed) container(s)"
                        : "starting \(step.needed) new container(s) beside \(step.replaced.count) old (start-first)")
            }
        case .stopFirst:
            if step.replaced.isEmpty && step.needed > 0 {
                parts.append("starting \(step.needed) container(s)")
            } else if step.needed > 0 {
                parts.append(
                    "replacing \(max(step.replaced.count, step.needed)) container(s) stop-first: \(step.strategy.reason)"
                )
            }
        }
        if parts.isEmpty { parts.append("waiting for \(step.kept.count) container(s) to be ready") }
        console.progress("  \(name): " + parts.joined(separator: "; "))
    }

    struct Outcome {
        /// The containers of the new configuration created during the step, per service.
        var new: [String: [LiveContainer]] = [:]
        /// The services whose new containers failed: the container and why.
        var failures: [String: (container: LiveContainer?, reason: String)] = [:]
    }

    /// Waits until every service of the level has its replicas of the new configuration ready,
    /// or one of them fails, or the level's ``timeout`` passes.
    private func waitForNewContainers(of steps: [Step], before: Set<String>) async throws -> Outcome {
        let deadline = clock.now + timeout
        let kept = Set(steps.flatMap(\.kept).map(\.id))
        // Only containers of the new configuration count: the ones made now and the ones that
        // stayed, never one being replaced.
        func counts(_ service: Service, _ container: LiveContainer) -> Bool {
            !container.isLeftover && container.configHash == document.serviceHashes[service.name]!.configuration
                && (!before.contains(container.id) || kept.contains(container.id))
        }
        var firstRunning: [String: ContinuousClock.Instant] = [:]
        var shown: [String: String] = [:]
        while true {
            let live = try await engine.liveContainers(stack: stack.name, environment: environment.name)
            let now = clock.now
            // A new container without a health check counts once it has run for `settle`.
            for container in live.containers
            where container.state == "running" && container.health == nil && !before.contains(container.id) {
                firstRunning[container.id] = firstRunning[container.id] ?? now
            }
            let readiness = Readiness(services: steps.map(\.service), live: live, counting: counts) { container in
                container.health != nil || kept.contains(container.id)
                    || firstRunning[container.id].map { now - $0 >= settle } ?? false
            }
            for name in readiness.waiting where shown[name] != readiness.summaries[name] {
                shown[name] = readiness.summaries[name]
                console.live("  \(name): \(readiness.summaries[name] ?? "")")
            }
            // A running container without a health check that has not been watched for
            // `settle` yet gets that long past the deadline: on a loaded engine it may be seen
            // running for the first time just before the deadline, and failing it then would
            // report a healthy update as failed.
            let unsettled = live.containers.contains { container in
                container.state == "running" && container.health == nil
                    && firstRunning[container.id].map { now - $0 < settle } ?? false
            }
            guard readiness.waiting.isEmpty || (now >= deadline && !unsettled) else {
                try await Task.sleep(for: pollInterval)
                continue
            }
            console.clearLive()
            var outcome = Outcome()
            for step in steps {
                outcome.new[step.service.name] = live.containers(of: step.service.name).filter {
                    counts(step.service, $0) && !before.contains($0.id)
                }
            }
            for (name, failure) in readiness.failures {
                outcome.failures[name] = (failure.container, failure.reason)
            }
            for name in readiness.waiting {
                outcome.failures[name] = (
                    outcome.new[name]?.first,
                    "not ready before the timeout (\(readiness.summaries[name] ?? "no container")); raise --timeout if it needs longer"
                )
            }
            return outcome
        }
    }

    private func report(_ reason: String, container: LiveContainer?) async throws -> (
        reason: String, health: String?, logs: String?
    ) {
        guard let container else { return (reason, nil, nil) }
        let result = try await engine.run(["logs", "--tail", "20", container.id])
        let logs = (result.standardOutput + result.standardError).trimmed
        return (
            "\(container.name): \(reason)", container.lastHealthOutput?.trimmed, logs.isEmpty ? nil : logs
        )
    }

    /// Stops (with each container's own stop grace period) and removes containers.
    func remove(_ containers: [LiveContainer], stopping: Bool) async throws {
        guard !containers.isEmpty else { return }
        let ids = containers.map(\.id)
        if stopping {
            let running = containers.filter { $0.state == "running" || $0.state == "restarting" }.map(\.id)
            if !running.isEmpty {
                _ = try await engine.run(["container", "stop"] + running)
            }
        }
        let removal = try await engine.run(["container", "rm", "--force"] + ids)
        if !removal.succeeded, !removal.standardError.contains("No such container") {
            throw EngineError(
                "Could not remove \(containers.map(\.name).joined(separator: ", ")): \(removal.standardError.trimmed)")
        }
    }

    /// Runs a service's release task in a one-off container of its new configuration, bounded by
    /// the task's own timeout.
    /// - Throws: ``DeployFailure`` when it fails or runs out of time; nothing of the service has
    ///   changed then.
    private func run(_ task: ReleaseTask, of service: Service) async throws {
        let shown = task.command.joined(separator: " ")
        console.progress("  \(service.name): running its release task `\(shown)` in the new version…")
        let started = clock.now
        // A task a killed deployer left running must not run beside this one.
        try await engine.removeOneOffs(project: document.projectName, service: service.name)
        let name = "\(document.projectName)-\(service.name)-release-\(UUID().uuidString.prefix(8).lowercased())"
        // With a composed environment the shim is the entrypoint and runs the program it is
        // given, so the task goes through the service's own entrypoint as its command would.
        let command = ComposedEnvironment(of: service) == nil ? task.command : (service.entrypoint ?? []) + task.command
        let arguments =
            ["compose", "--project-name", document.projectName, "--file", file.path, "run", "--rm", "--no-deps"]
            + ["--no-TTY", "--interactive=false", "--name", name, service.name] + command
        let limit = task.timeout
        // Set before the container is removed: `compose run` may report the kill (137) before
        // the timer's own task has returned.
        let timedOut = TimeoutFlag()
        let finished: CommandResult? = try await withThrowingTaskGroup(of: CommandResult?.self) { [engine] group in
            group.addTask { try await engine.run(arguments) }
            group.addTask {
                try await Task.sleep(for: limit)
                timedOut.set()
                // Removing the container ends `compose run`, which then returns.
                _ = try? await engine.run(["container", "rm", "--force", name])
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        let result = timedOut.isSet ? nil : finished
        let elapsed = ImageShipper.seconds(clock.now - started)
        if let result, result.succeeded {
            console.progress("  \(service.name): release task done in \(elapsed)")
            return
        }
        let output = result.map { ($0.standardOutput + "\n" + $0.standardError).trimmed } ?? ""
        let tail = output.split(separator: "\n", omittingEmptySubsequences: false).suffix(20).joined(separator: "\n")
        throw DeployFailure(
            service: service.name,
            reason: result.map { "its release task `\(shown)` exited with status \($0.exitCode)" }
                ?? "its release task `\(shown)` ran longer than \(ImageShipper.seconds(limit)) and was stopped",
            healthOutput: nil, logTail: tail.isEmpty ? nil : tail,
            stillServing: stack.services.map(\.name),
            note: "Nothing of \(service.name) was replaced: its running containers keep serving the previous version.")
    }

    /// Runs `docker compose … ARGUMENTS` to its end; it only creates, starts or replaces
    /// containers, so it is never cancelled halfway.
    private func compose(_ arguments: [String]) async throws {
        let command = ["compose", "--project-name", document.projectName, "--file", file.path] + arguments
        let result = try await Task.detached { [engine] in try await engine.run(command) }.value
        guard result.succeeded else {
            throw DeployFailure(
                service: nil, reason: "docker compose \(arguments.first ?? "") failed: \(result.standardError.trimmed)",
                healthOutput: nil, logTail: nil, stillServing: [])
        }
    }
}

/// Whether a release task's time ran out, set by its timer and read once the task has ended.
private final class TimeoutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
