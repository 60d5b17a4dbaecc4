import BerthCompose
import BerthCore

extension Diagram {
    /// The topology of a deployment's stacks in one environment.
    ///
    /// The diagram shows, for each stack (in a box of its host when it is placed on one):
    /// - its services, with their images; the gateway's own service as a gateway;
    /// - the networks they attach to; a network several stacks share (a ``SharedNetwork``, an
    ///   external network) once, outside every stack, and an external network that another stack
    ///   of the diagram creates as that stack's node;
    /// - the host ports they publish, each to the service behind it;
    /// - the gateway's routes, from the gateway to each routed service, labelled with the host
    ///   and path (`shop.example.com/api`); a gateway of a stack not in the diagram appears
    ///   outside every stack;
    /// - the secrets they read, by name and kind of source: a secret's value is never read;
    /// - what they wait for before starting (`dependsOn`), and the services of other stacks whose
    ///   addresses they hold (``ServiceAddress``).
    ///
    /// - Parameters:
    ///   - stacks: The stacks, in the order `up` deploys them or as written.
    ///   - environment: The environment they were described for; it names the diagram.
    ///   - changes: What a plan would do to services, by stack name and then service name, to
    ///     highlight them. A service named here that the stack no longer describes is drawn too,
    ///     as one to remove.
    public init(stacks: [Stack], environment: Environment, changes: [String: [String: Change]] = [:]) {
        var builder = TopologyBuilder(stacks: stacks, environment: environment, changes: changes)
        self = builder.diagram(title: "\(stacks.map(\.name).joined(separator: ", ")) (\(environment.name))")
    }
}

/// Collects nodes and edges stack by stack; what several stacks share is kept aside and placed
/// at the top level once, sorted, at the end.
private struct TopologyBuilder {
    let stacks: [Stack]
    let changes: [String: [String: Diagram.Change]]
    let stackNames: Set<String>
    var edges: [Diagram.Edge] = []
    /// Nodes outside every stack, by identifier: shared networks, other stacks' services.
    var outside: [String: Diagram.Node] = [:]

    /// The node of each network a stack in the diagram creates, by its name on the engine, so a
    /// stack that joins it as an external network points at the same node.
    let createdNetworks: [String: String]

    init(stacks: [Stack], environment: Environment, changes: [String: [String: Diagram.Change]]) {
        self.stacks = stacks
        self.changes = changes
        self.stackNames = Set(stacks.map(\.name))
        var created: [String: String] = [:]
        for stack in stacks {
            let project = ComposeRenderer.projectName(stack: stack.name, environment: environment.name)
            for network in stack.networks where !network.isExternal {
                if let fixed = network.fixedName {
                    created[fixed] = DiagramIdentifier.make("net", "shared", fixed)
                } else {
                    created["\(project)_\(network.name)"] = DiagramIdentifier.make("net", stack.name, network.name)
                }
            }
        }
        self.createdNetworks = created
    }

    static func serviceID(_ stack: String, _ service: String) -> String {
        DiagramIdentifier.make("svc", stack, service)
    }

    mutating func diagram(title: String) -> Diagram {
        var top: [Diagram.Cluster] = []
        var hostIndex: [String: Int] = [:]
        for stack in stacks {
            let cluster = self.cluster(of: stack)
            guard let host = stack.host else {
                top.append(cluster)
                continue
            }
            if let index = hostIndex[host.name] {
                top[index].clusters.append(cluster)
            } else {
                hostIndex[host.name] = top.count
                let label = host.address.map { "host \(host.name) (\($0))" } ?? "host \(host.name)"
                top.append(
                    Diagram.Cluster(
                        id: DiagramIdentifier.make("host", host.name), label: label, kind: .host, clusters: [cluster]))
            }
        }
        let root = Diagram.Cluster(
            id: "berth", label: title, kind: .diagram, nodes: outside.keys.sorted().map { outside[$0]! },
            clusters: top)
        // A safety net for descriptions validation would refuse: an edge never points nowhere.
        let declared = Set(root.allNodes.map(\.id))
        var seen: Set<Diagram.Edge> = []
        let edges = edges.filter { declared.contains($0.from) && declared.contains($0.to) && seen.insert($0).inserted }
        return Diagram(title: title, root: root, edges: edges)
    }

    mutating func cluster(of stack: Stack) -> Diagram.Cluster {
        var nodes: [Diagram.Node] = []
        var declared: Set<String> = []
        func add(_ node: Diagram.Node) {
            if declared.insert(node.id).inserted { nodes.append(node) }
        }
        let stackChanges = changes[stack.name] ?? [:]
        let ownGateway = stack.gateway.flatMap { $0.owner == stack.name ? $0.service : nil }

        for service in stack.services {
            var lines = [service.name, imageLine(of: service)]
            if service.replicas != 1 { lines.append("× \(service.replicas)") }
            let change = stackChanges[service.name]
            if let change { lines.append(change.line) }
            add(
                Diagram.Node(
                    id: Self.serviceID(stack.name, service.name), lines: lines,
                    kind: service.name == ownGateway ? .gateway : .service, change: change))
        }
        // Services a plan removes are no longer described, but the diagram still shows them.
        let described = Set(stack.services.map(\.name))
        for name in stackChanges.keys.sorted() where !described.contains(name) {
            let change = stackChanges[name]!
            add(
                Diagram.Node(
                    id: Self.serviceID(stack.name, name), lines: [name, change.line], kind: .service, change: change))
        }

        // Networks: the stack's own in its box, shared ones outside.
        var networkIDs: [String: String] = [:]
        for network in stack.networks {
            if let externalName = network.externalName, let id = createdNetworks[externalName] {
                // Created by a stack in the diagram, which draws it.
                networkIDs[network.name] = id
            } else if let engineName = network.fixedName ?? network.externalName {
                let id = DiagramIdentifier.make("net", "shared", engineName)
                networkIDs[network.name] = id
                var lines = ["network \(engineName)"]
                if let owner = network.owner ?? (network.fixedName != nil ? stack.name : nil) {
                    lines.append("shared, created by \(owner)")
                } else {
                    lines.append("external")
                }
                if network.isInternal { lines.append("internal") }
                if outside[id] == nil || network.fixedName != nil {
                    outside[id] = Diagram.Node(id: id, lines: lines, kind: .network)
                }
            } else {
                let id = DiagramIdentifier.make("net", stack.name, network.name)
                networkIDs[network.name] = id
                add(
                    Diagram.Node(
                        id: id, lines: ["network \(network.name)"] + (network.isInternal ? ["internal"] : []),
                        kind: .network))
            }
        }

        var secretIDs: [String: String] = [:]
        for secret in stack.secrets {
            let id = DiagramIdentifier.make("sec", stack.name, secret.name)
            secretIDs[secret.name] = id
            add(Diagram.Node(id: id, lines: ["secret \(secret.name)", sourceLine(of: secret)], kind: .secret))
        }

        for service in stack.services {
            let serviceID = Self.serviceID(stack.name, service.name)
            for name in service.networks.isEmpty ? ["default"] : service.networks {
                let id = networkIDs[name] ?? DiagramIdentifier.make("net", stack.name, name)
                if networkIDs[name] == nil {
                    // The stack's default network, or one validation would report as undeclared.
                    networkIDs[name] = id
                    add(Diagram.Node(id: id, lines: ["network \(name)"], kind: .network))
                }
                edges.append(Diagram.Edge(from: serviceID, to: id, kind: .network))
            }
            for port in service.ports {
                guard let published = port.published else { continue }
                let address = hostAddress(port.hostIP ?? "0.0.0.0")
                let text = "\(address):\(published)/\(port.transport.rawValue)"
                let id = DiagramIdentifier.make("port", stack.name, service.name, text)
                add(Diagram.Node(id: id, lines: [text], kind: .port))
                edges.append(Diagram.Edge(from: id, to: serviceID, lines: [":\(port.target)"], kind: .port))
            }
            for mount in service.secrets {
                let id = secretIDs[mount.secret] ?? DiagramIdentifier.make("sec", stack.name, mount.secret)
                if secretIDs[mount.secret] == nil {
                    secretIDs[mount.secret] = id
                    add(Diagram.Node(id: id, lines: ["secret \(mount.secret)"], kind: .secret))
                }
                let lines = mount.target == mount.secret ? [] : [mount.path]
                edges.append(Diagram.Edge(from: id, to: serviceID, lines: lines, kind: .secret))
            }
            for dependency in service.dependencies where described.contains(dependency.service) {
                edges.append(
                    Diagram.Edge(
                        from: serviceID, to: Self.serviceID(stack.name, dependency.service),
                        lines: ["after \(dependency.condition.rawValue)"], kind: .dependency))
            }
            for use in service.addresses {
                let target = use.address
                let targetID = Self.serviceID(target.stack, target.service)
                if !stackNames.contains(target.stack) {
                    outside[targetID] = Diagram.Node(
                        id: targetID, lines: [target.service, "stack \(target.stack)"], kind: .external)
                }
                edges.append(
                    Diagram.Edge(
                        from: serviceID, to: targetID, lines: [use.variable, ":\(target.port)"], kind: .address))
            }
        }

        if let gateway = stack.gateway {
            let gatewayID = Self.serviceID(gateway.owner, gateway.service)
            if !stackNames.contains(gateway.owner) {
                outside[gatewayID] = Diagram.Node(
                    id: gatewayID, lines: [gateway.service, "\(gateway.kind) gateway of \(gateway.owner)"],
                    kind: .external)
            }
            for service in stack.services where !service.routes.isEmpty {
                edges.append(
                    Diagram.Edge(
                        from: gatewayID, to: Self.serviceID(stack.name, service.name),
                        lines: service.routes.map { "\($0.address) → :\($0.port)" }, kind: .route))
            }
        }

        return Diagram.Cluster(
            id: DiagramIdentifier.make("stack", stack.name), label: "stack \(stack.name)", kind: .stack, nodes: nodes)
    }

    private func imageLine(of service: Service) -> String {
        let reference = service.image.reference
        if service.build != nil { return reference.isEmpty ? "built by Berth" : "\(reference) (built)" }
        return reference
    }

    /// Where a secret's value comes from, by kind only: never a path, a variable's value or the
    /// value itself.
    private func sourceLine(of secret: Secret) -> String {
        switch secret.source {
        case .file: "from a file"
        case .environment: "from the deployer's environment"
        case .generated: "generated"
        case .external: "external"
        case .shared(let owner, _): "shared by \(owner)"
        }
    }

    /// An IPv6 address in brackets, so the port after it reads as a port.
    private func hostAddress(_ address: String) -> String {
        address.contains(":") ? "[\(address)]" : address
    }
}
