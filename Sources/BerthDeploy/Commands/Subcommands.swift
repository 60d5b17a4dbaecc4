import ArgumentParser
import BerthCore
import BerthDiagram
import BerthSwarm
import Foundation

struct PlanCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what `up` would create, update or remove.",
        discussion: "Exit status: 0 nothing to change, 2 changes pending, 1 error.")

    @OptionGroup var options: CommonOptions
    @Flag(help: "Print the plan as JSON.") var json = false
    @Flag(help: "Print the plan as a diagram of the stacks, with the services it changes highlighted.")
    var diagram = false
    @Option(help: "The diagram language with --diagram: mermaid (default) or dot.", transform: DiagramCommand.format)
    var diagramFormat: DiagramFormat = .mermaid

    func validate() throws {
        if json && diagram { throw ValidationError("--json and --diagram print the plan two ways; choose one.") }
    }

    func run(_ deployment: Deployment) async throws -> Int32 {
        let (environment, stacks) = try options.placements(deployment)
        let grouped = options.groupsOutput(deployment, environment)
        // Every host is asked at once: over ssh each one costs its own round trips.
        let plans = try await withThrowingTaskGroup(of: (Int, Plan).self) { group in
            for (index, stack) in stacks.enumerated() {
                let deployer = StackDeployer(for: environment, stack: stack, options: options)
                group.addTask { (index, try await deployer.plan(stack, for: environment)) }
            }
            var plans: [Int: Plan] = [:]
            for try await (index, plan) in group { plans[index] = plan }
            return stacks.indices.map { plans[$0]! }
        }
        if json {
            try printJSON(Array(zip(stacks, plans.map { $0 as any Encodable })), as: "plan", grouped: grouped)
        } else if diagram {
            print(
                diagramFormat.renderer.render(Diagram(stacks: stacks, environment: environment, plans: plans)),
                terminator: "")
        } else {
            for (stack, plan) in zip(stacks, plans) {
                if grouped { print(options.heading(of: stack)) }
                print(plan.summary)
            }
        }
        return plans.contains(where: \.hasChanges) ? 2 : 0
    }
}

struct UpCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Deploy the stack and wait until every service is running and healthy.")

    @OptionGroup var options: CommonOptions
    @Option(help: "Seconds each wave of services (a level of the dependency graph) has to be healthy once started.")
    var timeout = 180
    @Option(help: "Swarm: ask the registry for image digests (never, changed).")
    var resolveImage: String = "never"
    @Flag(help: "Pull each image tag and pin it to its registry digest in image-pins.json before deploying.")
    var pinDigests = false
    @Option(help: "Seconds to wait for another deployer of the stack to finish (default: fail at once, exit 3).")
    var lockWait = 0
    @OptionGroup var releases: ReleaseOptions

    func run(_ deployment: Deployment) async throws -> Int32 {
        let (environment, stacks) = try options.placements(deployment)
        guard let resolve = SwarmDeployer.ResolveImage(rawValue: resolveImage) else {
            throw ValidationError("--resolve-image takes never or changed, not '\(resolveImage)'.")
        }
        let grouped = options.groupsOutput(deployment, environment)
        let keep = try releases.validatedKeep()
        // Every stack is validated and rendered, once, before the first one touches an engine.
        func prepare(_ stack: Stack) throws -> StackDeployer.PreparedUp {
            var deployer = StackDeployer(for: environment, stack: stack, options: options)
            deployer.keepReleases = keep
            if var swarm = deployer.orchestrator as? SwarmDeployer {
                swarm.resolveImage = resolve
                deployer.orchestrator = swarm
            }
            return try deployer.prepareUp(stack, for: environment)
        }
        var prepared = try stacks.map(prepare)
        // Pulling to learn the digests changes no container; moved pins render anew.
        if pinDigests, try await DigestPinning.pin(stacks, for: environment, options: options) {
            prepared = try stacks.map(prepare)
        }
        var deployed: [String] = []
        for (stack, ready) in zip(stacks, prepared) {
            if grouped { print(options.heading(of: stack)) }
            do {
                try await ready.up(timeout: .seconds(timeout), lockWait: .seconds(lockWait))
            } catch  where grouped && stacks.count > 1 {
                let left = stacks.map(\.name).filter { !deployed.contains($0) && $0 != stack.name }
                Console().progress(
                    "Stopped at stack \(stack.name)\(stack.host.map { " on host \($0.name)" } ?? ""): deployed \(deployed.isEmpty ? "none" : deployed.joined(separator: ", ")); not deployed \(left.isEmpty ? "none" : left.joined(separator: ", ")). Run `up` again once the cause below is fixed."
                )
                throw error
            }
            deployed.append(stack.name)
        }
        return 0
    }
}

struct DownCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Remove the containers and networks the stack created.")

    @OptionGroup var options: CommonOptions
    @Flag(help: "Also remove the stack's named volumes and the data in them (asks first).") var volumes = false
    @Flag(
        name: .shortAndLong,
        help: "Remove the volumes without asking; needed with --volumes when no terminal can answer.")
    var yes = false
    @Option(help: "Seconds to wait for another deployer of the stack to finish (default: fail at once, exit 3).")
    var lockWait = 0

    func run(_ deployment: Deployment) async throws -> Int32 {
        let (environment, stacks) = try options.placements(deployment)
        let grouped = options.groupsOutput(deployment, environment)
        // Asked before the first engine is touched: deleted data cannot be brought back.
        if volumes {
            let names = stacks.map(\.name).joined(separator: ", ")
            let agreed = try Terminal.current.confirm(
                "Remove the volumes of \(names) (\(environment.name)) and all the data in them?",
                assumeYes: yes, command: "down --volumes")
            guard agreed else { return 1 }
        }
        // The reverse of `up`: a stack goes before the stacks whose addresses it uses.
        for stack in stacks.reversed() {
            if grouped { print(options.heading(of: stack)) }
            try await StackDeployer(for: environment, stack: stack, options: options).down(
                stack, for: environment, removeVolumes: volumes, lockWait: .seconds(lockWait))
        }
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
        let (environment, stacks) = try options.placements(deployment)
        let grouped = options.groupsOutput(deployment, environment)
        var parts: [(Stack, any Encodable)] = []
        for stack in stacks {
            let status = try await StackDeployer(for: environment, stack: stack, options: options).orchestrator
                .status(of: stack, in: environment)
            if json {
                parts.append((stack, status.json))
            } else {
                if grouped { print(options.heading(of: stack)) }
                print(status.table)
                if let backups = await backupSection(stack, environment) { print("\n" + backups) }
            }
        }
        if json { try printJSON(parts, as: "containers", grouped: grouped) }
        return 0
    }
}

extension StatusCommand {
    /// The newest backups of the stack's services, when it has backup policies.
    func backupSection(_ stack: Stack, _ environment: Environment) async -> String? {
        guard stack.services.contains(where: { !$0.backups.isEmpty }),
            let store = try? BackupStore(stack, environment, options: options)
        else { return nil }
        return await store.statusSection()
    }
}

/// Prints each stack's part of a command's `--json` output: for a deployment over several
/// stacks or servers an array of `{"host", "stack", KEY: part}`, for one stack on the default
/// engine the part alone.
func printJSON(_ parts: [(stack: Stack, part: any Encodable)], as key: String, grouped: Bool) throws {
    struct StackPart: Encodable {
        var host: String?
        var stack: String
        var key: String
        var part: any Encodable

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encodeIfPresent(host, forKey: Key(stringValue: "host"))
            try container.encode(stack, forKey: Key(stringValue: "stack"))
            try part.encode(to: container.superEncoder(forKey: Key(stringValue: key)))
        }
    }
    if grouped {
        try printJSON(parts.map { StackPart(host: $0.stack.host?.name, stack: $0.stack.name, key: key, part: $0.part) })
    } else if let only = parts.first {
        try printJSON(only.part)
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
        let (environment, stack) = try options.resolve(deployment, having: service)
        guard stack.service(named: service) != nil else {
            throw ValidationError(
                "The stack has no service '\(service)'. Its services: \(stack.services.map(\.name).joined(separator: ", "))."
            )
        }
        return try await StackDeployer(for: environment, stack: stack, options: options).orchestrator.logs(
            of: service, in: stack, environment: environment, tail: tail, follow: follow)
    }
}

struct RenderCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write the Compose file `up` would apply, without touching the engine.")

    @OptionGroup var options: CommonOptions
    @Option(
        name: .customLong("env-example"),
        help: ArgumentHelp(
            "Also write every variable the deployer must provide to this file, such as .env.example.",
            valueName: "path"))
    var environmentExample: String?

    func run(_ deployment: Deployment) async throws -> Int32 {
        let (environment, stacks) = try options.placements(deployment)
        for stack in stacks {
            let deployer = StackDeployer(for: environment, stack: stack, options: options)
            print(try deployer.render(stack, for: environment).path)
        }
        if let path = environmentExample {
            let names = stacks.map { "'\($0.name)'" }.joined(separator: ", ")
            let text = EnvironmentExample(stacks: stacks).text(
                heading: """
                    The variables \(stacks.count == 1 ? "stack" : "stacks") \(names) read from the deployer's environment in environment '\(environment.name)'.
                    Written by `berth render --env-example`; set them where `berth up` runs.
                    """)
            let url = URL(filePath: path)
            try Data(text.utf8).write(to: url, options: .atomic)
            print(url.path)
        }
        return 0
    }
}

struct ValidateCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the stack and print every problem with its location and fix.")

    @OptionGroup var options: CommonOptions
    @Flag(help: "Print the result as JSON: environment, stacks, valid, errors, diagnostics.") var json = false

    /// What `validate --json` prints.
    struct Report: Codable, Equatable {
        var environment: String
        var stacks: [String]
        var valid: Bool
        var errors: Int
        var diagnostics: [Diagnostic]
    }

    /// Every diagnostic of the chosen environment's stacks.
    func report(_ deployment: Deployment) throws -> Report {
        let environment = try options.chosenEnvironment(of: deployment)
        let stacks = deployment.stacks(environment)
        let directory = URL(
            fileURLWithPath: options.directory ?? FileManager.default.currentDirectoryPath, isDirectory: true)
        var diagnostics = DeploymentTopology.diagnostics(of: stacks)
        for stack in stacks {
            diagnostics +=
                Preflight.fileDiagnostics(of: stack, packageDirectory: directory)
                + Preflight.diagnostics(of: stack, for: environment)
        }
        let errors = diagnostics.errors.count
        return Report(
            environment: environment.name, stacks: stacks.map(\.name), valid: errors == 0, errors: errors,
            diagnostics: diagnostics)
    }

    func run(_ deployment: Deployment) async throws -> Int32 {
        let report = try report(deployment)
        if json {
            try printJSON(report)
            return report.valid ? 0 : 1
        }
        let (environment, stacks, diagnostics, errors) = (
            report.environment, report.stacks, report.diagnostics, report.errors
        )
        for diagnostic in diagnostics { print(Terminal.current.format(diagnostic, on: .output)) }
        let names = stacks.joined(separator: ", ")
        print(
            errors == 0
                ? "\(names) (\(environment)) \(stacks.count == 1 ? "is" : "are") valid\(diagnostics.isEmpty ? "" : " with \(diagnostics.count) warning(s)")."
                : "\(errors) error(s).")
        return errors == 0 ? 0 : 1
    }
}

/// Prints a value as the stable JSON `--json` promises: sorted keys, pretty-printed.
func printJSON(_ value: some Encodable) throws {
    print(try jsonText(value))
}

/// A value as the stable JSON every `--json` prints: sorted keys, pretty-printed.
public func jsonText(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

func printWarnings(_ diagnostics: [Diagnostic]) {
    for diagnostic in diagnostics {
        FileHandle.standardError.write(Data((Terminal.current.format(diagnostic, on: .error) + "\n").utf8))
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
                    "\(Terminal.current.severity(.warning, on: .error)): service '\(keeper)' keeps the value of '\(secret)' in its data (set when it was first initialised); the services get the new value, but \(keeper) still holds the old one until you change it there too.\n"
                        .utf8))
        }
        try await StackDeployer(for: environment, stack: stack, options: options).up(
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
        let deployer = StackDeployer(for: environment, stack: stack, options: self)
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
