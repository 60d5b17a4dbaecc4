import Foundation

@testable import BerthDeploy

/// A ``CommandRunner`` answering the docker commands ``ReleaseHistory`` runs, from containers
/// held in memory, as the docker CLI 28 and engine 20.10 answer them.
final class FakeReleaseEngine: CommandRunner, @unchecked Sendable {
    private struct State {
        /// Container name → labels, in creation order.
        var containers: [(name: String, labels: [String: String])] = []
        var hasImage = true
        var imports = 0
        var calls: [[String]] = []
    }

    private let state: Locked<State>
    /// Called before each `container create`, to let "another deployer" act first.
    private let beforeCreate: @Sendable (FakeReleaseEngine) -> Void

    init(hasImage: Bool = true, beforeCreate: @escaping @Sendable (FakeReleaseEngine) -> Void = { _ in }) {
        state = Locked(State(hasImage: hasImage))
        self.beforeCreate = beforeCreate
    }

    var names: [String] { state.value.containers.map(\.name) }
    var imports: Int { state.value.imports }
    var calls: [[String]] { state.value.calls }

    /// Adds a container as another deployer would have created it.
    func add(name: String, labels: [String: String]) {
        state.mutate { $0.containers.append((name, labels)) }
    }

    func run(_ arguments: [String], input: [UInt8]?) async throws -> CommandResult {
        state.mutate { $0.calls.append(arguments) }
        let command = Array(arguments.dropFirst())
        switch (command.first, command.dropFirst().first) {
        case ("ps", _):
            let filter = command.firstIndex(of: "--filter").map { command[$0 + 1] } ?? ""
            let wanted = filter.split(separator: "=", maxSplits: 1).last.map(String.init) ?? ""
            let (key, value) = wanted.split(separator: "=", maxSplits: 1).map(String.init).pair
            let matching = state.value.containers.filter { $0.labels[key] == value }
            if let format = command.firstIndex(of: "--format").map({ command[$0 + 1] }) {
                let label = format.split(separator: "\"")[1]
                return Self.ok(matching.map { ($0.labels[String(label)] ?? "") + "\n" }.joined())
            }
            return Self.ok(matching.map { "id-\($0.name)\n" }.joined())
        case ("container", "create"):
            beforeCreate(self)
            let name = command[command.firstIndex(of: "--name")! + 1]
            guard state.value.hasImage else {
                return Self.fail("Unable to find image 'berth/lock:1' locally\nError: No such image: berth/lock:1")
            }
            guard !names.contains(name) else {
                return Self.fail(
                    "Error response from daemon: Conflict. The container name \"/\(name)\" is already in use by container \"abc\"."
                )
            }
            var labels: [String: String] = [:]
            for line in String(decoding: input ?? [], as: UTF8.self).split(separator: "\n") {
                // The CLI reads the label file with a 64 KiB line buffer.
                guard line.utf8.count < 65_536 else {
                    return Self.fail("invalid env file (/dev/stdin): bufio.Scanner: token too long")
                }
                let (key, value) = line.split(separator: "=", maxSplits: 1).map(String.init).pair
                labels[key] = value
            }
            add(name: name, labels: labels)
            return Self.ok("id-\(name)\n")
        case ("container", "inspect"):
            let ids = command.dropFirst(4)
            let found = ids.compactMap { id in state.value.containers.first { "id-\($0.name)" == id } }
            let lines = try found.map { String(decoding: try JSONEncoder().encode($0.labels), as: UTF8.self) + "\n" }
            return found.count == ids.count
                ? Self.ok(lines.joined())
                : CommandResult(exitCode: 1, standardOutput: lines.joined(), standardError: "Error: No such container")
        case ("container", "rm"):
            let removed = Set(command.dropFirst(2))
            state.mutate { $0.containers.removeAll { removed.contains($0.name) } }
            return Self.ok(removed.sorted().joined(separator: "\n"))
        case ("image", "import"):
            state.mutate {
                $0.hasImage = true
                $0.imports += 1
            }
            return Self.ok("sha256:0\n")
        case ("image", "inspect"):
            return Self.ok("[\"berth-test/busybox@sha256:feed\"] sha256:abdf\n")
        default:
            return Self.fail("unexpected: \(arguments)")
        }
    }

    func runAttached(_ arguments: [String]) async throws -> Int32 { 1 }

    static func ok(_ output: String) -> CommandResult {
        CommandResult(exitCode: 0, standardOutput: output, standardError: "")
    }

    static func fail(_ error: String) -> CommandResult {
        CommandResult(exitCode: 1, standardOutput: "", standardError: error)
    }
}

extension Array where Element == String {
    fileprivate var pair: (String, String) { (first ?? "", count > 1 ? self[1] : "") }
}
