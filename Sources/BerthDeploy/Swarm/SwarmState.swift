import BerthRendering
import Foundation

/// One Swarm service of a stack, as the engine reports it.
public struct LiveSwarmService: Sendable, Hashable, Codable {
    /// The engine's name for it, `<namespace>_<service>`.
    public var name: String
    /// The service's name in the stack, from its ``OwnershipLabel/service`` label.
    public var service: String
    /// Its ``OwnershipLabel/configHash`` label.
    public var configHash: String?
    /// Its ``OwnershipLabel/fieldHashes`` label, parsed.
    public var fieldHashes: [String: String]
    /// The state of its last update (`completed`, `rollback_completed`, `paused`, …), if any.
    public var updateState: String?
    /// The engine's message about that update.
    public var updateMessage: String?
    /// When that update started; tells this deploy's update from an earlier one.
    public var updateStartedAt: String?
    /// Tasks Swarm wants running that run.
    public var running: Int
    /// Desired tasks.
    public var desired: Int
    /// Tasks that still run while Swarm stops them (a scale-down, an update's old tasks).
    public var stopping: Int = 0

    /// Whether its last update was undone or stopped: the deploy did not take.
    public var updateFailed: Bool {
        guard let updateState else { return false }
        return updateState.hasPrefix("rollback") || updateState == "paused"
    }
}

/// A Swarm secret or config Berth created, with the stack name and version it carries.
public struct SwarmObject: Sendable, Hashable {
    /// The engine's name, `<name>_<version>`.
    public var name: String
    /// The name in the stack.
    public var logicalName: String
    /// The version label.
    public var version: String
    /// When the engine created it (RFC 3339 as `docker inspect` prints it).
    public var createdAt: String = ""
}

/// Labels on Swarm secrets and configs, beside the ownership labels.
enum SwarmLabel {
    /// The secret's or config's name in the stack.
    static let object = "berth.object"
    /// Its version.
    static let version = "berth.version"
}

extension DockerEngine {
    private func ownershipFilters(stack: String, environment: String) -> [String] {
        [
            "--filter", "label=\(OwnershipLabel.stack)=\(stack)",
            "--filter", "label=\(OwnershipLabel.environment)=\(environment)",
        ]
    }

    /// Reads the stack's Swarm services.
    public func swarmServices(stack: String, environment: String) async throws -> [LiveSwarmService] {
        let listing = try await output(
            ["service", "ls", "--format", "{{.ID}}\t{{.Replicas}}"]
                + ownershipFilters(stack: stack, environment: environment))
        var replicas: [String: (Int, Int)] = [:]
        for line in listing.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "\t")
            guard parts.count == 2 else { continue }
            // "2/2", or "1/1 (max 1 per node)"; global services count the same way.
            let counts = parts[1].split(separator: " ")[0].split(separator: "/").compactMap { Int($0) }
            replicas[String(parts[0])] = counts.count == 2 ? (counts[0], counts[1]) : (0, 0)
        }
        guard !replicas.isEmpty else { return [] }
        // `service ls` counts every task in state running, including those being stopped by a
        // scale-down or an update: right after `scale web=0` and back to 2 it says 2/2 while the
        // old tasks are still shutting down and the new ones have not started. A task counts as
        // running only when Swarm wants it running and it runs.
        let tasks = try await run(
            ["service", "ps", "--format", "{{.Name}}\t{{.DesiredState}}\t{{.CurrentState}}"] + replicas.keys.sorted())
        let taskCounts: [String: TaskCount]? =
            tasks.succeeded ? Self.taskCounts(inServicePS: tasks.standardOutput) : nil
        // `docker stack deploy --prune` can remove a service between `ls` and `inspect`; Docker
        // then prints the others and exits 1 with "no such service": the removed one is gone.
        let inspect = ["service", "inspect"] + replicas.keys.sorted()
        let result = try await run(inspect)
        guard result.succeeded || result.standardError.lowercased().contains("no such service") else {
            throw EngineError(
                "`docker \(inspect.joined(separator: " "))` failed on \(target) (exit \(result.exitCode)): "
                    + result.standardError.trimmed)
        }
        let json = result.standardOutput.trimmed
        return try (json.isEmpty ? [] : Self.decodeServices(json)).map { service in
            var service = service
            let ids = replicas.keys.filter { service.id.hasPrefix($0) }
            if let id = ids.first, let counts = replicas[id] {
                // When `service ps` failed (a service removed meanwhile), `ls`'s count stands.
                let count = taskCounts.map { $0[service.live.name] ?? TaskCount() }
                service.live.running = count?.running ?? counts.0
                service.live.stopping = count?.stopping ?? 0
                service.live.desired = counts.1
            }
            return service.live
        }
        .sorted { $0.service < $1.service }
    }

    /// A service's running tasks, by what Swarm wants of them.
    struct TaskCount: Equatable {
        /// Running, and meant to run.
        var running = 0
        /// Running, and being stopped.
        var stopping = 0
    }

    /// Counts the running tasks per service name in `docker service ps` lines
    /// `<service>.<slot or node>\t<desired state>\t<current state>`, such as
    /// `shop_web.1\tRunning\tRunning 5 seconds ago`; earlier tasks of a slot may be indented `\_ `.
    static func taskCounts(inServicePS listing: String) -> [String: TaskCount] {
        var counts: [String: TaskCount] = [:]
        for line in listing.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            var name = parts[0].trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("\\_ ") { name.removeFirst(3) }
            guard let dot = name.lastIndex(of: ".") else { continue }
            let service = String(name[..<dot])
            var count = counts[service, default: TaskCount()]
            if parts[2].hasPrefix("Running") {
                if parts[1] == "Running" { count.running += 1 } else { count.stopping += 1 }
            }
            counts[service] = count
        }
        return counts
    }

    /// Decodes `docker service inspect`, keeping each service's ID beside what Berth reads.
    static func decodeServices(_ json: String) throws -> [(id: String, live: LiveSwarmService)] {
        struct Inspected: Decodable {
            struct Spec: Decodable {
                var name: String
                var labels: [String: String]?
                enum CodingKeys: String, CodingKey {
                    case name = "Name"
                    case labels = "Labels"
                }
            }
            struct Update: Decodable {
                var state: String?
                var message: String?
                var startedAt: String?
                enum CodingKeys: String, CodingKey {
                    case state = "State"
                    case message = "Message"
                    case startedAt = "StartedAt"
                }
            }
            var id: String
            var spec: Spec
            var updateStatus: Update?
            enum CodingKeys: String, CodingKey {
                case id = "ID"
                case spec = "Spec"
                case updateStatus = "UpdateStatus"
            }
        }
        return try JSONDecoder().decode([Inspected].self, from: Data(json.utf8)).map { item in
            let labels = item.spec.labels ?? [:]
            return (
                item.id,
                LiveSwarmService(
                    name: item.spec.name,
                    service: labels[OwnershipLabel.service] ?? item.spec.name,
                    configHash: labels[OwnershipLabel.configHash],
                    fieldHashes: ServiceHash.fields(fromLabel: labels[OwnershipLabel.fieldHashes] ?? ""),
                    updateState: item.updateStatus?.state,
                    updateMessage: item.updateStatus?.message,
                    updateStartedAt: item.updateStatus?.startedAt,
                    running: 0,
                    desired: 0)
            )
        }
    }

    /// The most recent error of a service's tasks, such as
    /// `task: non-zero exit (137): dockerexec: unhealthy container`.
    public func lastTaskError(of service: String) async throws -> String? {
        let result = try await run(["service", "ps", "--no-trunc", "--format", "{{.Error}}", service])
        guard result.succeeded else { return nil }
        return result.standardOutput.split(whereSeparator: \.isNewline).map(String.init)
            .first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// The secrets (`kind` "secret") or configs ("config") Berth created for a stack.
    func swarmObjects(_ kind: String, stack: String, environment: String) async throws -> [SwarmObject] {
        let format =
            "{{.Spec.Name}}\t{{index .Spec.Labels \"\(SwarmLabel.object)\"}}\t{{index .Spec.Labels \"\(SwarmLabel.version)\"}}\t{{.CreatedAt}}"
        let names = try await output(
            [kind, "ls", "--quiet"] + ownershipFilters(stack: stack, environment: environment)
        )
        .split(whereSeparator: \.isNewline).map(String.init)
        guard !names.isEmpty else { return [] }
        return try await output([kind, "inspect", "--format", format] + names)
            .split(whereSeparator: \.isNewline).compactMap { line in
                let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 4 else { return nil }
                return SwarmObject(name: parts[0], logicalName: parts[1], version: parts[2], createdAt: parts[3])
            }
            // Oldest first, so the last of a name is its current version: while a stack that
            // reads an older one keeps it in use, it cannot be removed and both exist.
            .sorted { ($0.createdAt, $0.name) < ($1.createdAt, $1.name) }
    }

    /// Creates a secret or config from bytes passed on standard input, never as an argument.
    func createSwarmObject(
        _ kind: String,
        name: String,
        logicalName: String,
        version: String,
        stack: String,
        environment: String,
        value: [UInt8]
    ) async throws {
        let labels = [
            "\(OwnershipLabel.stack)=\(stack)", "\(OwnershipLabel.environment)=\(environment)",
            "\(SwarmLabel.object)=\(logicalName)", "\(SwarmLabel.version)=\(version)",
        ]
        let result = try await run(
            [kind, "create"] + labels.flatMap { ["--label", $0] } + [name, "-"], input: value)
        guard result.succeeded else {
            // The engine's message names the object, never its value.
            throw EngineError("Could not create \(kind) \(name): \(result.standardError.trimmed)")
        }
    }
}
