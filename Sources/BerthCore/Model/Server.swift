/// A server (a host) a deployment places stacks on, such as the `core` and `edge` servers of a product
/// split over two VMs.
///
/// ```swift
/// let core = Server("core", engine: "ssh://deploy@core.example.com", address: "10.0.0.2")
/// let edge = Server("edge", engine: "ssh://deploy@edge.example.com", address: "10.0.0.3")
/// ```
/// `engine` is how Berth reaches the host's Docker engine: an address the Docker CLI accepts
/// (`ssh://user@host[:port]`, `tcp://…`, `unix:///…`), or `context:NAME` for a docker context.
/// Without it the host is the engine the command targets (`--context`, `DOCKER_HOST`).
/// `address` is where the other hosts reach this one, which a ``ServiceAddress`` resolves to.
public struct Server: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The name `--host` takes and output is grouped by.
    public var name: String
    /// How Berth reaches the host's engine; `nil` for the engine the command targets.
    public var engine: String?
    /// The address other hosts reach this one at (an IP address or a DNS name).
    public var address: String?
    /// Where the user declared the host.
    public var location: SourceLocation

    /// Declares a host.
    /// - Parameters:
    ///   - name: Lowercase letters, digits and `-`.
    ///   - engine: `ssh://user@host[:port]`, `tcp://…`, `unix:///…` or `context:NAME`.
    ///   - address: Where other hosts reach it, for the addresses of its services.
    public init(
        _ name: String, engine: String? = nil, address: String? = nil, fileID: String = #fileID, line: Int = #line
    ) {
        self.name = name
        self.engine = engine
        self.address = address
        self.location = SourceLocation(fileID: fileID, line: line)
    }

    /// The docker context named by `engine` (`context:NAME`), if it names one.
    public var contextName: String? {
        guard let engine, engine.hasPrefix("context:") else { return nil }
        return String(engine.dropFirst("context:".count))
    }

    public var description: String { name }
}

/// The published address of a service in a stack on another host: what a stack on one host
/// uses to reach a service on another.
///
/// Take it from the stack that runs the service, and hand it to a service of another stack:
/// ```swift
/// let coreStack = Stack("shop-core", on: core) { app.publish(8000, on: 8000, hostIP: "10.0.0.2") }
/// let api = coreStack.address(of: "app", port: 8000)
/// let edgeStack = Stack("shop-edge", on: edge) {
///     Service("gateway", image: "nginx:1.27").environment("UPSTREAM", api)
/// }
/// ```
/// The handle carries what validation needs: a handle to a port the service does not publish,
/// or one bound to loopback only and used from another host, is an error at the line that
/// uses it; stacks that use a handle are deployed after the stack it points into.
public struct ServiceAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The stack that runs the service.
    public var stack: String
    /// The host that stack is placed on.
    public var host: Server?
    /// The service.
    public var service: String
    /// The port inside the container.
    public var port: Int
    /// The host port it is published on, if it is.
    public var publishedPort: Int?
    /// The host address the published port binds to.
    public var bindAddress: String?
    /// Whether the service exists in the stack.
    public var serviceExists: Bool
    /// The scheme and path a URL form adds (`http`, `/api`).
    public var scheme: String?
    /// The path a URL form adds.
    public var path: String
    /// Where the user took the handle.
    public var location: SourceLocation

    /// The address as `host:port`, or as a URL when a scheme was asked for; unresolvable parts
    /// (an unpublished port, a host without an address) are left for validation to report.
    public var value: String {
        let hostPart = bindAddress.flatMap { Self.isWildcard($0) ? nil : $0 } ?? host?.address ?? "unresolved"
        let authority = "\(hostPart):\(publishedPort.map(String.init) ?? "unpublished")"
        guard let scheme else { return authority }
        return "\(scheme)://\(authority)\(path)"
    }

    /// The same address as a URL: `http://10.0.0.2:8000/api`.
    public func url(scheme: String = "http", path: String = "") -> ServiceAddress {
        var copy = self
        copy.scheme = scheme
        copy.path = path
        return copy
    }

    /// Whether the published port listens on loopback only, unreachable from another machine.
    public var isLoopbackOnly: Bool {
        guard publishedPort != nil else { return false }
        guard let bindAddress else { return true }
        return bindAddress.hasPrefix("127.") || bindAddress == "::1" || bindAddress == "localhost"
    }

    static func isWildcard(_ address: String) -> Bool { address == "0.0.0.0" || address == "::" }

    public var description: String { "\(stack)/\(service):\(port)" }
}

/// A service's use of another stack's ``ServiceAddress``, recorded where it is written so
/// validation can point at that line.
public struct AddressUse: Sendable, Hashable, Codable {
    /// The environment variable that holds it.
    public var variable: String
    /// The address.
    public var address: ServiceAddress
    /// Where the user wrote the use.
    public var location: SourceLocation
}

extension Stack {
    /// The published address of one of this stack's services, for stacks on other hosts.
    /// - Parameters:
    ///   - service: The service's name.
    ///   - port: The port inside the container; it must be published.
    public func address(of service: String, port: Int, fileID: String = #fileID, line: Int = #line)
        -> ServiceAddress
    {
        let described = self.service(named: service)
        let published = described?.ports.first { $0.target == port && $0.published != nil && $0.transport == .tcp }
        return ServiceAddress(
            stack: name, host: host, service: service, port: port, publishedPort: published?.published,
            bindAddress: published.map { $0.hostIP ?? "127.0.0.1" }, serviceExists: described != nil, scheme: nil,
            path: "", location: SourceLocation(fileID: fileID, line: line))
    }
}

extension Service {
    /// Sets an environment variable to the address of a service in another stack
    /// (`10.0.0.2:8000`, or a URL from ``ServiceAddress/url(scheme:path:)``), and records the use
    /// so validation checks it and `up` deploys that stack first.
    public func environment(
        _ key: String, _ address: ServiceAddress, fileID: String = #fileID, line: Int = #line
    ) -> Service {
        let location = SourceLocation(fileID: fileID, line: line)
        var copy = environment(key, .literal(address.value), fileID: fileID, line: line)
        copy.addresses.append(AddressUse(variable: key, address: address, location: location))
        return copy
    }
}
