import ArgumentParser
import BerthCore
import Foundation

/// The command tree an application's `Deploy` target runs.
///
/// | command | does | exit status |
/// | --- | --- | --- |
/// | `plan` | compares the description with live state | 0 nothing to change, 2 changes pending, 1 error |
/// | `up` | validates, renders, applies, waits until healthy | 0 deployed, 1 error or failed deploy |
/// | `down` | removes what the stack created (`--volumes` too) | 0 removed, 1 error |
/// | `status` | each container's state, health, image, ports | 0, 1 error |
/// | `logs SERVICE` | a service's logs (`--follow`, `--tail N`) | docker's |
/// | `render` | writes `.berth/<stack>/<env>/compose.yaml` | 0, 1 invalid |
/// | `validate` | prints every diagnostic | 0 valid, 1 errors |
/// | `rotate-secret NAME` | rolls a new value of a generated secret out | 0, 1 |
/// | `lock status` / `lock release` | the stack's deploy lock | 0 free, 3 held / 0 |
///
/// `up`, `down` and `rotate-secret` exit with 3 when another deployer holds the stack's lock.
/// `SIGINT` and `SIGTERM` stop a command cleanly: a running `docker compose` finishes, other
/// docker commands are stopped, and the lock is released (exit 130 and 143). Usage errors exit
/// with 64.
public struct DeployCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Plan, deploy and inspect this package's stack on a Docker engine.",
        discussion: """
            Exit status: 0 success (for plan: nothing to change), 2 plan has pending changes, \
            1 error or failed deploy, 3 another deployer holds the lock, 64 usage error, \
            130/143 interrupted by SIGINT/SIGTERM.
            """,
        subcommands: [
            PlanCommand.self, UpCommand.self, DownCommand.self, StatusCommand.self, LogsCommand.self,
            RenderCommand.self, ValidateCommand.self, RotateSecretCommand.self, LockCommand.self,
        ]
    )

    public init() {}
}

/// Options every command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("env"), help: "The environment to act on (default: the deployment's first).")
    var environment: String?

    @Option(help: "The docker context to deploy to (default: DOCKER_HOST or the current context).")
    var context: String?

    @Option(help: "The package directory holding .berth/ (default: the current directory).")
    var directory: String?

    func resolve(_ deployment: Deployment) throws -> (Environment, Stack) {
        guard let name = environment else {
            let first = deployment.environments[0]
            return (first, deployment.describe(first))
        }
        guard let chosen = deployment.environment(named: name) else {
            throw ValidationError(
                "Unknown environment '\(name)'. This deployment knows: \(deployment.environments.map(\.name).joined(separator: ", "))."
            )
        }
        return (chosen, deployment.describe(chosen))
    }
}

/// A command that acts on the deployment handed to ``Deployment/main(arguments:)``.
protocol DeploymentCommand: ParsableCommand {
    func run(_ deployment: Deployment) async throws -> Int32
}

extension DeploymentCommand {
    func run() throws {
        throw ValidationError("This command needs a deployment; run it through Deployment.main().")
    }
}

extension Deployment {
    /// Parses the command line, runs the command against this deployment and exits.
    ///
    /// Call it from the `Deploy` target's `main.swift`:
    /// ```swift
    /// await deployment.main()
    /// ```
    /// - Parameter arguments: The arguments without the program name; `nil` reads them from
    ///   the command line.
    public func main(arguments: [String]? = nil) async -> Never {
        let status: Int32
        do {
            var command = try DeployCommand.parseAsRoot(arguments)
            if let deploymentCommand = command as? any DeploymentCommand {
                nonisolated(unsafe) let command = deploymentCommand
                status = try await Interruption.run { try await command.run(self) }
            } else {
                try command.run()
                status = 0
            }
        } catch let interrupted as Interruption {
            FileHandle.standardError.write(Data((interrupted.description + "\n").utf8))
            status = interrupted.status
        } catch let error as DeployLockHeld {
            FileHandle.standardError.write(Data(("error: " + error.description + "\n").utf8))
            status = 3
        } catch let error as ValidationFailure {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            status = 1
        } catch let error as DeployFailure {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            status = 1
        } catch let error as EngineError {
            FileHandle.standardError.write(Data(("error: " + error.description + "\n").utf8))
            status = 1
        } catch let error as SecretError {
            FileHandle.standardError.write(Data(("error: " + error.description + "\n").utf8))
            status = 1
        } catch let error as GatewayReloadFailure {
            FileHandle.standardError.write(Data(("error: " + error.description + "\n").utf8))
            status = 1
        } catch {
            DeployCommand.exit(withError: error)
        }
        exit(status)
    }

    /// Runs one command against this deployment without exiting, for tests and tools.
    /// - Returns: The exit status the command line would have.
    public func run(arguments: [String]) async throws -> Int32 {
        var command = try DeployCommand.parseAsRoot(arguments)
        if let deploymentCommand = command as? any DeploymentCommand {
            return try await deploymentCommand.run(self)
        }
        try command.run()
        return 0
    }
}
