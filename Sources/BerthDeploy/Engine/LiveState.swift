import BerthCompose
import Foundation

/// What a stack has on an engine right now, read back through Berth's ownership labels.
public struct LiveState: Sendable {
    /// The stack's containers.
    public var containers: [LiveContainer]
    /// The names of the stack's networks.
    public var networks: [String]
    /// The names of the stack's volumes.
    public var volumes: [String]

    /// Creates a state from its parts.
    public init(containers: [LiveContainer], networks: [String], volumes: [String]) {
        self.containers = containers
        self.networks = networks
        self.volumes = volumes
    }

    /// The containers of one service.
    public func containers(of service: String) -> [LiveContainer] {
        containers.filter { $0.service == service }
    }

    /// Whether nothing of the stack exists.
    public var isEmpty: Bool { containers.isEmpty && networks.isEmpty && volumes.isEmpty }
}

/// One container, as `docker inspect` describes it.
public struct LiveContainer: Sendable, Hashable, Codable {
    /// The container's ID.
    public var id: String
    /// Its name, without the leading `/`.
    public var name: String
    /// The service it runs, from its ``OwnershipLabel/service`` label.
    public var service: String
    /// `created`, `running`, `exited`, `restarting`, …
    public var state: String
    /// `starting`, `healthy`, `unhealthy`, or `nil` without a health check.
    public var health: String?
    /// The output of its most recent health check.
    public var lastHealthOutput: String?
    /// The exit status, meaningful once it exited.
    public var exitCode: Int
    /// The image reference it was created from.
    public var image: String
    /// When it started.
    public var startedAt: String
    /// Published ports as `hostIP:hostPort->port/protocol`.
    public var ports: [String]
    /// Its ``OwnershipLabel/configHash`` label.
    public var configHash: String?
    /// Its ``OwnershipLabel/fieldHashes`` label, parsed.
    public var fieldHashes: [String: String]

    /// Whether it is running and, if it has a health check, healthy.
    public var isReady: Bool {
        state == "running" && (health == nil || health == "healthy")
    }
}

extension DockerEngine {
    /// Reads everything Berth created for a stack in an environment.
    public func liveState(stack: String, environment: String) async throws -> LiveState {
        let filters = [
            "--filter", "label=\(OwnershipLabel.stack)=\(stack)",
            "--filter", "label=\(OwnershipLabel.environment)=\(environment)",
        ]
        let ids = try await output(["ps", "--all", "--quiet", "--no-trunc"] + filters)
            .split(whereSeparator: \.isNewline).map(String.init)
        var containers: [LiveContainer] = []
        if !ids.isEmpty {
            containers = try Self.decodeContainers(try await output(["container", "inspect"] + ids))
        }
        let networks = try await output(["network", "ls", "--format", "{{.Name}}"] + filters)
            .split(whereSeparator: \.isNewline).map(String.init).sorted()
        let volumes = try await output(["volume", "ls", "--format", "{{.Name}}"] + filters)
            .split(whereSeparator: \.isNewline).map(String.init).sorted()
        return LiveState(containers: containers, networks: networks, volumes: volumes)
    }

    /// Decodes the JSON array `docker container inspect` prints.
    static func decodeContainers(_ json: String) throws -> [LiveContainer] {
        struct Inspected: Decodable {
            struct State: Decodable {
                struct Health: Decodable {
                    struct Entry: Decodable {
                        var Output: String?
                    }
                    var Status: String?
                    var Log: [Entry]?
                }
                var Status: String
                var ExitCode: Int?
                var StartedAt: String?
                var Health: Health?
            }
            struct Configuration: Decodable {
                var Image: String?
                var Labels: [String: String]?
            }
            struct Settings: Decodable {
                struct Binding: Decodable {
                    var HostIp: String?
                    var HostPort: String?
                }
                var Ports: [String: [Binding]?]?
            }
            var Id: String
            var Name: String
            var State: State
            var Config: Configuration
            var NetworkSettings: Settings?
        }
        let decoded = try JSONDecoder().decode([Inspected].self, from: Data(json.utf8))
        return decoded.map { item in
            let labels = item.Config.Labels ?? [:]
            var ports: [String] = []
            for (port, bindings) in (item.NetworkSettings?.Ports ?? [:]).sorted(by: { $0.key < $1.key }) {
                for binding in bindings ?? [] {
                    ports.append("\(binding.HostIp ?? ""):\(binding.HostPort ?? "")->\(port)")
                }
            }
            return LiveContainer(
                id: item.Id,
                name: item.Name.hasPrefix("/") ? String(item.Name.dropFirst()) : item.Name,
                service: labels[OwnershipLabel.service] ?? labels["com.docker.compose.service"] ?? "?",
                state: item.State.Status,
                health: item.State.Health?.Status,
                lastHealthOutput: item.State.Health?.Log?.last?.Output,
                exitCode: item.State.ExitCode ?? 0,
                image: item.Config.Image ?? "",
                startedAt: item.State.StartedAt ?? "",
                ports: ports,
                configHash: labels[OwnershipLabel.configHash],
                fieldHashes: ServiceHash.fields(fromLabel: labels[OwnershipLabel.fieldHashes] ?? ""))
        }
        .sorted { ($0.service, $0.name) < ($1.service, $1.name) }
    }
}
