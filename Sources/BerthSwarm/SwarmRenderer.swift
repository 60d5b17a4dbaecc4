import BerthCompose
import BerthCore
import BerthRendering
import BerthYAML

/// Renders a stack into a stack file for `docker stack deploy`.
///
/// The dialect is the one the Docker CLI's stack loader accepts (`version: "3.8"`, schema
/// `config_schema_v3.x`), not the Compose specification: there is no top-level `name` (the
/// stack name is an argument of `docker stack deploy`), `depends_on` and `restart` are not
/// written (Swarm ignores the first and reads `deploy.restart_policy` instead of the second),
/// published ports are integers in the long syntax, and CPU counts are strings.
///
/// As in ``ComposeRenderer``, every string is quoted by ``YAMLEmitter`` and every literal `$`
/// is doubled, because the stack loader interpolates every value too.
///
/// Secrets and configs are immutable in Swarm, so each is created by Berth before the deploy
/// under a versioned name, ``versionedName(_:version:stack:environment:)``, and the file
/// refers to it as `external`; services mount it at a stable target, so rotating a value
/// changes the name, and Swarm rolls the services that read it over to the new one.
public struct SwarmRenderer: Sendable {
    /// Where the rendered file sits relative to the package directory; relative bind mounts
    /// are rewritten to stay correct from there.
    public var pathToPackage: String

    /// Creates a renderer.
    /// - Parameter pathToPackage: The path from the directory of the rendered file back to the
    ///   package directory; `../../..` for `.berth/<stack>/<environment>/stack.yaml`.
    public init(pathToPackage: String = "../../..") {
        self.pathToPackage = pathToPackage
    }

    /// The Swarm stack name of a stack in an environment, the same as its Compose project name.
    public static func stackName(stack: String, environment: String) -> String {
        ComposeRenderer.projectName(stack: stack, environment: environment)
    }

    /// The engine name of a secret or config: `<stack>-<environment>_<name>_<8 hex digits of
    /// the version>`.
    ///
    /// Secret and config names are global to a swarm, so the stack and environment are part of
    /// the name: `shop-dev` and `shop-prod` on one swarm never share or remove each other's
    /// versions. A version that starts with 8 lowercase hex digits (Berth's keyed hashes, a
    /// SHA-256) contributes them; any other version contributes the start of its SHA-256.
    /// Without a version, the name has no version suffix.
    public static func versionedName(
        _ name: String,
        version: String?,
        stack: String,
        environment: String
    ) -> String {
        let base = stackName(stack: stack, environment: environment) + "_" + name
        guard let version else { return base }
        let prefix = version.utf8.prefix(8)
        let isHex = prefix.count == 8 && prefix.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
        return base + "_"
            + (isHex ? String(decoding: prefix, as: UTF8.self) : String(SHA256.hexDigest(version).prefix(8)))
    }

    /// Renders a validated stack.
    /// - Parameters:
    ///   - secretVersions: The version of each secret's current value, by name (a deploy knows
    ///     them; rendering alone does not). It names the secret on the engine.
    ///   - configVersions: The version of each config's content, by name. A config written in
    ///     Swift is versioned by the SHA-256 of its content when no version is given; a config
    ///     read from a file needs the deploy to hash the file.
    public func render(
        _ stack: Stack,
        for environment: Environment,
        secretVersions: [String: String] = [:],
        configVersions: [String: String] = [:]
    ) -> SwarmDocument {
        let stackName = Self.stackName(stack: stack.name, environment: environment.name)
        let ownership = ComposeRenderer.ownership(stack: stack.name, environment: environment.name)
        var diagnostics: [Diagnostic] = []

        var secretNames: [String: String] = [:]
        var secrets = YAMLMapping()
        for secret in stack.secrets {
            var node = YAMLMapping()
            let name: String
            if case .external(let realName) = secret.source {
                name = realName
            } else if case .shared(let owner, let sharedName) = secret.source {
                // The owner's object: its version is what the deploy found on the engine.
                name = Self.versionedName(
                    sharedName, version: secretVersions[secret.name], stack: owner, environment: environment.name)
            } else {
                name = Self.versionedName(
                    secret.name, version: secretVersions[secret.name], stack: stack.name,
                    environment: environment.name)
                checkObjectName(name, kind: "secret", secret.name, at: secret.location, into: &diagnostics)
            }
            // Berth creates every secret itself (from stdin) before the deploy, with its labels;
            // `docker stack deploy` would read a `file:` and leave no trace of where it came from.
            node.append("name", ComposeRenderer.literal(name))
            node.append("external", .boolean(true))
            secrets.append(secret.name, .mapping(node))
            secretNames[secret.name] = name
        }
        var configNames: [String: String] = [:]
        var configs = YAMLMapping()
        for config in stack.configs {
            var version = configVersions[config.name]
            if version == nil, case .content(let text) = config.source {
                version = SHA256.hexDigest(text)
            }
            let name = Self.versionedName(
                config.name, version: version, stack: stack.name, environment: environment.name)
            checkObjectName(name, kind: "config", config.name, at: config.location, into: &diagnostics)
            // Where the content comes from, which the created object does not say: the file a
            // reader opens, and what `berth import` reads back. Extension keys, which Swarm ignores.
            let source: (String, YAMLNode) =
                switch config.source {
                case .file(let path): ("x-berth-file", ComposeRenderer.literal(path))
                case .content(let text): ("x-berth-content", ComposeRenderer.literal(text))
                }
            configs.append(
                config.name,
                .mapping(
                    YAMLMapping([("name", ComposeRenderer.literal(name)), ("external", .boolean(true)), source])))
            configNames[config.name] = name
        }

        var hashes: [String: ServiceHash] = [:]
        var services = YAMLMapping()
        var hasher = FieldHasher()
        for service in stack.services {
            let rendered = renderWithLabels(
                service, stackName: stackName, ownership: ownership, secretVersions: secretVersions,
                configNames: configNames, hasher: &hasher)
            diagnostics += rendered.diagnostics
            services.append(service.name, .mapping(rendered.node))
            hashes[service.name] = rendered.hash
        }

        var root = YAMLMapping()
        // Quoted: an unquoted 3.8 is a number, which older CLIs refuse.
        root.append("version", .string("3.8"))
        root.append("services", .mapping(services))
        var externalNetworks: [String] = []
        if !stack.networks.isEmpty {
            var networks = YAMLMapping()
            for network in stack.networks {
                if let external = network.externalName { externalNetworks.append(external) }
                // `bridge`, the single-host default, cannot span nodes; its Swarm counterpart is `overlay`.
                let driver = network.driver == "bridge" ? "overlay" : network.driver
                networks.append(
                    network.name,
                    .mapping(
                        ComposeRenderer.renderNetwork(
                            network, driver: driver, attachable: network.isAttachable, ownership: ownership)))
            }
            root.append("networks", .mapping(networks))
        }
        if !stack.volumes.isEmpty {
            root.append("volumes", .mapping(ComposeRenderer.renderVolumes(stack.volumes, ownership: ownership)))
        }
        if !secrets.isEmpty { root.append("secrets", .mapping(secrets)) }
        if !configs.isEmpty { root.append("configs", .mapping(configs)) }
        return SwarmDocument(
            stackName: stackName, root: .mapping(root), serviceHashes: hashes, diagnostics: diagnostics,
            secretNames: secretNames, configNames: configNames, externalNetworks: externalNetworks)
    }

    /// Swarm's rule for secret and config names (swarmkit's `validateConfigOrSecretAnnotations`):
    /// at most 64 of `[a-zA-Z0-9-_.]`, starting and ending with a letter or digit.
    private func checkObjectName(
        _ name: String,
        kind: String,
        _ declared: String,
        at location: SourceLocation,
        into diagnostics: inout [Diagnostic]
    ) {
        let bytes = Array(name.utf8)
        func isAlnum(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        }
        let isValid =
            !bytes.isEmpty && bytes.count <= 64 && isAlnum(bytes.first!) && isAlnum(bytes.last!)
            && bytes.allSatisfy { isAlnum($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }
        guard !isValid else { return }
        diagnostics.append(
            Diagnostic(
                .error, .invalidName, element: "\(kind) '\(declared)'",
                message:
                    "Its name on the swarm, '\(name)', is not valid: Swarm allows at most 64 letters, digits, '-', '_' and '.', starting and ending with a letter or digit.",
                fix: "Shorten the \(kind), stack or environment name, and end the \(kind) name with a letter or digit.",
                location: location))
    }

    // MARK: Services

    /// A service's part of the document.
    private struct RenderedService {
        var node: YAMLMapping
        var hash: ServiceHash
        var diagnostics: [Diagnostic]
    }

    /// Renders one service with its container and service labels, including the hashes of its
    /// configuration.
    private func renderWithLabels(
        _ service: Service,
        stackName: String,
        ownership: [(String, String)],
        secretVersions: [String: String],
        configNames: [String: String],
        hasher: inout FieldHasher
    ) -> RenderedService {
        var diagnostics: [Diagnostic] = []
        if stackName.utf8.count + 1 + service.name.utf8.count > 63 {
            diagnostics.append(
                Diagnostic(
                    .error, .invalidName, element: "service '\(service.name)'",
                    message:
                        "Swarm names it '\(stackName)_\(service.name)', longer than the 63 characters of a DNS label Swarm allows.",
                    fix: "Shorten the service, stack or environment name.",
                    location: service.location))
        }
        var node = renderService(service, diagnostics: &diagnostics)
        var deploy = renderDeploy(service)

        var labels = ComposeRenderer.userLabels(service.labels, kind: "label", of: service, diagnostics: &diagnostics)
        var serviceLabels = ComposeRenderer.userLabels(
            service.deploy.labels, kind: "service label", of: service, diagnostics: &diagnostics)
        for (key, value) in ownership + [(OwnershipLabel.service, service.name)] {
            labels.append(key, .string(value))
            serviceLabels.append(key, .string(value))
        }
        if !service.routes.isEmpty {
            // Hashed without source locations; the labels written carry them (below).
            let routes = ComposeRenderer.literal(RouteLabel.fingerprint(service.routes))
            labels.append(OwnershipLabel.routes, routes)
            serviceLabels.append(OwnershipLabel.routes, routes)
        }

        let versions = ComposeRenderer.secretVersionsLabel(of: service, secretVersions: secretVersions)
        let configs = service.configs.compactMap { mount in configNames[mount.config] }.joined(separator: ",")
        var hashed = node
        var hashedDeploy = deploy
        hashedDeploy.append("labels", .mapping(serviceLabels))
        hashed.append("deploy", .mapping(hashedDeploy))
        // The versions count as part of the `secrets` and `configs` fields, so a plan says which
        // of them changed.
        let hash = hasher.hash(of: hashed, labels: labels, suffixes: ["secrets": versions, "configs": configs])
        if !service.routes.isEmpty {
            let routes = ComposeRenderer.literal(RouteLabel.encode(service.routes))
            labels[OwnershipLabel.routes] = routes
            serviceLabels[OwnershipLabel.routes] = routes
        }
        var hashLabels: [(String, String)] = []
        if !versions.isEmpty { hashLabels.append((OwnershipLabel.secretVersions, versions)) }
        hashLabels.append((OwnershipLabel.configHash, hash.configuration))
        hashLabels.append((OwnershipLabel.fieldHashes, hash.fieldsLabel))
        // On both: `docker service inspect` shows the service labels, `docker inspect` of a
        // container the container labels, and live state may be read from either.
        for (key, value) in hashLabels {
            labels.append(key, .string(value))
            serviceLabels.append(key, .string(value))
        }
        deploy.append("labels", .mapping(serviceLabels))
        node.append("labels", .mapping(labels))
        node.append("deploy", .mapping(deploy))
        ComposeRenderer.appendTunnel(of: service, to: &node)
        return RenderedService(node: node, hash: hash, diagnostics: diagnostics)
    }

    private func renderService(_ service: Service, diagnostics: inout [Diagnostic]) -> YAMLMapping {
        var node = YAMLMapping()
        ComposeRenderer.renderProcess(of: service, into: &node)
        // Unpublished ports need nothing: every port of a task is reachable on its overlay
        // networks, which is what `expose` means, and the stack loader ignores `expose`.
        let published = service.ports.filter(\.isPublished)
        if !published.isEmpty {
            for port in published where !Self.isWildcard(port.hostIP) {
                diagnostics.append(
                    Diagnostic(
                        .error, .lossyRendering, element: "service '\(service.name)'",
                        message:
                            "It publishes port \(port.published!) on \(port.hostIP!) only, but Swarm publishes a port on every address: of every node through the routing mesh, or of the task's node in host mode.",
                        fix:
                            "Publish with public: true if other machines may connect, or do not publish the port and reach the service over an overlay network (through the gateway).",
                        location: port.location))
            }
            node.append(
                "ports",
                .sequence(
                    published.map { port in
                        .mapping(
                            YAMLMapping([
                                ("target", .integer(port.target)),
                                ("published", .integer(port.published!)),
                                ("protocol", .string(port.transport.rawValue)),
                                ("mode", .string(port.mode.rawValue)),
                            ]))
                    }))
        }
        // A bind path is resolved on the deploying machine and mounted on the task's node: it
        // must exist there (one node, or a path every node has).
        ComposeRenderer(pathToPackage: pathToPackage).renderAttachments(of: service, into: &node)
        if let check = service.healthCheck {
            node.append("healthcheck", .mapping(ComposeRenderer.renderHealthCheck(check)))
        }
        if !service.dependencies.isEmpty {
            let targets = service.dependencies.map { "'\($0.service)' (\($0.condition.rawValue))" }
            diagnostics.append(
                Diagnostic(
                    .warning, .lossyRendering, element: "service '\(service.name)'",
                    message:
                        "Swarm ignores depends_on: it starts every service at once, so '\(service.name)' may start before \(targets.joined(separator: ", ")).",
                    fix:
                        "Make the service retry until its dependencies answer (Swarm restarts it meanwhile); the dependencies still order a Compose deploy.",
                    location: service.dependencies[0].location))
        }
        ComposeRenderer.renderHardening(of: service, into: &node, swarm: true)
        return node
    }

    /// The `deploy` section without its labels.
    private func renderDeploy(_ service: Service) -> YAMLMapping {
        let policy = service.deploy
        var deploy = YAMLMapping()
        deploy.append("mode", .string(policy.mode.rawValue))
        if policy.mode == .replicated {
            deploy.append("replicas", .integer(service.replicas))
        }
        deploy.append("endpoint_mode", .string((policy.endpointMode ?? .vip).rawValue))
        var placement = YAMLMapping()
        if !policy.constraints.isEmpty {
            placement.append(
                "constraints", .sequence(policy.constraints.map { ComposeRenderer.literal($0.expression) }))
        }
        if !policy.preferences.isEmpty {
            placement.append(
                "preferences",
                .sequence(
                    policy.preferences.map { .mapping(YAMLMapping([("spread", ComposeRenderer.literal($0.spread))])) }))
        }
        if let limit = policy.maxReplicasPerNode {
            placement.append("max_replicas_per_node", .integer(limit))
        }
        if !placement.isEmpty {
            deploy.append("placement", .mapping(placement))
        }
        if !service.resources.isEmpty {
            deploy.append("resources", .mapping(ComposeRenderer.renderResources(service.resources)))
        }
        deploy.append("restart_policy", .mapping(Self.renderRestartPolicy(service.restart, policy)))
        var update = policy.update ?? DeployPolicy.defaultUpdate(for: service)
        update.order = service.updateOrder ?? update.order
        deploy.append("update_config", .mapping(Self.renderUpdatePolicy(update)))
        deploy.append(
            "rollback_config",
            .mapping(Self.renderUpdatePolicy(policy.rollback ?? DeployPolicy.defaultRollback(for: service))))
        return deploy
    }

    // MARK: Values

    private static func isWildcard(_ hostIP: String?) -> Bool {
        guard let hostIP else { return true }
        return ["0.0.0.0", "::", ""].contains(hostIP)
    }

    static func renderRestartPolicy(_ restart: RestartPolicy, _ policy: DeployPolicy) -> YAMLMapping {
        var node = YAMLMapping()
        var attempts: Int?
        switch restart {
        case .never: node.append("condition", "none")
        // Swarm has no "unless stopped": a task stops for good when the service is scaled down
        // or removed, which is what stopping it means there.
        case .always, .unlessStopped: node.append("condition", "any")
        case .onFailure(let maxAttempts):
            node.append("condition", "on-failure")
            attempts = maxAttempts
        }
        if let delay = policy.restartDelay {
            node.append("delay", .string(GoDuration.format(delay)))
        }
        if let attempts {
            node.append("max_attempts", .integer(attempts))
        }
        if let window = policy.restartWindow {
            node.append("window", .string(GoDuration.format(window)))
        }
        return node
    }

    static func renderUpdatePolicy(_ policy: UpdatePolicy) -> YAMLMapping {
        YAMLMapping([
            ("parallelism", .integer(policy.parallelism)),
            ("delay", .string(GoDuration.format(policy.delay))),
            ("failure_action", .string(policy.failureAction.rawValue)),
            ("monitor", .string(GoDuration.format(policy.monitor))),
            ("max_failure_ratio", .double(policy.maxFailureRatio)),
            ("order", .string(policy.order.rawValue)),
        ])
    }
}
