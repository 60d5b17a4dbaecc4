import BerthCompose
import BerthCore
import BerthRendering
import Foundation

@testable import BerthDeploy

/// A ``CommandRunner`` that records every command and answers like a Docker CLI with Compose
/// would, from an in-memory engine: `docker compose up` creates one healthy container per service
/// of the document it was given, labelled as Compose would label them.
final class FakeDocker: CommandRunner, @unchecked Sendable {
    struct Call: Sendable {
        var arguments: [String]
        var input: [UInt8]?
    }

    private struct State {
        var calls: [Call] = []
        var containers: [[String: Any]] = []
        var networks: [String] = []
        var volumes: [String] = []
    }

    private let state = Locked(State())
    private let document: ComposeDocument
    private let stack: Stack
    private let environment: Environment

    /// - Parameter prepared: What `docker compose up` deploys.
    init(deploying prepared: ComposeDeployer.Prepared) {
        document = prepared.document
        stack = prepared.stack
        environment = prepared.environment
    }

    var calls: [Call] { state.value.calls }

    /// Adds a network labelled with the stack, as an earlier deploy would have left it.
    func seedNetwork(_ name: String) {
        state.mutate { $0.networks.append(name) }
    }

    /// The `docker compose … up` commands run so far.
    var composeUps: [[String]] {
        calls.map(\.arguments).filter { $0.starts(with: ["docker", "compose"]) && $0.contains("up") }
    }

    func run(_ arguments: [String], input: [UInt8]?) async throws -> CommandResult {
        state.mutate { $0.calls.append(Call(arguments: arguments, input: input)) }
        guard arguments.first == "docker" else { return Self.fail("not docker: \(arguments)") }
        let command = Array(arguments.dropFirst())
        switch command.first {
        case "version":
            return Self.ok("20.10.24\n")
        case "image" where command.dropFirst().first == "ls":
            // An engine holding none of the images the stack names: no tag can have moved.
            return Self.ok("")
        case "ps":
            let ids = state.value.containers.map { $0["Id"] as! String }
            return Self.ok(ids.map { $0 + "\n" }.joined())
        case "container" where command.dropFirst().first == "inspect":
            let wanted = Set(command.dropFirst(2))
            let found = state.value.containers.filter { wanted.contains($0["Id"] as! String) }
            let data = try JSONSerialization.data(withJSONObject: found, options: [.sortedKeys])
            return Self.ok(String(decoding: data, as: UTF8.self))
        case "network" where command.dropFirst().first == "ls":
            return Self.ok(state.value.networks.map { $0 + "\n" }.joined())
        case "network" where command.dropFirst().first == "rm":
            let names = Set(command.dropFirst(2))
            state.mutate { $0.networks.removeAll { names.contains($0) } }
            return Self.ok(names.sorted().map { $0 + "\n" }.joined())
        case "volume" where command.dropFirst().first == "ls":
            return Self.ok(state.value.volumes.map { $0 + "\n" }.joined())
        case "logs":
            return Self.ok("")
        case "compose":
            if command.dropFirst().first == "version" { return Self.ok("2.40.3\n") }
            if command.contains("up") {
                let file = command.firstIndex(of: "--file").map { command[$0 + 1] }
                deploy(labels: file.map(Self.hashLabels(inComposeFile:)) ?? [:])
                return CommandResult(exitCode: 0, standardOutput: "", standardError: " Container started\n")
            }
            if command.contains("down") {
                state.mutate { $0 = State(calls: $0.calls) }
                return Self.ok("")
            }
            return Self.fail("unexpected compose command \(command)")
        default:
            return Self.fail("unexpected docker command \(command)")
        }
    }

    func runAttached(_ arguments: [String]) async throws -> Int32 {
        state.mutate { $0.calls.append(Call(arguments: arguments, input: nil)) }
        return 0
    }

    /// The hash labels of each service in the rendered file `up` was given, as Compose would
    /// copy them onto the containers; they depend on the secret versions of that deploy.
    static func hashLabels(inComposeFile path: String) -> [String: (configuration: String, fields: String)] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        func value(_ line: Substring) -> String {
            String(
                line.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces).dropFirst().dropLast())
        }
        var result: [String: (configuration: String, fields: String)] = [:]
        var service = ""
        var configuration = ""
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(OwnershipLabel.service + ":") { service = value(Substring(trimmed)) }
            if trimmed.hasPrefix(OwnershipLabel.configHash + ":") { configuration = value(Substring(trimmed)) }
            if trimmed.hasPrefix(OwnershipLabel.fieldHashes + ":") {
                result[service] = (configuration, value(Substring(trimmed)))
            }
        }
        return result
    }

    private func deploy(labels: [String: (configuration: String, fields: String)]) {
        let project = document.projectName
        var containers: [[String: Any]] = []
        for service in stack.services {
            let rendered = document.serviceHashes[service.name]!
            let hash = labels[service.name] ?? (rendered.configuration, rendered.fieldsLabel)
            let id = (project + service.name).utf8.map { String(format: "%02x", $0) }.joined()
            var state: [String: Any] = [
                "Status": "running", "Running": true, "ExitCode": 0,
                "StartedAt": "2026-01-01T00:00:00.000000000Z",
            ]
            if service.healthCheck != nil {
                state["Health"] = [
                    "Status": "healthy", "FailingStreak": 0,
                    "Log": [["ExitCode": 0, "Output": "ok\n"]],
                ]
            }
            containers.append([
                "Id": String((id + String(repeating: "0", count: 64)).prefix(64)),
                "Name": "/\(project)-\(service.name)-1",
                "State": state,
                "Config": [
                    "Image": service.image.reference,
                    "Labels": [
                        OwnershipLabel.stack: stack.name,
                        OwnershipLabel.environment: environment.name,
                        OwnershipLabel.service: service.name,
                        OwnershipLabel.configHash: hash.configuration,
                        OwnershipLabel.fieldHashes: hash.fields,
                        "com.docker.compose.project": project,
                        "com.docker.compose.service": service.name,
                    ],
                ],
                "NetworkSettings": ["Ports": [:] as [String: Any]],
            ])
        }
        let networks = stack.networks.filter { !$0.isExternal }.map { "\(project)_\($0.name)" }
        let volumes = stack.volumes.filter { $0.externalName == nil }.map { "\(project)_\($0.name)" }
        state.mutate {
            $0.containers = containers
            // Compose never removes, on `up`, a network that left the file.
            $0.networks = Set($0.networks + networks).sorted()
            $0.volumes = volumes.sorted()
        }
    }

    private static func ok(_ output: String) -> CommandResult {
        CommandResult(exitCode: 0, standardOutput: output, standardError: "")
    }

    private static func fail(_ message: String) -> CommandResult {
        CommandResult(exitCode: 1, standardOutput: "", standardError: message)
    }
}

/// A ``CommandRunner`` that answers every command with a closure.
struct ScriptedRunner: CommandRunner {
    let respond: @Sendable ([String]) -> CommandResult

    func run(_ arguments: [String], input: [UInt8]?) async throws -> CommandResult {
        respond(arguments)
    }

    func runAttached(_ arguments: [String]) async throws -> Int32 {
        respond(arguments).exitCode
    }
}
