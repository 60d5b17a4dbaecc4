/// The labels Berth puts on everything it creates, so live state can be read back, compared
/// with the description and cleaned up without touching anything else on the engine.
public enum OwnershipLabel {
    /// The stack's name.
    public static let stack = "berth.stack"
    /// The environment's name.
    public static let environment = "berth.environment"
    /// The service's name in the stack.
    public static let service = "berth.service"
    /// A hash of the service's whole rendered configuration: equal hashes, nothing to change.
    public static let configHash = "berth.config-hash"
    /// Short hashes of each top-level field of the service, so a plan can say which fields
    /// changed without storing the previous configuration anywhere.
    public static let fieldHashes = "berth.field-hashes"

    /// Every key above; a user label with one of them is refused, not silently duplicated.
    /// The versions of the secrets the service reads (`name=version,…`): keyed hashes of their
    /// values, so a changed secret recreates exactly the services that read it.
    public static let secretVersions = "berth.secret-versions"
    /// The service's routes through the stack's gateway, as ``RouteLabel`` writes them.
    public static let routes = "berth.routes"
    public static let all: Set<String> = [stack, environment, service, configHash, fieldHashes, secretVersions, routes]

    /// Reads a label of `key=value` pairs joined by commas, as ``fieldHashes`` and
    /// ``secretVersions`` are written.
    public static func pairs(_ value: String) -> [String: String] {
        var pairs: [String: String] = [:]
        for pair in value.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { pairs[String(parts[0])] = String(parts[1]) }
        }
        return pairs
    }
}
