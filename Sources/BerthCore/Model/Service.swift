/// A service: one kind of container, its image, its settings and its place in the stack.
///
/// Build a service with its initialiser and refine it with modifiers, each of which returns a
/// changed copy and records the line it was written on:
/// ```swift
/// Service("web", image: "ghcr.io/acme/web:1.4")
///     .publish(8080, on: 18080)
///     .networks("frontend")
///     .healthCheck(.http(port: 8080, path: "/health"))
/// ```
public struct Service: Sendable, Hashable, Codable {
    /// The service's name, unique in its stack; also its DNS name on shared networks.
    public var name: String
    /// The image its containers run. For a service Berth builds (``build``), the repository
    /// the built image gets, with no tag; empty for `berth-build/<stack>-<service>`. Once the
    /// deploy layer has resolved the build, the built image with its content tag.
    public var image: Image
    /// How Berth builds the image from the application's sources, or `nil` for an image from a
    /// registry or already on the engine.
    public var build: Build?
    /// The command, replacing the image's `CMD`.
    public var command: [String]?
    /// The entrypoint, replacing the image's `ENTRYPOINT`.
    public var entrypoint: [String]?
    /// The environment, in the order written.
    public var environment: [EnvironmentVariable] = []
    /// Ports it listens on, published or not.
    public var ports: [Port] = []
    /// Names of the stack's networks it attaches to; none means the stack's default network.
    public var networks: [String] = []
    /// Volumes, host paths and tmpfs it mounts.
    public var mounts: [Mount] = []
    /// Secrets it reads.
    public var secrets: [SecretMount] = []
    /// Configs it reads.
    public var configs: [ConfigMount] = []
    /// How the engine checks it.
    public var healthCheck: HealthCheck?
    /// CPU and memory constraints.
    public var resources = Resources()
    /// What happens when it exits.
    public var restart: RestartPolicy = .unlessStopped
    /// Services that must reach a condition before it starts.
    public var dependencies: [Dependency] = []
    /// Container labels, in the order written.
    public var labels: [Label] = []
    /// The user (and group) its process runs as, `"1000:1000"`.
    public var user: String?
    /// The working directory of its process.
    public var workingDirectory: String?
    /// Whether the root file system is mounted read-only.
    public var readOnlyRootFilesystem = false
    /// Linux capabilities removed from its process (`ALL` removes every one).
    public var droppedCapabilities: [String] = []
    /// Linux capabilities it gets back after Berth drops them all (``CapabilitySet``), beside
    /// those its image is known to need.
    public var addedCapabilities: [String] = []
    /// Whether it keeps the engine's default capabilities and may gain privileges
    /// (``Service/engineDefaultPrivileges()``).
    public var keepsEngineDefaultPrivileges = false
    /// How many containers run it.
    public var replicas = 1
    /// How an orchestrator runs and updates it; Swarm reads it, Compose ignores it.
    public var deploy = DeployPolicy()
    /// Requests the stack's gateway sends to it, in the order written.
    public var routes: [Route] = []
    /// How long the engine waits after `SIGTERM` before it kills the process (`stop_grace_period`);
    /// `nil` for Docker's 10 s.
    public var stopGracePeriod: Duration?
    /// Which copy goes first when an update replaces the service's containers; `nil` for the
    /// order of its ``DeployPolicy/update`` policy, or else the one ``UpdateStrategy`` chooses.
    public var updateOrder: UpdatePolicy.Order?
    /// Host ports it may publish although the stack is behind a gateway.
    public var publishedPortsAllowedBehindGateway: Set<Int> = []
    /// The addresses of services in other stacks this one's environment holds.
    public var addresses: [AddressUse] = []
    /// Descriptions other modules attach to the service for their own checks, by key (a
    /// Cloudflare Tunnel's ingress rules on its cloudflared service); they change neither the
    /// service's containers nor its configuration hash (the tunnel is written beside, as
    /// ``Service/tunnelAttachment``, so that a rendered file says it). `nil` when none is.
    public var attachments: [String: String]?
    /// A command run once in the new version before its containers start (``ReleaseTask``).
    public var releaseTask: ReleaseTask?
    /// When the service runs its command, if it is a job (``Schedule``); `nil` for a service
    /// that keeps running.
    public var schedule: Schedule?
    /// Where Prometheus scrapes the service's metrics, if it has any (``MetricsEndpoint``).
    public var metrics: MetricsEndpoint?
    /// Where the engine sends the service's output (``LogPolicy``); `nil` for the engine's default.
    public var logging: LogPolicy?
    /// How its data is backed up (``Backup``), in the order written.
    public var backups: [Backup] = []
    /// Where the user declared the service.
    public var location: SourceLocation

    /// Declares a service.
    /// - Parameters:
    ///   - name: Unique in the stack; lowercase letters, digits, `-`, `_` and `.` (Compose rules).
    ///   - image: What it runs, such as `"nginx:1.27"`.
    public init(_ name: String, image: Image, fileID: String = #fileID, line: Int = #line) {
        self.name = name
        self.image = image
        self.location = SourceLocation(fileID: fileID, line: line)
    }
}

/// A key and value attached to an engine object.
public struct Label: Sendable, Hashable, Codable {
    /// The key, in reverse-DNS notation by convention (`com.acme.team`).
    public var key: String
    /// The value.
    public var value: String
    /// Where the user declared the label.
    public var location: SourceLocation

    /// Creates a label.
    public init(key: String, value: String, location: SourceLocation) {
        self.key = key
        self.value = value
        self.location = location
    }
}

extension Service {
    private func with(_ change: (inout Service) -> Void) -> Service {
        var copy = self
        change(&copy)
        return copy
    }

    /// Replaces the image's command.
    public func command(_ arguments: [String]) -> Service {
        with { $0.command = arguments }
    }

    /// Replaces the image's entrypoint.
    public func entrypoint(_ arguments: [String]) -> Service {
        with { $0.entrypoint = arguments }
    }

    /// Sets an environment variable to literal text; a `$` in it stays a `$`.
    public func environment(
        _ key: String,
        _ value: String,
        fileID: String = #fileID,
        line: Int = #line
    ) -> Service {
        environment(key, .literal(value), fileID: fileID, line: line)
    }

    /// Sets an environment variable to a literal, interpolated or sensitive value.
    public func environment(
        _ key: String,
        _ value: EnvironmentVariable.Value,
        fileID: String = #fileID,
        line: Int = #line
    ) -> Service {
        with {
            $0.environment.append(
                EnvironmentVariable(key: key, value: value, location: SourceLocation(fileID: fileID, line: line))
            )
        }
    }

    /// Sets several environment variables to literal text, in the order written.
    public func environment(
        _ variables: KeyValuePairs<String, String>,
        fileID: String = #fileID,
        line: Int = #line
    ) -> Service {
        var copy = self
        for (key, value) in variables {
            copy = copy.environment(key, .literal(value), fileID: fileID, line: line)
        }
        return copy
    }

    /// Declares a port other services reach; it is not published on the host.
    public func expose(
        _ port: Int,
        transport: Port.TransportProtocol = .tcp,
        fileID: String = #fileID,
        line: Int = #line
    ) -> Service {
        with {
            $0.ports.append(
                Port(target: port, transport: transport, location: SourceLocation(fileID: fileID, line: line))
            )
        }
    }

    /// Publishes a port on the host.
    ///
    /// The port binds to `127.0.0.1` unless `public` is `true`, which binds every address of the
    /// host.
    /// - Parameters:
    ///   - port: The port inside the container.
    ///   - hostPort: The port on the host; defaults to `port`.
    ///   - public: Whether other machines may connect.
    ///   - hostIP: A specific host address; overrides `public`.
    ///   - mode: How Swarm publishes it: through the ingress routing mesh on every node, or on
    ///     the node that runs each task. Compose ignores it.
    public func publish(
        _ port: Int,
        on hostPort: Int? = nil,
        public: Bool = false,
        hostIP: String? = nil,
        transport: Port.TransportProtocol = .tcp,
        mode: Port.PublishMode = .ingress,
        fileID: String = #fileID,
        line: Int = #line
    ) -> Service {
        with {
            $0.ports.append(
                Port(
                    target: port,
                    published: hostPort ?? port,
                    hostIP: hostIP ?? (`public` ? "0.0.0.0" : "127.0.0.1"),
                    transport: transport,
                    mode: mode,
                    location: SourceLocation(fileID: fileID, line: line)
                )
            )
        }
    }

    /// Attaches the service to networks of the stack, by name.
    public func networks(_ names: String...) -> Service {
        with { $0.networks.append(contentsOf: names) }
    }

    /// Mounts a named volume of the stack.
    public func volume(
        _ name: String,
        at target: String,
        readOnly: Bool = false,
        fileID: String = #fileID,
        line: Int = #line
    ) -> Service {
        mount(.volume(name), at: target, readOnly: readOnly, fileID: fileID, line: line)
    }

    /// Mounts a volume, a host path or a tmpfs.
    public func mount(
        _ source: Mount.Source,
        at target: String,
        readOnly: Bool = false,
        fileID: String = #fileID,
        line: Int = #line
    ) -> Service {
        with {
            $0.mounts.append(
                Mount(
                    source: source,
                    target: target,
                    isReadOnly: readOnly,
                    location: SourceLocation(fileID: fileID, line: line)
                )
            )
        }
    }

    /// Gives the service a secret as the file `/run/secrets/<target>`.
    /// - Parameters:
    ///   - name: The secret's name in the stack.
    ///   - target: The file name; defaults to the secret's name.
    ///   - pathVariable: An environment key that receives the file's path, following the
    ///     `*_FILE` convention of official images (`POSTGRES_PASSWORD_FILE`).
    public func secret(
        _ name: String,
        target: String? = nil,
        pathVariable: String? = nil,
        fileID: String = #fileID,
        line: Int = #line
    ) -> Service {
        with {
            $0.secrets.append(
                SecretMount(
                    secret: name,
                    target: target ?? name,
                    pathVariable: pathVariable,
                    location: SourceLocation(fileID: fileID, line: line)
                )
            )
        }
    }

    /// Gives the service a config as a read-only file.
    public func config(_ name: String, at target: String, fileID: String = #fileID, line: Int = #line) -> Service {
        with {
            $0.configs.append(
                ConfigMount(config: name, target: target, location: SourceLocation(fileID: fileID, line: line))
            )
        }
    }

    /// Sets how the engine checks the service.
    public func healthCheck(_ check: HealthCheck) -> Service {
        with { $0.healthCheck = check }
    }

    /// Sets CPU and memory constraints.
    public func resources(_ resources: Resources) -> Service {
        with { $0.resources = resources }
    }

    /// Sets what happens when the service exits.
    /// - Parameters:
    ///   - delay: How long Swarm waits between restarts; `nil` for its default. Compose ignores it.
    ///   - window: How long a restarted task must run to count as restarted; `nil` for Swarm's
    ///     default. Compose ignores it.
    public func restart(_ policy: RestartPolicy, delay: Duration? = nil, window: Duration? = nil) -> Service {
        with {
            $0.restart = policy
            $0.deploy.restartDelay = delay
            $0.deploy.restartWindow = window
        }
    }

    /// Makes the service start only after another one reaches a condition.
    public func dependsOn(
        _ service: String,
        condition: DependencyCondition = .started,
        fileID: String = #fileID,
        line: Int = #line
    ) -> Service {
        with {
            $0.dependencies.append(
                Dependency(service: service, condition: condition, location: SourceLocation(fileID: fileID, line: line))
            )
        }
    }

    /// Adds a container label.
    public func label(_ key: String, _ value: String, fileID: String = #fileID, line: Int = #line) -> Service {
        with { $0.labels.append(Label(key: key, value: value, location: SourceLocation(fileID: fileID, line: line))) }
    }

    /// Sets the user (and group) the process runs as.
    public func user(_ user: String) -> Service {
        with { $0.user = user }
    }

    /// Sets the working directory.
    public func workingDirectory(_ path: String) -> Service {
        with { $0.workingDirectory = path }
    }

    /// Mounts the root file system read-only; pair it with tmpfs mounts for scratch space.
    public func readOnlyRootFilesystem(_ readOnly: Bool = true) -> Service {
        with { $0.readOnlyRootFilesystem = readOnly }
    }

    /// Declares the only paths the process writes to outside its volumes: the root file system
    /// becomes read-only, and each path gets a private tmpfs (emptied when the container is).
    ///
    /// ```swift
    /// Service("web", image: "nginx:1.27")
    ///     .writablePaths(["/var/cache/nginx", "/var/run", "/tmp"])
    /// ```
    /// A path a volume or host path is already mounted at keeps that mount. A process that
    /// writes anywhere else fails with "Read-only file system", which is the point: an intruder
    /// cannot change the image's programs.
    public func writablePaths(_ paths: [String], fileID: String = #fileID, line: Int = #line) -> Service {
        var service = readOnlyRootFilesystem()
        for path in paths where !service.mounts.contains(where: { $0.target == path }) {
            service = service.mount(.tmpfs(sizeBytes: nil), at: path, fileID: fileID, line: line)
        }
        return service
    }

    /// Removes Linux capabilities from the process; `["ALL"]` removes every one.
    public func dropCapabilities(_ capabilities: [String]) -> Service {
        with { $0.droppedCapabilities = capabilities }
    }

    /// Sets how many containers run the service.
    public func replicas(_ count: Int) -> Service {
        with { $0.replicas = count }
    }

    /// Sets how long the engine waits after `SIGTERM` before it kills the process.
    ///
    /// Updates stop the old containers with it. A process that runs as PID 1 without a signal
    /// handler (`sh -c …`, many servers) ignores `SIGTERM` and always takes the whole period.
    public func stopGracePeriod(_ period: Duration) -> Service {
        with { $0.stopGracePeriod = period }
    }

    /// Sets which copy goes first when an update replaces the service's containers, on Compose
    /// and on Swarm.
    ///
    /// On Compose, Berth honours the order itself (see ``UpdateStrategy``); the other fields of
    /// an ``UpdatePolicy`` are Swarm's.
    public func update(order: UpdatePolicy.Order) -> Service {
        with { $0.updateOrder = order }
    }
}

extension Service {
    /// The attachment key of the Cloudflare Tunnel a cloudflared service runs, as JSON; the
    /// renderers write it as the service's ``tunnelExtension`` key.
    public static let tunnelAttachment = "berth.tunnel"
    /// The extension key (ignored by Compose and Swarm) a rendered service carries its tunnel in,
    /// so `berth import` of a rendered file gives the tunnel back.
    public static let tunnelExtension = "x-berth-tunnel"
}
