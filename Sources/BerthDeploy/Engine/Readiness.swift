import BerthCore

/// Which services of a stack are ready, still coming up, or have failed, from one reading of
/// live state.
struct Readiness {
    var ready: [String] = []
    var waiting: [String] = []
    var failed: [String] = []

    init(stack: Stack, live: LiveState) {
        for service in stack.services {
            let containers = live.containers(of: service.name)
            if containers.contains(where: { Self.hasFailed($0, service: service) }) {
                failed.append(service.name)
            } else if containers.count >= service.replicas,
                containers.allSatisfy({ $0.isReady || Self.hasCompleted($0, service: service) })
            {
                ready.append(service.name)
            } else {
                waiting.append(service.name)
            }
        }
    }

    var isComplete: Bool { waiting.isEmpty && failed.isEmpty }

    /// A one-shot service that ran to completion counts as ready.
    static func hasCompleted(_ container: LiveContainer, service: Service) -> Bool {
        container.state == "exited" && container.exitCode == 0 && service.restart == .never
    }

    static func hasFailed(_ container: LiveContainer, service: Service) -> Bool {
        if container.health == "unhealthy" { return true }
        if container.state == "dead" { return true }
        return container.state == "exited" && !(container.exitCode == 0 && service.restart == .never)
            && service.restart == .never
    }
}

/// Reports each service's state changes while a deploy waits.
struct Watcher {
    let stack: Stack
    let console: Console
    private var last: [String: String] = [:]

    init(stack: Stack, console: Console) {
        self.stack = stack
        self.console = console
    }

    mutating func observe(_ live: LiveState, readiness: Readiness, elapsed: Duration) {
        for service in stack.services {
            let containers = live.containers(of: service.name)
            let state: String
            if containers.isEmpty {
                state = "pending"
            } else {
                state = containers.map { c in c.health.map { "\(c.state) (\($0))" } ?? c.state }
                    .joined(separator: ", ")
            }
            if last[service.name] != state {
                last[service.name] = state
                console.progress("  \(service.name): \(state)")
            }
        }
        let seconds = elapsed.components.seconds
        console.live(
            "[\(seconds)s] ready: \(readiness.ready.count)/\(stack.services.count)"
                + (readiness.waiting.isEmpty ? "" : "; waiting for \(readiness.waiting.joined(separator: ", "))"))
    }
}
