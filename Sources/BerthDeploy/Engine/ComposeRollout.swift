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
    var deadline: ContinuousClock.Instant
    /// Points the stack's gateway at every ready container except the given ones; `nil` when
    /// no gateway needs telling (no nginx gateway, or no routes).
    var switchGateway: (@Sendable (Set<String>) async throws -> Void)?
    /// How long old containers of a routed service keep running after the gateway stopped
    /// sending them requests, for the requests they are answering.
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

    func run(_ plan: Plan, live: LiveState) async throws {
        var live = live
        let work = Set(
            plan.services.filter { $0.action != .unchanged || !$0.drift.isEmpty }.map(\.service))
        let levels = levels().map { level in level.filter { work.contains($0.name) } }.filter { !$0.isEmpty }
        for (index, services) in levels.enumerated() {
            try await roll(services, live: live)
            if index < levels.count - 1 {
                live = try await engine.liveContainers(stack: stack.name, environment: environment.name)
            }
        }
        // Services the description no longer has were there before the rollout, which never
        // creates them.
        let described = Set(stack.services.map(\.name))
        let orphans = live.containers.filter { !described.contains($0.service) }
        if !orphans.isEmpty {
            try await switchGateway?(Set(orphans.map(\.id)))
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
    }

    /// The services grouped so each one comes after everything it depends on.
    func levels() -> [[Service]] {
        var level: [String: Int] = [:]
        let byName = Dictionary(stack.services.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        func depth(_ name: String, _ visiting: Set<String>) -> Int {
            if let known = level[name] { return known }
            guard let service = byName[name], !visiting.contains(name) else { return 0 }
            let value =
                service.dependencies.map { depth($0.service, visiting.union([name])) + 1 }.max() ?? 0
            level[name] = value
            return value
        }
        for service in stack.services { _ = depth(service.name, []) }
        let count = (level.values.max() ?? 0) + 1
        return (0..<count).map { index in stack.services.filter { level[$0.name] == index } }
    }

    private func roll(_ services: [Service], live: LiveState) async throws {
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

        // Every start-first service that came up switches over together: one gateway reload.
        let switched = startFirst.filter { outcome.failures[$0.service.name] == nil }
        let old = switched.flatMap(\.replaced)
        if !old.isEmpty {
            try await switchGateway?(Set(old.map(\.id)))
            if switchGateway != nil || switched.contains(where: { !$0.service.routes.isEmpty }) {
                try await Task.sleep(for: drain)
            }
            try await remove(old, stopping: true)
        }
        for step in switched where !step.replaced.isEmpty || step.needed > 0 {
            console.progress("  \(step.service.name): ready")
        }
        guard let (name, failure) = outcome.failures.sorted(by: { $0.key < $1.key }).first else { return }
        let failedStep = steps.first { $0.service.name == name }!
        // The failed new containers go; the old ones never stopped serving.
        let failedNew = outcome.new[name] ?? []
        let report = try await report(failure, service: name, container: failedNew.first)
        if failedStep.strategy.order == .startFirst {
            try await remove(failedNew, stopping: false)
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
            if container.configHash == desired, kept.count < service.replicas,
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
        /// The services whose new containers failed, with the reason.
        var failures: [String: String] = [:]
    }

    /// Waits until every service of the level has its replicas of the new configuration ready,
    /// or one of them fails, or the deadline passes.
    private func waitForNewContainers(of steps: [Step], before: Set<String>) async throws -> Outcome {
        var firstRunning: [String: ContinuousClock.Instant] = [:]
        var last: [String: String] = [:]
        while true {
            let live = try await engine.liveContainers(stack: stack.name, environment: environment.name)
            var outcome = Outcome()
            var pending: [String] = []
            for step in steps {
                let service = step.service
                let desired = document.serviceHashes[service.name]!.configuration
                let keptIDs = Set(step.kept.map(\.id))
                // Only containers of the new configuration: ones made now and ones that stayed.
                let candidates = live.containers(of: service.name).filter {
                    !$0.isLeftover && $0.configHash == desired && (!before.contains($0.id) || keptIDs.contains($0.id))
                }
                outcome.new[service.name] = candidates.filter { !before.contains($0.id) }
                var ready = 0
                var states: [String] = []
                for container in candidates {
                    let verdict = ContainerVerdict(container, service: service)
                    if let reason = verdict.failure {
                        outcome.failures[service.name] = reason
                    }
                    if verdict == .ready, container.health == nil, !keptIDs.contains(container.id) {
                        // Without a health check, "running" must last a moment: a process that
                        // exits on start is running for an instant.
                        let seen = firstRunning[container.id] ?? clock.now
                        firstRunning[container.id] = seen
                        if clock.now - seen >= settle { ready += 1 }
                        states.append("running")
                    } else if verdict.isReady {
                        ready += 1
                        states.append(verdict == .completed ? "completed" : "ready")
                    } else if case .waiting(let state) = verdict {
                        states.append(state)
                    }
                }
                if outcome.failures[service.name] == nil, ready < service.replicas {
                    pending.append(service.name)
                }
                let summary =
                    "\(ready)/\(service.replicas) ready"
                    + (states.isEmpty ? "" : " (\(states.joined(separator: ", ")))")
                if last[service.name] != summary, outcome.failures[service.name] == nil {
                    last[service.name] = summary
                    console.live("  \(service.name): \(summary)")
                }
            }
            if pending.isEmpty {
                console.clearLive()
                return outcome
            }
            if clock.now >= deadline {
                for name in pending where outcome.failures[name] == nil {
                    outcome.failures[name] =
                        "not ready before the timeout (\(last[name] ?? "no container")); raise --timeout if it needs longer"
                }
                console.clearLive()
                return outcome
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    private func report(_ reason: String, service: String, container: LiveContainer?) async throws -> (
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
