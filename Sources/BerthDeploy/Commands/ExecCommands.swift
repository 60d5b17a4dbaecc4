import ArgumentParser
import BerthCore
import BerthSwarm
import Foundation

struct ExecCommand: DeploymentCommand, ForegroundCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command in a running container of a service.",
        usage: "deploy exec <service> [--index <n>] [--user <user>] -- <command> [<argument> ...]",
        discussion: """
            The command runs in a container of the configuration deployed last, on the target's \
            engine (local, --context, or DOCKER_HOST=ssh://...). Standard input is passed on unless \
            it is closed; a terminal is allocated only when standard input and output both are \
            terminals, so `exec web -- cat /etc/app.conf > app.conf` and pipes work. \
            Exit status: the command's; 1 when no container of the service runs.
            """)

    @OptionGroup var options: CommonOptions
    @Argument(help: "The service.") var service: String
    @Option(help: "Which of the service's running containers, counted from 1 in replica order.")
    var index = 1
    @Option(name: .shortAndLong, help: "The user (name or UID[:GID]) to run the command as.")
    var user: String?
    @Argument(parsing: .postTerminator, help: "The command and its arguments, after `--`.")
    var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else {
            throw ValidationError(
                "Give the command after `--`, for example: exec \(service) -- sh -c 'echo $HOSTNAME'.")
        }
        guard index >= 1 else { throw ValidationError("--index counts from 1, not \(index).") }
    }

    func run(_ deployment: Deployment) async throws -> Int32 {
        let exec = try ServiceExec(deployment, options: options, service: service)
        let container = try await exec.container(of: service, index: index)
        return try await exec.run(command, in: container, user: user)
    }
}

struct ShellCommand: DeploymentCommand, ForegroundCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Open a shell in a running container of a service.",
        discussion: """
            Runs the first of /bin/bash and /bin/sh the container has (else `sh` from its PATH), \
            in a container of the configuration deployed last, on the target's engine. \
            Exit status: the shell's; 1 when no container of the service runs.
            """)

    @OptionGroup var options: CommonOptions
    @Argument(help: "The service.") var service: String
    @Option(help: "Which of the service's running containers, counted from 1 in replica order.")
    var index = 1
    @Option(name: .shortAndLong, help: "The user (name or UID[:GID]) to run the shell as.")
    var user: String?

    func validate() throws {
        guard index >= 1 else { throw ValidationError("--index counts from 1, not \(index).") }
    }

    func run(_ deployment: Deployment) async throws -> Int32 {
        let exec = try ServiceExec(deployment, options: options, service: service)
        let container = try await exec.container(of: service, index: index)
        let shell = try await exec.shell(in: container, user: user)
        return try await exec.run([shell], in: container, user: user)
    }
}

/// A command that hands this process's terminal to a docker command, as `docker exec` does.
///
/// Signals reach it as they reach any foreground program: `Deployment/main(arguments:)` does
/// not turn them into a cancelled task, since there is no deploy to stop cleanly.
protocol ForegroundCommand {}

/// How this process's standard streams are connected, which decides `docker exec`'s flags.
struct StandardStreams: Sendable, Hashable {
    /// Whether standard input is open: it is then passed on (`--interactive`).
    var inputIsOpen: Bool
    /// Whether standard input and standard output both are terminals: only then does the
    /// command get a terminal (`--tty`), which would merge its error output into its output and
    /// turn line ends into CR LF.
    var areTerminals: Bool

    /// The streams of this process.
    static var current: StandardStreams {
        StandardStreams(
            inputIsOpen: fcntl(STDIN_FILENO, F_GETFD) != -1,
            areTerminals: isatty(STDIN_FILENO) != 0 && isatty(STDOUT_FILENO) != 0)
    }

    /// The flags of `docker exec`.
    var execFlags: [String] {
        (inputIsOpen ? ["--interactive"] : []) + (inputIsOpen && areTerminals ? ["--tty"] : [])
    }
}

/// Runs commands in the running containers of a stack's services: what `exec` and `shell`
/// share. Containers are found by the labels Berth (Compose) or Swarm put on them, on whichever
/// engine the target names, local or remote.
struct ServiceExec {
    var engine: DockerEngine
    var stack: Stack
    var environment: Environment
    var streams = StandardStreams.current

    init(engine: DockerEngine, stack: Stack, environment: Environment) {
        self.engine = engine
        self.stack = stack
        self.environment = environment
    }

    init(_ deployment: Deployment, options: CommonOptions, service: String) throws {
        let (environment, stack) = try options.resolve(deployment, having: service)
        self.init(
            engine: StackDeployer(for: environment, stack: stack, options: options).engine, stack: stack,
            environment: environment)
    }

    /// The running container a command goes to: the `index`th, in replica order, of those
    /// running the configuration deployed last.
    ///
    /// The configuration deployed last is that of the most recently started running container,
    /// not the description's: while a rollout runs, old and new containers run side by side,
    /// and a description edited but not deployed yet runs nowhere.
    /// - Throws: `ValidationError` for a service the stack does not describe; ``EngineError``
    ///   naming the service's state when none runs, or the containers when `index` is past them.
    func container(of service: String, index: Int) async throws -> LiveContainer {
        guard stack.service(named: service) != nil else {
            throw ValidationError(
                "The stack has no service '\(service)'. Its services: \(stack.services.map(\.name).joined(separator: ", "))."
            )
        }
        try await engine.checkReachable()
        let containers = try await containers(of: service)
        let running = containers.filter { $0.state == "running" }
        guard let newest = running.max(by: { $0.startedAt < $1.startedAt }) else {
            throw EngineError(notRunning(service, containers))
        }
        let current = running.filter { $0.configHash == newest.configHash }
            .sorted { (Self.replica(of: $0), $0.name) < (Self.replica(of: $1), $1.name) }
        guard index <= current.count else {
            throw EngineError(
                "--index \(index): service '\(service)' runs \(current.count) container(s) of its current configuration: \(current.map(\.name).joined(separator: ", "))."
            )
        }
        return current[index - 1]
    }

    /// Runs a command in a container, attached to this process's streams.
    /// - Returns: The command's exit status (docker's own, 125 to 127, when it cannot start it).
    func run(_ command: [String], in container: LiveContainer, user: String?) async throws -> Int32 {
        try await engine.runAttached(arguments(command, in: container, user: user))
    }

    /// The `docker exec` arguments for a command.
    func arguments(_ command: [String], in container: LiveContainer, user: String?) -> [String] {
        ["exec"] + streams.execFlags + (user.map { ["--user", $0] } ?? []) + [container.id] + command
    }

    /// The container's shell: the first of /bin/bash and /bin/sh that runs, else `sh` from its
    /// `PATH` (docker's error then says that there is none).
    func shell(in container: LiveContainer, user: String?) async throws -> String {
        let asUser = user.map { ["--user", $0] } ?? []
        for candidate in ["/bin/bash", "/bin/sh"] {
            let probe = try await engine.run(["exec"] + asUser + [container.id, candidate, "-c", "exit 0"])
            if probe.succeeded { return candidate }
        }
        return "sh"
    }

    /// The service's containers, running or not. Compose containers carry Berth's labels;
    /// Swarm task containers are found by the labels Swarm sets, on the engine the target
    /// names (a task on another node of the swarm is not there).
    func containers(of service: String) async throws -> [LiveContainer] {
        switch environment.orchestrator {
        case .compose:
            return try await engine.liveContainers(stack: stack.name, environment: environment.name)
                .containers(of: service)
        case .swarm:
            let namespace = SwarmRenderer.stackName(stack: stack.name, environment: environment.name)
            return try await engine.containers([
                "--filter", "label=com.docker.stack.namespace=\(namespace)",
                "--filter", "label=com.docker.swarm.service.name=\(namespace)_\(service)",
            ])
        }
    }

    /// Compose's container number, or the Swarm task's slot (`<service>.<slot>.<task>`).
    private static func replica(of container: LiveContainer) -> Int {
        if let number = container.labels["com.docker.compose.container-number"].flatMap({ Int($0) }) {
            return number
        }
        let parts = container.name.split(separator: ".")
        return parts.count == 3 ? Int(parts[1]) ?? Int.max : Int.max
    }

    private func notRunning(_ service: String, _ containers: [LiveContainer]) -> String {
        let swarmNote =
            environment.orchestrator == .swarm
            ? " Swarm may run its tasks on other nodes: give the target of the node that runs one (`docker service ps`)."
            : ""
        guard !containers.isEmpty else {
            return
                "Service '\(service)' has no container on \(engine.target); deploy it with `up` first.\(swarmNote)"
        }
        let states = containers.map { container in
            container.state == "exited"
                ? "\(container.name) exited (exit \(container.exitCode))" : "\(container.name) is \(container.state)"
        }
        return
            "Service '\(service)' has no running container on \(engine.target): \(states.joined(separator: ", ")). See `logs \(service)` and `status`.\(swarmNote)"
    }
}
