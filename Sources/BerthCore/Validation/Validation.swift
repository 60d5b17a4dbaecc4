/// Checks a stack before anything touches an engine and reports every problem at once.
extension Stack {
    /// Validates the stack as described for an environment.
    /// - Parameter environment: Production environments turn some warnings into errors.
    /// - Returns: Every problem found, errors first, in the order the elements were written.
    public func validate(for environment: Environment) -> [Diagnostic] {
        var validator = StackValidator(stack: self, environment: environment)
        validator.run()
        return validator.diagnostics.sorted { $0.severity > $1.severity }
    }
}

struct StackValidator {
    let stack: Stack
    let environment: Environment
    var diagnostics: [Diagnostic] = []

    /// The declared names, collected once: every service is checked against them, and
    /// rebuilding them per service made validation quadratic in the number of services.
    private let declaredNetworks: Set<String>
    private let declaredVolumes: Set<String>
    private let declaredSecrets: Set<String>
    private let declaredConfigs: Set<String>
    private let declaredServices: Set<String>
    /// `MemorySize.bytes` by text: parsing is slow next to a lookup, and services tend to
    /// repeat a handful of sizes.
    private var memorySizes: [String: Int?] = [:]

    init(stack: Stack, environment: Environment) {
        self.stack = stack
        self.environment = environment
        declaredNetworks = Set(stack.networks.map(\.name))
        declaredVolumes = Set(stack.volumes.map(\.name))
        declaredSecrets = Set(stack.secrets.map(\.name))
        declaredConfigs = Set(stack.configs.map(\.name))
        declaredServices = Set(stack.services.map(\.name))
    }

    mutating func run() {
        checkNames()
        checkNULBytes()
        for service in stack.services {
            checkNULBytes(of: service)
            checkReferences(of: service)
            checkPorts(of: service)
            checkHealthCheck(of: service)
            checkResources(of: service)
            checkEnvironment(of: service)
            checkImage(of: service)
            checkMounts(of: service)
            checkDeployPolicy(of: service)
            checkReleaseTask(of: service)
            checkSchedule(of: service)
            checkBackups(of: service)
            checkCapabilities(of: service)
        }
        checkDependencies()
        checkPublishedPortConflicts()
        checkSecrets()
        checkRoutes()
    }

    mutating func report(
        _ severity: Diagnostic.Severity,
        _ code: Diagnostic.Code,
        _ element: String,
        _ message: String,
        fix: String,
        at location: SourceLocation?
    ) {
        // A NUL byte the user wrote would cut the printed line short wherever it is quoted.
        diagnostics.append(
            Diagnostic(
                severity, code, element: Naming.visible(element), message: Naming.visible(message),
                fix: Naming.visible(fix), location: location)
        )
    }

    /// Reports a NUL byte in a string the user wrote that reaches the engine.
    /// - Parameter field: What holds the byte, as a phrase starting in lowercase
    ///   (`the value of environment variable 'GREETING'`).
    mutating func reportNULByte(in field: String, of element: String, at location: SourceLocation?) {
        report(
            .error, .nulByte, element,
            "\(field.prefix(1).uppercased() + field.dropFirst()) has a NUL byte (U+0000). Docker, Compose and runc pass strings on as C strings, which end at a NUL byte, so the engine refuses the value or cuts it short, possibly after the old container is already gone.",
            fix: "Remove the NUL byte (written \"\\0\" or \"\\u{0}\" in Swift) from \(field).",
            at: location)
    }

    // MARK: Names

    private mutating func checkNames() {
        if Naming.containsNUL(stack.name) {
            reportNULByte(in: "the stack name", of: "stack '\(stack.name)'", at: stack.location)
        } else if !Naming.isProjectName(stack.name) {
            report(
                .error, .invalidName, "stack '\(stack.name)'",
                "A stack name becomes part of the Compose project name, which must be lowercase letters, digits, '-' and '_', starting with a letter or digit.",
                fix: "Rename the stack, for example to '\(Naming.suggestProjectName(stack.name))'.",
                at: stack.location)
        }
        if Naming.containsNUL(environment.name) {
            reportNULByte(in: "the environment name", of: "environment '\(environment.name)'", at: nil)
        } else if !Naming.isProjectName(environment.name) {
            report(
                .error, .invalidName, "environment '\(environment.name)'",
                "An environment name becomes part of the Compose project name, which must be lowercase letters, digits, '-' and '_'.",
                fix: "Rename the environment, for example to '\(Naming.suggestProjectName(environment.name))'.",
                at: nil)
        }
        checkProjectNameLength()
        checkUnique(
            "service", stack.services.map { ($0.name, $0.location) }, rule: Naming.isServiceName,
            rule: "lowercase letters, digits, '.', '_' and '-', starting with a letter or digit",
            problem: Self.serviceNameLengthProblem)
        let resourceRule = "letters, digits, '.', '_' and '-'"
        checkUnique(
            "network", stack.networks.map { ($0.name, $0.location) }, rule: Naming.isResourceName,
            rule: resourceRule, problem: Self.folderNameProblem("network"))
        checkUnique(
            "volume", stack.volumes.map { ($0.name, $0.location) }, rule: Naming.isResourceName,
            rule: resourceRule, problem: Self.folderNameProblem("volume"))
        let folder = ".berth/\(stack.name)/\(environment.name)/"
        checkUnique(
            "secret", stack.secrets.map { ($0.name, $0.location) }, rule: Naming.isResourceName,
            rule: resourceRule, problem: Self.hiddenFileProblem("secret", under: folder))
        checkUnique(
            "config", stack.configs.map { ($0.name, $0.location) }, rule: Naming.isResourceName,
            rule: resourceRule, problem: Self.hiddenFileProblem("config", under: folder))
    }

    /// A service's name is its DNS name on the stack's networks, so it is a DNS label.
    private static func serviceNameLengthProblem(_ name: String) -> (message: String, fix: String)? {
        guard name.utf8.count > Naming.dnsLabelLength else { return nil }
        return (
            "The name is \(name.utf8.count) characters long, but a service's name is its DNS name on the stack's networks, and a DNS label holds at most \(Naming.dnsLabelLength).",
            "Shorten the name to at most \(Naming.dnsLabelLength) characters, for example to '\(Naming.suggestShortServiceName(name))'."
        )
    }

    /// `.` and `..` pass Compose's character rule but mean folders wherever a name becomes a path.
    private static func folderNameProblem(_ kind: String) -> (String) -> (message: String, fix: String)? {
        { name in
            guard Naming.isDotComponent(name) else { return nil }
            return (
                "The name '\(name)' means a folder (the current one or the one above), not a name, wherever the \(kind)'s name becomes part of a path.",
                "Rename the \(kind), for example to '\(Naming.suggestServiceName(name))'."
            )
        }
    }

    /// Secrets are materialised as files named after them under
    /// `.berth/<stack>/<environment>/secrets/`, beside Berth's own files, which start with `.`
    /// (`.version-key`); configs keep to the same rule so that a name means the same for both.
    private static func hiddenFileProblem(
        _ kind: String,
        under folder: String
    ) -> (String) -> (message: String, fix: String)? {
        { name in
            guard name.hasPrefix(".") else { return nil }
            let rule =
                kind == "secret"
                ? "A secret's name becomes" : "A \(kind)'s name keeps to the rule of a secret's, which becomes"
            return (
                "\(rule) the name of a file under \(folder)secrets/, where names starting with '.' are kept for Berth's own files (such as .version-key) and '.' and '..' are folders: '\(name)' collides with Berth's own files.",
                "Rename the \(kind) without the leading '.', for example to '\(Naming.suggestUndottedName(name))'."
            )
        }
    }

    /// Refuses a stack whose Compose project name, `<stack>-<environment>`, is longer than a DNS
    /// label: the project name prefixes every container, network and volume the stack creates,
    /// and on Swarm every service's DNS name (`<project>_<service>`).
    private mutating func checkProjectNameLength() {
        let length = stack.name.utf8.count + 1 + environment.name.utf8.count
        guard length > Naming.dnsLabelLength else { return }
        let room = Naming.dnsLabelLength - 1 - environment.name.utf8.count
        report(
            .error, .invalidName, "stack '\(stack.name)'",
            "With environment '\(environment.name)', the Compose project name '\(stack.name)-\(environment.name)' is \(length) characters long. It prefixes the name of every container, network and volume of the stack, and on Swarm the DNS name of every service, where a DNS label holds at most \(Naming.dnsLabelLength) characters.",
            fix: room >= 1
                ? "Shorten the stack name to at most \(room) characters, or shorten the environment name."
                : "Shorten the environment name: with it, the project name leaves no room for the stack name.",
            at: stack.location)
    }

    /// Reports the names that are not valid and the ones declared twice.
    /// - Parameter problem: A further rule for names that pass `isValid`: the message and fix
    ///   when the name breaks it.
    private mutating func checkUnique(
        _ kind: String,
        _ names: [(String, SourceLocation)],
        rule isValid: (String) -> Bool,
        rule ruleText: String,
        problem: (String) -> (message: String, fix: String)? = { _ in nil }
    ) {
        var first: [String: SourceLocation] = [:]
        for (name, location) in names {
            if Naming.containsNUL(name) {
                reportNULByte(in: "the \(kind)'s name", of: "\(kind) '\(name)'", at: location)
            } else if !isValid(name) {
                report(
                    .error, .invalidName, "\(kind) '\(name)'",
                    "The name is not valid: Compose allows only \(ruleText).",
                    fix: "Rename the \(kind), for example to '\(Naming.suggestServiceName(name))'.",
                    at: location)
            } else if let problem = problem(name) {
                report(.error, .invalidName, "\(kind) '\(name)'", problem.message, fix: problem.fix, at: location)
            }
            if let earlier = first[name] {
                report(
                    .error, .duplicateName, "\(kind) '\(name)'",
                    "The stack declares two \(kind)s named '\(name)'; the first is at \(earlier).",
                    fix: "Give each \(kind) its own name or remove one of them.",
                    at: location)
            } else {
                first[name] = location
            }
        }
    }

    // MARK: References

    private mutating func checkReferences(of service: Service) {
        // Built only if something is reported: most services have nothing to report.
        lazy var element = "service '\(service.name)'"
        let networks = declaredNetworks
        // `default` is the network Compose gives a stack without declaring it.
        for network in service.networks where !networks.contains(network) && network != "default" {
            report(
                .error, .undeclaredNetwork, element,
                "It attaches to network '\(network)', which the stack does not declare.",
                fix:
                    "Declare Network(\"\(network)\") in the stack (or Network.external(\"\(network)\") for a shared one), or correct the name\(suggestion(network, among: networks)).",
                at: service.location)
        }
        let volumes = declaredVolumes
        for mount in service.mounts {
            if case .volume(let name) = mount.source, !volumes.contains(name) {
                report(
                    .error, .undeclaredVolume, element,
                    "It mounts volume '\(name)', which the stack does not declare.",
                    fix:
                        "Declare Volume(\"\(name)\") in the stack, or correct the name\(suggestion(name, among: volumes)).",
                    at: mount.location)
            }
        }
        let secrets = declaredSecrets
        for mount in service.secrets where !secrets.contains(mount.secret) {
            report(
                .error, .undeclaredSecret, element,
                "It reads secret '\(mount.secret)', which the stack does not declare.",
                fix:
                    "Declare the secret in the stack, for example Secret.generated(\"\(mount.secret)\"), or correct the name\(suggestion(mount.secret, among: secrets)).",
                at: mount.location)
        }
        let configs = declaredConfigs
        for mount in service.configs where !configs.contains(mount.config) {
            report(
                .error, .undeclaredConfig, element,
                "It reads config '\(mount.config)', which the stack does not declare.",
                fix:
                    "Declare Config(\"\(mount.config)\", …) in the stack, or correct the name\(suggestion(mount.config, among: configs)).",
                at: mount.location)
        }
        let services = declaredServices
        for dependency in service.dependencies where !services.contains(dependency.service) {
            report(
                .error, .undeclaredService, element,
                "It depends on service '\(dependency.service)', which the stack does not declare.",
                fix: "Declare the service or correct the name\(suggestion(dependency.service, among: services)).",
                at: dependency.location)
        }
    }

    private func suggestion(_ name: String, among names: Set<String>) -> String {
        guard let closest = Naming.closest(to: name, among: names) else { return "" }
        return " (did you mean '\(closest)'?)"
    }

    // MARK: Dependencies

    private mutating func checkDependencies() {
        // Positions, not copies of the services: copying a Service retains each of its fields.
        let positions = Dictionary(
            stack.services.indices.map { (stack.services[$0].name, $0) },
            uniquingKeysWith: { first, _ in first })
        for service in stack.services {
            for dependency in service.dependencies where dependency.condition == .healthy {
                if let target = positions[dependency.service], stack.services[target].healthCheck == nil {
                    report(
                        .error, .healthyDependencyWithoutCheck, "service '\(service.name)'",
                        "It waits for '\(dependency.service)' to be healthy, but '\(dependency.service)' has no health check, so it never will be.",
                        fix:
                            "Add .healthCheck(…) to '\(dependency.service)', or depend on it with condition: .started.",
                        at: dependency.location)
                }
            }
        }
        for cycle in DependencyGraph(stack: stack).cycles() {
            let first = positions[cycle[0]].map { stack.services[$0] }
            report(
                .error, .dependencyCycle, "service '\(cycle[0])'",
                "The services depend on each other in a cycle: \((cycle + [cycle[0]]).joined(separator: " -> ")); none of them can start.",
                fix: "Remove one of these dependencies.",
                at: first?.dependencies.first { $0.service == cycle[1 % cycle.count] }?.location ?? first?.location)
        }
    }

    // MARK: Ports

    /// Rotation that keeps something, and a Loki URL the Docker daemon can reach.
    private mutating func checkLogging(of service: Service) {
        guard let logging = service.logging else { return }
        let element = "service '\(service.name)'"
        switch logging.driver {
        case .local(let size, let files), .jsonFile(let size, let files):
            if size.bytes == nil {
                report(
                    .error, .invalidMemorySize, element, "Its log files' size '\(size.text)' is not a size.",
                    fix: "Write a size such as \"10m\" or \"1g\".", at: logging.location)
            }
            if files < 1 {
                report(
                    .error, .invalidCount, element, "It keeps \(files) log files, so nothing it writes is kept.",
                    fix: "Keep at least one file, or log with .none to keep nothing.", at: logging.location)
            }
        case .loki(let url):
            let names = Set(stack.services.map(\.name))
            let host = url.split(separator: "/").dropFirst(1).first.map {
                $0.split(separator: ":").first.map(String.init) ?? ""
            }
            if !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                report(
                    .error, .invalidLogging, element, "Its Loki URL '\(url)' is not an http(s) URL.",
                    fix: "Write Loki's push URL: http://127.0.0.1:3100/loki/api/v1/push.", at: logging.location)
            } else if let host, names.contains(host) {
                report(
                    .error, .invalidLogging, element,
                    "Its Loki URL names service '\(host)', but log drivers run in the Docker daemon, outside the stack's networks, where that name does not resolve.",
                    fix:
                        "Publish Loki's port on the host (.publish(3100, on: 3100, hostIP: \"127.0.0.1\")) and use http://127.0.0.1:3100/loki/api/v1/push.",
                    at: logging.location)
            }
        case .none:
            break
        }
    }

    private mutating func checkPorts(of service: Service) {
        checkLogging(of: service)
        if let metrics = service.metrics {
            if !(1...65535).contains(metrics.port) {
                report(
                    .error, .invalidPort, "service '\(service.name)'",
                    "Its metrics port \(metrics.port) is not a port.",
                    fix: "Use the port its metrics are served on, 1-65535.",
                    at: metrics.location)
            }
            if !metrics.path.hasPrefix("/") || metrics.path.contains(where: { $0 == " " || $0 == "?" || $0 == "#" }) {
                report(
                    .error, .invalidPath, "service '\(service.name)'",
                    "Its metrics path '\(metrics.path)' is not a URL path.",
                    fix: "Write the path alone, starting with '/': \"/metrics\".", at: metrics.location)
            }
        }
        let internalNetworks = Set(stack.networks.filter(\.isInternal).map(\.name))
        if let published = service.ports.first(where: \.isPublished), !service.networks.isEmpty,
            service.networks.allSatisfy(internalNetworks.contains)
        {
            report(
                .warning, .invalidPort, "service '\(service.name)'",
                "It publishes host port \(published.published!) but is attached only to internal networks, where Docker publishes no port.",
                fix: "Attach the service to a network that is not internal as well, or stop publishing the port.",
                at: published.location)
        }
        for port in service.ports {
            if !(1...65535).contains(port.target) {
                report(
                    .error, .invalidPort, "service '\(service.name)'",
                    "Port \(port.target) is not a valid port number.",
                    fix: "Use a port between 1 and 65535.",
                    at: port.location)
            }
            if let published = port.published, !(1...65535).contains(published) {
                report(
                    .error, .invalidPort, "service '\(service.name)'",
                    "Host port \(published) is not a valid port number.",
                    fix: "Publish on a host port between 1 and 65535.",
                    at: port.location)
            }
            // A NUL byte in it is reported on its own (checkNULBytes).
            if let hostIP = port.hostIP, !Naming.containsNUL(hostIP), !Naming.isIPAddress(hostIP) {
                report(
                    .error, .invalidPort, "service '\(service.name)'",
                    "Host address '\(hostIP)' is not an IP address.",
                    fix: "Bind to an address such as 127.0.0.1, or leave it out.",
                    at: port.location)
            }
        }
    }

    private mutating func checkPublishedPortConflicts() {
        struct Binding: Hashable {
            var port: Int
            var transport: Port.TransportProtocol
        }
        var claimed: [Binding: [(service: String, hostIP: String, location: SourceLocation)]] = [:]
        for service in stack.services {
            for port in service.ports {
                guard let published = port.published else { continue }
                let hostIP = port.hostIP ?? "0.0.0.0"
                let binding = Binding(port: published, transport: port.transport)
                for other in claimed[binding, default: []] where Self.overlap(other.hostIP, hostIP) {
                    report(
                        .error, .portConflict, "service '\(service.name)'",
                        "It publishes \(hostIP):\(published)/\(port.transport.rawValue), which overlaps \(other.hostIP):\(published)/\(port.transport.rawValue) that service '\(other.service)' already publishes (\(other.location)); the second container would fail to start.",
                        fix: "Publish one of them on another host port.",
                        at: port.location)
                }
                claimed[binding, default: []].append((service.name, hostIP, port.location))
            }
        }
    }

    private static func overlap(_ first: String, _ second: String) -> Bool {
        let wildcards: Set<String> = ["0.0.0.0", "::", ""]
        return first == second || wildcards.contains(first) || wildcards.contains(second)
    }

    // MARK: Health checks and resources

    private mutating func checkHealthCheck(of service: Service) {
        guard let check = service.healthCheck else { return }
        // Built only if something is reported: most services have nothing to report.
        lazy var element = "service '\(service.name)'"
        func checkDuration(_ field: String, _ value: Duration, allowsZero: Bool) {
            guard value < .zero || (!allowsZero && value == .zero) else { return }
            report(
                .error, .invalidDuration, element,
                "The health check's \(field) is \(GoDuration.format(value)); it must be \(allowsZero ? "zero or more" : "more than zero").",
                fix: "Use a positive duration such as .seconds(5).",
                at: check.location)
        }
        checkDuration("interval", check.interval, allowsZero: false)
        checkDuration("timeout", check.timeout, allowsZero: false)
        checkDuration("start period", check.startPeriod, allowsZero: true)
        if check.retries < 1 {
            report(
                .error, .invalidCount, element,
                "The health check allows \(check.retries) retries; the engine needs at least 1.",
                fix: "Set retries to 1 or more (3 is usual).",
                at: check.location)
        }
        let isEmpty: Bool
        switch check.test {
        case .command(let arguments): isEmpty = arguments.first?.isEmpty ?? true
        case .shell(let line): isEmpty = line.allSatisfy(\.isWhitespace)
        }
        if isEmpty {
            report(
                .error, .invalidHealthCheck, element,
                "The health check has no command.",
                fix: "Give the check a command, or use HealthCheck.http(port:path:).",
                at: check.location)
        }
    }

    private mutating func checkResources(of service: Service) {
        // Built only if something is reported: most services have nothing to report.
        lazy var element = "service '\(service.name)'"
        let resources = service.resources
        func checkCPUs(_ field: String, _ cpus: Double?) {
            if let cpus, !(cpus > 0 && cpus.isFinite) {
                report(
                    .error, .invalidCPUCount, element,
                    "The \(field) is \(cpus) cores; it must be more than zero.",
                    fix: "Use a positive number of cores such as 0.5.",
                    at: service.location)
            }
        }
        checkCPUs("CPU limit", resources.cpuLimit)
        checkCPUs("CPU reservation", resources.cpuReservation)
        // Parsed once each, and remembered: the comparison below needs both.
        func checkMemory(_ field: String, _ memory: MemorySize?) -> Int? {
            guard let memory else { return nil }
            let bytes: Int?
            if let known = memorySizes[memory.text] {
                bytes = known
            } else {
                bytes = memory.bytes
                memorySizes[memory.text] = bytes
            }
            if bytes == nil {
                report(
                    .error, .invalidMemorySize, element,
                    "The \(field) '\(memory.text)' is not a memory size Docker reads.",
                    fix: "Write a positive number with an optional unit b, k, m or g, such as \"512m\" or \"1.5g\".",
                    at: service.location)
            }
            return bytes
        }
        let limitBytes = checkMemory("memory limit", resources.memoryLimit)
        let reservationBytes = checkMemory("memory reservation", resources.memoryReservation)
        if let limit = limitBytes, let reservation = reservationBytes, reservation > limit {
            report(
                .error, .invalidMemorySize, element,
                "The memory reservation (\(resources.memoryReservation!.text)) is larger than the limit (\(resources.memoryLimit!.text)).",
                fix: "Reserve at most the limit.",
                at: service.location)
        }
        if service.replicas < 0 {
            report(
                .error, .invalidCount, element,
                "It asks for \(service.replicas) replicas.",
                fix: "Use zero or more replicas.",
                at: service.location)
        }
        if case .onFailure(let attempts?) = service.restart, attempts < 0 {
            report(
                .error, .invalidCount, element,
                "The restart policy allows \(attempts) attempts.",
                fix: "Use zero or more attempts, or leave the number out for no limit.",
                at: service.location)
        }
    }

    // MARK: Environment and secrets

    private mutating func checkEnvironment(of service: Service) {
        // Built only if something is reported: most services have nothing to report.
        lazy var element = "service '\(service.name)'"
        var seen: [String: (location: SourceLocation, group: String?)] = [:]
        seen.reserveCapacity(service.environment.count + service.secrets.count)
        func checkKey(_ key: String, at location: SourceLocation, group: String? = nil, isVariable: Bool = false) {
            if Naming.containsNUL(key) {
                reportNULByte(in: "the environment key '\(key)'", of: element, at: location)
            } else if !Naming.isEnvironmentKey(key) {
                report(
                    .error, .invalidName, element,
                    "The environment key '\(key)' is not valid.",
                    fix: "Use letters, digits, '_', '.' and '-', starting with a letter or '_'.",
                    at: location)
            }
            guard let earlier = seen[key] else {
                seen[key] = (location, isVariable ? group : nil)
                return
            }
            // A service's own variable over a group's is an override the renderer resolves (the
            // service's value wins), not a conflict; a warning still shows it, in case it is not
            // meant. A secret's path variable is never overridden: it is reported as a duplicate.
            let groupSide = earlier.group ?? (isVariable ? group : nil)
            if let groupName = groupSide, isVariable, (earlier.group == nil) != (group == nil) {
                let groupLine = earlier.group == nil ? location : earlier.location
                let serviceLine = earlier.group == nil ? earlier.location : location
                report(
                    .warning, .overriddenGroupVariable, element,
                    "The service sets '\(key)' at \(serviceLine), and the environment group '\(groupName)' it applies sets it at \(groupLine); the service's value wins.",
                    fix:
                        "Remove '\(key)' from the service to use the group's value, or from the group if no service should get it.",
                    at: serviceLine)
                seen[key] = (serviceLine, nil)
                return
            }
            report(
                .error, .duplicateEnvironmentKey, element,
                "The environment sets '\(key)' twice; the first is at \(earlier.location)\(earlier.group.map { " (environment group '\($0)')" } ?? "").",
                fix: "Keep one of them.",
                at: location)
        }
        for variable in service.environment {
            checkKey(variable.key, at: variable.location, group: variable.group, isVariable: true)
        }
        for mount in service.secrets {
            if let key = mount.pathVariable { checkKey(key, at: mount.location) }
        }
        for variable in service.environment {
            switch variable.value {
            case .sensitive:
                report(
                    .error, .secretInEnvironment, element,
                    "The environment variable '\(variable.key)' holds a value marked sensitive; environment variables are visible in `docker inspect`, logs and crash reports.",
                    fix:
                        "Declare a Secret and mount it with .secret(\"\(variable.key.lowercased())\", pathVariable: \"\(variable.key)_FILE\").",
                    at: variable.location)
            case .literal(let text) where Naming.looksSecret(variable.key) && !text.isEmpty:
                report(
                    .error, .secretInEnvironment, element,
                    "The environment variable '\(variable.key)' looks like a credential and holds a literal value, which would be stored in the rendered file and visible in `docker inspect`.",
                    fix:
                        "Declare a Secret and mount it with .secret(\"\(variable.key.lowercased())\", pathVariable: \"\(variable.key)_FILE\"); most images read the *_FILE form.",
                    at: variable.location)
            case .literal(let text)
            where CredentialScan.hasURLPassword(text)
                || variable.key.uppercased().hasSuffix("_DSN") && CredentialScan.hasURLUser(text):
                report(
                    .error, .secretInEnvironment, element,
                    "The environment variable '\(variable.key)' holds a URL with a credential in it (scheme://user:…@host), which would be stored in the rendered file and visible in `docker inspect`.",
                    fix:
                        "Keep the credential in a Secret and leave it out of the URL: give the application the secret's file (most read a *_FILE or *_PASSWORD_FILE variable) and the URL without the password.",
                    at: variable.location)
            default:
                break
            }
        }
        checkComposedEnvironment(of: service, element: element)
        for (part, arguments) in [("command", service.command), ("entrypoint", service.entrypoint)] {
            guard let arguments, let flag = CredentialScan.literalCredentialFlag(in: arguments) else { continue }
            report(
                .error, .secretOnCommandLine, element,
                "Its \(part) passes a credential as `\(flag)` with a literal value, which would be stored in the rendered file and shown by `docker inspect` and by `ps` on the host.",
                fix:
                    "Keep the value in a Secret and have the program read it from the file: a configuration file mounted from the secret (Redis: `requirepass` in redis.conf), or the program's *_FILE variable.",
                at: service.location)
        }
    }

    /// Variables composed from secrets: every secret mounted, a name the shell can export, and
    /// a program for the shim to start.
    private mutating func checkComposedEnvironment(of service: Service, element: String) {
        let composed = service.environment.compactMap { variable -> (EnvironmentVariable, SecretTemplate)? in
            guard case .composed(let template) = variable.value else { return nil }
            return (variable, template)
        }
        guard let first = composed.first else { return }
        let mounted = Set(service.secrets.map(\.secret))
        for (variable, template) in composed {
            for name in template.secrets where !mounted.contains(name) {
                report(
                    .error, .undeclaredSecret, element,
                    "The variable '\(variable.key)' is composed from secret '\(name)', which the service does not mount.",
                    fix:
                        "Mount it with .secret(\"\(name)\") on the service\(declaredSecrets.contains(name) ? "" : ", and declare Secret(\"\(name)\", …) in the stack").",
                    at: variable.location)
            }
            if template.secrets.isEmpty {
                report(
                    .warning, .composedEnvironment, element,
                    "The variable '\(variable.key)' is composed from no secret, so it needs no shim at start.",
                    fix: "Write it as a plain value: .environment(\"\(variable.key)\", \"…\").", at: variable.location)
            }
            if !Naming.isShellName(variable.key) {
                report(
                    .error, .composedEnvironment, element,
                    "The variable '\(variable.key)' is composed at start by a shell, which cannot export that name.",
                    fix: "Name it with letters, digits and '_', not starting with a digit.", at: variable.location)
            }
        }
        if service.entrypoint == nil && service.command == nil {
            report(
                .error, .composedEnvironment, element,
                "It composes '\(first.0.key)' from secrets, so it starts through a shell shim that then runs the service's program; the service names none, and the image's entrypoint and command are not known before it runs.",
                fix:
                    "Declare what the image runs: .entrypoint([…]) and .command([…]) as `docker image inspect -f '{{.Config.Entrypoint}} {{.Config.Cmd}}' IMAGE` shows them.",
                at: first.0.location)
        } else if service.entrypoint == nil {
            report(
                .warning, .composedEnvironment, element,
                "It composes '\(first.0.key)' from secrets, so its entrypoint becomes a shell shim that then runs its command: an entrypoint the image has (docker-entrypoint.sh, …) no longer runs.",
                fix:
                    "Declare the image's entrypoint with .entrypoint([…]) (`docker image inspect -f '{{.Config.Entrypoint}}' IMAGE`), or .entrypoint([]) if it has none.",
                at: first.0.location)
        }
    }

    /// A release task has a command and a time limit.
    private mutating func checkReleaseTask(of service: Service) {
        guard let task = service.releaseTask else { return }
        let element = "service '\(service.name)'"
        if task.command.isEmpty {
            report(
                .error, .invalidReleaseTask, element, "Its release task has no command.",
                fix: "Give .beforeRelease the command to run, for example [\"bin/migrate\"].", at: task.location)
        }
        if task.timeout <= .zero {
            report(
                .error, .invalidReleaseTask, element,
                "Its release task may run for \(GoDuration.format(task.timeout)), so it could never finish.",
                fix: "Give it a positive timeout, or leave the default of 10 minutes.", at: task.location)
        }
        // On Swarm the task runs as the stack's service `<name>-release` for a moment: a service
        // of that name would be turned into the job and then removed.
        let jobName = "\(service.name)-release"
        if environment.orchestrator == .swarm, stack.services.contains(where: { $0.name == jobName }) {
            report(
                .error, .invalidReleaseTask, element,
                "Its release task runs on Swarm as the service '\(jobName)', which the stack already has.",
                fix: "Rename the service '\(jobName)', or the service with the release task.", at: task.location)
        }
    }

    /// A job: a cron expression, a command to run, and one container that serves nothing.
    private mutating func checkSchedule(of service: Service) {
        guard let schedule = service.schedule else { return }
        let element = "service '\(service.name)'"
        if case .failure(let error) = schedule.fields {
            report(
                .error, .invalidSchedule, element,
                "Its schedule \"\(schedule.expression)\" is not a cron expression: \(error.message).",
                fix:
                    "Write five fields, minute hour day-of-month month day-of-week: \"0 3 * * *\" is 03:00 every day, \"*/15 * * * *\" every 15 minutes, \"0 9 * * mon-fri\" 09:00 on weekdays.",
                at: schedule.location)
        }
        if service.command == nil || service.command == [] {
            report(
                .error, .invalidSchedule, element,
                "It is a job, which runs its command at each time due; it names none, and the image's command is not known before it runs.",
                fix: "Give it the command each run executes: .command([\"bin/cleanup\"]).", at: schedule.location)
        } else if service.entrypoint == nil {
            report(
                .warning, .invalidSchedule, element,
                "It is a job, whose entrypoint becomes Berth's scheduler that then runs its command: an entrypoint the image has (docker-entrypoint.sh, …) no longer runs.",
                fix:
                    "Declare the image's entrypoint with .entrypoint([…]) (`docker image inspect -f '{{.Config.Entrypoint}}' IMAGE`), or .entrypoint([]) if the command runs without it.",
                at: schedule.location)
        }
        if service.replicas != 1 {
            report(
                .error, .invalidSchedule, element,
                "It is a job with \(service.replicas) replicas, which would run each time \(service.replicas) times.",
                fix: "Remove .replicas(…): a job runs in one container, and its runs never overlap.",
                at: schedule.location)
        }
        if let check = service.healthCheck {
            report(
                .error, .invalidSchedule, element,
                "It is a job, which has no process to check between runs; a health check would mark it unhealthy.",
                fix: "Remove .healthCheck(…): each run's exit status shows in `status` and its output in `logs`.",
                at: check.location)
        }
        if let route = service.routes.first {
            report(
                .error, .invalidSchedule, element,
                "It is a job, which serves no requests between runs, so a route to it would only fail.",
                fix: "Route to a service that keeps running, and remove this route.", at: route.location)
        }
        if let task = service.releaseTask {
            report(
                .error, .invalidSchedule, element,
                "It is a job with a release task; a job serves nothing for the task to run before, and its scheduler would take the task for its own command.",
                fix:
                    "Put .beforeRelease on the service the new version serves from; the job's next run uses the new version.",
                at: task.location)
        }
        if (service.updateOrder ?? service.deploy.update?.order) == .startFirst {
            report(
                .error, .invalidSchedule, element,
                "It is a job updated start-first, so old and new would both run the times due during an update.",
                fix: "Remove the start-first update order: Berth updates a job stop-first.", at: schedule.location)
        }
    }

    /// A bucket has a name S3 takes, an endpoint URL without credentials, and one description
    /// in the stack; its uploader's name is free.
    private mutating func checkBucket(_ bucket: Bucket, of service: Service, backup: Backup) {
        let element = "service '\(service.name)'"
        if !Self.isBucketName(bucket.name) {
            report(
                .error, .invalidBackup, element,
                "Its backup of \(backup.name) goes to the bucket \"\(bucket.name)\", which is not a bucket name S3 accepts.",
                fix:
                    "Name the bucket with 3 to 63 lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit.",
                at: backup.location)
        }
        let endpoint = bucket.endpoint
        let scheme = ["http://", "https://"].first { endpoint.lowercased().hasPrefix($0) }
        let authority = scheme.map { endpoint.dropFirst($0.count).prefix { $0 != "/" } } ?? ""
        if scheme == nil || authority.isEmpty || endpoint.contains(where: { $0.isWhitespace || $0 == "?" || $0 == "#" })
        {
            report(
                .error, .invalidBackup, element,
                "The bucket \(bucket.name)'s endpoint \"\(endpoint)\" is not an http or https URL of the storage service.",
                fix:
                    "Give the service's URL without the bucket, such as \"https://s3.eu-west-1.amazonaws.com\" or \"http://minio:9000\".",
                at: backup.location)
        }
        if bucket.region.isEmpty
            || !bucket.region.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
        {
            report(
                .error, .invalidBackup, element,
                "The bucket \(bucket.name)'s region \"\(bucket.region)\" is not a region name requests can be signed for.",
                fix: "Give the bucket's region, such as \"eu-west-1\" (\"us-east-1\" for MinIO, \"auto\" for R2).",
                at: backup.location)
        }
        // Reported at each description that differs from the stack's first.
        let first = stack.services.lazy.flatMap { other in other.backups.map { (other.name, $0) } }
            .first { entry in
                if case .bucket(let described) = entry.1.destination { described.name == bucket.name } else { false }
            }
        if let (other, theirs) = first, case .bucket(let described) = theirs.destination, described != bucket {
            report(
                .error, .invalidBackup, element,
                "Its backup of \(backup.name) describes the bucket \(bucket.name) differently from the backup of service '\(other)' at \(theirs.location): one uploader serves a bucket.",
                fix: "Describe the bucket once (let backups = Bucket(…)) and use it in both.", at: backup.location)
        }
        let uploader = BucketUploader.name(of: bucket)
        if let clash = stack.services.first(where: {
            $0.name == uploader && $0.labels.allSatisfy { $0.key != BucketUploader.label }
        }) {
            report(
                .error, .invalidBackup, element,
                "Its backups go to the bucket \(bucket.name) through the uploader '\(uploader)', and the stack already has a service of that name.",
                fix: "Rename that service.", at: clash.location)
        }
    }

    /// A name S3 takes for a new bucket: 3 to 63 lowercase letters, digits, dots and hyphens,
    /// beginning and ending with a letter or digit.
    static func isBucketName(_ name: String) -> Bool {
        guard (3...63).contains(name.count), let first = name.first, let last = name.last else { return false }
        func alphanumeric(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }
        return alphanumeric(first) && alphanumeric(last)
            && name.allSatisfy { alphanumeric($0) || $0 == "." || $0 == "-" } && !name.contains("..")
    }

    /// A backup copies something the service has, to a place that exists, with a key Berth can
    /// read, and keeps at least one copy.
    private mutating func checkBackups(of service: Service) {
        let element = "service '\(service.name)'"
        var seen: Set<String> = []
        let mounted = Set(
            service.mounts.compactMap { mount -> String? in
                if case .volume(let name) = mount.source { return name }
                return nil
            })
        for backup in service.backups {
            if !seen.insert(backup.name).inserted {
                report(
                    .error, .invalidBackup, element, "It has two backups of the same \(backup.name).",
                    fix: "Keep one .backup(…) per database or volume; give it the retention and destination you want.",
                    at: backup.location)
            }
            if backup.keep < 1 {
                report(
                    .error, .invalidBackup, element,
                    "Its backup of \(backup.name) keeps \(backup.keep) archives, so none would survive being taken.",
                    fix: "Keep at least 1 (keep: 7 keeps a week of daily backups).", at: backup.location)
            }
            switch backup.kind {
            case .postgres(let database, let user, _):
                for (what, value) in [("database", database), ("user", user)]
                where value.isEmpty || value.contains(where: { $0.isWhitespace || $0 == "\0" }) {
                    report(
                        .error, .invalidBackup, element,
                        "Its PostgreSQL backup names the \(what) \"\(value)\", which pg_dump cannot connect with.",
                        fix: "Give the \(what) as the database server knows it, such as \"app\".", at: backup.location)
                }
            case .volume(let volume), .redis(let volume, _):
                if !mounted.contains(volume) {
                    let names = mounted.sorted()
                    let what = if case .redis = backup.kind { "keeps its Redis data in" } else { "backs up" }
                    report(
                        .error, .invalidBackup, element,
                        "It \(what) the volume '\(volume)', which it does not mount\(names.isEmpty ? " (it mounts no volume)" : "; it mounts \(names.map { "'\($0)'" }.joined(separator: ", "))").",
                        fix:
                            "Name a volume the service mounts, or mount '\(volume)' with .volume(\"\(volume)\", at: …) (at: \"/data\" for the official Redis image).",
                        at: backup.location)
                }
                if case .redis(_, let password?) = backup.kind,
                    !service.secrets.contains(where: { $0.secret == password })
                {
                    report(
                        .error, .invalidBackup, element,
                        "Its Redis backup reads the password from the secret '\(password)', which the service does not read, so `redis-cli` in its container cannot either.",
                        fix:
                            "Give the service the secret its requirepass comes from with .secret(\"\(password)\"), or name that secret.",
                        at: backup.location)
                }
            }
            switch backup.destination {
            case .volume(let volume):
                if !stack.volumes.contains(where: { $0.name == volume }) {
                    report(
                        .error, .invalidBackup, element,
                        "Its backup of \(backup.name) goes to the volume '\(volume)', which the stack does not declare.",
                        fix:
                            "Declare it in the stack with Volume(\"\(volume)\"), or send the backups to a host directory with to: .hostDirectory(\"/var/backups/…\").",
                        at: backup.location)
                }
                if backup.kind.archivedVolume == volume {
                    report(
                        .error, .invalidBackup, element,
                        "It backs up the volume '\(volume)' into itself: losing the volume would lose its backups too.",
                        fix: "Send the backups to another volume or a host directory.", at: backup.location)
                }
            case .hostDirectory(let path):
                if !path.hasPrefix("/") || path.split(separator: "/").contains("..") || path == "/" {
                    report(
                        .error, .invalidBackup, element,
                        "Its backup of \(backup.name) goes to the host directory \"\(path)\", which is not an absolute path below the root.",
                        fix:
                            "Give the folder on the engine's host as an absolute path, such as \"/var/backups/\(stack.name)\".",
                        at: backup.location)
                }
            case .bucket(let bucket):
                checkBucket(bucket, of: service, backup: backup)
            }
            if let schedule = backup.schedule {
                if case .failure(let error) = schedule.fields {
                    report(
                        .error, .invalidBackup, element,
                        "Its backup of \(backup.name) has the schedule \"\(schedule.expression)\", which is not a cron expression: \(error.message).",
                        fix:
                            "Write five fields, minute hour day-of-month month day-of-week: \"0 3 * * *\" is 03:00 every day.",
                        at: backup.location)
                }
                if case .postgres(_, _, nil) = backup.kind {
                    report(
                        .error, .invalidBackup, element,
                        "Its scheduled PostgreSQL backup runs in a job that connects over the network, which needs the password, and the backup names none.",
                        fix:
                            "Name the secret that holds it: .postgres(database: …, user: …, password: \"db_password\").",
                        at: backup.location)
                }
                let job = BackupJob.name(of: backup, service: service.name)
                if let clash = stack.services.first(where: {
                    $0.name == job && $0.labels.allSatisfy { $0.key != BackupJob.label }
                }) {
                    report(
                        .error, .invalidBackup, element,
                        "Its scheduled backup runs as the job '\(job)', and the stack already has a service of that name.",
                        fix: "Rename that service, or take this backup with `backup \(service.name) --now` only.",
                        at: clash.location)
                }
            }
            if case .postgres(_, _, let password?) = backup.kind,
                !stack.secrets.contains(where: { $0.name == password })
            {
                report(
                    .error, .invalidBackup, element,
                    "Its PostgreSQL backup reads the password from the secret '\(password)', which the stack does not declare.",
                    fix:
                        "Name the secret the database's password comes from, such as the one its POSTGRES_PASSWORD_FILE reads.",
                    at: backup.location)
            }
            if let key = backup.encryptionKey {
                if let secret = stack.secrets.first(where: { $0.name == key }) {
                    switch secret.source {
                    case .external, .shared:
                        report(
                            .error, .invalidBackup, element,
                            "Its backup of \(backup.name) is encrypted with the secret '\(key)', whose value the engine holds and Berth cannot read to encrypt with.",
                            fix:
                                "Read the key from a file or an environment variable (Secret(\"\(key)\", .file(…))), so every machine that restores has it.",
                            at: backup.location)
                    default:
                        if secret.isOptional {
                            report(
                                .error, .invalidBackup, element,
                                "Its backup of \(backup.name) is encrypted with the secret '\(key)', which is optional: a backup without it could not be encrypted.",
                                fix: "Remove .optional() from '\(key)'.", at: backup.location)
                        }
                    }
                } else {
                    report(
                        .error, .invalidBackup, element,
                        "Its backup of \(backup.name) is encrypted with the secret '\(key)', which the stack does not declare.",
                        fix:
                            "Declare it: Secret(\"\(key)\", .file(\"secrets/\(key)\")) or .environment(…). Keep a copy off the server: the archives are only as recoverable as their key.",
                        at: backup.location)
                }
            }
        }
    }

    /// The Linux capabilities Docker knows, without their `CAP_` prefix.
    static let linuxCapabilities: Set<String> = [
        "AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "BLOCK_SUSPEND", "BPF", "CHECKPOINT_RESTORE", "CHOWN",
        "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE",
        "LINUX_IMMUTABLE", "MAC_ADMIN", "MAC_OVERRIDE", "MKNOD", "NET_ADMIN", "NET_BIND_SERVICE", "NET_BROADCAST",
        "NET_RAW", "PERFMON", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT",
        "SYS_MODULE", "SYS_NICE", "SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME",
        "SYS_TTY_CONFIG", "SYSLOG", "WAKE_ALARM", "ALL",
    ]

    /// Capabilities given back are ones Linux has.
    private mutating func checkCapabilities(of service: Service) {
        for name in service.addedCapabilities {
            let bare = name.hasPrefix("CAP_") ? String(name.dropFirst(4)) : name
            guard !Self.linuxCapabilities.contains(bare.uppercased()) else { continue }
            report(
                .error, .invalidCapability, "service '\(service.name)'",
                "'\(name)' is not a Linux capability.",
                fix:
                    "Name one as Docker does, without CAP_: NET_ADMIN, NET_BIND_SERVICE, SYS_TIME… (`man 7 capabilities`).",
                at: service.location)
        }
    }

    private mutating func checkSecrets() {
        for secret in stack.secrets where secret.isOptional {
            switch secret.source {
            case .environment, .file: break
            default:
                report(
                    .error, .invalidOptionalSecret, "secret '\(secret.name)'",
                    "Only a secret read from a file or an environment variable can be optional; this one always has a value or none can be made.",
                    fix: "Remove .optional(), or read the secret from a file or an environment variable.",
                    at: secret.location)
            }
        }
        for secret in stack.secrets {
            if case .generated(let length, _) = secret.source, length < 16 || length > 4096 {
                report(
                    .error, .invalidCount, "secret '\(secret.name)'",
                    "A generated secret of \(length) characters is \(length < 16 ? "too short to resist guessing" : "longer than any service needs").",
                    fix: "Generate between 16 and 4096 characters (32 is the default).",
                    at: secret.location)
            }
            if let keeper = secret.keptBy, !declaredServices.contains(keeper) {
                report(
                    .error, .undeclaredService, "secret '\(secret.name)'",
                    "It is kept by service '\(keeper)', which the stack does not declare.",
                    fix:
                        "Name the service that keeps the value in its data, or correct the name\(suggestion(keeper, among: declaredServices)).",
                    at: secret.location)
            }
        }
    }

    private mutating func checkImage(of service: Service) {
        // `Service("web")` declares no image at all: a build must give it one.
        if service.build != nil || service.image == Image(repository: "") {
            checkBuild(of: service)
            return
        }
        // Built only if something is reported: most services have nothing to report.
        lazy var element = "service '\(service.name)'"
        let image = service.image
        // The parts, not `reference`, which would build a string for every service.
        if Naming.containsNUL(image.repository) || image.tag.map(Naming.containsNUL) == true
            || image.digest.map(Naming.containsNUL) == true
        {
            reportNULByte(in: "the image reference", of: element, at: service.location)
        } else if !Naming.isImageRepository(service.image.repository) {
            report(
                .error, .invalidImage, element,
                "The image '\(service.image.reference)' is not a valid image reference.",
                fix: "Write it as REPOSITORY[:TAG][@DIGEST], for example \"nginx:1.27\".",
                at: service.location)
        } else if !service.image.isPinned {
            let problem = service.image.tag == nil ? "has neither tag nor digest" : "uses the moving tag 'latest'"
            report(
                environment.isProduction ? .error : .warning, .unpinnedImage, element,
                "The image '\(service.image.reference)' \(problem), so every deploy may run a different version\(environment.isProduction ? " — not acceptable in production" : "").",
                fix: "Pin the image with a tag or a digest, for example \"\(service.image.repository):1.0\".",
                at: service.location)
        }
    }

    private mutating func checkMounts(of service: Service) {
        // Built only if something is reported: most services have nothing to report.
        lazy var element = "service '\(service.name)'"
        func checkTarget(_ target: String, at location: SourceLocation) {
            if Naming.containsNUL(target) {
                reportNULByte(in: "the mount target '\(target)'", of: element, at: location)
                return
            }
            guard target.hasPrefix("/") else {
                report(
                    .error, .invalidPath, element,
                    "The mount target '\(target)' is not an absolute path inside the container.",
                    fix: "Write the target as an absolute path, such as /data.",
                    at: location)
                return
            }
            // Only a path with a `.` component or of nothing but slashes resolves elsewhere.
            guard target.contains("/.") || target.utf8.allSatisfy({ $0 == 0x2F }) else { return }
            let (resolved, hadParent) = Naming.resolvingDots(target)
            if hadParent {
                report(
                    .error, .invalidPath, element,
                    "The mount target '\(target)' has a '..' component, so the engine mounts at '\(resolved)', not in the folder it seems to name.",
                    fix: resolved == "/"
                        ? "Write the absolute path of the folder you mean, without '..', such as /data."
                        : "Write the target without '..', as '\(resolved)' or the path you meant.",
                    at: location)
            } else if resolved == "/" {
                report(
                    .error, .invalidPath, element,
                    "The mount target '\(target)' is the container's root folder, which the engine refuses to mount over.",
                    fix: "Mount at a folder under the root, such as /data.",
                    at: location)
            }
        }
        for mount in service.mounts { checkTarget(mount.target, at: mount.location) }
        for mount in service.configs { checkTarget(mount.target, at: mount.location) }
        for mount in service.secrets {
            let target = mount.target
            if Naming.containsNUL(target) {
                reportNULByte(in: "the secret target '\(target)'", of: element, at: mount.location)
            } else if target.contains("/") || target.isEmpty {
                report(
                    .error, .invalidPath, element,
                    "The secret target '\(target)' must be a file name under /run/secrets/.",
                    fix: "Use a plain file name such as '\(Naming.suggestUndottedName(mount.secret))'.",
                    at: mount.location)
            } else if Naming.isDotComponent(target) {
                report(
                    .error, .invalidPath, element,
                    "The secret target '\(target)' is not a file name: under /run/secrets/ it names \(target == "." ? "/run/secrets itself" : "/run"), so the secret would be mounted over that whole folder.",
                    fix: "Use a plain file name such as '\(Naming.suggestUndottedName(mount.secret))'.",
                    at: mount.location)
            }
        }
    }
}
