import BerthCore
import BerthProcess
import Foundation
import Testing

@testable import BerthDeploy

/// The lab's two engines (``RemoteEngines``) as the `core` and `edge` servers of a
/// deployment, with what the multi-server tests need beside them.
struct RemoteLab: Sendable {
    let core: Server
    let edge: Server
    let coreAddress: String
    let edgeAddress: String

    /// The servers, or a failure saying how to start the lab.
    static func require() throws -> RemoteLab {
        let engines = try RemoteEngines.require()
        return RemoteLab(
            core: Server("core", engine: engines.core.engine, address: engines.core.address),
            edge: Server("edge", engine: engines.edge.engine, address: engines.edge.address),
            coreAddress: engines.core.address, edgeAddress: engines.edge.address)
    }

    /// `docker --host HOST ARGUMENTS`, its output trimmed of the last newline only.
    func docker(_ host: Server, _ arguments: [String]) async throws -> String {
        let result = try await ProcessRunner().run(["docker", "--host", host.engine!] + arguments, input: nil)
        guard result.succeeded else {
            throw EngineError("docker \(arguments.joined(separator: " ")) on \(host.name): \(result.standardError)")
        }
        var output = result.standardOutput
        if arguments.first != "exec", output.hasSuffix("\n") { output.removeLast() }
        return output
    }

    /// Removes what an earlier, interrupted run left of these stacks on both servers: a
    /// leftover stack holds generated secrets this run's package does not have.
    func clear(stacks: [String]) async throws {
        for server in [core, edge] {
            for stack in stacks {
                let label = "label=berth.stack=\(stack)"
                let containers = try await docker(server, ["ps", "--all", "--quiet", "--filter", label])
                if !containers.isEmpty {
                    _ = try await docker(
                        server, ["rm", "--force", "--volumes"] + containers.split(separator: "\n").map(String.init))
                }
                let networks = try await docker(server, ["network", "ls", "--quiet", "--filter", label])
                if !networks.isEmpty {
                    _ = try await docker(server, ["network", "rm"] + networks.split(separator: "\n").map(String.init))
                }
                _ = try? await docker(server, ["rm", "--force", "berth-lock.\(stack)-dev"])
                // Built images too, so a test sees them shipped.
                let images = try await docker(
                    server, ["image", "ls", "--quiet", "--filter", "reference=berth-build/\(stack)-*"])
                if !images.isEmpty {
                    _ = try? await docker(
                        server,
                        ["image", "rm", "--force"] + Set(images.split(separator: "\n").map(String.init)).sorted())
                }
            }
        }
    }

    /// One GET with curl, bounded to 10 s; the body, or the error text.
    func get(_ url: String, insecure: Bool = false) async throws -> String {
        let result = try await ProcessRunner().run(
            ["curl", "--silent", "--show-error", "--max-time", "10"] + (insecure ? ["--insecure"] : []) + [url],
            input: nil)
        return result.succeeded ? result.standardOutput : "curl failed: \(result.standardError)"
    }

    /// A second sshd in front of the same engines, on its own port, that a test can stop and
    /// start without disturbing the tests that use the lab's own.
    final class PrivateSSHD: @unchecked Sendable {
        let port: Int
        private let pidFile: String

        private init(port: Int) {
            self.port = port
            pidFile = "/tmp/ssh-eng-sshd/pid-\(port)"
        }

        static func start(port: Int) throws -> PrivateSSHD {
            let sshd = PrivateSSHD(port: port)
            try sshd.restart()
            return sshd
        }

        func restart() throws {
            let started = try Command.runBlocking(
                [
                    "/usr/sbin/sshd", "-f", "/tmp/ssh-eng-sshd/sshd_config", "-o", "Port=\(port)", "-o",
                    "PidFile=\(pidFile)", "-E", "/tmp/ssh-eng-sshd/log-\(port)",
                ], timeout: .seconds(30))
            try #require(started?.status == 0, "sshd on port \(port) did not start")
            for _ in 0..<50 where !FileManager.default.fileExists(atPath: pidFile) {
                Thread.sleep(forTimeInterval: 0.1)
            }
        }

        /// Drops every packet to and from the server's port, as a network that black-holes a
        /// host does: open connections go silent without closing, new ones never get an answer.
        func blackHole() throws {
            for rule in rules {
                try #require(Self.iptables(["-I", "INPUT"] + rule), "iptables could not add \(rule)")
            }
        }

        /// Lets packets through again, and ends the connections that were cut off.
        func restore() {
            for rule in rules where Self.iptables(["-C", "INPUT"] + rule) {
                _ = Self.iptables(["-D", "INPUT"] + rule)
            }
            for pid in processes().dropFirst() { kill(pid, SIGKILL) }
        }

        private var rules: [[String]] {
            [
                ["-i", "lo", "-p", "tcp", "--dport", String(port), "-j", "DROP"],
                ["-i", "lo", "-p", "tcp", "--sport", String(port), "-j", "DROP"],
            ]
        }

        /// Whether `iptables ARGUMENTS` succeeded.
        private static func iptables(_ arguments: [String]) -> Bool {
            let outcome = try? Command.runBlocking(["iptables", "-w"] + arguments, timeout: .seconds(30))
            return outcome?.status == 0
        }

        /// The listener, then every process below it.
        private func processes() -> [Int32] {
            guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
                let main = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            else { return [] }
            var pids = [main]
            var index = 0
            while index < pids.count {
                pids += Self.children(of: pids[index])
                index += 1
            }
            return pids
        }

        /// Stops the listener and every connection it accepted: its children and theirs.
        func stop() {
            restore()
            guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
                let main = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            else { return }
            var pids = [main]
            var index = 0
            while index < pids.count {
                pids += Self.children(of: pids[index])
                index += 1
            }
            for pid in pids { kill(pid, SIGKILL) }
            try? FileManager.default.removeItem(atPath: pidFile)
        }

        private static func children(of pid: Int32) -> [Int32] {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            return tasks.flatMap { task -> [Int32] in
                let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? ""
                return text.split(separator: " ").compactMap { Int32($0) }
            }
        }
    }
}
