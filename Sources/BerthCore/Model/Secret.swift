/// A secret: a value services read from a file under `/run/secrets/`, never from an
/// environment variable, a rendered file or a command line.
public struct Secret: Sendable, Hashable, Codable {
    /// Where the secret's value comes from.
    public enum Source: Sendable, Hashable, Codable {
        /// A file on the deployer's machine, relative to the package directory or absolute.
        case file(String)
        /// A variable of the deployer's environment, read at deploy time.
        case environment(String)
        /// A random value generated once with a cryptographic source and then reused.
        ///
        /// - Parameters:
        ///   - length: The number of characters.
        ///   - alphabet: The characters to draw from.
        case generated(length: Int, alphabet: Alphabet)
        /// A secret that already exists on the engine, managed elsewhere.
        case external(String)
        /// The current version of a secret another stack of the same environment creates (a
        /// ``SharedSecret`` of the shared infrastructure); Swarm only, since Compose keeps no
        /// secrets on the engine.
        case shared(owner: String, name: String)
    }

    /// The characters a generated secret is drawn from.
    public enum Alphabet: String, Sendable, Hashable, Codable {
        /// `A–Z a–z 0–9`: safe in URLs, connection strings and shells.
        case alphanumeric
        /// `0–9 a–f`.
        case hexadecimal
        /// Alphanumerics and punctuation that needs no quoting in URLs: `-._~`.
        case urlSafe

        /// The characters, in a fixed order.
        public var characters: [Character] {
            let digits = Array("0123456789")
            let lower = Array("abcdefghijklmnopqrstuvwxyz")
            let upper = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            switch self {
            case .alphanumeric: return upper + lower + digits
            case .hexadecimal: return digits + Array("abcdef")
            case .urlSafe: return upper + lower + digits + Array("-._~")
            }
        }
    }

    /// The name services refer to.
    public var name: String
    /// Where the value comes from.
    public var source: Source
    /// Where the user declared the secret.
    public var location: SourceLocation
    /// The service whose data keeps a copy of the value, set with ``keptBy(_:)``.
    public var keptBy: String?
    /// Whether a deploy goes on without the secret when its source is missing (``optional()``).
    public var isOptional: Bool { optionalSource ?? false }
    /// Stored as optional so that descriptions recorded before optional secrets still decode.
    var optionalSource: Bool?

    /// Declares a secret.
    public init(_ name: String, _ source: Source, fileID: String = #fileID, line: Int = #line) {
        self.name = name
        self.source = source
        self.location = SourceLocation(fileID: fileID, line: line)
    }

    /// Declares a secret generated once, at the first deploy, and reused afterwards.
    public static func generated(
        _ name: String,
        length: Int = 32,
        alphabet: Alphabet = .alphanumeric,
        fileID: String = #fileID,
        line: Int = #line
    ) -> Secret {
        Secret(name, .generated(length: length, alphabet: alphabet), fileID: fileID, line: line)
    }

    /// Declares that a service keeps the value in its data, so that a new value of the secret
    /// does not reach it by itself.
    ///
    /// Some images read a secret only once, when they initialise their data: PostgreSQL sets
    /// the password from `POSTGRES_PASSWORD_FILE` when its data folder is empty, and keeps that
    /// password in the data afterwards. Rotating such a secret gives the services that read it
    /// a new value while the database still expects the old one, until the password is changed
    /// inside the database as well. Declaring it lets Berth say so (``rotationWarning``):
    /// ```swift
    /// Secret.generated("db_password").keptBy("db")
    /// ```
    /// - Parameter service: The name of the service whose data holds the value.
    public func keptBy(_ service: String) -> Secret {
        var copy = self
        copy.keptBy = service
        return copy
    }

    /// Makes the secret optional: when its file or environment variable is missing at deploy
    /// time, the stack deploys without it. Services that mount it get no file (and no
    /// `*_FILE` variable), and variables composed from it are not set, so an application that
    /// handles its absence (an optional error-reporting DSN) starts as it would without the
    /// feature; `up` says which secrets it went without. Only secrets read from a file or an
    /// environment variable can be optional.
    public func optional() -> Secret {
        var copy = self
        copy.optionalSource = true
        return copy
    }

    /// What to tell whoever rotates this secret, when a service keeps its value in its data;
    /// `nil` otherwise.
    public var rotationWarning: String? {
        keptBy.map { service in
            "Service '\(service)' keeps the value of secret '\(name)' in its data (a database sets its password "
                + "only when it is first initialised): the new value reaches the services that read the secret, "
                + "but not what '\(service)' holds. Change the value inside '\(service)' too (for PostgreSQL: "
                + "ALTER USER … PASSWORD), or '\(service)' will refuse the services that use the new value."
        }
    }
}

/// A secret made visible to a service as a file.
public struct SecretMount: Sendable, Hashable, Codable {
    /// The secret's name in the stack.
    public var secret: String
    /// The file name under `/run/secrets/`.
    public var target: String
    /// The environment key that receives the file's path (`DB_PASSWORD_FILE`), if any.
    public var pathVariable: String?
    /// Where the user declared the mount.
    public var location: SourceLocation

    /// Creates a secret mount.
    public init(secret: String, target: String, pathVariable: String?, location: SourceLocation) {
        self.secret = secret
        self.target = target
        self.pathVariable = pathVariable
        self.location = location
    }

    /// The absolute path the service reads.
    public var path: String { "/run/secrets/" + target }
}
