extension Diagnostic.Code {
    /// Deploy settings that contradict each other or that Swarm refuses.
    public static let invalidDeployPolicy = Diagnostic.Code(rawValue: "invalid-deploy-policy")
    /// A placement constraint or preference Swarm refuses or no node could ever match.
    public static let invalidPlacement = Diagnostic.Code(rawValue: "invalid-placement")
}

/// Checks of the settings Swarm reads (``DeployPolicy``, port publish modes), so a mistake in
/// them is reported with its line before a deploy, not as a task stuck in `pending`.
extension StackValidator {
    mutating func checkDeployPolicy(of service: Service) {
        let deploy = service.deploy
        // Built only if something is reported: most services have nothing to report.
        lazy var element = "service '\(service.name)'"
        if deploy.mode == .global && service.replicas != 1 {
            report(
                .error, .invalidDeployPolicy, element,
                "It runs in global mode, one task on every node, and also asks for \(service.replicas) replicas, which global mode has no room for (Swarm refuses a service with both).",
                fix: "Remove .replicas(\(service.replicas)), or use .deployMode(.replicated).",
                at: service.location)
        }
        if let limit = deploy.maxReplicasPerNode {
            if limit < 1 {
                report(
                    .error, .invalidCount, element,
                    "It allows \(limit) replicas per node, so no task could ever be placed.",
                    fix: "Allow at least 1 replica per node, or remove .maxReplicasPerNode.",
                    at: service.location)
            } else if deploy.mode == .global {
                report(
                    .error, .invalidDeployPolicy, element,
                    "A global service runs one task per node already; a replicas-per-node limit applies only to replicated services.",
                    fix: "Remove .maxReplicasPerNode(\(limit)).",
                    at: service.location)
            }
        }
        // A NUL byte in a constraint or spread label is reported on its own (checkNULBytes).
        for constraint in deploy.constraints where !Naming.containsNUL(constraint.expression) {
            if let problem = Self.problem(withConstraint: constraint.expression) {
                report(
                    .error, .invalidPlacement, element,
                    "The placement constraint '\(constraint.expression)' \(problem)",
                    fix:
                        "Write KEY == VALUE or KEY != VALUE with a key among node.id, node.hostname, node.ip, node.role, node.platform.os, node.platform.arch, node.labels.NAME and engine.labels.NAME, such as \"node.role == manager\".",
                    at: constraint.location)
            }
        }
        for preference in deploy.preferences where !Naming.containsNUL(preference.spread) {
            let label = preference.spread.trimmingWhitespace()
            let prefixes = ["node.labels.", "engine.labels."]
            if !prefixes.contains(where: { label.count > $0.count && label.lowercased().hasPrefix($0) }) {
                report(
                    .error, .invalidPlacement, element,
                    "It spreads over '\(preference.spread)', which is not a node or engine label; Swarm would put every node in one group and spread nothing.",
                    fix: "Spread over a node label, such as .spread(over: \"node.labels.zone\").",
                    at: preference.location)
            }
        }
        if let update = deploy.update {
            checkUpdatePolicy(update, "update policy", of: service, isRollback: false)
        }
        if let rollback = deploy.rollback {
            checkUpdatePolicy(rollback, "rollback policy", of: service, isRollback: true)
        }
        checkRestartTiming(of: service)
        checkPublishModes(of: service)
        checkServiceLabels(of: service)
    }

    private mutating func checkUpdatePolicy(
        _ policy: UpdatePolicy,
        _ name: String,
        of service: Service,
        isRollback: Bool
    ) {
        lazy var element = "service '\(service.name)'"
        if policy.parallelism < 0 {
            report(
                .error, .invalidCount, element,
                "The \(name) replaces \(policy.parallelism) tasks at a time.",
                fix: "Use 1 or more tasks at a time, or 0 for all at once.",
                at: policy.location)
        }
        if !(policy.maxFailureRatio >= 0 && policy.maxFailureRatio <= 1) {
            report(
                .error, .invalidDeployPolicy, element,
                "The \(name) tolerates a failure ratio of \(policy.maxFailureRatio); it is a fraction of the tasks, from 0 to 1.",
                fix: "Use a ratio between 0 (no failure tolerated) and 1.",
                at: policy.location)
        }
        for (field, value) in [("delay", policy.delay), ("monitor period", policy.monitor)] where value < .zero {
            report(
                .error, .invalidDuration, element,
                "The \(name)'s \(field) is \(GoDuration.format(value)); it must be zero or more.",
                fix: "Use a positive duration such as .seconds(10).",
                at: policy.location)
        }
        if isRollback && policy.failureAction == .rollback {
            report(
                .error, .invalidDeployPolicy, element,
                "The rollback policy rolls back when the rollback fails; a rollback has nothing to roll back to.",
                fix: "Use failureAction: .pause (stop and wait for someone) or .continue.",
                at: policy.location)
        }
        if policy.order == .startFirst && DeployPolicy.ownsState(service) {
            report(
                .warning, .invalidDeployPolicy, element,
                "The \(name) starts the new task before stopping the old one, and the service writes to a volume or host path, so two tasks write to it at once.",
                fix: "Use order: .stopFirst for services that own state.",
                at: policy.location)
        }
        if let check = service.healthCheck, policy.failureAction != .continue,
            check.interval * check.retries > policy.monitor
        {
            report(
                .warning, .invalidDeployPolicy, element,
                "The \(name) watches each new task for \(GoDuration.format(policy.monitor)), less than the \(GoDuration.format(check.interval * check.retries)) (interval × retries) its health check needs to declare a task unhealthy, so a task failing after its first success is not noticed.",
                fix:
                    "Set monitor to at least \(GoDuration.format(check.interval * check.retries)), or leave the policy out for Berth's default.",
                at: policy.location)
        }
    }

    private mutating func checkRestartTiming(of service: Service) {
        // Checked only when set: this runs for every service of every stack.
        guard service.deploy.restartDelay != nil || service.deploy.restartWindow != nil else { return }
        for (field, value) in [("delay", service.deploy.restartDelay), ("window", service.deploy.restartWindow)] {
            if let value, value < .zero {
                report(
                    .error, .invalidDuration, "service '\(service.name)'",
                    "The restart \(field) is \(GoDuration.format(value)); it must be zero or more.",
                    fix: "Use a positive duration such as .seconds(5).",
                    at: service.location)
            }
        }
    }

    private mutating func checkPublishModes(of service: Service) {
        if service.deploy.endpointMode == .dnsrr {
            for port in service.ports where port.isPublished && port.mode == .ingress {
                report(
                    .error, .invalidDeployPolicy, "service '\(service.name)'",
                    "It publishes port \(port.published!) through the ingress routing mesh, which needs a virtual IP, but finds its tasks by DNS round robin (endpoint mode dnsrr); Swarm refuses the service.",
                    fix: "Publish the port with mode: .host, or use endpoint mode .vip.",
                    at: port.location)
            }
        }
        if service.deploy.mode == .replicated && service.replicas > 1,
            let port = service.ports.first(where: { $0.isPublished && $0.mode == .host })
        {
            report(
                .warning, .portConflict, "service '\(service.name)'",
                "It runs \(service.replicas) replicas and publishes port \(port.published!) in host mode, which one task per node can bind: with fewer than \(service.replicas) nodes, the other tasks stay pending.",
                fix:
                    "Run it in global mode, publish through the ingress routing mesh, or make sure there are enough nodes.",
                at: port.location)
        }
    }

    private mutating func checkServiceLabels(of service: Service) {
        var seen: [String: SourceLocation] = [:]
        for label in service.deploy.labels {
            if let earlier = seen[label.key] {
                report(
                    .error, .duplicateName, "service '\(service.name)'",
                    "It sets the service label '\(label.key)' twice; the first is at \(earlier).",
                    fix: "Keep one of them.",
                    at: label.location)
            } else {
                seen[label.key] = label.location
            }
        }
    }

    /// Why Swarm would refuse a constraint or never satisfy it (swarmkit's
    /// `manager/constraint`), or `nil` when it is well formed.
    static func problem(withConstraint expression: String) -> String? {
        let parts: [Substring]
        let isEquality: Bool
        // `==` is looked for first, as Swarm does.
        if let range = expression.range(of: "==") {
            parts = [expression[..<range.lowerBound], expression[range.upperBound...]]
            isEquality = true
        } else if let range = expression.range(of: "!=") {
            parts = [expression[..<range.lowerBound], expression[range.upperBound...]]
            isEquality = false
        } else {
            return "has no operator; Swarm refuses it."
        }
        let key = String(parts[0]).trimmingWhitespace()
        let value = String(parts[1]).trimmingWhitespace()
        let keyBytes = Array(key.utf8)
        let isKey =
            keyBytes.count >= 2 && (isLetter(keyBytes[0]) || keyBytes[0] == UInt8(ascii: "_"))
            && keyBytes.dropFirst().allSatisfy { isLetter($0) || isDigit($0) || "-_.".utf8.contains($0) }
        guard isKey else { return "has the key '\(key)', which is not valid; Swarm refuses it." }
        let valueSymbols = Set(":-_.*()?+[]\\^$|/ \t".utf8)
        guard !value.isEmpty, value.utf8.allSatisfy({ isLetter($0) || isDigit($0) || valueSymbols.contains($0) })
        else { return "has the value '\(value)', which is empty or has characters Swarm refuses." }
        let lower = key.lowercased()
        let fixedKeys: Set<String> = [
            "node.id", "node.hostname", "node.ip", "node.role", "node.platform.os", "node.platform.arch",
        ]
        let isLabel = ["node.labels.", "engine.labels."].contains { lower.count > $0.count && lower.hasPrefix($0) }
        guard fixedKeys.contains(lower) || isLabel else {
            return "has the key '\(key)', which Swarm does not know, so no node would ever match."
        }
        if lower == "node.role" && isEquality && !["manager", "worker"].contains(value.lowercased()) {
            return "asks for the role '\(value)'; nodes are 'manager' or 'worker', so none would ever match."
        }
        return nil
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
