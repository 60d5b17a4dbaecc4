import BerthCore
import BerthRendering
import BerthSwarm
import Foundation
import Testing

/// Compares what `docker stack config` read from a rendered file with the stack the file was
/// rendered from, field by field, so a value the stack loader misreads cannot go unnoticed.
struct StackFileExpectations {
    var verdict: SwarmReferee.Verdict
    var document: SwarmDocument
    var stack: Stack
    var environment: Environment
    var secretVersions: [String: String]
    var sourceLocation: Testing.SourceLocation

    init(
        _ verdict: SwarmReferee.Verdict,
        document: SwarmDocument,
        stack: Stack,
        environment: Environment,
        secretVersions: [String: String] = [:],
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        self.verdict = verdict
        self.document = document
        self.stack = stack
        self.environment = environment
        self.secretVersions = secretVersions
        self.sourceLocation = sourceLocation
    }

    private var model: JSON { verdict.model }

    private func same<T: Equatable>(_ actual: T?, _ expected: T?, _ what: @autoclosure () -> String) {
        #expect(actual == expected, "\(what())", sourceLocation: sourceLocation)
    }

    private func sameDuration(_ actual: JSON?, _ expected: Duration?, _ what: @autoclosure () -> String) {
        // The loader leaves zero durations out.
        let nanoseconds = actual?.string.flatMap(goDurationNanoseconds) ?? 0
        #expect(
            nanoseconds == (expected?.nanoseconds ?? 0), "\(what()): read \(String(describing: actual))",
            sourceLocation: sourceLocation)
    }

    func verify() {
        same(model["version"]?.string, "3.8", "version")
        same(model["name"], nil, "a stack file has no top-level name")
        same(Set(model["services"]?.object?.keys.map { $0 } ?? []), Set(stack.services.map(\.name)), "services")
        for service in stack.services {
            verify(service)
        }
        verifyNetworks()
        verifyVolumes()
        for secret in stack.secrets {
            let node = model["secrets"]?[secret.name]
            same(node?["name"]?.string, document.secretNames[secret.name], "secret \(secret.name) name")
            same(node?["external"]?.string, "true", "secret \(secret.name) external")
        }
        for config in stack.configs {
            let node = model["configs"]?[config.name]
            same(node?["name"]?.string, document.configNames[config.name], "config \(config.name) name")
            same(node?["external"]?.string, "true", "config \(config.name) external")
        }
    }

    private func verify(_ service: Service) {
        let name = service.name
        guard let node = model["services"]?[name] else {
            Issue.record("service \(name) is missing", sourceLocation: sourceLocation)
            return
        }
        same(node["image"]?.string, service.image.reference, "\(name) image")
        same(node["command"]?.strings, service.command, "\(name) command")
        same(node["entrypoint"]?.strings, service.entrypoint, "\(name) entrypoint")
        same(node["user"]?.string, service.user, "\(name) user")
        same(node["working_dir"]?.string, service.workingDirectory, "\(name) working_dir")
        same(node["read_only"]?.string, service.readOnlyRootFilesystem ? "true" : nil, "\(name) read_only")
        if let capabilities = service.effectiveCapabilities {
            same(node["cap_drop"]?.strings, ["ALL"], "\(name) cap_drop")
            let added = capabilities.filter { !service.droppedCapabilities.contains($0) }
            same(node["cap_add"]?.strings, added.isEmpty ? nil : added, "\(name) cap_add")
        } else {
            same(
                node["cap_drop"]?.strings, service.droppedCapabilities.isEmpty ? nil : service.droppedCapabilities,
                "\(name) cap_drop")
        }
        same(node["security_opt"], nil, "\(name) has no security options: Swarm services have none")
        same(node["depends_on"], nil, "\(name) depends_on is dropped")
        same(node["restart"], nil, "\(name) restart is dropped for deploy.restart_policy")

        var environment: [String: String] = [:]
        for variable in service.environment {
            switch variable.value {
            case .literal(let text), .sensitive(let text), .notSecret(let text): environment[variable.key] = text
            // The referee runs without the variable, so the loader substitutes its default.
            case .interpolated(let text): environment[variable.key] = Self.defaultOfInterpolation(text)
            // Composed in the container at start: never in the service's configuration.
            case .composed: break
            }
        }
        for mount in service.secrets {
            if let key = mount.pathVariable { environment[key] = mount.path }
        }
        same(node["environment"]?.stringMap, environment.isEmpty ? nil : environment, "\(name) environment")

        let ports = service.ports.filter(\.isPublished).map { port in
            [
                "target": "\(port.target)", "published": "\(port.published!)", "protocol": port.transport.rawValue,
                "mode": port.mode.rawValue,
            ]
        }
        same(node["ports"]?.array?.compactMap(\.stringMap), ports.isEmpty ? nil : ports, "\(name) ports")
        same(
            node["networks"]?.object.map { Set($0.keys) }, service.networks.isEmpty ? nil : Set(service.networks),
            "\(name) networks")
        verifyMounts(of: service, node["volumes"])
        same(
            node["secrets"]?.array?.compactMap(\.stringMap),
            service.secrets.isEmpty ? nil : service.secrets.map { ["source": $0.secret, "target": $0.target] },
            "\(name) secrets")
        same(
            node["configs"]?.array?.compactMap(\.stringMap),
            service.configs.isEmpty ? nil : service.configs.map { ["source": $0.config, "target": $0.target] },
            "\(name) configs")
        if let check = service.healthCheck {
            let expectedTest: [String]
            switch check.test {
            case .command(let arguments): expectedTest = ["CMD"] + arguments
            case .shell(let line): expectedTest = ["CMD-SHELL", line]
            }
            same(node["healthcheck"]?["test"]?.strings, expectedTest, "\(name) healthcheck test")
            sameDuration(node["healthcheck"]?["interval"], check.interval, "\(name) healthcheck interval")
            sameDuration(node["healthcheck"]?["timeout"], check.timeout, "\(name) healthcheck timeout")
            sameDuration(node["healthcheck"]?["start_period"], check.startPeriod, "\(name) healthcheck start_period")
            same(node["healthcheck"]?["retries"]?.string, "\(check.retries)", "\(name) healthcheck retries")
        } else {
            same(node["healthcheck"], nil, "\(name) healthcheck")
        }

        let hash = document.serviceHashes[name]
        var berth = [
            "berth.stack": stack.name, "berth.environment": self.environment.name, "berth.service": name,
            "berth.config-hash": hash?.configuration ?? "?", "berth.field-hashes": hash?.fieldsLabel ?? "?",
        ]
        let versions = service.secrets.compactMap { mount in
            secretVersions[mount.secret].map { "\(mount.secret)=\($0)" }
        }
        if !versions.isEmpty { berth["berth.secret-versions"] = versions.joined(separator: ",") }
        var containerLabels = berth
        // Reserved keys are refused with an error and never written over Berth's own.
        for label in service.labels where !OwnershipLabel.all.contains(label.key) {
            containerLabels[label.key] = label.value
        }
        same(node["labels"]?.stringMap, containerLabels, "\(name) container labels")
        var serviceLabels = berth
        for label in service.deploy.labels where !OwnershipLabel.all.contains(label.key) {
            serviceLabels[label.key] = label.value
        }
        same(node["deploy"]?["labels"]?.stringMap, serviceLabels, "\(name) service labels")

        verifyDeploy(of: service, node["deploy"])
    }

    /// `${NAME:-default}` read from an environment without `NAME`.
    static func defaultOfInterpolation(_ text: String) -> String {
        guard text.hasPrefix("${"), text.hasSuffix("}"), let separator = text.range(of: ":-") else { return text }
        return String(text[separator.upperBound..<text.index(before: text.endIndex)])
    }

    private func verifyMounts(of service: Service, _ node: JSON?) {
        let expected = service.mounts.map { mount -> [String: String] in
            var entry: [String: String] = ["target": mount.target]
            switch mount.source {
            case .volume(let volume):
                entry["type"] = "volume"
                entry["source"] = volume
            case .bind(let path):
                entry["type"] = "bind"
                // Relative paths are the package's, resolved from the rendered file's directory.
                entry["source"] =
                    path.hasPrefix("/")
                    ? path
                    : verdict.fileDirectory.appending(path: "../../../" + path).standardizedFileURL.path
            case .tmpfs:
                entry["type"] = "tmpfs"
            }
            if mount.isReadOnly { entry["read_only"] = "true" }
            return entry
        }
        let actual = node?.array?.map { entry -> [String: String] in
            var flat = entry.stringMap ?? [:]
            if flat.isEmpty, let object = entry.object {
                for (key, value) in object { if let text = value.string { flat[key] = text } }
            }
            return flat
        }
        same(actual, service.mounts.isEmpty ? nil : expected, "\(service.name) volumes")
        for (index, mount) in service.mounts.enumerated() {
            if case .tmpfs(let size?) = mount.source {
                same(node?[index]?["tmpfs"]?["size"]?.string, "\(size)", "\(service.name) tmpfs size")
            }
        }
    }

    private func verifyDeploy(of service: Service, _ deploy: JSON?) {
        let name = service.name
        let policy = service.deploy
        same(deploy?["mode"]?.string, policy.mode.rawValue, "\(name) deploy.mode")
        same(
            deploy?["replicas"]?.string, policy.mode == .replicated ? "\(service.replicas)" : nil,
            "\(name) deploy.replicas")
        same(deploy?["endpoint_mode"]?.string, (policy.endpointMode ?? .vip).rawValue, "\(name) endpoint_mode")
        let placement = deploy?["placement"]
        same(
            placement?["constraints"]?.strings, policy.constraints.isEmpty ? nil : policy.constraints.map(\.expression),
            "\(name) placement constraints")
        same(
            placement?["preferences"]?.array?.compactMap { $0["spread"]?.string },
            policy.preferences.isEmpty ? nil : policy.preferences.map(\.spread), "\(name) placement preferences")
        same(
            placement?["max_replicas_per_node"]?.string, policy.maxReplicasPerNode.map { "\($0)" },
            "\(name) max_replicas_per_node")

        let resources = service.resources
        func cpus(_ value: Double?) -> String? {
            value.map { Double(Int($0)) == $0 ? "\(Int($0))" : "\($0)" }
        }
        let limits = deploy?["resources"]?["limits"]
        let reservations = deploy?["resources"]?["reservations"]
        same(limits?["cpus"]?.string, cpus(resources.cpuLimit), "\(name) cpu limit")
        same(reservations?["cpus"]?.string, cpus(resources.cpuReservation), "\(name) cpu reservation")
        same(limits?["memory"]?.string, resources.memoryLimit?.bytes.map { "\($0)" }, "\(name) memory limit")
        same(
            reservations?["memory"]?.string, resources.memoryReservation?.bytes.map { "\($0)" },
            "\(name) memory reservation")

        let restart = deploy?["restart_policy"]
        switch service.restart {
        case .never: same(restart?["condition"]?.string, "none", "\(name) restart condition")
        case .always, .unlessStopped: same(restart?["condition"]?.string, "any", "\(name) restart condition")
        case .onFailure(let attempts):
            same(restart?["condition"]?.string, "on-failure", "\(name) restart condition")
            same(restart?["max_attempts"]?.string, attempts.map { "\($0)" }, "\(name) restart max_attempts")
        }
        sameDuration(restart?["delay"], policy.restartDelay, "\(name) restart delay")
        sameDuration(restart?["window"], policy.restartWindow, "\(name) restart window")

        verifyUpdate(
            deploy?["update_config"], policy.update ?? DeployPolicy.defaultUpdate(for: service), "\(name) update")
        verifyUpdate(
            deploy?["rollback_config"], policy.rollback ?? DeployPolicy.defaultRollback(for: service),
            "\(name) rollback")
    }

    private func verifyUpdate(_ node: JSON?, _ policy: UpdatePolicy, _ what: String) {
        same(node?["parallelism"]?.string, "\(policy.parallelism)", "\(what) parallelism")
        sameDuration(node?["delay"], policy.delay, "\(what) delay")
        same(node?["failure_action"]?.string, policy.failureAction.rawValue, "\(what) failure_action")
        sameDuration(node?["monitor"], policy.monitor, "\(what) monitor")
        same(Double(node?["max_failure_ratio"]?.string ?? "0"), policy.maxFailureRatio, "\(what) max_failure_ratio")
        same(node?["order"]?.string, policy.order.rawValue, "\(what) order")
    }

    private func verifyNetworks() {
        for network in stack.networks {
            let node = model["networks"]?[network.name]
            if let external = network.externalName {
                same(node?["name"]?.string, external, "network \(network.name) name")
                same(node?["external"]?.string, "true", "network \(network.name) external")
                continue
            }
            same(node?["driver"]?.string, network.driver == "bridge" ? "overlay" : network.driver, "network driver")
            same(node?["attachable"]?.string, network.isAttachable ? "true" : nil, "network \(network.name) attachable")
            same(node?["internal"]?.string, network.isInternal ? "true" : nil, "network \(network.name) internal")
            same(
                node?["labels"]?.stringMap, ["berth.stack": stack.name, "berth.environment": environment.name],
                "network \(network.name) labels")
        }
    }

    private func verifyVolumes() {
        for volume in stack.volumes {
            let node = model["volumes"]?[volume.name]
            if let external = volume.externalName {
                same(node?["name"]?.string, external, "volume \(volume.name) name")
                same(node?["external"]?.string, "true", "volume \(volume.name) external")
            } else {
                same(
                    node?["labels"]?.stringMap, ["berth.stack": stack.name, "berth.environment": environment.name],
                    "volume \(volume.name) labels")
            }
        }
    }
}
