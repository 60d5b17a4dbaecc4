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
    }

    /// The variable's name.
    public var key: String
    /// Its value.
    public var value: Value
    /// Where the user declared the variable.
    public var location: SourceLocation

    /// Creates a variable.
    public init(key: String, value: Value, location: SourceLocation) {
        self.key = key
        self.value = value
        self.location = location
    }
}
