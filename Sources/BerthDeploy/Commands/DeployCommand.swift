import ArgumentParser
import BerthCore
import Foundation

/// The command tree an application's `Deploy` target runs.
///
/// | command | does | exit status |
/// | --- | --- | --- |
/// | `plan` | compares the description with live state (`--diagram`: as a diagram) | 0 nothing to change, 2 changes pending, 1 error |
/// | `up` | validates, renders, applies, waits until healthy | 0 deployed, 1 error or failed deploy |
/// | `down` | removes what the stack created (`--volumes` too, asked first; `--yes` skips the question) | 0 removed, 1 error or declined, 64 `--volumes` without a terminal or `--yes` |
/// | `status` | each container's state, health, image, ports | 0, 1 error |
/// | `logs SERVICE` | a service's logs (`--follow`, `--tail N`) | docker's |
/// | `exec SERVICE -- CMD…` | runs a command in a running container (`--index N`, `--user U`) | the command's |
/// | `shell SERVICE` | opens a shell in a running container | the shell's |
/// | `render` | writes `.berth/<stack>/<env>/compose.yaml` | 0, 1 invalid |
/// | `validate` | prints every diagnostic | 0 valid, 1 errors |
/// | `diagram` | prints the stacks' topology as Mermaid or Graphviz DOT (`--format`, `--output FILE`) | 0, 1 invalid |
/// | `rotate-secret NAME` | rolls a new value of a generated secret out | 0, 1 |
/// | `lock status` / `lock release` | the stack's deploy lock | 0 free, 3 held / 0 |
/// | `history` | the releases recorded on the engine, newest first | 0, 1 error |
/// | `rollback [N]` | applies release N again (default: the one before the newest) | 0, 1 error |
///
/// `up`, `down`, `rollback` and `rotate-secret` exit with 3 when another deployer holds the stack's lock.
/// `SIGINT` and `SIGTERM` stop a command cleanly: a running `docker compose` finishes, other
/// docker commands are stopped, and the lock is released (exit 130 and 143). Usage errors exit
/// with 64.
public struct DeployCommand: ParsableCommand {
    /// The name help and usage show: the one the user typed (`Deploy` for `swift run Deploy`,
    /// `swift package deploy` through the plugin, which says so in `BERTH_COMMAND_NAME`).
    static var invokedName: String {
        if let name = ProcessInfo.processInfo.environment["BERTH_COMMAND_NAME"], !name.isEmpty { return name }
        let program = CommandLine.arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent } ?? ""
        return program.isEmpty ? "deploy" : program
    }

    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: invokedName,
            abstract: "Plan, deploy and inspect this package's stack on a Docker engine.",
            discussion: """
                Exit status: 0 success (for plan: nothing to change), 2 plan has pending changes, \
                1 error or failed deploy, 3 another deployer holds the lock, 64 usage error, \
                130/143 interrupted by SIGINT/SIGTERM.
                """,
            version: BerthVersion.line,
            subcommands: [
                PlanCommand.self, UpCommand.self, DownCommand.self, StatusCommand.self, LogsCommand.self,
                ExecCommand.self, ShellCommand.self, RenderCommand.self, ValidateCommand.self, DiagramCommand.self,
                RotateSecretCommand.self, LockCommand.self, HistoryCommand.self, RollbackCommand.self,
                BackupCommand.self, BackupsCommand.self, RestoreCommand.self,
            ]
        )
    }

    public init() {}
}

extension DeployCommand {
    /// `NAME SUBCOMMAND`, as the user types it.
    static func commandPath(of subcommand: any ParsableCommand.Type) -> String {
        func names(to target: any ParsableCommand.Type, from node: any ParsableCommand.Type) -> [String]? {
            if node == target { return [] }
            for child in node.configuration.subcommands {
                if let rest = names(to: target, from: child) {
                    return [child.configuration.commandName ?? String(describing: child).lowercased()] + rest
                }
            }
            return nil
        }
        return ([invokedName] + (names(to: subcommand, from: DeployCommand.self) ?? [])).joined(separator: " ")
    }
}

/// Options every command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("env"), help: "The environment to act on (default: the deployment's first).")
    var environment: String?

    @Option(
        help: "The docker context to deploy to (default: DOCKER_HOST or the current context); a host's own engine wins."
    )
    var context: String?

    @Option(help: "The package directory holding .berth/ (default: the current directory).")
    var directory: String?

    @Flag(help: "Name the files of diagnostics by absolute path (default: from the package directory).")
    var absolute = false

    @Option(name: .customLong("host"), help: "Act on the stacks placed on this host only.")
    var host: String?

    @Option(name: .customLong("stack"), help: "Act on this stack only.")
    var stack: String?

    /// The chosen environment.
    func chosenEnvironment(of deployment: Deployment) throws -> Environment {
        guard let name = environment else { return deployment.environments[0] }
        guard let chosen = deployment.environment(named: name) else {
            throw ValidationError(
                "Unknown environment '\(name)'. This deployment knows: \(deployment.environments.map(\.name).joined(separator: ", "))."
            )
        }
        return chosen
    }

    /// The stacks to act on, in the order `up` deploys them, after the checks that concern
    /// them together (hosts, the addresses they take of each other).
    /// - Throws: ``ValidationFailure`` when those checks find errors, `ValidationError` when
    ///   `--host` or `--stack` names nothing.
    func placements(_ deployment: Deployment) throws -> (Environment, [Stack]) {
        let environment = try chosenEnvironment(of: deployment)
        let all = deployment.stacks(environment)
        let diagnostics = DeploymentTopology.diagnostics(of: all)
        if diagnostics.containsErrors {
            throw ValidationFailure(diagnostics: diagnostics.filter { $0.severity == .error })
        }
        var chosen = DeploymentTopology.ordered(all)
        if let host {
            let hosts = Set(all.compactMap(\.host?.name))
            guard hosts.contains(host) else {
                throw ValidationError(
                    hosts.isEmpty
                        ? "This deployment places no stack on a named host; drop --host."
                        : "Unknown host '\(host)'. This deployment's hosts: \(hosts.sorted().joined(separator: ", "))."
                )
            }
            chosen = chosen.filter { $0.host?.name == host }
        }
        if let stack {
            guard all.contains(where: { $0.name == stack }) else {
                throw ValidationError(
                    "Unknown stack '\(stack)'. This deployment's stacks: \(all.map(\.name).joined(separator: ", "))."
                )
            }
            chosen = chosen.filter { $0.name == stack }
            if chosen.isEmpty, let host {
                throw ValidationError("Stack '\(stack)' is not placed on host '\(host)'.")
            }
        }
        return (environment, chosen)
    }

    /// The one stack a command acts on: the only one, or the one `--stack` or `--host` picks,
    /// or the one that has `service` when one is given.
    func resolve(_ deployment: Deployment, having service: String? = nil) throws -> (Environment, Stack) {
        let (environment, stacks) = try placements(deployment)
        var candidates = stacks
        if let service, candidates.count > 1 {
            let having = candidates.filter { $0.service(named: service) != nil }
            if !having.isEmpty { candidates = having }
        }
        guard candidates.count == 1 else {
            let names = candidates.map { stack in stack.host.map { "\(stack.name) on \($0.name)" } ?? stack.name }
            throw ValidationError(
                "This command acts on one stack, and \(names.count) match: \(names.joined(separator: ", ")). Choose one with --stack NAME."
            )
        }
        return (environment, candidates[0])
    }

    /// Where a stack's commands go: its host's engine, or the one the command targets.
    func target(for stack: Stack) -> Target {
        guard let host = stack.host, let engine = host.engine else { return Target(context: context) }
        if let name = host.contextName { return Target(context: name) }
        return Target(host: engine)
    }

    /// Whether output names the host and stack of each part: a deployment of several stacks.
    func groupsOutput(_ deployment: Deployment, _ environment: Environment) -> Bool {
        let all = deployment.stacks(environment)
        return all.count > 1 || all.contains { $0.host != nil }
    }

    /// The heading of a stack's part of the output.
    func heading(of stack: Stack) -> String {
        let host = stack.host.map { "host \($0.name) (\(target(for: stack)))" } ?? "\(target(for: stack))"
        return "== \(host): stack \(stack.name) =="
    }
}

/// A command that acts on the deployment handed to ``Deployment/main(arguments:)``.
protocol DeploymentCommand: ParsableCommand {
    func run(_ deployment: Deployment) async throws -> Int32
}

/// A command with the options every deployment command shares.
protocol CommonOptionsCommand {
    var options: CommonOptions { get }
}

extension CommonOptions {
    /// How this command's diagnostics name their files: from `--directory` (or the current
    /// directory), absolute with `--absolute`.
    var sourcePaths: SourcePaths {
        SourcePaths(
            root: URL(
                fileURLWithPath: directory ?? FileManager.default.currentDirectoryPath, isDirectory: true),
            absolute: absolute)
    }
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
        let errorPrefix = Terminal.current.severity(.error, on: .error) + ": "
        let status: Int32
        var subcommand: (any ParsableCommand.Type)?
        var terminal = Terminal.current
        do {
            var command = try DeployCommand.parseAsRoot(arguments)
            subcommand = type(of: command)
            if let common = (command as? any CommonOptionsCommand)?.options {
                terminal.sourcePaths = common.sourcePaths
            }
            if let deploymentCommand = command as? any DeploymentCommand & ForegroundCommand {
                status = try await Terminal.$current.withValue(terminal) { try await deploymentCommand.run(self) }
            } else if let deploymentCommand = command as? any DeploymentCommand {
                nonisolated(unsafe) let command = deploymentCommand
                status = try await Terminal.$current.withValue(terminal) {
                    try await Interruption.run { try await command.run(self) }
                }
            } else {
                try command.run()
                status = 0
            }
        } catch let interrupted as Interruption {
            FileHandle.standardError.write(Data((interrupted.description + "\n").utf8))
            status = interrupted.status
        } catch let error as DeployLockHeld {
            FileHandle.standardError.write(Data((errorPrefix + error.description + "\n").utf8))
            status = 3
        } catch let error as ValidationFailure {
            FileHandle.standardError.write(
                Data((error.formatted { terminal.format($0, on: .error) } + "\n").utf8))
            status = 1
        } catch let error as DeployFailure {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            status = 1
        } catch let error as EngineError {
            FileHandle.standardError.write(Data((errorPrefix + error.description + "\n").utf8))
            status = 1
        } catch let error as SecretError {
            FileHandle.standardError.write(Data((errorPrefix + error.description + "\n").utf8))
            status = 1
        } catch let error as GatewayReloadFailure {
            FileHandle.standardError.write(Data((errorPrefix + error.description + "\n").utf8))
            status = 1
        } catch let error as ValidationError {
            // A usage error found once the command runs: that command's usage, as for one the
            // parser finds, not the root's.
            let path = subcommand.map { DeployCommand.usageString(for: $0) } ?? DeployCommand.usageString()
            let help =
                subcommand.map { "\(DeployCommand.commandPath(of: $0)) --help" }
                ?? "\(DeployCommand.invokedName) --help"
            FileHandle.standardError.write(
                Data((errorPrefix + error.message + "\nUsage: \(path)\n  See '\(help)' for more information.\n").utf8))
            status = ExitCode.validationFailure.rawValue
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

extension PlanCommand: CommonOptionsCommand {}
extension UpCommand: CommonOptionsCommand {}
extension DownCommand: CommonOptionsCommand {}
extension StatusCommand: CommonOptionsCommand {}
extension LogsCommand: CommonOptionsCommand {}
extension ExecCommand: CommonOptionsCommand {}
extension ShellCommand: CommonOptionsCommand {}
extension RenderCommand: CommonOptionsCommand {}
extension ValidateCommand: CommonOptionsCommand {}
extension DiagramCommand: CommonOptionsCommand {}
extension RotateSecretCommand: CommonOptionsCommand {}
extension LockStatusCommand: CommonOptionsCommand {}
extension LockReleaseCommand: CommonOptionsCommand {}
extension HistoryCommand: CommonOptionsCommand {}
extension RollbackCommand: CommonOptionsCommand {}
extension BackupCommand: CommonOptionsCommand {}
extension BackupsCommand: CommonOptionsCommand {}
extension RestoreCommand: CommonOptionsCommand {}
