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
        abstract: "Inspect and clean up what Berth deployed on a Docker engine.",
        subcommands: [Status.self, Routes.self, Destroy.self, Doctor.self]
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

        func run() async throws {
            let engine = options.engine
            try await engine.checkReachable()
            let format = "{{.Label \"\(OwnershipLabel.stack)\"}}\t{{.Label \"\(OwnershipLabel.environment)\"}}"
            let lines = try await engine.output(
                ["ps", "--all", "--filter", "label=\(OwnershipLabel.stack)", "--format", format])
            let pairs = Set(lines.split(whereSeparator: \.isNewline).map(String.init)).sorted()
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
            discussion: "The routes deploys check new ones against, and an nginx gateway serves.")

        @OptionGroup var options: EngineOptions

        func run() async throws {
            let engine = options.engine
            try await engine.checkReachable()
            let routes = try await engine.liveRoutes().sorted {
                ($0.route.host, $0.route.pathPrefix) < ($1.route.host, $1.route.pathPrefix)
            }
            if routes.isEmpty {
                print("No route deployed by Berth on \(engine.target).")
                return
            }
            for live in routes {
                let servers = live.servers.isEmpty ? "no running server" : live.servers.joined(separator: ", ")
                print(
                    "\(live.route.address) -> \(live.stack) (\(live.environment)) \(live.service):\(live.route.port)  [\(servers)]"
                )
            }
        }
    }

    struct Destroy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a stack's containers and networks by their labels, without its manifest.")

        @OptionGroup var options: EngineOptions
        @Option(help: "The stack's name.") var stack: String
        @Option(name: .customLong("env"), help: "The environment's name.") var environment: String
        @Flag(help: "Also remove the stack's volumes and the data in them.") var volumes = false
        @Option(help: "The package directory whose .berth/ holds the rendered file, if any.") var directory: String?

        func run() async throws {
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
            _ = await check(
                "docker CLI", ["version", "--format", "{{.Client.Version}}"],
                advice: "Install the Docker CLI and put it on PATH.")
            _ = await check(
                "engine (\(engine.target))",
                ["version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})"],
                advice: "Start the engine, set DOCKER_HOST, or pass --context NAME.")
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
}
