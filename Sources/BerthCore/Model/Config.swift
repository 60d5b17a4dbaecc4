/// A configuration file given to services, read-only, at a path of their choosing.
///
/// Unlike a ``Secret``, a config's content may appear in rendered files and logs.
public struct Config: Sendable, Hashable, Codable {
    /// Where the content comes from.
    public enum Source: Sendable, Hashable, Codable {
        /// A file on the deployer's machine, relative to the package directory or absolute.
        case file(String)
        /// Content written in Swift.
        case content(String)
    }

    /// The name services refer to.
    public var name: String
    /// Where the content comes from.
    public var source: Source
    /// Where the user declared the config.
    public var location: SourceLocation

    /// Declares a config.
    public init(_ name: String, _ source: Source, fileID: String = #fileID, line: Int = #line) {
        self.name = name
        self.source = source
        self.location = SourceLocation(fileID: fileID, line: line)
    }
}

/// A config made visible to a service as a file.
public struct ConfigMount: Sendable, Hashable, Codable {
    /// The config's name in the stack.
    public var config: String
    /// The absolute path inside the container.
    public var target: String
    /// Where the user declared the mount.
    public var location: SourceLocation

    /// Creates a config mount.
    public init(config: String, target: String, location: SourceLocation) {
        self.config = config
        self.target = target
        self.location = location
    }
}
