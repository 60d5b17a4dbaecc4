import BerthCore
import BerthRendering

/// What one container tells about the deploy that created it.
enum ContainerVerdict: Sendable, Hashable {
    /// Running and, with a health check, healthy.
    case ready
    /// A one-shot service that ran to completion.
    case completed
    /// Still coming up: created, starting, restarting for the first time.
    case waiting(String)
    /// It will not become ready: the reason, in words.
    case failed(String)

    /// How many times a container may restart while it comes up before it counts as a crash
    /// loop: one restart can be a dependency that was a moment late; two are a pattern.
    static let restartsAllowed = 1

    /// Judges one container of a service.
    init(_ container: LiveContainer, service: Service) {
        let restarts = container.restartCount
        if container.oomKilled {
            self = .failed("it was killed for running out of memory (exit code \(container.exitCode))")
            return
        }
        switch container.state {
        case "running":
            if container.health == "unhealthy" {
                self = .failed("its health check fails")
            } else if restarts > Self.restartsAllowed {
                self = .failed("it crashed and was restarted \(restarts) times (last exit code \(container.exitCode))")
            } else if container.health == nil || container.health == "healthy" {
                self = .ready
            } else {
                self = .waiting("health check \(container.health!)")
            }
        case "exited":
            let oneShot: Bool
            switch service.restart {
            case .never, .onFailure: oneShot = true
            case .always, .unlessStopped: oneShot = false
            }
            if oneShot && container.exitCode == 0 {
                self = .completed
            } else if service.restart == .never {
                self = .failed("it exited with code \(container.exitCode)")
            } else if restarts > Self.restartsAllowed {
                self = .failed("it crashed and was restarted \(restarts) times (last exit code \(container.exitCode))")
            } else {
                self = .waiting("exited with code \(container.exitCode), restarting")
            }
        case "restarting":
            self =
                restarts > Self.restartsAllowed
                ? .failed("it crashed and was restarted \(restarts) times (last exit code \(container.exitCode))")
                : .waiting("restarting after exit code \(container.exitCode)")
        case "dead":
            self = .failed("the engine could not remove or stop it (state dead)")
        case "removing":
            self = .waiting("being removed")
        default:
            self = .waiting(container.state)
        }
    }

    var isReady: Bool {
        switch self {
        case .ready, .completed: true
        case .waiting, .failed: false
        }
    }

    var failure: String? {
        if case .failed(let reason) = self { return reason }
        return nil
    }
}

/// Which services of a stack are ready, still coming up, or have failed, from one reading of
/// live state.
///
/// Only containers of the configuration being deployed count: a container that is being
/// replaced says nothing about the new one, even when the engine marks it unhealthy while it
/// stops.
struct Readiness {
    var ready: [String] = []
    var waiting: [String] = []
    var failed: [String] = []
    /// The first failing container of each failed service, and why it fails.
    var failures: [String: (container: LiveContainer, reason: String)] = [:]
    /// How each service's counted containers stand, as progress shows it:
    /// `0/1 ready (health check starting)`.
    var summaries: [String: String] = [:]

    /// Judges the services from their containers that count.
    /// - Parameters:
    ///   - counting: Whether a container of a service counts; the others say nothing about the
    ///     deploy (leftovers, the containers being replaced).
    ///   - settled: Whether a container that looks ready has looked so long enough; a process
    ///     without a health check is "running" for an instant even when it exits on start.
    init(
        services: [Service], live: LiveState, counting: (Service, LiveContainer) -> Bool,
        settled: (LiveContainer) -> Bool = { _ in true }
    ) {
        for service in services {
            var readyCount = 0
            var states: [String] = []
            for container in live.containers(of: service.name) where counting(service, container) {
                let verdict = ContainerVerdict(container, service: service)
                switch verdict {
                case .failed(let reason):
                    if failures[service.name] == nil { failures[service.name] = (container, reason) }
                case .ready where !settled(container):
                    states.append("running")
                case .ready, .completed:
                    readyCount += 1
                    states.append(verdict == .completed ? "completed" : "ready")
                case .waiting(let state):
                    states.append(state)
                }
            }
            summaries[service.name] =
                "\(readyCount)/\(service.replicas) ready"
                + (states.isEmpty ? "" : " (\(states.joined(separator: ", ")))")
            if failures[service.name] != nil {
                failed.append(service.name)
            } else if readyCount >= service.replicas {
                ready.append(service.name)
            } else {
                waiting.append(service.name)
            }
        }
    }

    /// - Parameter desired: The configuration hash each service's containers must carry to
    ///   count; `nil` counts every container of the service. Leftovers never count.
    init(stack: Stack, live: LiveState, desired: [String: ServiceHash]? = nil) {
        self.init(services: stack.services, live: live) { service, container in
            !container.isLeftover
                && (desired?[service.name].map { $0.configuration == container.configHash } ?? true)
        }
    }

    var isComplete: Bool { waiting.isEmpty && failed.isEmpty }
}
