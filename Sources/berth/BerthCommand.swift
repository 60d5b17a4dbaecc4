import ArgumentParser
import BerthDeploy
import BerthRendering
import Foundation

/// `berth`: what needs no manifest — everything Berth deployed on an engine, removing a stack by
/// its labels, and a check of the tools a deploy needs.
@main
struct Berth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "berth",
        abstract: "Inspect and clean up what Berth deployed on a Docker engine; import a Compose project.",
        version: BerthVersion.line,
        subcommands: [Status.self, Routes.self, Destroy.self, Doctor.self, Ship.self, Import.self]
    )
}

struct EngineOptions: ParsableArguments {
    @Option(help: "The docker context to use (default: DOCKER_HOST or the current context).")
    var context: String?

    var engine: DockerEngine { DockerEngine(target: Target(context: context)) }
}

extension Berth {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every stack Berth deployed on the engine, with its containers' states.")

        @OptionGroup var options: EngineOptions
        @Flag(help: "Print the stacks as JSON: an array of {stack, environment, ready, containers}.") var json = false

        func run() async throws {
            let engine = options.engine
            try await engine.checkReachable()
            let format = "{{.Label \"\(OwnershipLabel.stack)\"}}\t{{.Label \"\(OwnershipLabel.environment)\"}}"
            let lines = try await engine.output(
                ["ps", "--all", "--filter", "label=\(OwnershipLabel.stack)", "--format", format])
            let pairs = Set(lines.split(whereSeparator: \.isNewline).map(String.init)).sorted()
            if json {
                var reports: [DeployedStackReport] = []
                for pair in pairs {
                    let parts = pair.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                    guard parts.count == 2 else { continue }
                    let live = try await engine.liveState(stack: parts[0], environment: parts[1])
                    reports.append(DeployedStackReport(stack: parts[0], environment: parts[1], live: live))
                }
                print(try jsonText(reports))
                return
            }
            if pairs.isEmpty {
                print("No stack deployed by Berth on \(engine.target).")
                return
            }
            for pair in pairs {
                let parts = pair.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 2 else { continue }
                let live = try await engine.liveState(stack: parts[0], environment: parts[1])
                let ready = live.containers.filter(\.isReady).count
                print("\(parts[0]) (\(parts[1])): \(ready)/\(live.containers.count) containers ready")
                for container in live.containers {
                    let health = container.health.map { ", \($0)" } ?? ""
                    print("  \(container.service)  \(container.name)  \(container.state)\(health)  \(container.image)")
                }
            }
        }
    }

    struct Routes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every route Berth deployed on the engine: host and path, owner, upstream servers.",
            discussion:
                "The routes deploys check new ones against, grouped by the gateway that serves them: a running container of a Berth stack that publishes ports and shares a network with the routed containers."
        )

        @OptionGroup var options: EngineOptions
        @Flag(help: "Print the routes as JSON: an array of {gateway, routes}, gateway null for unreached routes.")
        var json = false

        func run() async throws {
            let engine = options.engine
            try await engine.checkReachable()
            let groups = try await engine.routesByGateway()
            if json {
                print(try jsonText(groups.map { RouteGroupReport(gateway: $0.gateway, routes: $0.routes) }))
                return
            }
            if groups.isEmpty {
                print("No route deployed by Berth on \(engine.target).")
                return
            }
            for (index, group) in groups.enumerated() {
                if index > 0 { print("") }
                if let gateway = group.gateway {
                    let owner = gateway.labels[OwnershipLabel.stack] ?? "?"
                    let environment = gateway.labels[OwnershipLabel.environment].map { " (\($0))" } ?? ""
                    print(
                        "Gateway \(owner)/\(gateway.service)\(environment), \(gateway.ports.joined(separator: ", ")):")
                } else {
                    print("Routes no running gateway reaches:")
                }
                let routes = group.routes.sorted {
                    ($0.route.host, $0.route.pathPrefix) < ($1.route.host, $1.route.pathPrefix)
                }
                for live in routes {
                    let servers = live.servers.isEmpty ? "no running server" : live.servers.joined(separator: ", ")
                    print(
                        "  \(live.route.address) -> \(live.stack) (\(live.environment)) \(live.service):\(live.route.port)  [\(servers)]"
                    )
                }
            }
        }
    }

    struct Destroy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a stack's containers and networks by their labels, without its manifest.")

        @OptionGroup var options: EngineOptions
        @Option(help: "The stack's name.") var stack: String
        @Option(name: .customLong("env"), help: "The environment's name.") var environment: String
        @Flag(help: "Also remove the stack's volumes and the data in them (asks first).") var volumes = false
        @Flag(
            name: .shortAndLong,
            help: "Remove the volumes without asking; needed with --volumes when no terminal can answer.")
        var yes = false
        @Option(help: "The package directory whose .berth/ holds the rendered file, if any.") var directory: String?

        func run() async throws {
            // Asked before the engine is touched: deleted data cannot be brought back.
            if volumes {
                let agreed = try Terminal.current.confirm(
                    "Remove the volumes of \(stack) (\(environment)) and all the data in them?",
                    assumeYes: yes, command: "berth destroy --volumes")
                guard agreed else { throw ExitCode(1) }
            }
            let root = URL(fileURLWithPath: directory ?? FileManager.default.currentDirectoryPath)
            let deployer = ComposeDeployer(engine: options.engine, workspace: Workspace(root: root))
            do {
                try await deployer.down(stack: stack, environment: environment, removeVolumes: volumes)
            } catch let error as EngineError {
                throw ValidationError(error.description)
            }
        }
    }

    struct Doctor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that the docker CLI, the engine and Docker Compose v2 are ready for a deploy.")

        @OptionGroup var options: EngineOptions

        func run() async throws {
            let engine = options.engine
            var failures = 0
            func check(_ name: String, _ arguments: [String], advice: String) async -> String? {
                let result = try? await engine.run(arguments)
                let text = result.map {
                    ($0.standardOutput + $0.standardError).trimmingCharacters(in: .whitespacesAndNewlines)
                }
                if let result, result.succeeded {
                    print("ok    \(name): \(text ?? "")")
                    return text
                }
                failures += 1
                print("FAIL  \(name): \(text ?? "docker CLI not found")\n      \(advice)")
                return nil
            }
            // `docker --version` reads no context, so a wrong context is not taken for a
            // missing CLI.
            guard
                await check("docker CLI", ["--version"], advice: "Install the Docker CLI and put it on PATH.") != nil
            else { throw ExitCode(1) }
            let server = try? await engine.serverVersion()
            if let server, server.succeeded {
                print(
                    "ok    engine (\(engine.target)): \(server.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))"
                )
            } else {
                let said = server?.standardError.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                print(
                    "FAIL  engine (\(engine.target)): \(said)\n      \(DockerEngine.advice(unreachable: engine.target, standardError: said))"
                )
                // Compose and Swarm cannot be asked without an engine.
                throw ExitCode(1)
            }
            if let version = await check(
                "Docker Compose", ["compose", "version", "--short"],
                advice: "Install the Compose v2 CLI plugin (docker-compose-plugin).")
            {
                if !version.hasPrefix("2") && !version.hasPrefix("v2") {
                    failures += 1
                    print("FAIL  Docker Compose \(version) is not v2.")
                }
            }
            _ = await check(
                "Swarm", ["info", "--format", "{{.Swarm.LocalNodeState}}"],
                advice: "Only needed for Swarm stacks: docker swarm init.")
            if failures > 0 { throw ExitCode(1) }
        }
    }

    struct Ship: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy images from this machine's engine to other engines, without a registry.",
            discussion:
                "Streams `docker save IMAGE` into `docker --host HOST load`. An engine that already holds the same image ID is skipped. Deploys ship the images of built services themselves."
        )

        @Argument(help: "Images on this machine's engine (DOCKER_HOST or the default socket).")
        var images: [String]

        @Option(
            name: .customLong("host"),
            help: "An engine to ship to, such as ssh://deploy@203.0.113.5; repeat it for several.")
        var hosts: [String] = []

        func validate() throws {
            guard !images.isEmpty else { throw ValidationError("Name at least one image to ship.") }
            guard !hosts.isEmpty else { throw ValidationError("Name at least one engine with --host ssh://user@host.") }
        }

        func run() async throws {
            let targets = hosts.map { DockerEngine(target: Target(host: $0)) }
            try await ImageShipper().ship(references: images, to: targets)
        }
    }
}
