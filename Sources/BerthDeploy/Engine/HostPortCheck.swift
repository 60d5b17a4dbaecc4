import BerthCore
import BerthRendering

/// A host port the description publishes that a container outside the service already holds.
struct HostPortClaim: Sendable, Hashable {
    /// The host address (`0.0.0.0`, `::` or one address).
    var address: String
    /// The host port.
    var port: Int
    /// `tcp` or `udp`.
    var transport: String

    /// Whether two bindings cannot both exist: same port and protocol, and addresses that meet.
    func collides(with other: HostPortClaim) -> Bool {
        guard port == other.port, transport == other.transport else { return false }
        let wildcards: Set<String> = ["0.0.0.0", "::", ""]
        return address == other.address || wildcards.contains(address) || wildcards.contains(other.address)
    }

    /// Parses the `Ports` column of `docker ps`: `127.0.0.1:18080->8080/tcp, :::18080->8080/tcp`.
    static func parse(_ column: String) -> [HostPortClaim] {
        column.split(separator: ",").compactMap { entry -> HostPortClaim? in
            let parts = entry.trimmingCharacters(in: .whitespaces).components(separatedBy: "->")
            guard parts.count == 2, let colon = parts[0].lastIndex(of: ":") else { return nil }
            let address = String(parts[0][..<colon])
            let ports = parts[0][parts[0].index(after: colon)...]
            let transport = parts[1].split(separator: "/").last.map(String.init) ?? "tcp"
            // A range binds its first port here; ranges are rare and each port is listed when
            // Docker can.
            guard let port = Int(ports.split(separator: "-").first ?? "") else { return nil }
            return HostPortClaim(address: address, port: port, transport: transport)
        }
    }
}

extension DockerEngine {
    /// Checks that no container outside a service holds a host port the service publishes,
    /// so `up` fails before it changes anything instead of midway with "port is already
    /// allocated" and the service down.
    /// - Throws: ``EngineError`` naming every port, its holder and the fix.
    func checkHostPorts(of stack: Stack, for environment: Environment) async throws {
        let wanted = stack.services.flatMap { service in
            service.ports.filter(\.isPublished).map { port in
                (
                    service,
                    port,
                    HostPortClaim(
                        address: port.hostIP ?? "0.0.0.0", port: port.published!, transport: port.transport.rawValue)
                )
            }
        }
        guard !wanted.isEmpty else { return }
        let format = [
            "{{.Names}}", "{{.Ports}}", "{{.Label \"\(OwnershipLabel.stack)\"}}",
            "{{.Label \"\(OwnershipLabel.environment)\"}}", "{{.Label \"\(OwnershipLabel.service)\"}}",
        ].joined(separator: "\t")
        let rows = try await output(["ps", "--format", format]).split(whereSeparator: \.isNewline)
        var problems: [String] = []
        for row in rows {
            let columns = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count == 5 else { continue }
            let (name, holderStack, holderEnvironment, holderService) = (columns[0], columns[2], columns[3], columns[4])
            for claim in HostPortClaim.parse(columns[1]) {
                for (service, port, want) in wanted where want.collides(with: claim) {
                    // The service's own containers give the port up when they are replaced.
                    if holderStack == stack.name && holderEnvironment == environment.name
                        && holderService == service.name
                    {
                        continue
                    }
                    let owner =
                        holderStack.isEmpty
                        ? "container \(name), which Berth did not create"
                        : "container \(name) of stack \(holderStack) (\(holderEnvironment)), service \(holderService)"
                    problems.append(
                        "\(port.location): service '\(service.name)' publishes \(want.address):\(want.port)/\(want.transport), which \(owner) already holds. Publish another host port, or stop that container first."
                    )
                }
            }
        }
        guard problems.isEmpty else {
            throw EngineError(
                "Cannot deploy \(stack.name) (\(environment.name)) on \(target): host ports are taken; nothing was changed.\n"
                    + Array(Set(problems)).sorted().map { "  " + $0 }.joined(separator: "\n"))
        }
    }
}
