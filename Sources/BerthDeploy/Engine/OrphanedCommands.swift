import Foundation

/// Docker commands a killed deployer left running on this machine.
///
/// A deployer killed with `SIGKILL` cannot stop its children: its `docker compose` goes on,
/// re-parented, and would race the next deploy. When the next deploy takes over the killed
/// one's lock, it stops them first.
enum OrphanedCommands {
    /// The processes on this machine, other than this one and its children, whose command line
    /// names the project: `docker compose --project-name PROJECT …` and the Compose plugin it
    /// runs.
    static func find(project: String) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        let me = getpid()
        return entries.compactMap { Int32($0) }.filter { pid in
            guard pid != me, let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else {
                return false
            }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard let program = arguments.first, program.hasSuffix("docker") || program.hasSuffix("docker-compose")
            else { return false }
            return zip(arguments, arguments.dropFirst()).contains { flag, value in
                (flag == "--project-name" || flag == "-p") && value == project
            }
        }
    }

    /// Stops them: `SIGTERM` (Compose then stops cleanly), and `SIGKILL` for whatever still
    /// runs after `grace`.
    /// - Returns: How many there were.
    @discardableResult
    static func stop(project: String, grace: Duration = .seconds(15)) async throws -> Int {
        let found = find(project: project)
        guard !found.isEmpty else { return 0 }
        for pid in found { kill(pid, SIGTERM) }
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while clock.now < deadline, found.contains(where: { kill($0, 0) == 0 }) {
            try await Task.sleep(for: .milliseconds(200))
        }
        for pid in found where kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        return found.count
    }
}
