/// The environment a stack is described for: `dev`, `stg`, `prod`, or one the team names.
///
/// A stack is a function of its environment, so replicas, resources, image tags and hostnames
/// can differ between environments while the shape stays the same. The command line selects
/// one with `--env NAME`.
public struct Environment: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The name used on the command line, in labels and in the rendered paths.
    public var name: String
    /// Whether mistakes that are warnings elsewhere are errors here (an image without a tag).
    public var isProduction: Bool

    /// Creates an environment.
    /// - Parameters:
    ///   - name: A lowercase name such as `qa`; it becomes part of the Compose project name.
    ///   - isProduction: Whether this environment serves real users.
    public init(_ name: String, isProduction: Bool = false) {
        self.name = name
        self.isProduction = isProduction
    }

    /// Development, usually one machine.
    public static let dev = Environment("dev")
    /// Staging: production's shape with test data.
    public static let stg = Environment("stg")
    /// Production: the strictest validation.
    public static let prod = Environment("prod", isProduction: true)

    public var description: String { name }
}
