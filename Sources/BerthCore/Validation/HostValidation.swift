extension Diagnostic.Code {
    /// Two stacks of a deployment share a name.
    public static let duplicateStack = Self(rawValue: "duplicate-stack")
    /// Two hosts of a deployment share a name but not an engine or address.
    public static let conflictingHost = Self(rawValue: "conflicting-host")
    /// A service address points at a service or stack the deployment does not have.
    public static let addressUnknownService = Self(rawValue: "address-unknown-service")
    /// A service address points at a port the service does not publish.
    public static let addressUnpublishedPort = Self(rawValue: "address-unpublished-port")
    /// A service address points at a port published on loopback only.
    public static let addressInternalOnly = Self(rawValue: "address-internal-only")
    /// A service address is used from another host, but its host has no address.
    public static let hostWithoutAddress = Self(rawValue: "host-without-address")
    /// Stacks use each other's addresses in a circle, so none can be deployed first.
    public static let stackCycle = Self(rawValue: "stack-cycle")
    /// A stack publishes a port on a public address of a host whose traffic a gateway takes.
    public static let publicPortBesideGateway = Self(rawValue: "public-port-beside-gateway")
}

/// The checks and the order that concern a deployment's stacks together: hosts, the addresses
/// stacks take of each other's services, and what each host exposes.
public enum DeploymentTopology {
    /// The stacks in the order `up` deploys them: a stack after every stack whose addresses it
    /// uses, otherwise in the order written. `down` goes in the reverse order.
    public static func ordered(_ stacks: [Stack]) -> [Stack] {
        let index = Dictionary(stacks.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        var placed: [Stack] = []
        var done: Set<String> = []
        var visiting: Set<String> = []
        func visit(_ stack: Stack) {
            guard !done.contains(stack.name), !visiting.contains(stack.name) else { return }
            visiting.insert(stack.name)
            for provider in providers(of: stack) {
                if let position = index[provider] { visit(stacks[position]) }
            }
            visiting.remove(stack.name)
            done.insert(stack.name)
            placed.append(stack)
        }
        for stack in stacks { visit(stack) }
        return placed
    }

    /// The stacks whose addresses a stack uses, other than itself, in the order used.
    public static func providers(of stack: Stack) -> [String] {
        var seen: Set<String> = []
        return stack.services.flatMap(\.addresses).map(\.address.stack).filter {
            $0 != stack.name && seen.insert($0).inserted
        }
    }

    /// Every problem of the stacks together; each stack's own checks are ``StackValidator``'s.
    public static func diagnostics(of stacks: [Stack]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func report(_ code: Diagnostic.Code, _ element: String, _ message: String, fix: String, at: SourceLocation) {
            diagnostics.append(Diagnostic(.error, code, element: element, message: message, fix: fix, location: at))
        }
        if stacks.isEmpty {
            report(
                .undeclaredService, "deployment", "The deployment describes no stack for this environment.",
                fix: "Return at least one Stack from the deployment's closure.", at: SourceLocation(fileID: "", line: 0)
            )
            return diagnostics
        }
        var byName: [String: Stack] = [:]
        for stack in stacks {
            if let earlier = byName[stack.name] {
                report(
                    .duplicateStack, "stack '\(stack.name)'",
                    "Two stacks are named '\(stack.name)' (the first at \(earlier.location)); a stack's name names its containers on every host.",
                    fix: "Give each stack its own name.", at: stack.location)
            } else {
                byName[stack.name] = stack
            }
        }
        var hosts: [String: Server] = [:]
        for host in stacks.compactMap(\.host) {
            if let earlier = hosts[host.name], earlier.engine != host.engine || earlier.address != host.address {
                report(
                    .conflictingHost, "host '\(host.name)'",
                    "Server '\(host.name)' is declared twice with different engines or addresses (the other at \(earlier.location)).",
                    fix: "Declare the host once and place every stack on that value.", at: host.location)
            }
            hosts[host.name] = hosts[host.name] ?? host
            if let problem = Self.nameProblem(host.name) {
                report(
                    .invalidName, "host '\(host.name)'", "The host's name \(problem).",
                    fix: "Use lowercase letters, digits and '-', as in Server(\"core\").", at: host.location)
            }
        }
        for stack in stacks {
            for service in stack.services {
                for use in service.addresses {
                    checkAddress(use, from: stack, service: service, stacks: byName, report: report)
                }
            }
        }
        checkCycles(stacks, report: report)
        checkGatewayHosts(stacks, report: report)
        return diagnostics
    }

    private static func checkAddress(
        _ use: AddressUse, from stack: Stack, service: Service, stacks: [String: Stack],
        report: (Diagnostic.Code, String, String, String, SourceLocation) -> Void
    ) {
        let address = use.address
        let element = "service '\(service.name)'"
        guard let provider = stacks[address.stack] else {
            report(
                .addressUnknownService, element,
                "\(use.variable) holds the address of \(address), but stack '\(address.stack)' is not part of this deployment.",
                "Return stack '\(address.stack)' from the deployment's closure too, or use an address of a stack it has.",
                use.location)
            return
        }
        guard address.serviceExists, let target = provider.service(named: address.service) else {
            report(
                .addressUnknownService, element,
                "\(use.variable) holds the address of service '\(address.service)', which stack '\(address.stack)' does not have (its services: \(provider.services.map(\.name).joined(separator: ", "))).",
                "Take the address of one of those services.", address.location)
            return
        }
        guard let published = address.publishedPort else {
            let declared = target.ports.map { String($0.target) }.joined(separator: ", ")
            report(
                .addressUnpublishedPort, element,
                "\(use.variable) holds the address of \(address), but '\(address.service)' does not publish port \(address.port) on its host (its ports: \(declared.isEmpty ? "none" : declared)), so no other host can reach it.",
                "Publish it on the host's private address in stack '\(address.stack)', e.g. .publish(\(address.port), on: \(address.port), hostIP: \"\(provider.host?.address ?? "10.0.0.2")\").",
                use.location)
            return
        }
        let crossHost = stack.host?.name != provider.host?.name
        if address.isLoopbackOnly {
            report(
                .addressInternalOnly, element,
                "\(use.variable) holds the address of \(address), but that port is published on \(address.bindAddress ?? "127.0.0.1") only: it is internal to \(provider.host.map { "host '\($0.name)'" } ?? "its host"), and no container\(crossHost ? " on another host" : "") can reach it there.",
                "Publish port \(address.port) of '\(address.service)' on the host's private address (hostIP: \"\(provider.host?.address ?? "10.0.0.2")\") rather than on loopback.",
                use.location)
            return
        }
        if address.value.contains("unresolved") {
            report(
                .hostWithoutAddress, element,
                "\(use.variable) holds the address of \(address) (host port \(published)), but \(provider.host.map { "host '\($0.name)'" } ?? "its stack's host") has no address other hosts reach it at.",
                "Give the host its address, as in Server(\"\(provider.host?.name ?? "core")\", engine: …, address: \"10.0.0.2\"), or publish the port on a specific hostIP.",
                provider.host?.location ?? use.location)
        }
    }

    private static func checkCycles(
        _ stacks: [Stack], report: (Diagnostic.Code, String, String, String, SourceLocation) -> Void
    ) {
        let providers = Dictionary(stacks.map { ($0.name, Self.providers(of: $0)) }, uniquingKeysWith: { a, _ in a })
        for stack in stacks {
            // A path from one of its providers back to the stack itself.
            var pending = [stack.name]
            var seen: Set<String> = []
            var cycle = false
            while let next = pending.popLast() {
                for provider in providers[next] ?? [] {
                    if provider == stack.name {
                        cycle = true
                    } else if seen.insert(provider).inserted {
                        pending.append(provider)
                    }
                }
            }
            if cycle {
                report(
                    .stackCycle, "stack '\(stack.name)'",
                    "Stack '\(stack.name)' uses, through other stacks, an address of its own services' users: \(stack.name) → \((providers[stack.name] ?? []).joined(separator: ", ")). No stack of the circle can be deployed first.",
                    "Break the circle: one of the stacks must not need the others' addresses.", stack.location)
            }
        }
    }

    /// "Only the gateway is public", per host: where a stack owns a gateway, no other stack on
    /// that host publishes a port on a public address beside it.
    private static func checkGatewayHosts(
        _ stacks: [Stack], report: (Diagnostic.Code, String, String, String, SourceLocation) -> Void
    ) {
        let groups = Dictionary(grouping: stacks) { $0.host?.name ?? "" }
        for (host, group) in groups.sorted(by: { $0.key < $1.key }) {
            guard
                let gatewayStack = group.first(where: { stack in
                    stack.gateway.map { $0.owner == stack.name } ?? false
                }), let gateway = gatewayStack.gateway
            else { continue }
            for stack in group where stack.name != gatewayStack.name && stack.gateway == nil {
                for service in stack.services {
                    for port in service.ports where port.isPublic {
                        guard let published = port.published,
                            !service.publishedPortsAllowedBehindGateway.contains(published)
                        else { continue }
                        report(
                            .publicPortBesideGateway, "service '\(service.name)'",
                            "It publishes port \(published) on \(port.hostIP ?? "all addresses") of \(host.isEmpty ? "the engine" : "host '\(host)'"), where gateway '\(gateway.service)' of stack '\(gatewayStack.name)' takes the public traffic: the port bypasses its TLS, limits and authentication.",
                            "Route the service through the gateway, publish it on loopback or a private address, or allow it explicitly with .allowPublishedPorts(\(published)).",
                            port.location)
                    }
                }
            }
        }
    }

    static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        let allowed = name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
        return allowed ? nil : "'\(name)' has characters other than lowercase letters, digits and '-'"
    }
}
