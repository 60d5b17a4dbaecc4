/// A named volume: storage the engine keeps across container replacements.
public struct Volume: Sendable, Hashable, Codable {
    /// The name mounts refer to.
    public var name: String
    /// The real name of a volume that exists outside this stack, if it does.
    public var externalName: String?
    /// Where the user declared the volume.
    public var location: SourceLocation

    /// Declares a named volume created with the stack.
    public init(_ name: String, fileID: String = #fileID, line: Int = #line) {
        self.name = name
        self.externalName = nil
        self.location = SourceLocation(fileID: fileID, line: line)
    }

    /// Refers to a volume that already exists on the engine.
    public static func external(
        _ name: String,
        realName: String? = nil,
        fileID: String = #fileID,
        line: Int = #line
    ) -> Volume {
        var volume = Volume(name, fileID: fileID, line: line)
        volume.externalName = realName ?? name
        return volume
    }
}

/// Where a service sees storage inside its file system.
public struct Mount: Sendable, Hashable, Codable {
    /// What is mounted.
    public enum Source: Sendable, Hashable, Codable {
        /// A named volume declared in the stack.
        case volume(String)
        /// A path on the deployer's host, relative to the package directory or absolute.
        case bind(String)
        /// Memory-backed storage, optionally limited in bytes.
        case tmpfs(sizeBytes: Int?)
    }

    /// What is mounted.
    public var source: Source
    /// The absolute path inside the container.
    public var target: String
    /// Whether the service may only read.
    public var isReadOnly: Bool
    /// Where the user declared the mount.
    public var location: SourceLocation

    /// Creates a mount.
    public init(source: Source, target: String, isReadOnly: Bool, location: SourceLocation) {
        self.source = source
        self.target = target
        self.isReadOnly = isReadOnly
        self.location = location
    }
}
