import BerthCloudflare
import BerthCompose
import BerthCore
import BerthRendering

/// What a deploy would change, service by service, computed from live state.
public struct Plan: Sendable, Hashable, Codable {
    /// What happens to one service.
    public enum Action: String, Sendable, Hashable, Codable {
        case create, update, remove, unchanged
        /// The configuration is current but the containers are not what it asks for: stopped,
        /// exited, restarting, unhealthy, missing, or left behind by an interrupted update.
        case repair
    }

    /// One service's change.
    public struct ServiceChange: Sendable, Hashable, Codable {
        /// The service.
        public var service: String
        /// What happens to it.
        public var action: Action
        /// For an update, the Compose keys whose values changed (`environment`, `image`).
        public var changedFields: [String]
        /// What live state has drifted to: `web-1 exited with code 1`, `1 of 2 containers
        /// missing`.
        public var drift: [String] = []
        /// How an update or repair replaces the containers (Compose), and why.
        public var strategy: UpdateStrategy?
        /// A job's cron expression; `nil` for a service that keeps running.
        public var schedule: String?
    }

    /// `services` with each job's schedule, as the summary names it.
    static func markingJobs(_ services: [ServiceChange], of stack: Stack) -> [ServiceChange] {
        let schedules = Dictionary(
            stack.services.compactMap { service in service.schedule.map { (service.name, $0.expression) } },
            uniquingKeysWith: { first, _ in first })
        return services.map { change in
            var change = change
            change.schedule = schedules[change.service]
            return change
        }
    }

    /// One route's change at the gateway.
    public struct RouteChange: Sendable, Hashable, Codable {
        /// `host/path`.
        public var address: String
        /// The service that answers it, and its port: `api:8080`.
        public var target: String
        /// `create`, `remove` or `unchanged`.
        public var action: Action
        /// What another stack's route changes about it: an exact host that wins over this
        /// wildcard, or a wildcard this exact host wins over.
        public var note: String?
    }

    /// One network's or volume's change; only creations and removals exist for them.
    public struct ResourceChange: Sendable, Hashable, Codable {
        /// The name on the engine.
        public var name: String
        /// `create` or `remove`.
        public var action: Action
    }

    /// The stack's name.
    public var stack: String
    /// The environment's name.
    public var environment: String
    /// The Compose project or Swarm stack the engine knows the stack by.
    public var project: String
    /// `compose` or `swarm`.
    public var orchestrator: String
    /// The DNS records the stack's tunnel hostnames need; Berth never creates them.
    public var dnsRoutes: [DNSRoute]
    /// Every service of the description or of the live state.
    public var services: [ServiceChange]
    /// Networks created or removed.
    public var networks: [ResourceChange]
    /// Volumes created; volumes are never removed by a deploy, only by `down --volumes`.
    public var volumes: [ResourceChange]
    /// The stack's routes through its gateway, compared with those its deployed services
    /// record; they change with the services that declare them.
    public var routes: [RouteChange] = []
    /// What the reader should know that is no change: a pinned tag that moved on the engine.
    public var notes: [String] = []

    /// Whether applying the plan changes anything.
    public var hasChanges: Bool {
        services.contains { $0.action != .unchanged } || !networks.isEmpty || !volumes.isEmpty
    }

    /// Compares a rendered description with live state.
    public init(stack: Stack, environment: Environment, document: ComposeDocument, live: LiveState) {
        self.stack = stack.name
        self.environment = environment.name
        self.project = document.projectName
        self.orchestrator = "compose"
        self.dnsRoutes = Tunnel.dnsRoutes(in: stack)
        var services: [ServiceChange] = []
        for service in stack.services {
            services.append(Self.change(of: service, desired: document.serviceHashes[service.name]!, live: live))
        }
        let described = Set(stack.services.map(\.name))
        for orphan in Set(live.containers.map(\.service)).subtracting(described).sorted() {
            services.append(ServiceChange(service: orphan, action: .remove, changedFields: []))
        }
        self.services = Self.markingJobs(services, of: stack)
        self.notes = stack.services.compactMap { service in
            live.movedPins[service.name].map { digest in
                "\(service.name): \(service.image.reference) is pinned (\(ImagePins.fileName)); the engine's \(Image(repository: service.image.repository, tag: service.image.tag).reference) is \(Self.shortID(digest)) now. `up --pin-digests` moves the pin."
            }
        }

        let desiredNetworks = Set(
            stack.networks.filter { !$0.isExternal }.map { $0.fixedName ?? "\(document.projectName)_\($0.name)" })
        let liveNetworks = Set(live.networks)
        self.networks =
            desiredNetworks.subtracting(liveNetworks).sorted().map { ResourceChange(name: $0, action: .create) }
            + liveNetworks.subtracting(desiredNetworks).sorted().map { ResourceChange(name: $0, action: .remove) }
        let desiredVolumes = Set(
            stack.volumes.filter { $0.externalName == nil }.map { "\(document.projectName)_\($0.name)" })
        self.volumes = desiredVolumes.subtracting(live.volumes).sorted().map {
            ResourceChange(name: $0, action: .create)
        }
    }

    /// The plan as people read it, one line per service.
    public var summary: String {
        let kind = orchestrator == "swarm" ? "Swarm stack" : "Compose project"
        var lines = ["Plan for \(stack) (\(environment)), \(kind) \(project):"]
        for change in services {
            switch change.action {
            case .create:
                lines.append("  + \(change.service): create" + (change.schedule.map { " (a job, \"\($0)\")" } ?? ""))
            case .remove: lines.append("  - \(change.service): remove")
            case .unchanged: lines.append("    \(change.service): unchanged")
            case .update:
                lines.append("  ~ \(change.service): update (\(change.changedFields.joined(separator: ", ")))")
            case .repair:
                lines.append("  ! \(change.service): repair")
            }
            for drift in change.drift {
                lines.append("      \(drift)")
            }
            if let strategy = change.strategy, change.action == .update || change.action == .repair {
                lines.append("      \(strategy.order.rawValue): \(strategy.reason)")
            }
        }
        for network in networks {
            lines.append(
                "  \(network.action == .create ? "+" : "-") network \(network.name): \(network.action.rawValue)")
        }
        for volume in volumes {
            lines.append("  + volume \(volume.name): create")
        }
        for route in routes {
            let mark = route.action == .create ? "+" : route.action == .remove ? "-" : " "
            lines.append(
                "  \(mark) route \(route.address) -> \(route.target)\(route.action == .unchanged ? "" : ": \(route.action.rawValue)")"
            )
            if let note = route.note { lines.append("      note: \(note)") }
        }
        lines += notes.map { "note: \($0)" }
        let counts = Dictionary(grouping: services, by: \.action).mapValues(\.count)
        lines.append(
            hasChanges
                ? "\(counts[.create] ?? 0) to create, \(counts[.update] ?? 0) to update, \(counts[.repair].map { "\($0) to repair, " } ?? "")\(counts[.remove] ?? 0) to remove, \(counts[.unchanged] ?? 0) unchanged."
                : "No changes: the engine matches the description.")
        if !dnsRoutes.isEmpty {
            // Berth never calls Cloudflare: these are for whoever manages the zone.
            lines.append("DNS routes the tunnel's hostnames need (create them once; Berth does not):")
            lines += dnsRoutes.map { "  " + $0.command.joined(separator: " ") }
        }
        return lines.joined(separator: "\n")
    }
}

extension Plan {
    /// One service's change on Compose: its configuration against its containers', and every
    /// way those containers drifted from what the configuration asks for.
    static func change(of service: Service, desired: ServiceHash, live: LiveState) -> ServiceChange {
        let all = live.containers(of: service.name)
        let leftovers = all.filter(\.isLeftover)
        let containers = all.filter { !$0.isLeftover }
        var drift = leftovers.map { "\($0.name) was left by an interrupted update" }
        let strategy = UpdateStrategy.compose(for: service, live: containers)
        if containers.isEmpty {
            // Compose creates no container for a service scaled to zero: none is a match.
            let action: Action = service.replicas > 0 ? .create : (drift.isEmpty ? .unchanged : .repair)
            return ServiceChange(service: service.name, action: action, changedFields: [], drift: drift)
        }
        // A container made before its tag moved runs what the description no longer names.
        let moved = containers.filter { $0.configHash == desired.configuration && live.runsMovedImage($0) }
        let stale = containers.filter { $0.configHash != desired.configuration || live.runsMovedImage($0) }
        let current = containers.filter { $0.configHash == desired.configuration && !live.runsMovedImage($0) }
        for container in moved {
            drift.append(
                "\(container.name) runs \(Self.shortID(container.imageID)); \(service.image.reference) names \(Self.shortID(live.currentImages[service.name] ?? "")) now (the tag moved)"
            )
        }
        for container in current {
            switch ContainerVerdict(container, service: service) {
            case .ready, .completed: continue
            case .waiting(let state), .failed(let state):
                drift.append("\(container.name): \(state)")
            }
        }
        if stale.isEmpty && current.count < service.replicas {
            drift.append("\(service.replicas - current.count) of \(service.replicas) container(s) missing")
        }
        if !stale.isEmpty || containers.count != service.replicas {
            var fields = Set(stale.flatMap { desired.changedFields(since: $0.fieldHashes) })
            if containers.count != service.replicas { fields.insert("replicas") }
            if !moved.isEmpty { fields.insert("image") }
            return ServiceChange(
                service: service.name, action: .update, changedFields: fields.sorted(), drift: drift, strategy: strategy
            )
        }
        return ServiceChange(
            service: service.name, action: drift.isEmpty ? .unchanged : .repair, changedFields: [], drift: drift,
            strategy: drift.isEmpty ? nil : strategy)
    }
}

extension Plan {
    /// An image ID as `docker images` shows it: twelve hex digits.
    static func shortID(_ id: String) -> String {
        String((id.hasPrefix("sha256:") ? id.dropFirst(7) : Substring(id)).prefix(12))
    }
}

extension Plan {
    /// Compares a description rendered for Swarm with the stack's live services.
    ///
    /// A Swarm service is one object whatever its replicas, so a service is unchanged when its
    /// configuration hash label matches; networks and volumes are `docker stack deploy`'s.
    public init(
        stack: Stack, environment: Environment, stackName: String, hashes: [String: ServiceHash],
        live: [LiveSwarmService]
    ) {
        self.stack = stack.name
        self.environment = environment.name
        self.project = stackName
        self.orchestrator = "swarm"
        self.dnsRoutes = Tunnel.dnsRoutes(in: stack)
        var services: [ServiceChange] = []
        for service in stack.services {
            let desired = hashes[service.name]!
            guard let current = live.first(where: { $0.service == service.name }) else {
                services.append(ServiceChange(service: service.name, action: .create, changedFields: []))
                continue
            }
            if current.configHash == desired.configuration {
                // Drift Swarm does not repair by itself: a service scaled by hand (or left at 0
                // by an interrupted restore), and one whose tasks keep failing.
                var drift: [String] = []
                let longRunning: Bool
                switch service.restart {
                case .never, .onFailure: longRunning = false
                case .always, .unlessStopped: longRunning = true
                }
                if service.deploy.mode == .replicated, current.desired != service.replicas {
                    drift.append(
                        "\(current.name) is set to \(current.desired) replica(s), the description to \(service.replicas) (scaled by hand?)"
                    )
                } else if longRunning, current.running < current.desired, current.updateState != "updating" {
                    drift.append("\(current.running) of \(current.desired) replica(s) running")
                }
                services.append(
                    ServiceChange(
                        service: service.name, action: drift.isEmpty ? .unchanged : .repair, changedFields: [],
                        drift: drift))
            } else {
                services.append(
                    ServiceChange(
                        service: service.name, action: .update,
                        changedFields: desired.changedFields(since: current.fieldHashes)))
            }
        }
        let described = Set(stack.services.map(\.name))
        for orphan in Set(live.map(\.service)).subtracting(described).sorted() {
            services.append(ServiceChange(service: orphan, action: .remove, changedFields: []))
        }
        self.services = Self.markingJobs(services, of: stack)
        self.networks = []
        self.volumes = []
    }
}

extension Plan {
    /// The route changes of a stack: its routes against those live state records for it.
    static func routeChanges(of stack: Stack, for environment: Environment, live: [LiveRoute]) -> [RouteChange] {
        func line(_ route: Route, _ service: String) -> RouteChange {
            RouteChange(address: route.address, target: "\(service):\(route.port)", action: .unchanged)
        }
        let deployed = Set(
            live.filter { $0.stack == stack.name && $0.environment == environment.name }.map {
                line($0.route, $0.service)
            })
        let described = stack.services.flatMap { service in service.routes.map { line($0, service.name) } }
        let notes = stack.services.flatMap { service in
            service.routes.map { wildcardNote(for: $0, stack: stack, environment: environment, live: live) }
        }
        var changes = zip(described, notes).map { change, note in
            var change = change
            change.action = deployed.contains(change) ? .unchanged : .create
            change.note = note
            return change
        }
        changes += deployed.subtracting(described).sorted { $0.address < $1.address }.map { change in
            var change = change
            change.action = .remove
            return change
        }
        return changes
    }

    /// Where a wildcard and an exact host of different stacks meet: every gateway sends the
    /// exact host's requests to the exact route (nginx tries exact names first, Traefik ranks
    /// wildcard routers below), so the wildcard never gets them. Not an error, since that is
    /// how a tenant wildcard and a dedicated host live together, but the plan says so.
    static func wildcardNote(for route: Route, stack: Stack, environment: Environment, live: [LiveRoute])
        -> String?
    {
        let others = live.filter { !($0.stack == stack.name && $0.environment == environment.name) }
        func owner(_ other: LiveRoute) -> String { "stack '\(other.stack)' (\(other.environment))" }
        if route.wildcardDomain != nil {
            let exact = Set(
                others.filter { route.wildcardCovers($0.route.host) }.map { "\($0.route.host) of \(owner($0))" })
            guard !exact.isEmpty else { return nil }
            return "exact hosts win over this wildcard, so it does not take \(exact.sorted().joined(separator: ", "))"
        }
        let wildcards = Set(
            others.filter { $0.route.wildcardCovers(route.host) }.map { "\($0.route.host) of \(owner($0))" })
        guard !wildcards.isEmpty else { return nil }
        return
            "this exact host wins over the wildcard \(wildcards.sorted().joined(separator: ", ")), which no longer takes it"
    }
}
