/// What an application's `Deploy` target hands to Berth: its stack, described per environment.
///
/// ```swift
/// let deployment = Deployment(environments: [.dev, .prod]) { environment in
///     Stack("hello") { … }
/// }
/// ```
public struct Deployment: Sendable {
    /// The environments the stack can be deployed to; `--env` picks one of them.
    public var environments: [Environment]
    /// Builds the stack for an environment.
    public var describe: @Sendable (Environment) -> Stack

    /// Creates a deployment.
    /// - Parameters:
    ///   - environments: The environments `--env` accepts; the first is the default.
    ///   - describe: Builds the stack for an environment.
    public init(
        environments: [Environment] = [.dev, .stg, .prod], describe: @escaping @Sendable (Environment) -> Stack
    ) {
        precondition(!environments.isEmpty, "A deployment needs at least one environment.")
        self.environments = environments
        self.describe = describe
    }

    /// The environment with a name, if the deployment has one.
    public func environment(named name: String) -> Environment? {
        environments.first { $0.name == name }
    }
}
