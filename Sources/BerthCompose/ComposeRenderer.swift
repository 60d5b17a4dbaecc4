import BerthCore
import BerthRendering
import BerthYAML
import Dispatch

/// Renders a stack into a Docker Compose document.
///
/// The renderer builds structured values and leaves the text to ``YAMLEmitter``, which quotes
/// every string, so values such as `yes`, `0755` or `22:22` keep their meaning in every YAML
/// parser. Every literal `$` is doubled, because Compose interpolates every value of the file;
/// only a value written as ``EnvironmentVariable/Value/interpolated(_:)`` keeps single `$`.
/// Output depends only on the stack, so equal stacks render byte-identical files.
public struct ComposeRenderer: Sendable {
    /// Where the rendered file sits relative to the package directory; relative bind mounts and
    /// config files are rewritten to stay correct from there.
    public var pathToPackage: String

    /// Creates a renderer.
    /// - Parameter pathToPackage: The path from the directory of the rendered file back to the
    ///   package directory; `../../..` for `.berth/<stack>/<environment>/compose.yaml`.
    public init(pathToPackage: String = "../../..") {
        self.pathToPackage = pathToPackage
    }

    /// The Compose project name of a stack in an environment.
    public static func projectName(stack: String, environment: String) -> String {
        "\(stack)-\(environment)"
    }

    /// The relative path under the rendered file's directory where a secret's value is kept
    /// on the deploying machine.
    public static func secretFile(_ name: String) -> String { "secrets/" + name }

    /// The environment variable of the `docker compose` process that carries a secret's value.
    ///
    /// Compose copies a secret from an `environment:` source into each container that reads it,
    /// over the engine's API: it arrives on a remote engine (`ssh://`) as on a local one, and no
    /// file outside the container ever holds it there, unlike a `file:` source, which is a bind
    /// mount of a path on the deploying machine. A name of letters, digits and `_` is kept as it
    /// is (`db_password` → `BERTH_SECRET_db_password`); one with `-` or `.`, which a variable
    /// cannot hold, gets them as `_` and a hash of the name, so two secrets never share one.
    public static func secretVariable(_ name: String) -> String {
        let plain = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
        if plain { return "BERTH_SECRET_" + name }
        let sanitized = String(name.map { $0 == "-" || $0 == "." ? "_" : $0 })
        return "BERTH_SECRET_" + sanitized + "_" + ContentVersion.of(Array(name.utf8)).prefix(8)
    }

    /// The labels naming the owner of everything a stack creates in an environment.
    package static func ownership(stack: String, environment: String) -> [(String, String)] {
        [(OwnershipLabel.stack, stack), (OwnershipLabel.environment, environment)]
    }

    /// Renders a validated stack.
    /// - Parameter secretVersions: The version of each secret's current value, by name, when
    ///   known (a deploy knows them; rendering alone does not). Each service records the versions
    ///   of the secrets it reads, so a changed value changes its configuration.
    /// - Parameter configVersions: The version of each file-backed config's content, by name, when
    ///   known (a deploy reads the files); a config written in Swift is versioned by its text.
    ///   Each service records the versions of the configs it mounts, so an edited config
    ///   recreates exactly the services that read it.
    /// - Parameter configContents: The content of file-backed configs, by name, when a deploy
    ///   has read them: they are written into the document as `content:`, which Compose copies
    ///   into the containers over the engine's API, so they reach a remote engine that cannot
    ///   see this machine's files. Without it they stay `file:` sources.
    public func render(
        _ stack: Stack,
        for environment: Environment,
        secretVersions: [String: String] = [:],
        configVersions: [String: String] = [:],
        configContents: [String: [UInt8]] = [:]
    ) -> ComposeDocument {
        var configVersions = configVersions
        for config in stack.configs where configVersions[config.name] == nil {
            if case .content(let text) = config.source {
                configVersions[config.name] = ContentVersion.of(Array(text.utf8))
            } else if let content = configContents[config.name] {
                configVersions[config.name] = ContentVersion.of(content)
            }
        }
        let project = Self.projectName(stack: stack.name, environment: environment.name)
        let ownership = Self.ownership(stack: stack.name, environment: environment.name)
        var diagnostics: [Diagnostic] = []
        var hashes: [String: ServiceHash] = [:]
        hashes.reserveCapacity(stack.services.count)

        // Services render independently of each other, so big stacks render them on every core;
        // the document and its diagnostics come out the same, in the order written.
        var services = YAMLMapping()
        for (service, rendered) in zip(
            stack.services,
            renderServices(
                stack, ownership: ownership, secretVersions: secretVersions, configVersions: configVersions))
        {
            diagnostics += rendered.diagnostics
            services.append(service.name, .mapping(rendered.node))
            hashes[service.name] = rendered.hash
        }

        var root = YAMLMapping()
        root.append("name", .string(project))
        root.append("services", .mapping(services))
        if !stack.networks.isEmpty {
            var networks = YAMLMapping()
            for network in stack.networks {
                // Compose's networks always let containers outside the project join them.
                networks.append(
                    network.name,
                    .mapping(
                        Self.renderNetwork(network, driver: network.driver, attachable: false, ownership: ownership)))
            }
            root.append("networks", .mapping(networks))
        }
        if !stack.volumes.isEmpty {
            root.append("volumes", .mapping(Self.renderVolumes(stack.volumes, ownership: ownership)))
        }
        if !stack.secrets.isEmpty {
            var secrets = YAMLMapping()
            for secret in stack.secrets {
                var node = YAMLMapping()
                if case .shared(let owner, _) = secret.source {
                    diagnostics.append(
                        Diagnostic(
                            .error, .lossyRendering, element: "secret '\(secret.name)'",
                            message:
                                "It is the shared secret of stack '\(owner)', and Docker Compose without Swarm keeps no secrets on the engine to share.",
                            fix:
                                "Deploy this environment with Swarm (.on(.swarm)), or give the secret its own source here, such as .environment(\"…\") or .file(\"…\").",
                            location: secret.location))
                }
                if case .external = secret.source {
                    diagnostics.append(
                        Diagnostic(
                            .error, .lossyRendering, element: "secret '\(secret.name)'",
                            message: "Docker Compose without Swarm cannot read external secrets.",
                            fix:
                                "Give the secret a file, an environment variable or .generated as its source, or deploy with the Swarm adapter.",
                            location: secret.location))
                }
                // The value travels in the environment of `docker compose` only (see
                // `secretVariable`): the document holds neither a value nor a local path.
                node.append("environment", .string(Self.secretVariable(secret.name)))
                secrets.append(secret.name, .mapping(node))
            }
            root.append("secrets", .mapping(secrets))
        }
        if !stack.configs.isEmpty {
            var configs = YAMLMapping()
            for config in stack.configs {
                var node = YAMLMapping()
                switch config.source {
                case .file(let path):
                    guard let content = configContents[config.name] else {
                        node.append("file", Self.literal(packagePath(path)))
                        break
                    }
                    guard let text = String(validating: content, as: UTF8.self), !text.isEmpty,
                        !text.utf8.contains(0)
                    else {
                        diagnostics.append(
                            Diagnostic(
                                .error, .lossyRendering, element: "config '\(config.name)'",
                                message:
                                    "Its file \(path) is empty or not UTF-8 text, and Docker Compose copies a config into containers only from text content.",
                                fix:
                                    "Make the file UTF-8 text (base64-encode binary data and decode it in the container), or mount it as a volume.",
                                location: config.location))
                        break
                    }
                    node.append("content", Self.literal(text))
                case .content(let text):
                    if text.isEmpty {
                        // Compose drops `content: ""` from its model and then treats the config
                        // as a bind mount with no source: the file never appears.
                        diagnostics.append(
                            Diagnostic(
                                .error, .lossyRendering, element: "config '\(config.name)'",
                                message:
                                    "Docker Compose ignores an empty config content, so services would not get the file.",
                                fix: "Give the config some content, or use a file source for an empty file.",
                                location: config.location))
                    }
                    node.append("content", Self.literal(text))
                }
                configs.append(config.name, .mapping(node))
            }
            root.append("configs", .mapping(configs))
        }
        return ComposeDocument(
            projectName: project, root: .mapping(root), serviceHashes: hashes, diagnostics: diagnostics)
    }

    // MARK: Services

    /// A service's part of the document.
    private struct RenderedService: Sendable {
        var node: YAMLMapping
        var hash: ServiceHash
        var diagnostics: [Diagnostic]
    }

    /// Renders every service, on all cores when there are enough of them to pay for it: hashing
    /// their configuration is most of the time rendering takes.
    private func renderServices(
        _ stack: Stack,
        ownership: [(String, String)],
        secretVersions: [String: String],
        configVersions: [String: String]
    ) -> [RenderedService] {
        let services = stack.services
        let chunkSize = 128
        let chunkCount = (services.count + chunkSize - 1) / chunkSize
        // Up to a few hundred services, waking threads costs about what it saves.
        if chunkCount <= 2 {
            var hasher = FieldHasher()
            return services.map {
                renderWithLabels(
                    $0, in: stack, ownership: ownership, secretVersions: secretVersions,
                    configVersions: configVersions, hasher: &hasher)
            }
        }
        var results = [RenderedService?](repeating: nil, count: services.count)
        results.withUnsafeMutableBufferPointer { buffer in
            // Each chunk writes only its own elements, so the writes never overlap.
            nonisolated(unsafe) let results = buffer
            DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                var hasher = FieldHasher()
                for index in (chunk * chunkSize)..<min(services.count, (chunk + 1) * chunkSize) {
                    results[index] = renderWithLabels(
                        services[index], in: stack, ownership: ownership, secretVersions: secretVersions,
                        configVersions: configVersions, hasher: &hasher)
                }
            }
        }
        return results.map { $0! }
    }

    /// Renders one service with its labels, including the hashes of its configuration.
    private func renderWithLabels(
        _ service: Service,
        in stack: Stack,
        ownership: [(String, String)],
        secretVersions: [String: String],
        configVersions: [String: String],
        hasher: inout FieldHasher
    ) -> RenderedService {
        var diagnostics: [Diagnostic] = []
        var node = renderService(service, in: stack, diagnostics: &diagnostics)
        warnAboutSwarmSettings(of: service, diagnostics: &diagnostics)
        var labels = Self.userLabels(service.labels, kind: "label", of: service, diagnostics: &diagnostics)
        for (key, value) in ownership {
            labels.append(key, .string(value))
        }
        labels.append(OwnershipLabel.service, .string(service.name))
        if !service.routes.isEmpty {
            // Hashed without source locations; the label written carries them (below).
            labels.append(OwnershipLabel.routes, Self.literal(RouteLabel.fingerprint(service.routes)))
        }
        let versions = Self.secretVersionsLabel(of: service, secretVersions: secretVersions)
        let configs = service.configs.compactMap { mount in
            configVersions[mount.config].map { "\(mount.config)=\($0)" }
        }.joined(separator: ",")
        // The versions count as part of the `secrets` and `configs` fields, so a plan says which
        // of them changed; a service without configs hashes as it always did.
        let hash = hasher.hash(
            of: node, labels: labels,
            suffixes: configs.isEmpty ? ["secrets": versions] : ["secrets": versions, "configs": configs])
        if !service.routes.isEmpty {
            labels[OwnershipLabel.routes] = Self.literal(RouteLabel.encode(service.routes))
        }
        if !versions.isEmpty {
            labels.append(OwnershipLabel.secretVersions, .string(versions))
        }
        labels.append(OwnershipLabel.configHash, .string(hash.configuration))
        labels.append(OwnershipLabel.fieldHashes, .string(hasher.fieldsLabel(of: hash)))
        node.append("labels", .mapping(labels))
        Self.appendTunnel(of: service, to: &node)
        return RenderedService(node: node, hash: hash, diagnostics: diagnostics)
    }

    /// The tunnel a cloudflared service runs, after the hash (its ingress changes nothing in the
    /// container), so that the file says it.
    package static func appendTunnel(of service: Service, to node: inout YAMLMapping) {
        if let tunnel = service.attachments?[Service.tunnelAttachment] {
            node.append(Service.tunnelExtension, literal(tunnel))
        }
    }

    /// Compose on one machine has no rolling updates, placement, global mode or endpoint modes:
    /// a service that sets them is rendered without them, and the user hears which.
    private func warnAboutSwarmSettings(of service: Service, diagnostics: inout [Diagnostic]) {
        let deploy = service.deploy
        var ignored: [String] = []
        if deploy.mode == .global { ignored.append("global mode (deploy.mode)") }
        if !deploy.constraints.isEmpty || !deploy.preferences.isEmpty || deploy.maxReplicasPerNode != nil {
            ignored.append("placement (deploy.placement)")
        }
        // The update order is Berth's to honour on Compose (UpdateStrategy); the rest is Swarm's.
        if let update = deploy.update,
            update.parallelism != 1 || update.delay != .zero || update.failureAction != .rollback
                || update.monitor != .seconds(5) || update.maxFailureRatio != 0
        {
            ignored.append("the update policy's parallelism, delay, monitor and failure action (deploy.update_config)")
        }
        if deploy.rollback != nil { ignored.append("the rollback policy (deploy.rollback_config)") }
        if deploy.endpointMode != nil { ignored.append("the endpoint mode (deploy.endpoint_mode)") }
        if !deploy.labels.isEmpty { ignored.append("service labels (deploy.labels)") }
        if deploy.restartDelay != nil || deploy.restartWindow != nil {
            ignored.append("the restart delay and window (deploy.restart_policy)")
        }
        guard !ignored.isEmpty else { return }
        let global = deploy.mode == .global ? " A global service runs one container, as on a one-node swarm." : ""
        diagnostics.append(
            Diagnostic(
                .warning, .lossyRendering, element: "service '\(service.name)'",
                message:
                    "Docker Compose ignores \(ignored.joined(separator: ", ")), which only Swarm applies.\(global)",
                fix:
                    "Deploy with the Swarm adapter to apply them, or remove them from the Compose environment\(deploy.labels.isEmpty ? "" : "; use .label(…) for labels containers should carry").",
                location: service.location))
    }

    private func renderService(
        _ service: Service,
        in stack: Stack,
        diagnostics: inout [Diagnostic]
    ) -> YAMLMapping {
        var node = YAMLMapping()
        Self.renderProcess(of: service, into: &node)
        let exposed = service.ports.filter { !$0.isPublished }
        if !exposed.isEmpty {
            node.append(
                "expose",
                .sequence(exposed.map { .string($0.transport == .tcp ? "\($0.target)" : "\($0.target)/udp") }))
        }
        let published = service.ports.filter(\.isPublished)
        if !published.isEmpty {
            if service.replicas > 1 {
                diagnostics.append(
                    Diagnostic(
                        .error, .portConflict, element: "service '\(service.name)'",
                        message:
                            "It runs \(service.replicas) replicas and publishes host port \(published[0].published!); on one host only the first replica could bind it.",
                        fix: "Run one replica, or publish the service through a gateway instead.",
                        location: published[0].location))
            }
            node.append(
                "ports",
                .sequence(
                    published.map { port in
                        var entry = YAMLMapping()
                        entry.append("target", .integer(port.target))
                        entry.append("published", .string(String(port.published!)))
                        if let hostIP = port.hostIP { entry.append("host_ip", .string(hostIP)) }
                        entry.append("protocol", .string(port.transport.rawValue))
                        return .mapping(entry)
                    }))
        }
        renderAttachments(of: service, into: &node)
        if let check = service.healthCheck {
            node.append("healthcheck", .mapping(Self.renderHealthCheck(check)))
        }
        if !service.dependencies.isEmpty {
            var dependencies = YAMLMapping()
            for dependency in service.dependencies {
                let condition: String
                switch dependency.condition {
                case .started: condition = "service_started"
                case .healthy: condition = "service_healthy"
                case .completed: condition = "service_completed_successfully"
                }
                dependencies.append(
                    dependency.service,
                    .mapping(YAMLMapping([("condition", .string(condition)), ("required", .boolean(true))])))
            }
            node.append("depends_on", .mapping(dependencies))
        }
        node.append("restart", .string(Self.restart(service.restart)))
        Self.renderHardening(of: service, into: &node)
        var deploy = YAMLMapping()
        if service.replicas != 1 {
            deploy.append("replicas", .integer(service.replicas))
        }
        if !service.resources.isEmpty {
            deploy.append("resources", .mapping(Self.renderResources(service.resources)))
        }
        if !deploy.isEmpty {
            node.append("deploy", .mapping(deploy))
        }
        return node
    }

    // MARK: Shared with the Swarm renderer

    /// The service's process: `image`, `entrypoint`, `command`, `user`, `working_dir` and
    /// `environment`, with the `*_FILE` variables that hold the paths of its secrets. A service
    /// with variables composed from secrets starts through the shim of ``ComposedEnvironment``:
    /// its entrypoint is the shim, its command its own entrypoint and command. A job's
    /// entrypoint is its ``JobScheduler``.
    package static func renderProcess(of service: Service, into node: inout YAMLMapping) {
        node.append("image", literal(service.image.reference))
        if let scheduler = JobScheduler(of: service) {
            // A job: the scheduler runs the program at each time due, through the shim when
            // variables are composed, so each run reads the secrets as they are then.
            let program = ComposedEnvironment(of: service).map { $0.entrypoint(name: service.name) } ?? []
            node.append("entrypoint", .sequence(scheduler.entrypoint(name: service.name).map(literal)))
            node.append("command", .sequence((program + scheduler.program).map(literal)))
        } else if let composed = ComposedEnvironment(of: service) {
            node.append("entrypoint", .sequence(composed.entrypoint(name: service.name).map(literal)))
            node.append("command", .sequence(composed.program.map(literal)))
        } else {
            if let entrypoint = service.entrypoint {
                node.append("entrypoint", .sequence(entrypoint.map(literal)))
            }
            if let command = service.command {
                node.append("command", .sequence(command.map(literal)))
            }
        }
        if let user = service.user {
            node.append("user", literal(user))
        }
        if let directory = service.workingDirectory {
            node.append("working_dir", literal(directory))
        }
        if let period = service.stopGracePeriod {
            node.append("stop_grace_period", .string(GoDuration.format(period)))
        }
        let secretPaths = service.secrets.compactMap { mount in mount.pathVariable.map { ($0, mount.path) } }
        // Composed variables exist only in the shim's process, never in the container's
        // configuration.
        let variables = service.effectiveEnvironment.filter {
            if case .composed = $0.value { return false }
            return true
        }
        if !variables.isEmpty || !secretPaths.isEmpty {
            var environment = YAMLMapping()
            for variable in variables {
                switch variable.value {
                case .literal(let text), .sensitive(let text), .notSecret(let text):
                    environment.append(variable.key, literal(text))
                case .interpolated(let text):
                    environment.append(variable.key, .string(text))
                case .composed:
                    break
                }
            }
            for (key, path) in secretPaths {
                environment.append(key, literal(path))
            }
            node.append("environment", .mapping(environment))
        }
    }

    /// What the service is attached to: its `networks`, `volumes`, `secrets` and `configs`.
    package func renderAttachments(of service: Service, into node: inout YAMLMapping) {
        if !service.networks.isEmpty {
            node.append("networks", .sequence(service.networks.map { .string($0) }))
        }
        if !service.mounts.isEmpty {
            node.append("volumes", .sequence(service.mounts.map(renderMount)))
        }
        if !service.secrets.isEmpty {
            node.append(
                "secrets",
                .sequence(
                    service.secrets.map { mount in
                        .mapping(
                            YAMLMapping([("source", .string(mount.secret)), ("target", Self.literal(mount.target))]))
                    }))
        }
        if !service.configs.isEmpty {
            node.append(
                "configs",
                .sequence(
                    service.configs.map { mount in
                        .mapping(
                            YAMLMapping([("source", .string(mount.config)), ("target", Self.literal(mount.target))]))
                    }))
        }
    }

    /// The service's `read_only` root file system, its capabilities (all dropped, those it
    /// needs added back: ``CapabilitySet``), `no-new-privileges` (Compose only: Swarm services
    /// have no security options) and `logging`.
    package static func renderHardening(of service: Service, into node: inout YAMLMapping, swarm: Bool = false) {
        if service.readOnlyRootFilesystem {
            node.append("read_only", .boolean(true))
        }
        if let capabilities = service.effectiveCapabilities {
            node.append("cap_drop", .sequence([literal("ALL")]))
            let added = capabilities.filter { !service.droppedCapabilities.contains($0) }
            if !added.isEmpty { node.append("cap_add", .sequence(added.map(literal))) }
            if !swarm { node.append("security_opt", .sequence([literal("no-new-privileges:true")])) }
        } else if !service.droppedCapabilities.isEmpty {
            node.append("cap_drop", .sequence(service.droppedCapabilities.map(literal)))
        }
        if let logging = service.logging {
            node.append("logging", .mapping(renderLogging(logging.driver, service: service)))
        }
    }

    /// `logging:`. Loki's driver labels each stream with the Compose project (stack and
    /// environment) and service, or the Swarm stack and service, by itself; `service` is added
    /// under Berth's name.
    static func renderLogging(_ driver: LogPolicy.Driver, service: Service) -> YAMLMapping {
        switch driver {
        case .local(let size, let files), .jsonFile(let size, let files):
            let name = if case .local = driver { "local" } else { "json-file" }
            return YAMLMapping([
                ("driver", .string(name)),
                (
                    "options",
                    .mapping(YAMLMapping([("max-size", literal(size.text)), ("max-file", .string(String(files)))]))
                ),
            ])
        case .loki(let url):
            return YAMLMapping([
                ("driver", "loki"),
                (
                    "options",
                    .mapping(
                        YAMLMapping([
                            ("loki-url", literal(url)),
                            ("loki-external-labels", .string("service=\(service.name)")),
                            ("mode", "non-blocking"),
                            ("max-buffer-size", "4m"),
                            ("loki-retries", "2"),
                            ("loki-timeout", "2s"),
                        ]))
                ),
            ])
        case .none:
            return YAMLMapping([("driver", "none")])
        }
    }

    /// The user's labels of a service, without those whose key is Berth's own: each of those
    /// is an error in `diagnostics`.
    /// - Parameter kind: What the labels are called in the diagnostic (`label`, `service label`).
    package static func userLabels(
        _ labels: [Label],
        kind: String,
        of service: Service,
        diagnostics: inout [Diagnostic]
    ) -> YAMLMapping {
        var mapping = YAMLMapping()
        for label in labels {
            // A second `berth.stack` key would make Compose or the stack loader reject the whole
            // file ("mapping key already defined"), and Berth relies on its own values.
            if OwnershipLabel.all.contains(label.key) {
                diagnostics.append(
                    Diagnostic(
                        .error, .invalidName, element: "service '\(service.name)'",
                        message:
                            "The \(kind) '\(label.key)' is reserved: Berth sets it to identify what it deployed.",
                        fix: "Use another label key; keys starting with 'berth.' belong to Berth.",
                        location: label.location))
                continue
            }
            mapping.append(label.key, literal(label.value))
        }
        return mapping
    }

    /// The value of ``OwnershipLabel/secretVersions`` for a service: `name=version` of each
    /// secret it reads whose version is known, or an empty string.
    package static func secretVersionsLabel(of service: Service, secretVersions: [String: String]) -> String {
        service.secrets.compactMap { mount in
            secretVersions[mount.secret].map { "\(mount.secret)=\($0)" }
        }
        .joined(separator: ",")
    }

    /// The top-level `volumes`: external ones by their real name, the others with the
    /// ownership labels.
    package static func renderVolumes(_ volumes: [Volume], ownership: [(String, String)]) -> YAMLMapping {
        var mapping = YAMLMapping()
        for volume in volumes {
            var node = YAMLMapping()
            if let external = volume.externalName {
                node.append("name", literal(external))
                node.append("external", .boolean(true))
            } else {
                node.append("labels", .mapping(labels(ownership)))
            }
            mapping.append(volume.name, .mapping(node))
        }
        return mapping
    }

    /// A top-level network: an external one by its real name, the others with their `driver`
    /// and the ownership labels.
    /// - Parameters:
    ///   - driver: The driver written, which the caller may translate from the network's own.
    ///   - attachable: Whether to write `attachable: true`.
    package static func renderNetwork(
        _ network: Network,
        driver: String,
        attachable: Bool,
        ownership: [(String, String)]
    ) -> YAMLMapping {
        var node = YAMLMapping()
        if let external = network.externalName {
            node.append("name", literal(external))
            node.append("external", .boolean(true))
            return node
        }
        if let fixed = network.fixedName {
            // Other stacks join it by this name, which must not depend on the project.
            node.append("name", literal(fixed))
        }
        node.append("driver", literal(driver))
        if attachable {
            node.append("attachable", .boolean(true))
        }
        if network.isInternal {
            node.append("internal", .boolean(true))
        }
        node.append("labels", .mapping(labels(ownership)))
        return node
    }

    /// A mount in the long syntax both Compose and the Swarm stack loader read.
    package func renderMount(_ mount: Mount) -> YAMLNode {
        var entry = YAMLMapping()
        switch mount.source {
        case .volume(let name):
            entry.append("type", "volume")
            entry.append("source", .string(name))
        case .bind(let path):
            entry.append("type", "bind")
            entry.append("source", Self.literal(packagePath(path)))
        case .tmpfs:
            entry.append("type", "tmpfs")
        }
        entry.append("target", Self.literal(mount.target))
        if mount.isReadOnly {
            entry.append("read_only", .boolean(true))
        }
        if case .tmpfs(let size?) = mount.source {
            entry.append("tmpfs", .mapping(YAMLMapping([("size", .integer(size))])))
        }
        return .mapping(entry)
    }

    /// Paths the user wrote relative to the package directory, seen from the rendered file.
    package func packagePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var relative = Substring(path)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        return pathToPackage + "/" + relative
    }

    package static func renderHealthCheck(_ check: HealthCheck) -> YAMLMapping {
        var node = YAMLMapping()
        switch check.test {
        case .command(let arguments):
            node.append("test", .sequence([.string("CMD")] + arguments.map(literal)))
        case .shell(let line):
            node.append("test", .sequence([.string("CMD-SHELL"), literal(line)]))
        }
        node.append("interval", .string(GoDuration.format(check.interval)))
        node.append("timeout", .string(GoDuration.format(check.timeout)))
        node.append("retries", .integer(check.retries))
        node.append("start_period", .string(GoDuration.format(check.startPeriod)))
        return node
    }

    package static func renderResources(_ resources: Resources) -> YAMLMapping {
        func part(_ cpus: Double?, _ memory: MemorySize?) -> YAMLMapping {
            var node = YAMLMapping()
            if let cpus { node.append("cpus", .string(formatCPUs(cpus))) }
            if let memory { node.append("memory", .string(memory.text)) }
            return node
        }
        var node = YAMLMapping()
        let limits = part(resources.cpuLimit, resources.memoryLimit)
        if !limits.isEmpty { node.append("limits", .mapping(limits)) }
        let reservations = part(resources.cpuReservation, resources.memoryReservation)
        if !reservations.isEmpty { node.append("reservations", .mapping(reservations)) }
        return node
    }

    package static func formatCPUs(_ cpus: Double) -> String {
        // Not `rounded()`: it calls libm's round/floor/…, which executables that do not import
        // Foundation (berth-benchmark) fail to link on Linux.
        abs(cpus) < 1e15 && Double(Int(cpus)) == cpus ? String(Int(cpus)) : String(cpus)
    }

    static func restart(_ policy: RestartPolicy) -> String {
        switch policy {
        case .never: return "no"
        case .always: return "always"
        case .unlessStopped: return "unless-stopped"
        case .onFailure(let attempts?): return "on-failure:\(attempts)"
        case .onFailure(nil): return "on-failure"
        }
    }

    package static func labels(_ pairs: [(String, String)]) -> YAMLMapping {
        YAMLMapping(pairs.map { ($0.0, YAMLNode.string($0.1)) })
    }

    /// A string the user wrote, protected from Compose's interpolation.
    ///
    /// Works on Unicode scalars, not characters: `replacing("$", with: "$$")` compares grapheme
    /// clusters and misses a `$` that shares one with its neighbour (`$` + U+0301, or U+0600 +
    /// `$`), and Compose would then interpolate `\u{600}$HOME`.
    package static func literal(_ text: String) -> YAMLNode {
        guard text.utf8.contains(UInt8(ascii: "$")) else { return .string(text) }
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "$" { escaped.append(scalar) }
            escaped.append(scalar)
        }
        return .string(String(escaped))
    }
}
