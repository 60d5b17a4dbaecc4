/// What an application's `Deploy` target hands to Berth: its stacks, described per environment.
///
/// One stack on one engine:
/// ```swift
/// let deployment = Deployment(environments: [.dev, .prod]) { environment in
///     Stack("hello") { … }
/// }
/// ```
/// Several stacks, each placed on a ``Server``, one using another's ``ServiceAddress``:
/// ```swift
/// let deployment = Deployment(environments: [.prod]) { environment in
///     let core = Stack("shop-core", on: coreHost) { … }
///     let edge = Stack("shop-edge", on: edgeHost) {
///         gateway.environment("UPSTREAM", core.address(of: "app", port: 8000))
///     }
///     return [core, edge]
/// }
/// ```
/// `plan`, `up`, `status` and `down` act on every stack, in dependency order (a stack after
/// the stacks whose addresses it uses on `up`, the reverse on `down`), or on one host with
/// `--host NAME`.
public struct Deployment: Sendable {
    /// The environments the stacks can be deployed to; `--env` picks one of them.
    public var environments: [Environment]
    /// Builds the stacks for an environment, in the order written.
    public var stacks: @Sendable (Environment) -> [Stack]

    /// Creates a deployment of one stack.
    /// - Parameters:
    ///   - environments: The environments `--env` accepts; the first is the default.
    ///   - describe: Builds the stack for an environment.
    public init(
        environments: [Environment] = [.dev, .stg, .prod], describe: @escaping @Sendable (Environment) -> Stack
    ) {
        self.init(environments: environments, stacks: { [describe($0)] })
    }

    /// Creates a deployment of several stacks, placed on hosts.
    /// - Parameters:
    ///   - environments: The environments `--env` accepts; the first is the default.
    ///   - stacks: Builds the stacks for an environment.
    public init(
        environments: [Environment] = [.dev, .stg, .prod], stacks: @escaping @Sendable (Environment) -> [Stack]
    ) {
        precondition(!environments.isEmpty, "A deployment needs at least one environment.")
        self.environments = environments
        // Scheduled backups are jobs of their stack: every command plans and deploys them.
        self.stacks = { environment in stacks(environment).map { $0.schedulingBackups(for: environment) } }
    }

    /// The first stack for an environment: the stack of a one-stack deployment.
    public func describe(_ environment: Environment) -> Stack {
        stacks(environment)[0]
    }

    /// The environment with a name, if the deployment has one.
    public func environment(named name: String) -> Environment? {
        environments.first { $0.name == name }
    }
}
