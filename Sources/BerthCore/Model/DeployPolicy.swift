import Foundation

/// How an orchestrator runs a service: how many tasks and where, how it replaces them on an
/// update and how it undoes a failed update.
///
/// These settings matter to Docker Swarm; Docker Compose on one machine ignores them and says so
/// with a warning. Every setting starts unset, so a service that does not mention them renders
/// as before:
/// ```swift
/// Service("node-exporter", image: "prom/node-exporter:v1.8.2")
///     .deployMode(.global)
///     .constraint("node.platform.os == linux")
/// Service("api", image: "ghcr.io/acme/api:2.1")
///     .replicas(2)
///     .updatePolicy(UpdatePolicy(parallelism: 1, failureAction: .rollback, order: .startFirst))
///     .serviceLabel("traefik.enable", "true")
/// ```
/// A service without an update or rollback policy gets ``defaultUpdate(for:)`` and
/// ``defaultRollback(for:)`` from the Swarm renderer.
public struct DeployPolicy: Sendable, Hashable, Codable {
    /// How many tasks of a service run.
    public enum Mode: String, Sendable, Hashable, Codable {
        /// ``Service/replicas`` tasks, placed by the scheduler.
        case replicated
        /// One task on every node that satisfies the placement constraints: exporters, agents.
        case global
    }

    /// How other services find the service's tasks.
    public enum EndpointMode: String, Sendable, Hashable, Codable {
        /// One virtual IP that balances over the tasks (Swarm's default).
        case vip
        /// DNS round robin: the service name resolves to every task's address. Needs no IPVS,
        /// but cannot publish ports through the ingress routing mesh.
        case dnsrr
    }

    /// Replicated or global.
    public var mode: Mode = .replicated
    /// Node constraints every task must satisfy, such as `node.role == manager`.
    public var constraints: [PlacementConstraint] = []
    /// Spread preferences, applied in order.
    public var preferences: [PlacementPreference] = []
    /// The most tasks of the service one node runs; `nil` for no limit.
    public var maxReplicasPerNode: Int?
    /// How an update replaces tasks; `nil` for ``defaultUpdate(for:)``.
    public var update: UpdatePolicy?
    /// How a failed update is undone; `nil` for ``defaultRollback(for:)``.
    public var rollback: UpdatePolicy?
    /// How other services find the tasks; `nil` for Swarm's default, ``EndpointMode/vip``.
    public var endpointMode: EndpointMode?
    /// Service labels (Swarm's `deploy.labels`), read by Swarm-aware tools such as Traefik's
    /// Swarm provider; ``Service/labels`` are container labels.
    public var labels: [Label] = []
    /// How long Swarm waits between restarts of a task; `nil` for Swarm's default (5 s).
    public var restartDelay: Duration?
    /// How long a restarted task must run to count as a successful restart; `nil` for
    /// Swarm's default (immediately).
    public var restartWindow: Duration?

    /// Creates a policy with every setting unset.
    public init() {}

    /// Whether a service's state would be damaged by two of its tasks running at once: it
    /// mounts a named volume or a host path it may write to.
    public static func ownsState(_ service: Service) -> Bool {
        stateMount(of: service) != nil
    }

    /// The first named volume or host path the service may write to: the state that makes two
    /// of its tasks or containers at once unsafe.
    public static func stateMount(of service: Service) -> Mount? {
        service.mounts.first { mount in
            switch mount.source {
            case .volume, .bind: !mount.isReadOnly
            case .tmpfs: false
            }
        }
    }

    /// Whether a service can run a new task beside an old one on the same node: no writable
    /// state and no port published in host mode, which only one task per node can bind.
    static func canStartFirst(_ service: Service) -> Bool {
        !ownsState(service) && !service.ports.contains { $0.isPublished && $0.mode == .host }
    }

    /// The update policy Berth uses for a service that sets none.
    ///
    /// - A service that can run two tasks side by side and has a health check is updated
    ///   start-first: the new task starts, Swarm waits until its health check passes, and only
    ///   then stops the old one, so the service keeps answering throughout.
    /// - A service that owns state (a writable volume or host path) or publishes a port in host
    ///   mode is updated stop-first: two copies of a database on one data directory corrupt it,
    ///   and a second task cannot bind a host-mode port the first still holds. A service without
    ///   a health check is also stop-first: Swarm would count the new task ready the moment its
    ///   process starts, so starting first buys no availability, only two copies at once.
    /// - One task at a time (`parallelism` 1), so with two replicas one always serves.
    /// - `failure_action: rollback`: Swarm's default, `pause`, leaves a half-updated service;
    ///   rolling back returns to the last configuration that worked, and Berth reports the
    ///   deploy as failed.
    /// - `monitor` is how long Swarm watches each new task for failure. With a health check it
    ///   is `(interval + timeout) × retries`, at least the `interval × retries` a task that turns
    ///   unhealthy right after its first success needs to be declared unhealthy; without one,
    ///   Swarm's 5 s, enough to see a process that exits on start.
    public static func defaultUpdate(for service: Service) -> UpdatePolicy {
        let check = service.healthCheck
        return UpdatePolicy(
            parallelism: 1,
            delay: .zero,
            failureAction: .rollback,
            monitor: check.map { ($0.interval + $0.timeout) * $0.retries } ?? .seconds(5),
            maxFailureRatio: 0,
            order: check != nil && canStartFirst(service) ? .startFirst : .stopFirst,
            location: service.location
        )
    }

    /// The rollback policy Berth uses for a service that sets none.
    ///
    /// The same order as ``defaultUpdate(for:)``: rolling back starts the previous, known-good
    /// task before stopping the failing one when two can run side by side, and stops first when
    /// they cannot. A rollback that fails pauses (`failure_action: pause`): there is nothing
    /// left to roll back to, and continuing would replace more healthy tasks with failing ones.
    public static func defaultRollback(for service: Service) -> UpdatePolicy {
        var policy = defaultUpdate(for: service)
        policy.failureAction = .pause
        return policy
    }
}

/// How Swarm replaces a service's tasks during an update or a rollback
/// (`update_config`, `rollback_config`).
public struct UpdatePolicy: Sendable, Hashable, Codable {
    /// What Swarm does when an updated task fails.
    public enum FailureAction: String, Sendable, Hashable, Codable {
        /// Go on updating the other tasks.
        case `continue`
        /// Return every task to the previous configuration; not valid for a rollback policy.
        case rollback
        /// Stop updating and leave the service half updated until someone acts.
        case pause
    }

    /// Which task goes first when one replaces another.
    public enum Order: String, Sendable, Hashable, Codable {
        /// Stop the old task, then start the new one (Swarm's default).
        case stopFirst = "stop-first"
        /// Start the new task and stop the old one once the new one runs: no gap, but both run
        /// for a moment.
        case startFirst = "start-first"
    }

    /// How many tasks are replaced at once; 0 replaces all at once.
    public var parallelism: Int
    /// The pause between two groups of tasks.
    public var delay: Duration
    /// What Swarm does when a task fails.
    public var failureAction: FailureAction
    /// How long Swarm watches each new task for failure.
    public var monitor: Duration
    /// The fraction of tasks (0 to 1) that may fail before the failure action applies.
    public var maxFailureRatio: Double
    /// Which task goes first.
    public var order: Order
    /// Where the user declared the policy.
    public var location: SourceLocation

    /// Creates an update or rollback policy.
    ///
    /// The defaults are Swarm's, except `failureAction`: Swarm pauses, which leaves a service
    /// half updated; Berth rolls back.
    public init(
        parallelism: Int = 1,
        delay: Duration = .zero,
        failureAction: FailureAction = .rollback,
        monitor: Duration = .seconds(5),
        maxFailureRatio: Double = 0,
        order: Order = .stopFirst,
        fileID: String = #fileID,
        line: Int = #line
    ) {
        self.init(
            parallelism: parallelism, delay: delay, failureAction: failureAction, monitor: monitor,
            maxFailureRatio: maxFailureRatio, order: order, location: SourceLocation(fileID: fileID, line: line))
    }

    /// Creates a policy at a known location.
    public init(
        parallelism: Int,
        delay: Duration,
        failureAction: FailureAction,
        monitor: Duration,
        maxFailureRatio: Double,
        order: Order,
        location: SourceLocation
    ) {
        self.parallelism = parallelism
        self.delay = delay
        self.failureAction = failureAction
        self.monitor = monitor
        self.maxFailureRatio = maxFailureRatio
        self.order = order
        self.location = location
    }
}

/// A condition a node must meet to run a service's tasks: `node.role == manager`,
/// `node.labels.zone != eu-1`.
public struct PlacementConstraint: Sendable, Hashable, Codable {
    /// The expression, `KEY == VALUE` or `KEY != VALUE`.
    public var expression: String
    /// Where the user declared the constraint.
    public var location: SourceLocation

    /// Creates a constraint.
    public init(_ expression: String, location: SourceLocation) {
        self.expression = expression
        self.location = location
    }
}

/// A preference to spread a service's tasks evenly over the values of a node label.
public struct PlacementPreference: Sendable, Hashable, Codable {
    /// The label spread over, `node.labels.zone` or `engine.labels.…`.
    public var spread: String
    /// Where the user declared the preference.
    public var location: SourceLocation

    /// Creates a spread preference.
    public init(spread: String, location: SourceLocation) {
        self.spread = spread
        self.location = location
    }
}

// MARK: - Resource classes

/// A named size of service, so services of one kind get the same resources and an environment
/// can scale them all at once.
///
/// Berth defines no classes: they are the team's policy. Declare them once, for example in the
/// shared-infrastructure package, and scale them per environment. The NextCandle
/// infrastructure, for instance, sizes its services like this (reservation–limit), with
/// production databases at twice the development size:
///
/// | class | CPU | memory |
/// | --- | --- | --- |
/// | gateway (reverse proxy) | 0.10–0.50 | 64M–256M |
/// | database | 0.10–0.50 | 256M–512M |
/// | monitoring | 0.05–0.30 | 64M–256M |
/// | exporter (global) | 0.05–0.20 | 32M–128M |
///
/// ```swift
/// extension ResourceClass {
///     static let gateway = ResourceClass(
///         "gateway", Resources(cpuLimit: 0.5, memoryLimit: "256M", cpuReservation: 0.1, memoryReservation: "64M"))
///     static let database = ResourceClass(
///         "database", Resources(cpuLimit: 0.5, memoryLimit: "512M", cpuReservation: 0.1, memoryReservation: "256M"))
///     static let monitoring = ResourceClass(
///         "monitoring", Resources(cpuLimit: 0.3, memoryLimit: "256M", cpuReservation: 0.05, memoryReservation: "64M"))
///     static let exporter = ResourceClass(
///         "exporter", Resources(cpuLimit: 0.2, memoryLimit: "128M", cpuReservation: 0.05, memoryReservation: "32M"))
/// }
///
/// Service("postgres", image: "pgvector/pgvector:0.8.0-pg17")
///     .resources(ResourceClass.database.scaled(environment.isProduction ? 2 : 1))
/// ```
public struct ResourceClass: Sendable, Hashable, Codable {
    /// The class's name, for documentation and tests.
    public var name: String
    /// The resources a service of the class gets.
    public var resources: Resources

    /// Creates a resource class.
    public init(_ name: String, _ resources: Resources) {
        self.name = name
        self.resources = resources
    }

    /// The class's resources multiplied by a factor; see ``Resources/scaled(by:)``.
    public func scaled(_ factor: Double) -> Resources {
        resources.scaled(by: factor)
    }
}

extension Resources {
    /// Every limit and reservation multiplied by a factor, exactly in decimal: `0.1` CPU times
    /// 3 is `0.3`, not `0.30000000000000004`, and `"1.5G"` times 2 is `"3G"`.
    ///
    /// A memory size keeps its unit (`"1G"` times 0.5 is `"0.5G"`, which Docker reads as 512 MiB).
    /// A size that is not valid is left as written, for validation to report.
    public func scaled(by factor: Double) -> Resources {
        Resources(
            cpuLimit: cpuLimit.map { Self.scale($0, by: factor) },
            memoryLimit: memoryLimit?.scaled(by: factor),
            cpuReservation: cpuReservation.map { Self.scale($0, by: factor) },
            memoryReservation: memoryReservation?.scaled(by: factor)
        )
    }

    private static func scale(_ cpus: Double, by factor: Double) -> Double {
        guard let product = DecimalText.multiply("\(cpus)", by: factor), let value = Double(product) else {
            return cpus * factor
        }
        return value
    }
}

extension MemorySize {
    /// The size multiplied by a factor, exactly in decimal, in the unit it was written in.
    public func scaled(by factor: Double) -> MemorySize {
        guard bytes != nil else { return self }
        var number = Substring(text)
        var unit = ""
        if let last = number.last, last.isLetter {
            unit = String(last)
            number = number.dropLast()
        }
        guard let product = DecimalText.multiply(String(number), by: factor) else { return self }
        return MemorySize(product + unit)
    }
}

/// Decimal arithmetic on numbers written as text, so scaling never shows binary rounding.
private enum DecimalText {
    /// `number × factor` in shortest decimal notation, or `nil` when either is not a finite
    /// number.
    static func multiply(_ number: String, by factor: Double) -> String? {
        guard factor.isFinite, let value = Decimal(string: number), let multiplier = Decimal(string: "\(factor)")
        else { return nil }
        let product = value * multiplier
        guard !product.isNaN else { return nil }
        return product.description
    }
}

// MARK: - Service modifiers

extension Service {
    /// Runs the service replicated (``Service/replicas`` tasks) or global (one task per node).
    public func deployMode(_ mode: DeployPolicy.Mode) -> Service {
        var copy = self
        copy.deploy.mode = mode
        return copy
    }

    /// Adds a node constraint, such as `"node.role == manager"` or `"node.labels.disk == ssd"`.
    public func constraint(_ expression: String, fileID: String = #fileID, line: Int = #line) -> Service {
        var copy = self
        copy.deploy.constraints.append(
            PlacementConstraint(expression, location: SourceLocation(fileID: fileID, line: line)))
        return copy
    }

    /// Spreads the tasks evenly over the values of a node label, such as `"node.labels.zone"`.
    public func spread(over label: String, fileID: String = #fileID, line: Int = #line) -> Service {
        var copy = self
        copy.deploy.preferences.append(
            PlacementPreference(spread: label, location: SourceLocation(fileID: fileID, line: line)))
        return copy
    }

    /// Limits how many tasks of the service one node runs.
    public func maxReplicasPerNode(_ count: Int) -> Service {
        var copy = self
        copy.deploy.maxReplicasPerNode = count
        return copy
    }

    /// Sets how an update replaces the service's tasks.
    public func updatePolicy(_ policy: UpdatePolicy) -> Service {
        var copy = self
        copy.deploy.update = policy
        return copy
    }

    /// Sets how a failed update of the service is undone.
    public func rollbackPolicy(_ policy: UpdatePolicy) -> Service {
        var copy = self
        copy.deploy.rollback = policy
        return copy
    }

    /// Sets how other services find the service's tasks.
    public func endpointMode(_ mode: DeployPolicy.EndpointMode) -> Service {
        var copy = self
        copy.deploy.endpointMode = mode
        return copy
    }

    /// Adds a service label (Swarm's `deploy.labels`), which Swarm-aware tools such as Traefik's
    /// Swarm provider read; ``label(_:_:fileID:line:)`` adds a container label.
    public func serviceLabel(_ key: String, _ value: String, fileID: String = #fileID, line: Int = #line) -> Service {
        var copy = self
        copy.deploy.labels.append(Label(key: key, value: value, location: SourceLocation(fileID: fileID, line: line)))
        return copy
    }

    /// Sets CPU and memory constraints from a resource class.
    public func resources(_ resourceClass: ResourceClass) -> Service {
        resources(resourceClass.resources)
    }
}
