/// What a service's processes may do beyond an ordinary process: Berth's defaults, and how a
/// service asks for more.
///
/// By default every service runs with **no capability** (`cap_drop: [ALL]`) and **without
/// gaining privileges** through setuid programs (`no-new-privileges`), as the CIS Docker
/// Benchmark and OWASP advise. The capabilities an image is known to need come back by
/// themselves: PostgreSQL's, MySQL's and Redis's entrypoints change to their own user, nginx's
/// master starts its workers as another user (``CapabilitySet/forImage(_:)``). A service asks
/// for more with ``Service/capabilities(_:)``, or keeps the engine's defaults with
/// ``Service/engineDefaultPrivileges()``.
public struct CapabilitySet: Sendable, Hashable, Codable, ExpressibleByArrayLiteral {
    /// The capabilities, without the `CAP_` prefix (`CHOWN`, `NET_ADMIN`).
    public var names: [String]

    /// A set of capabilities.
    public init(_ names: [String]) {
        self.names = names
    }

    public init(arrayLiteral names: String...) {
        self.init(names)
    }

    /// Official PostgreSQL images (and pgvector, PostGIS, TimescaleDB): the entrypoint sets the
    /// data folder's owner and changes to the `postgres` user.
    public static let postgres: CapabilitySet = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"]
    /// Official MySQL and MariaDB images: as PostgreSQL's.
    public static let mysql: CapabilitySet = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"]
    /// Official Redis and Valkey images: the entrypoint changes to the `redis` user.
    public static let redis: CapabilitySet = ["CHOWN", "SETGID", "SETUID"]
    /// nginx: the master process, root, starts its workers as another user and owns its
    /// temporary folders.
    public static let nginx: CapabilitySet = ["CHOWN", "DAC_OVERRIDE", "SETGID", "SETUID"]
    /// MongoDB, RabbitMQ: as Redis's.
    public static let changesUser: CapabilitySet = ["CHOWN", "DAC_OVERRIDE", "SETGID", "SETUID"]

    /// The capabilities an image is known to need, by its repository's last component
    /// (`postgres`, `library/nginx`, `pgvector/pgvector`); empty for any other image.
    public static func forImage(_ image: Image) -> CapabilitySet {
        let reference = image.reference
        let withoutDigest = reference.split(separator: "@").first.map(String.init) ?? reference
        var name = withoutDigest.split(separator: "/").last.map(String.init) ?? withoutDigest
        if let colon = name.firstIndex(of: ":") { name = String(name[..<colon]) }
        switch name.lowercased() {
        case "postgres", "pgvector", "postgis", "timescaledb", "pgvecto-rs": return .postgres
        case "mysql", "mariadb", "percona": return .mysql
        case "redis", "valkey", "redis-stack-server": return .redis
        case "nginx", "openresty", "nginx-unprivileged": return .nginx
        case "mongo", "rabbitmq": return .changesUser
        default: return []
        }
    }
}

extension Service {
    /// Gives the service capabilities back, beside those its image is known to need (for
    /// example `["NET_ADMIN"]` for a VPN client, `["NET_BIND_SERVICE"]` for a program that
    /// checks for it before binding a low port).
    public func capabilities(_ added: CapabilitySet) -> Service {
        var copy = self
        copy.addedCapabilities.append(contentsOf: added.names.filter { !copy.addedCapabilities.contains($0) })
        return copy
    }

    /// Runs the service with the engine's default capabilities and lets it gain privileges,
    /// as Docker does by default: for an image that needs more than ``capabilities(_:)`` can
    /// name. Prefer naming the capabilities.
    public func engineDefaultPrivileges() -> Service {
        var copy = self
        copy.keepsEngineDefaultPrivileges = true
        return copy
    }

    /// The capabilities the service runs with, `nil` for the engine's defaults: its image's
    /// (``CapabilitySet/forImage(_:)``) and those it added, sorted.
    public var effectiveCapabilities: [String]? {
        guard !keepsEngineDefaultPrivileges else { return nil }
        return Array(Set(CapabilitySet.forImage(image).names + addedCapabilities)).sorted()
    }
}
