import BerthCore
import BerthRendering
import Foundation

/// What a stack has on an engine right now, read back through Berth's ownership labels.
public struct LiveState: Sendable {
    /// The stack's containers.
    public var containers: [LiveContainer]
    /// The names of the stack's networks.
    public var networks: [String]
    /// The names of the stack's volumes.
    public var volumes: [String]
    /// The image ID each service's image reference names on the engine now, by service: a
    /// container of the service running another image was made before the tag moved (a `docker
    /// pull`, a push under the same tag). Services whose reference is a digest, whose image
    /// Berth builds, or whose image the engine does not have, are absent.
    public var currentImages: [String: String] = [:]
    /// The digest each pinned service's tag names on the engine now, by service, when that is
    /// not its pin (``ImagePins``): someone pulled the tag after it moved in the registry.
    public var movedPins: [String: String] = [:]

    /// Creates a state from its parts.
    public init(containers: [LiveContainer], networks: [String], volumes: [String]) {
        self.containers = containers
        self.networks = networks
        self.volumes = volumes
    }

    /// Whether a container runs another image than the one its service's tag names now.
    public func runsMovedImage(_ container: LiveContainer) -> Bool {
        guard let current = currentImages[container.service], !container.imageID.isEmpty else { return false }
        return container.imageID != current
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
    /// The ID (`sha256:…`) of the image it runs.
    public var imageID: String = ""
    /// When it started.
    public var startedAt: String
    /// Published ports as `hostIP:hostPort->port/protocol`.
    public var ports: [String]
    /// Its ``OwnershipLabel/configHash`` label.
    public var configHash: String?
    /// Its ``OwnershipLabel/fieldHashes`` label, parsed.
    public var fieldHashes: [String: String]
    /// Every label it carries.
    public var labels: [String: String] = [:]
    /// The engine names of the networks it is attached to, sorted.
    public var networks: [String] = []
    /// How often the engine restarted it.
    public var restartCount: Int = 0

    /// The label Compose sets to `True` on the containers of `docker compose run`.
    static let oneOffLabel = "com.docker.compose.oneoff"

    /// Whether `docker compose run` made it (a release task), rather than the service's own `up`.
    var isOneOff: Bool { labels[Self.oneOffLabel] == "True" }
    /// Whether the kernel killed it for exceeding its memory limit.
    public var oomKilled: Bool = false
    /// The anonymous volumes mounted into it: volumes its image declares (`VOLUME`) that the
    /// description does not name. Compose carries them over to the container that replaces it.
    public var anonymousVolumes: [String] = []

    /// Whether it was left under Compose's temporary name (`<12 hex digits>_<name>`) by a
    /// recreate that was interrupted: Compose renames the old container before it creates the
    /// new one, and removes it only at the end.
    public var isLeftover: Bool {
        let prefix = name.utf8.prefix(13)
        return prefix.count == 13 && prefix.last == UInt8(ascii: "_")
            && prefix.dropLast().allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Whether a gateway sends it requests: it carries the routes of its service.
    public var isRouted: Bool { labels[OwnershipLabel.routes] != nil }

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
        async let containers = containers(filters)
        async let networks = output(["network", "ls", "--format", "{{.Name}}"] + filters)
        async let volumes = output(["volume", "ls", "--format", "{{.Name}}"] + filters)
        return LiveState(
            containers: try await containers,
            networks: try await networks.split(whereSeparator: \.isNewline).map(String.init).sorted(),
            volumes: try await volumes.split(whereSeparator: \.isNewline).map(String.init).sorted())
    }

    /// The stack's containers alone, for watching a deploy: networks and volumes do not change
    /// while it waits.
    /// What each reference's tag names on the engine now, for the references it has: the image
    /// ID, and the registry digest when the image came from one. One `docker image ls`, however
    /// many services. A pinned reference (`repo:tag@sha256:…`) is looked up by its tag.
    func currentImages(of references: Set<String>) async throws -> [String: (id: String, digest: String?)] {
        let tagged = references.filter { Image($0).tag != nil || Image($0).digest == nil }
        guard !tagged.isEmpty else { return [:] }
        let listing = try await output([
            "image", "ls", "--no-trunc", "--digests", "--format", "{{.Repository}}:{{.Tag}} {{.ID}} {{.Digest}}",
        ])
        var byTag: [String: (id: String, digest: String?)] = [:]
        for line in listing.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count == 3 else { continue }
            byTag[parts[0]] = (parts[1], parts[2].hasPrefix("sha256:") ? parts[2] : nil)
        }
        var found: [String: (id: String, digest: String?)] = [:]
        for reference in tagged {
            if let image = byTag[Self.listedName(of: reference)] { found[reference] = image }
        }
        return found
    }

    /// A reference's tag as `docker image ls` lists it: `latest` when untagged, Docker Hub's
    /// `docker.io/` and `library/` left out, any digest dropped.
    static func listedName(of reference: String) -> String {
        let image = Image(reference)
        var repository = image.repository
        for prefix in ["docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"]
        where repository.hasPrefix(prefix) {
            repository = String(repository.dropFirst(prefix.count))
            break
        }
        return "\(repository):\(image.tag ?? "latest")"
    }

    func liveContainers(stack: String, environment: String) async throws -> LiveState {
        LiveState(
            containers: try await containers([
                "--filter", "label=\(OwnershipLabel.stack)=\(stack)",
                "--filter", "label=\(OwnershipLabel.environment)=\(environment)",
            ]), networks: [], volumes: [])
    }

    /// Every container, running or not, that matches `docker ps` filters, as `docker container
    /// inspect` describes it.
    func containers(_ filters: [String]) async throws -> [LiveContainer] {
        let ids = try await output(["ps", "--all", "--quiet", "--no-trunc"] + filters)
            .split(whereSeparator: \.isNewline).map(String.init)
        guard !ids.isEmpty else { return [] }
        // A container can disappear between `ps` and `inspect`: Compose removes the old
        // container of a service it recreates while `up` watches. Docker then prints the
        // others and exits 1 with "No such container"; the vanished one is simply gone.
        let inspect = ["container", "inspect"] + ids
        let result = try await run(inspect)
        let vanished = ["No such container", "No such object"].contains {
            result.standardError.contains($0)
        }
        guard result.succeeded || vanished else {
            throw EngineError(
                "`docker \(inspect.joined(separator: " "))` failed on \(target) (exit \(result.exitCode)): "
                    + result.standardError.trimmed)
        }
        let json = result.standardOutput.trimmed
        // A one-off container (`docker compose run`: a release task) carries its service's
        // labels, configuration hash included, but serves nothing: counting it as one of the
        // service's containers would take a task a killed deployer left behind for the new version.
        return json.isEmpty ? [] : try Self.decodeContainers(json).filter { !$0.isOneOff }
    }

    /// Removes the one-off containers (`docker compose run`) of a Compose project, or of one of
    /// its services: release tasks a killed or interrupted deployer left behind.
    func removeOneOffs(project: String, service: String? = nil) async throws {
        let filters =
            [
                "--filter", "label=com.docker.compose.project=\(project)", "--filter",
                "label=\(LiveContainer.oneOffLabel)=True",
            ]
            + (service.map { ["--filter", "label=com.docker.compose.service=\($0)"] } ?? [])
        let ids = try await output(["ps", "--all", "--quiet"] + filters).split(whereSeparator: \.isNewline).map(
            String.init)
        guard !ids.isEmpty else { return }
        _ = try await run(["container", "rm", "--force"] + ids)
    }

    /// Decodes the JSON array `docker container inspect` prints.
    static func decodeContainers(_ json: String) throws -> [LiveContainer] {
        // The shapes of `docker container inspect`, reduced to what Berth reads.
        struct Inspected: Decodable {
            struct State: Decodable {
                struct Health: Decodable {
                    struct Entry: Decodable {
                        var output: String?
                        enum CodingKeys: String, CodingKey { case output = "Output" }
                    }
                    var status: String?
                    var log: [Entry]?
                    enum CodingKeys: String, CodingKey {
                        case status = "Status"
                        case log = "Log"
                    }
                }
                var status: String
                var exitCode: Int?
                var startedAt: String?
                var oomKilled: Bool?
                var health: Health?
                enum CodingKeys: String, CodingKey {
                    case status = "Status"
                    case exitCode = "ExitCode"
                    case startedAt = "StartedAt"
                    case oomKilled = "OOMKilled"
                    case health = "Health"
                }
            }
            struct Configuration: Decodable {
                var image: String?
                var labels: [String: String]?
                enum CodingKeys: String, CodingKey {
                    case image = "Image"
                    case labels = "Labels"
                }
            }
            struct Settings: Decodable {
                struct Binding: Decodable {
                    var hostIP: String?
                    var hostPort: String?
                    enum CodingKeys: String, CodingKey {
                        case hostIP = "HostIp"
                        case hostPort = "HostPort"
                    }
                }
                struct Attachment: Decodable {}
                var ports: [String: [Binding]?]?
                var networks: [String: Attachment]?
                enum CodingKeys: String, CodingKey {
                    case ports = "Ports"
                    case networks = "Networks"
                }
            }
            var id: String
            var name: String
            var image: String?
            var state: State
            var config: Configuration
            var networkSettings: Settings?
            struct Mount: Decodable {
                var type: String?
                var name: String?
                enum CodingKeys: String, CodingKey {
                    case type = "Type"
                    case name = "Name"
                }
            }
            var restartCount: Int?
            var mounts: [Mount]?
            enum CodingKeys: String, CodingKey {
                case restartCount = "RestartCount"
                case mounts = "Mounts"
                case id = "Id"
                case name = "Name"
                case image = "Image"
                case state = "State"
                case config = "Config"
                case networkSettings = "NetworkSettings"
            }
        }
        let decoded = try JSONDecoder().decode([Inspected].self, from: Data(json.utf8))
        return decoded.map { item in
            let labels = item.config.labels ?? [:]
            var ports: [String] = []
            for (port, bindings) in (item.networkSettings?.ports ?? [:]).sorted(by: { $0.key < $1.key }) {
                for binding in bindings ?? [] {
                    ports.append("\(binding.hostIP ?? ""):\(binding.hostPort ?? "")->\(port)")
                }
            }
            return LiveContainer(
                id: item.id,
                name: item.name.hasPrefix("/") ? String(item.name.dropFirst()) : item.name,
                service: labels[OwnershipLabel.service] ?? labels["com.docker.compose.service"] ?? "?",
                state: item.state.status,
                health: item.state.health?.status,
                lastHealthOutput: item.state.health?.log?.last?.output,
                exitCode: item.state.exitCode ?? 0,
                image: item.config.image ?? "",
                imageID: item.image ?? "",
                startedAt: item.state.startedAt ?? "",
                ports: ports,
                configHash: labels[OwnershipLabel.configHash],
                fieldHashes: ServiceHash.fields(fromLabel: labels[OwnershipLabel.fieldHashes] ?? ""),
                labels: labels,
                networks: (item.networkSettings?.networks ?? [:]).keys.sorted(),
                restartCount: item.restartCount ?? 0,
                oomKilled: item.state.oomKilled ?? false,
                anonymousVolumes: (item.mounts ?? []).compactMap { mount in
                    // Docker names an anonymous volume with 64 hex digits; a named one has the
                    // project's prefix.
                    guard mount.type == "volume", let name = mount.name, name.utf8.count == 64,
                        name.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
                    else { return nil }
                    return name
                })
        }
        .sorted { ($0.service, $0.name) < ($1.service, $1.name) }
    }
}
