import BerthCompose
import BerthCore
import Foundation

/// One way of running stacks on a Docker engine: Docker Compose or Docker Swarm.
///
/// The command tree talks to this protocol only; ``Orchestrators/make(for:engine:workspace:)``
/// is the one place that chooses an implementation. `up` is ``plan(_:)``'s comparison applied
/// and waited for, from a stack validated and rendered once by ``prepare(_:for:)``.
///
/// ## Implementation guidance
/// - ``prepare(_:for:)`` validates and renders without touching the engine or writing a file, and
///   throws ``ValidationFailure`` with every error; a command never reaches the engine with an
///   invalid stack.
/// - ``up(_:timeout:rotating:)`` changes only what ``plan(_:)`` reports, and returns once every
///   service is ready and the stack's nginx gateway serves its routes (``GatewaySync``), or
///   throws ``DeployFailure`` naming the service and the reason.
/// - Everything created carries Berth's ownership labels, so ``down(stack:environment:removeVolumes:)``
///   and live state find it.
public protocol Orchestrator: Sendable {
    /// A stack that passed validation, rendered for this orchestrator.
    associatedtype Prepared: PreparedStack

    /// The engine it drives.
    var engine: DockerEngine { get }

    /// Validates and renders.
    /// - Throws: ``ValidationFailure`` with every error found.
    func prepare(_ stack: Stack, for environment: Environment) throws -> Prepared

    /// Writes the rendered file under `.berth/` and returns its location.
    func render(_ prepared: Prepared) throws -> URL

    /// Where ``render(_:)`` and ``up(_:timeout:rotating:)`` write the rendered file.
    func renderedFile(stack: String, environment: String) -> URL

    /// Compares the description with live state.
    func plan(_ prepared: Prepared) async throws -> Plan

    /// Applies the description and waits until every service is ready.
    /// - Parameter rotating: Generated secrets to give a new value on the way.
    @discardableResult
    func up(_ prepared: Prepared, timeout: Duration, rotating: Set<String>) async throws -> Plan

    /// Removes what the stack created; volumes only when asked.
    func down(stack: String, environment: String, removeVolumes: Bool) async throws

    /// Each service's state, as a table and as the values `--json` prints.
    func status(of stack: Stack, in environment: Environment) async throws -> (table: String, json: any Encodable)

    /// Prints a service's logs.
    /// - Returns: docker's exit status.
    func logs(of service: String, in stack: Stack, environment: Environment, tail: Int, follow: Bool) async throws
        -> Int32
}

/// What every prepared stack offers the command tree.
public protocol PreparedStack: Sendable {
    /// Warnings and notes; errors never get this far.
    var diagnostics: [Diagnostic] { get }
}

extension ComposeDeployer.Prepared: PreparedStack {}
extension SwarmDeployer.Prepared: PreparedStack {}

extension Orchestrator {
    /// The deploy lock of a stack in an environment (``DeployLock``), the same for every
    /// orchestrator: the project name on the engine.
    public func lock(stack: String, environment: String) -> DeployLock {
        DeployLock(engine: engine, project: ComposeRenderer.projectName(stack: stack, environment: environment))
    }
}

/// The choice of orchestrator, made once.
public enum Orchestrators {
    /// The orchestrator an environment runs on (``Environment/orchestrator``).
    public static func make(for environment: Environment, engine: DockerEngine, workspace: Workspace)
        -> any Orchestrator
    {
        switch environment.orchestrator {
        case .compose: ComposeDeployer(engine: engine, workspace: workspace)
        case .swarm: SwarmDeployer(engine: engine, workspace: workspace)
        }
    }
}
