/// A stack: the services, networks, volumes, secrets and configs deployed together under one
/// name.
///
/// Describe a stack with a result builder. Services, networks and the rest can be mixed in any
/// order, split into computed properties or functions, and chosen with `if` and `for`:
/// ```swift
/// Stack("shop") {
///     Network("backend", internal: true)
///     Secret.generated("session_key")
///     web
///     if environment.isProduction { monitoring }
/// }
/// ```
public struct Stack: Sendable, Hashable, Codable {
    /// The stack's name; with the environment it names the Compose project (`shop-prod`).
    public var name: String
    /// The services, in the order written.
    public var services: [Service] = []
    /// The networks, in the order written.
    public var networks: [Network] = []
    /// The named volumes, in the order written.
    public var volumes: [Volume] = []
    /// The secrets, in the order written.
    public var secrets: [Secret] = []
    /// The configs, in the order written.
    public var configs: [Config] = []
    /// The gateway its routes go through, if it has one.
    public var gateway: Gateway?
    /// Where the user wrote the gateway.
    public var gatewayLocation: SourceLocation?
    /// Where the user declared the stack.
    public var location: SourceLocation

    /// Declares a stack.
    /// - Parameters:
    ///   - name: Lowercase letters, digits, `-` and `_`, starting with a letter or digit.
    ///   - content: The stack's elements.
    public init(
        _ name: String,
        fileID: String = #fileID,
        line: Int = #line,
        @StackBuilder content: () -> [StackElement]
    ) {
        self.name = name
        self.location = SourceLocation(fileID: fileID, line: line)
        for element in content() {
            add(element)
        }
        // A gateway brings its network: every routed service joins it.
        if let gateway, !networks.contains(where: { $0.name == gateway.network.name }) {
            networks.append(gateway.network.network(in: name, location: gatewayLocation ?? location))
        }
    }

    private mutating func add(_ element: StackElement) {
        switch element {
        case .service(let service): services.append(service)
        case .network(let network): networks.append(network)
        case .volume(let volume): volumes.append(volume)
        case .secret(let secret): secrets.append(secret)
        case .config(let config): configs.append(config)
        case .sharedNetwork(let shared, let location): networks.append(shared.network(in: name, location: location))
        case .gateway(let gateway, let location):
            self.gateway = gateway
            gatewayLocation = location
        case .group(let elements):
            for element in elements { add(element) }
        }
    }

    /// The service with a name, if the stack has one.
    public func service(named name: String) -> Service? {
        services.first { $0.name == name }
    }
}

/// One element of a stack, as the ``StackBuilder`` collects them.
public enum StackElement: Sendable, Hashable {
    case service(Service)
    case network(Network)
    case volume(Volume)
    case secret(Secret)
    case config(Config)
    /// A network of the shared infrastructure: created by its owner, joined by the others.
    case sharedNetwork(SharedNetwork, SourceLocation)
    /// The gateway the stack's routes go through.
    case gateway(Gateway, SourceLocation)
    case group([StackElement])
}
