import BerthCore

/// A Prometheus exporter for a database the stack runs: its own service beside the database,
/// on the database's networks, scraped with the database's name as its `service` label.
public struct Exporter: Sendable, Hashable {
    /// The exporter's service name: the database's, with `-exporter`.
    public var name: String
    /// The service it watches.
    public var target: String
    public var image: Image
    /// The port it serves metrics on.
    public var port: Int
    var environment: [String: String]
    /// The secret holding the database's password, mounted and named by a `*_FILE` variable.
    var passwordSecret: (name: String, variable: String)?
    /// Its limits.
    public var resources: Resources
    public var location: SourceLocation

    /// The limits an exporter gets unless it is given others: a few megabytes of state and
    /// one scrape at a time.
    public static let defaultResources = Resources(cpuLimit: 0.25, memoryLimit: "128m")

    public static func == (lhs: Exporter, rhs: Exporter) -> Bool {
        lhs.name == rhs.name && lhs.target == rhs.target && lhs.image == rhs.image && lhs.port == rhs.port
            && lhs.environment == rhs.environment && lhs.passwordSecret?.name == rhs.passwordSecret?.name
            && lhs.resources == rhs.resources && lhs.location == rhs.location
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(target)
    }

    /// postgres_exporter for PostgreSQL service `service`; the password is read from a secret's
    /// file (`DATA_SOURCE_PASS_FILE`), never from the environment.
    public static func postgres(
        _ service: String, user: String = "postgres", database: String = "postgres", passwordSecret: String,
        image: Image = "quay.io/prometheuscommunity/postgres-exporter:v0.15.0",
        resources: Resources = Exporter.defaultResources, fileID: String = #fileID, line: Int = #line
    ) -> Exporter {
        Exporter(
            name: "\(service)-exporter", target: service, image: image, port: 9187,
            environment: [
                "DATA_SOURCE_URI": "\(service):5432/\(database)?sslmode=disable", "DATA_SOURCE_USER": user,
            ],
            passwordSecret: (passwordSecret, "DATA_SOURCE_PASS_FILE"), resources: resources,
            location: SourceLocation(fileID: fileID, line: line))
    }

    /// redis_exporter for Redis service `service`; with a password secret, read from its file
    /// (`REDIS_PASSWORD_FILE`).
    public static func redis(
        _ service: String, passwordSecret: String? = nil, image: Image = "oliver006/redis_exporter:v1.62.0",
        resources: Resources = Exporter.defaultResources, fileID: String = #fileID, line: Int = #line
    ) -> Exporter {
        Exporter(
            name: "\(service)-exporter", target: service, image: image, port: 9121,
            environment: ["REDIS_ADDR": "redis://\(service):6379"],
            passwordSecret: passwordSecret.map { ($0, "REDIS_PASSWORD_FILE") }, resources: resources,
            location: SourceLocation(fileID: fileID, line: line))
    }

    /// The exporter's service, on `networks` (its database's).
    func service(networks: [String]) -> Service {
        var service = Service(name, image: image).expose(port)
        for key in environment.keys.sorted() {
            service = service.environment(key, environment[key]!)
        }
        if let secret = passwordSecret {
            service = service.secret(secret.name, pathVariable: secret.variable)
        }
        service.networks = networks
        service.resources = resources
        service.location = location
        return service
    }
}
