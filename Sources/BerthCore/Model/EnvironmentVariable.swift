/// One variable of a service's environment.
public struct EnvironmentVariable: Sendable, Hashable, Codable {
    /// The value of a variable.
    public enum Value: Sendable, Hashable, Codable {
        /// Text passed as written: a `$` stays a `$`.
        case literal(String)
        /// Text the deployer's environment completes at deploy time, in Compose's syntax
        /// (`${TAG:-latest}`); only written on purpose, never inferred.
        case interpolated(String)
        /// A value its author marked as secret; validation rejects it and says to use a
        /// ``Secret``.
        case sensitive(String)
        /// Text passed as written that validation would take for a credential (a key named
        /// `*_TOKEN`, a URL with a password) but that is none: a password a `nopass` user
        /// ignores, a public key. Saying so is the way past `secret-in-environment`, visible in
        /// review where it is written.
        case notSecret(String)
        /// Text with secrets in it (a connection URL), composed in the container when it
        /// starts: see ``SecretTemplate``.
        case composed(SecretTemplate)
    }

    /// The variable's name.
    public var key: String
    /// Its value.
    public var value: Value
    /// Where the user declared the variable.
    public var location: SourceLocation
    /// The ``EnvironmentGroup`` the variable came from, or `nil` for one the service sets
    /// itself; a service's own variable overrides a group's with the same key.
    ///
    /// Optional so that release histories recorded before groups existed still decode, and
    /// never rendered, so it changes no configuration hash.
    public var group: String?

    /// Creates a variable.
    public init(key: String, value: Value, location: SourceLocation, group: String? = nil) {
        self.key = key
        self.value = value
        self.location = location
        self.group = group
    }
}
