/// How Berth replaces a service's containers on Docker Compose, and why.
///
/// Compose itself always stops the old container before it starts the new one, so every update
/// of a service behind a gateway drops requests. Berth drives the update itself instead:
/// - **Start-first** (the default where it is safe): the new containers start beside the old
///   ones; once every new one is running and healthy the gateway sends requests to them alone,
///   the old ones are given a moment to finish what they are answering and are then stopped
///   with the service's stop grace period. If a new container fails, the old ones never stopped
///   serving, and the new ones are removed.
/// - **Stop-first**: the old containers stop, then the new ones start. Berth chooses it for a
///   service that cannot run twice: one that publishes a host port (only one container can bind
///   it) or writes to a volume or host path (two database processes on one data directory
///   corrupt it). A service can also ask for it with ``Service/update(order:)``.
public struct UpdateStrategy: Sendable, Hashable, Codable {
    /// Which copy goes first.
    public var order: UpdatePolicy.Order
    /// Why, in words a plan can print: "publishes host port 8080".
    public var reason: String

    /// Creates a strategy.
    public init(order: UpdatePolicy.Order, reason: String) {
        self.order = order
        self.reason = reason
    }

    /// The strategy a service gets on Compose.
    ///
    /// A service that cannot run twice is updated stop-first even when it asks for start-first:
    /// a second container could not start at all (a host port) or would damage its data.
    public static func compose(for service: Service) -> UpdateStrategy {
        if let port = service.ports.first(where: \.isPublished) {
            return UpdateStrategy(
                order: .stopFirst,
                reason: "publishes host port \(port.published!), which one container at a time can bind")
        }
        switch DeployPolicy.stateMount(of: service)?.source {
        case .volume(let name)?:
            return UpdateStrategy(order: .stopFirst, reason: "writes to volume '\(name)', which one process must own")
        case .bind(let path)?:
            return UpdateStrategy(order: .stopFirst, reason: "writes to \(path), which one process must own")
        case .tmpfs?, nil:
            break
        }
        if service.schedule != nil {
            return UpdateStrategy(order: .stopFirst, reason: "it is a job, whose runs must never overlap")
        }
        switch service.updateOrder ?? service.deploy.update?.order {
        case .stopFirst?:
            return UpdateStrategy(order: .stopFirst, reason: "its update order is stop-first")
        case .startFirst?, nil:
            return UpdateStrategy(
                order: .startFirst, reason: "the new containers run beside the old until they are ready")
        }
    }
}
