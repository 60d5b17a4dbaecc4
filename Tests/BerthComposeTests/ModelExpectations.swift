import BerthCompose
import BerthCore
import BerthRendering
import Testing

/// Compares what Compose read from a rendered file (its normalised JSON model) with the stack the
/// file was rendered from, field by field, so a value Compose misreads cannot go unnoticed.
struct ModelExpectations {
    var verdict: ComposeReferee.Verdict
    var document: ComposeDocument
    var stack: Stack
    var environment: Environment
    var sourceLocation: Testing.SourceLocation

    init(
        _ verdict: ComposeReferee.Verdict,
        document: ComposeDocument,
        stack: Stack,
        environment: Environment,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        self.verdict = verdict
        self.document = document
        self.stack = stack
        self.environment = environment
        self.sourceLocation = sourceLocation
    }

    private var model: JSON { verdict.model }

    // MARK: Comparisons

    private func same(_ actual: String?, _ expected: String?, _ what: @autoclosure () -> String) {
        #expect(Exact(actual) == Exact(expected), "\(what())", sourceLocation: sourceLocation)
    }

    private func same(_ actual: [String]?, _ expected: [String]?, _ what: @autoclosure () -> String) {
        let lhs = actual.map { $0.map(Exact.init) }
        let rhs = expected.map { $0.map(Exact.init) }
        #expect(lhs == rhs, "\(what())", sourceLocation: sourceLocation)
    }

    private func same(
        _ actual: [String: String]?, _ expected: [String: String]?, _ what: @autoclosure () -> String
    ) {
        let lhs = actual?.mapValues(Exact.init)
        let rhs = expected?.mapValues(Exact.init)
        if lhs != rhs, let lhs, let rhs {
            for key in Set(lhs.keys).union(rhs.keys).sorted() where lhs[key] != rhs[key] {
                Issue.record(
                    "\(what())[\(key)]: Compose read \(lhs[key].map(\.description) ?? "nothing"), expected \(rhs[key].map(\.description) ?? "nothing")",
                    sourceLocation: sourceLocation)
            }
        } else {
            #expect(lhs == rhs, "\(what())", sourceLocation: sourceLocation)
        }
    }

    /// `null` and a missing key mean the same in Compose's model.
    private func absent(_ value: JSON?) -> Bool { value == nil || value == .null }

    // MARK: Expected values

    /// What Compose prints for a literal the user wrote.
    private func literal(_ text: String) -> String { composeJSON(literal: text) }

    /// What Compose prints for an interpolated value, resolved against the referee's environment.
    private func interpolated(_ text: String) -> String {
        composeJSON(literal: Self.interpolate(text, verdict.variables))
    }

    /// A small interpolation for the forms the tests use: `$$`, `$NAME`, `${NAME}`,
    /// `${NAME:-default}` and `${NAME-default}`; any other `$` stays.
    static func interpolate(_ text: String, _ variables: [String: String]) -> String {
        // Scalar by scalar, as Compose reads it (a `$` may share a grapheme cluster).
        let scalars = Array(text.unicodeScalars)
        var result = String.UnicodeScalarView()
        var index = 0
        func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "_"
                || (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)))
        }
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            guard scalar == "$", index < scalars.count else {
                result.append(scalar)
                continue
            }
            if scalars[index] == "$" {
                result.append("$")
                index += 1
            } else if scalars[index] == "{", let close = scalars[index...].firstIndex(of: "}") {
                let inner = String(String.UnicodeScalarView(scalars[(index + 1)..<close]))
                index = close + 1
                let value: String
                if let range = inner.range(of: ":-") {
                    let current = variables[String(inner[..<range.lowerBound])] ?? ""
                    value = current.isEmpty ? String(inner[range.upperBound...]) : current
                } else if let dash = inner.firstIndex(of: "-") {
                    value = variables[String(inner[..<dash])] ?? String(inner[inner.index(after: dash)...])
                } else {
                    value = variables[inner] ?? ""
                }
                result.append(contentsOf: value.unicodeScalars)
            } else if isNameScalar(scalars[index]) && !("0"..."9").contains(scalars[index]) {
                var end = index
                while end < scalars.count && isNameScalar(scalars[end]) { end += 1 }
                let name = String(String.UnicodeScalarView(scalars[index..<end]))
                result.append(contentsOf: (variables[name] ?? "").unicodeScalars)
                index = end
            } else {
                // Compose keeps a `$` that starts nothing it knows.
                result.append("$")
            }
        }
        return String(result)
    }

    private func hostPath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var relative = Substring(path)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        return verdict.packageDirectory + "/" + relative
    }

    private var ownership: [String: String] {
        [OwnershipLabel.stack: stack.name, OwnershipLabel.environment: environment.name]
    }

    // MARK: Verification

    /// Checks the whole model.
    func verify() {
        same(model["name"]?.string, document.projectName, "project name")
        let serviceNames = model["services"]?.object.map { Set($0.keys) }
        #expect(
            serviceNames == Set(stack.services.map(\.name)), "service names", sourceLocation: sourceLocation)
        for service in stack.services {
            guard let json = model["services"]?[service.name] else { continue }
            verify(service, json)
        }
        verifyNetworks()
        verifyVolumes()
        verifySecretsAndConfigs()
    }

    func verify(_ service: Service, _ json: JSON) {
        let name = "service '\(service.name)'"
        same(json["image"]?.string, literal(service.image.reference), "\(name) image")

        var environment: [String: String] = [:]
        for variable in service.environment {
            switch variable.value {
            case .literal(let text), .sensitive(let text), .notSecret(let text):
                environment[variable.key] = literal(text)
            case .interpolated(let text): environment[variable.key] = interpolated(text)
            // Composed in the container at start: never in the container's configuration.
            case .composed: break
            }
        }
        for mount in service.secrets {
            if let key = mount.pathVariable { environment[key] = literal(mount.path) }
        }
        if environment.isEmpty {
            #expect(absent(json["environment"]), "\(name) environment", sourceLocation: sourceLocation)
        } else {
            same(json["environment"]?.stringMap, environment, "\(name) environment")
        }

        var labels = ownership
        for label in service.labels { labels[label.key] = literal(label.value) }
        labels[OwnershipLabel.service] = service.name
        let hash = document.serviceHashes[service.name]
        #expect(hash != nil, "\(name) has a config hash", sourceLocation: sourceLocation)
        labels[OwnershipLabel.configHash] = hash?.configuration
        labels[OwnershipLabel.fieldHashes] = hash?.fieldsLabel
        same(json["labels"]?.stringMap, labels, "\(name) labels")

        if let command = service.command {
            same(json["command"]?.strings, command.map(literal), "\(name) command")
        } else {
            #expect(absent(json["command"]), "\(name) command", sourceLocation: sourceLocation)
        }
        if let entrypoint = service.entrypoint {
            same(json["entrypoint"]?.strings, entrypoint.map(literal), "\(name) entrypoint")
        } else {
            #expect(absent(json["entrypoint"]), "\(name) entrypoint", sourceLocation: sourceLocation)
        }
        same(json["user"]?.string, service.user.map(literal), "\(name) user")
        same(json["working_dir"]?.string, service.workingDirectory.map(literal), "\(name) working_dir")

        verifyPorts(service, json, name)
        let networks = json["networks"]?.object.map { Set($0.keys) }
        #expect(
            networks == (service.networks.isEmpty ? ["default"] : Set(service.networks)), "\(name) networks",
            sourceLocation: sourceLocation)
        verifyMounts(service, json, name)

        let secrets = json["secrets"]?.array?.map { [$0["source"]?.string, $0["target"]?.string] }
        let expectedSecrets: [[String?]]? =
            service.secrets.isEmpty ? nil : service.secrets.map { [$0.secret, $0.target] }
        #expect(secrets == expectedSecrets, "\(name) secrets", sourceLocation: sourceLocation)
        let configs = json["configs"]?.array?.map { [$0["source"]?.string, $0["target"]?.string] }
        let expectedConfigs: [[String?]]? =
            service.configs.isEmpty ? nil : service.configs.map { [$0.config, $0.target] }
        #expect(configs == expectedConfigs, "\(name) configs", sourceLocation: sourceLocation)

        verifyHealthCheck(service, json, name)

        let dependencies = json["depends_on"]?.object?.mapValues {
            [$0["condition"]?.string, $0["required"]?.description]
        }
        var expectedDependencies: [String: [String?]] = [:]
        for dependency in service.dependencies {
            let condition =
                switch dependency.condition {
                case .started: "service_started"
                case .healthy: "service_healthy"
                case .completed: "service_completed_successfully"
                }
            expectedDependencies[dependency.service] = [condition, "true"]
        }
        #expect(
            dependencies == (expectedDependencies.isEmpty ? nil : expectedDependencies), "\(name) depends_on",
            sourceLocation: sourceLocation)

        let restart =
            switch service.restart {
            case .never: "no"
            case .always: "always"
            case .unlessStopped: "unless-stopped"
            case .onFailure(let attempts?): "on-failure:\(attempts)"
            case .onFailure(nil): "on-failure"
            }
        same(json["restart"]?.string, restart, "\(name) restart")
        #expect(
            json["read_only"]?.bool == (service.readOnlyRootFilesystem ? true : nil), "\(name) read_only",
            sourceLocation: sourceLocation)
        if let capabilities = service.effectiveCapabilities {
            same(json["cap_drop"]?.strings, ["ALL"], "\(name) cap_drop")
            let added = capabilities.filter { !service.droppedCapabilities.contains($0) }
            same(json["cap_add"]?.strings, added.isEmpty ? nil : added, "\(name) cap_add")
            same(json["security_opt"]?.strings, ["no-new-privileges:true"], "\(name) security_opt")
        } else {
            same(
                json["cap_drop"]?.strings,
                service.droppedCapabilities.isEmpty ? nil : service.droppedCapabilities,
                "\(name) cap_drop")
            same(json["security_opt"]?.strings, nil, "\(name) security_opt")
        }
        verifyDeploy(service, json, name)
    }

    private func verifyPorts(_ service: Service, _ json: JSON, _ name: String) {
        let exposed = service.ports.filter { !$0.isPublished }.map {
            $0.transport == .tcp ? "\($0.target)" : "\($0.target)/udp"
        }
        same(json["expose"]?.strings, exposed.isEmpty ? nil : exposed, "\(name) expose")
        let published = service.ports.filter(\.isPublished)
        let ports = json["ports"]?.array ?? []
        #expect(ports.count == published.count, "\(name) published ports", sourceLocation: sourceLocation)
        for (port, entry) in zip(published, ports) {
            #expect(
                entry["target"]?.number == Double(port.target), "\(name) port target",
                sourceLocation: sourceLocation)
            same(entry["published"]?.string, String(port.published!), "\(name) published port")
            same(entry["host_ip"]?.string, port.hostIP, "\(name) port host_ip")
            same(entry["protocol"]?.string, port.transport.rawValue, "\(name) port protocol")
            same(entry["mode"]?.string, "ingress", "\(name) port mode")
        }
    }

    private func verifyMounts(_ service: Service, _ json: JSON, _ name: String) {
        let volumes = json["volumes"]?.array ?? []
        #expect(volumes.count == service.mounts.count, "\(name) volumes", sourceLocation: sourceLocation)
        for (mount, entry) in zip(service.mounts, volumes) {
            let what = "\(name) mount at \(mount.target)"
            same(entry["target"]?.string, literal(mount.target), "\(what): target")
            #expect(
                entry["read_only"]?.bool == (mount.isReadOnly ? true : nil), "\(what): read_only",
                sourceLocation: sourceLocation)
            switch mount.source {
            case .volume(let volume):
                same(entry["type"]?.string, "volume", "\(what): type")
                same(entry["source"]?.string, volume, "\(what): source")
            case .bind(let path):
                same(entry["type"]?.string, "bind", "\(what): type")
                same(entry["source"]?.string, literal(hostPath(path)), "\(what): source")
            case .tmpfs(let size):
                same(entry["type"]?.string, "tmpfs", "\(what): type")
                #expect(absent(entry["source"]), "\(what): source", sourceLocation: sourceLocation)
                same(entry["tmpfs"]?["size"]?.string, size.map(String.init), "\(what): tmpfs size")
            }
        }
    }

    private func verifyHealthCheck(_ service: Service, _ json: JSON, _ name: String) {
        guard let check = service.healthCheck else {
            #expect(absent(json["healthcheck"]), "\(name) healthcheck", sourceLocation: sourceLocation)
            return
        }
        let health = json["healthcheck"]
        let test: [String] =
            switch check.test {
            case .command(let arguments): ["CMD"] + arguments.map(literal)
            case .shell(let line): ["CMD-SHELL", literal(line)]
            }
        same(health?["test"]?.strings, test, "\(name) healthcheck test")
        for (key, duration) in [
            ("interval", check.interval), ("timeout", check.timeout), ("start_period", check.startPeriod),
        ] {
            let text = health?[key]?.string
            #expect(
                text.flatMap(goDurationNanoseconds) == duration.nanoseconds,
                "\(name) healthcheck \(key): Compose read \(text ?? "nothing"), expected \(duration)",
                sourceLocation: sourceLocation)
        }
        #expect(
            health?["retries"]?.number == Double(check.retries), "\(name) healthcheck retries",
            sourceLocation: sourceLocation)
    }

    private func verifyDeploy(_ service: Service, _ json: JSON, _ name: String) {
        let deploy = json["deploy"]
        #expect(
            deploy?["replicas"]?.number == (service.replicas == 1 ? nil : Double(service.replicas)),
            "\(name) deploy.replicas", sourceLocation: sourceLocation)
        let resources = service.resources
        for (part, cpus, memory) in [
            ("limits", resources.cpuLimit, resources.memoryLimit),
            ("reservations", resources.cpuReservation, resources.memoryReservation),
        ] {
            let node = deploy?["resources"]?[part]
            #expect(node?["cpus"]?.number == cpus, "\(name) \(part).cpus", sourceLocation: sourceLocation)
            // Compose normalises sizes to a byte count, written as a string.
            same(node?["memory"]?.string, memory.map { String($0.bytes ?? -1) }, "\(name) \(part).memory")
        }
    }

    private func verifyNetworks() {
        for network in stack.networks {
            let json = model["networks"]?[network.name]
            let what = "network '\(network.name)'"
            #expect(json != nil, "\(what) is declared", sourceLocation: sourceLocation)
            if let external = network.externalName {
                same(json?["name"]?.string, external, "\(what) name")
                #expect(json?["external"]?.bool == true, "\(what) external", sourceLocation: sourceLocation)
                #expect(
                    absent(json?["labels"]), "\(what) has no ownership labels", sourceLocation: sourceLocation
                )
            } else {
                same(json?["name"]?.string, document.projectName + "_" + network.name, "\(what) name")
                same(json?["driver"]?.string, network.driver, "\(what) driver")
                #expect(
                    json?["internal"]?.bool == (network.isInternal ? true : nil), "\(what) internal",
                    sourceLocation: sourceLocation)
                #expect(absent(json?["external"]), "\(what) external", sourceLocation: sourceLocation)
                same(json?["labels"]?.stringMap, ownership, "\(what) labels")
            }
        }
    }

    private func verifyVolumes() {
        for volume in stack.volumes {
            let json = model["volumes"]?[volume.name]
            let what = "volume '\(volume.name)'"
            #expect(json != nil, "\(what) is declared", sourceLocation: sourceLocation)
            if let external = volume.externalName {
                same(json?["name"]?.string, external, "\(what) name")
                #expect(json?["external"]?.bool == true, "\(what) external", sourceLocation: sourceLocation)
                #expect(
                    absent(json?["labels"]), "\(what) has no ownership labels", sourceLocation: sourceLocation
                )
            } else {
                same(json?["name"]?.string, document.projectName + "_" + volume.name, "\(what) name")
                same(json?["labels"]?.stringMap, ownership, "\(what) labels")
            }
        }
    }

    private func verifySecretsAndConfigs() {
        for secret in stack.secrets {
            let json = model["secrets"]?[secret.name]
            same(
                json?["environment"]?.string, ComposeRenderer.secretVariable(secret.name),
                "secret '\(secret.name)' environment variable")
            same(json?["file"]?.string, nil, "secret '\(secret.name)' file")
        }
        for config in stack.configs {
            let json = model["configs"]?[config.name]
            switch config.source {
            case .file(let path):
                same(json?["file"]?.string, literal(hostPath(path)), "config '\(config.name)' file")
            case .content(let text):
                // Compose leaves an empty content out of its model (the renderer reports it).
                same(
                    json?["content"]?.string, text.isEmpty ? nil : literal(text),
                    "config '\(config.name)' content")
            }
        }
    }
}
