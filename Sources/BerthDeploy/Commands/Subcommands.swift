import ArgumentParser
import BerthCore
import BerthSwarm
import Foundation

struct PlanCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what `up` would create, update or remove.",
        discussion: "Exit status: 0 nothing to change, 2 changes pending, 1 error.")

    @OptionGroup var options: CommonOptions
    @Flag(help: "Print the plan as JSON.") var json = false

    func run(_ deployment: Deployment) async throws -> Int32 {
        let (environment, stack) = try options.resolve(deployment)
        let deployer = StackDeployer(for: environment, options: options)
        let plan = try await deployer.plan(stack, for: environment)
        if json {
            try printJSON(plan)
        } else {
            print(plan.summary)
        }
        return plan.hasChanges ? 2 : 0
    }
}

struct UpCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Deploy the stack and wait until every service is running and healthy.")

    @OptionGroup var options: CommonOptions
    @Option(help: "Seconds to wait for every service to be healthy.") var timeout = 180
    @Option(help: "Swarm: ask the registry for image digests (never, changed).")
    var resolveImage: String = "never"
    @Option(help: "Seconds to wait for another deployer of the stack to finish (default: fail at once, exit 3).")
    var lockWait = 0

    func run(_ deployment: Deployment) async throws -> Int32 {
        let (environment, stack) = try options.resolve(deployment)
        guard let resolve = SwarmDeployer.ResolveImage(rawValue: resolveImage) else {
            throw ValidationError("--resolve-image takes never or changed, not '\(resolveImage)'.")
        }
        var deployer = StackDeployer(for: environment, options: options)
        if var swarm = deployer.orchestrator as? SwarmDeployer {
            swarm.resolveImage = resolve
            deployer.orchestrator = swarm
        }
        try await deployer.up(stack, for: environment, timeout: .seconds(timeout), lockWait: .seconds(lockWait))
        return 0
    }
}

struct DownCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Remove the containers and networks the stack created.")

    @OptionGroup var options: CommonOptions
    @Flag(help: "Also remove the stack's named volumes and the data in them.") var volumes = false
    @Option(help: "Seconds to wait for another deployer of the stack to finish (default: fail at once, exit 3).")
    var lockWait = 0

    func run(_ deployment: Deployment) async throws -> Int32 {
        let (environment, stack) = try options.resolve(deployment)
        try await StackDeployer(for: environment, options: options).down(
            stack, for: environment, removeVolumes: volumes, lockWait: .seconds(lockWait))
        return 0
    }
}

struct StatusCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each service's containers: state, health, image, ports and start time.")

    @OptionGroup var options: CommonOptions
    @Flag(help: "Print the status as JSON.") var json = false

    func run(_ deployment: Deployment) async throws -> Int32 {
        let (environment, stack) = try options.resolve(deployment)
        let status = try await StackDeployer(for: environment, options: options).orchestrator.status(
            of: stack, in: environment)
        if json {
            try printJSON(status.json)
        } else {
            print(status.table)
        }
        return 0
    }
}

struct LogsCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a service's logs.")

    @OptionGroup var options: CommonOptions
    @Argument(help: "The service.") var service: String
    @Option(help: "Lines to show from the end of each container's log.") var tail = 100
    @Flag(name: .shortAndLong, help: "Keep printing new lines.") var follow = false

    func run(_ deployment: Deployment) async throws -> Int32 {
        let (environment, stack) = try options.resolve(deployment)
        guard stack.service(named: service) != nil else {
            throw ValidationError(
                "The stack has no service '\(service)'. Its services: \(stack.services.map(\.name).joined(separator: ", "))."
            )
        }
        return try await StackDeployer(for: environment, options: options).orchestrator.logs(
            of: service, in: stack, environment: environment, tail: tail, follow: follow)
    }
}

struct RenderCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write the Compose file `up` would apply, without touching the engine.")

    @OptionGroup var options: CommonOptions

    func run(_ deployment: Deployment) async throws -> Int32 {
        let (environment, stack) = try options.resolve(deployment)
        let deployer = StackDeployer(for: environment, options: options)
        print(try deployer.render(stack, for: environment).path)
        return 0
    }
}

struct ValidateCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the stack and print every problem with its location and fix.")

    @OptionGroup var options: CommonOptions

    func run(_ deployment: Deployment) async throws -> Int32 {
        let (environment, stack) = try options.resolve(deployment)
        let directory = URL(
            fileURLWithPath: options.directory ?? FileManager.default.currentDirectoryPath, isDirectory: true)
        let diagnostics =
            Preflight.fileDiagnostics(of: stack, packageDirectory: directory)
            + Preflight.diagnostics(of: stack, for: environment)
        for diagnostic in diagnostics { print(diagnostic) }
        let errors = diagnostics.errors.count
        print(
            errors == 0
                ? "\(stack.name) (\(environment.name)) is valid\(diagnostics.isEmpty ? "" : " with \(diagnostics.count) warning(s)")."
                : "\(errors) error(s).")
        return errors == 0 ? 0 : 1
    }
}

/// Prints a value as the stable JSON `--json` promises: sorted keys, pretty-printed.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

func printWarnings(_ diagnostics: [Diagnostic]) {
    for diagnostic in diagnostics {
        FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8))
    }
}

/// The `status` table: one row per container, aligned columns.
struct StatusTable {
    let rows: [[String]]

    init(rows: [[String]]) {
        self.rows = rows
    }

    init(stack: Stack, live: LiveState) {
        var rows = [["SERVICE", "CONTAINER", "STATE", "HEALTH", "IMAGE", "PORTS", "SINCE"]]
        let described = stack.services.map(\.name)
        let names = described + Set(live.containers.map(\.service)).subtracting(described).sorted()
        for name in names {
            let containers = live.containers(of: name)
            if containers.isEmpty {
                rows.append([name, "-", "absent", "-", "-", "-", "-"])
            }
            for container in containers {
                rows.append([
                    name, container.name, container.state, container.health ?? "-", container.image,
                    container.ports.isEmpty ? "-" : container.ports.joined(separator: " "),
                    String(container.startedAt.prefix(19)).replacingOccurrences(of: "T", with: " "),
                ])
            }
        }
        self.rows = rows
    }

    var text: String {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max()! }
        return rows.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}

struct RotateSecretCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-secret",
        abstract: "Replace a generated secret with a new value and roll it out.",
        discussion: """
            Swarm: creates a new version of the secret, updates the services that read it one by one \
            (start-first where their update policy allows), and removes the old version once \
            no task uses it. Compose: writes a new value to .berth/<stack>/<env>/secrets/ and \
            replaces exactly the services that read it, as `up` does.
            """)

    @OptionGroup var options: CommonOptions
    @Argument(help: "The secret's name in the stack.") var secret: String
    @Option(help: "Seconds to wait for the services to converge.") var timeout = 300
    @Option(help: "Seconds to wait for another deployer of the stack to finish (default: fail at once, exit 3).")
    var lockWait = 0

    func run(_ deployment: Deployment) async throws -> Int32 {
        let (environment, stack) = try options.resolve(deployment)
        guard let declared = stack.secrets.first(where: { $0.name == secret }) else {
            throw ValidationError(
                "The stack has no secret '\(secret)'. Its secrets: \(stack.secrets.map(\.name).joined(separator: ", "))."
            )
        }
        guard case .generated = declared.source else {
            throw ValidationError(
                "Secret '\(secret)' is not generated by Berth; change its source (file or environment variable) and run `up`."
            )
        }
        if let keeper = declared.keptBy {
            FileHandle.standardError.write(
                Data(
                    "warning: service '\(keeper)' keeps the value of '\(secret)' in its data (set when it was first initialised); the services get the new value, but \(keeper) still holds the old one until you change it there too.\n"
                        .utf8))
        }
        try await StackDeployer(for: environment, options: options).up(
            stack, for: environment, timeout: .seconds(timeout), lockWait: .seconds(lockWait), rotating: [secret])
        return 0
    }
}

struct LockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Show or remove the deploy lock of the stack in an environment.",
        discussion: """
            `up`, `down` and `rotate-secret` hold a lock on the engine while they change the stack, \
            so two deployers, on one machine or on several, never change it at once.
            """,
        subcommands: [LockStatusCommand.self, LockReleaseCommand.self])
}

extension CommonOptions {
    /// The deploy lock of the chosen stack and environment, on an engine that answers.
    func reachableLock(of deployment: Deployment) async throws -> DeployLock {
        let (environment, stack) = try resolve(deployment)
        let deployer = StackDeployer(for: environment, options: self)
        try await deployer.engine.checkReachable()
        return deployer.lock(stack, environment)
    }
}

struct LockStatusCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show who holds the deploy lock.",
        discussion: "Exit status: 0 free, 3 held, 1 error.")

    @OptionGroup var options: CommonOptions
    @Flag(help: "Print the holder as JSON (null when free).") var json = false

    func run(_ deployment: Deployment) async throws -> Int32 {
        let lock = try await options.reachableLock(of: deployment)
        let holder = try await lock.current()?.holder
        if json {
            try printJSON(holder)
        } else if let holder {
            let gone = DeployLock.isAlive(holder) ? "" : " Its process is gone; the next `up` takes the lock over."
            print("The deploy lock of \(lock.project) is held by \(holder).\(gone)")
        } else {
            print("The deploy lock of \(lock.project) is free.")
        }
        return holder == nil ? 0 : 3
    }
}

struct LockReleaseCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Remove the deploy lock, whoever holds it.",
        discussion: "Only for a deployer that is gone: a running one goes on without the lock.")

    @OptionGroup var options: CommonOptions

    func run(_ deployment: Deployment) async throws -> Int32 {
        let lock = try await options.reachableLock(of: deployment)
        if let holder = try await lock.forceRelease() {
            print("Released the deploy lock of \(lock.project), held by \(holder).")
        } else {
            print("The deploy lock of \(lock.project) was free.")
        }
        return 0
    }
}
