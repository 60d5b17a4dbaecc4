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
        while clock.now < deadline, found.contains(where: ProcessStatus.isRunning) {
            try await Task.sleep(for: .milliseconds(200))
        }
        for pid in found where ProcessStatus.isRunning(pid) { kill(pid, SIGKILL) }
        return found.count
    }
}

/// What `/proc/PID/stat` says of a process on this machine; `nil` where there is no `/proc`
/// or the process is gone.
struct ProcessStatus {
    /// The state letter: `R` running, `S` sleeping, `Z` exited but not yet reaped, …
    var state: Character
    /// When it started, in clock ticks since boot: with the PID, it names one process even
    /// after the PID is reused.
    var startTime: String

    init?(pid: Int32) {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        // The command name (field 2) may hold spaces; the fields after its `)` do not.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first else { return nil }
        self.state = state
        self.startTime = String(fields[19])
    }

    /// Whether the process still runs: it exists and has not exited. A re-parented child that
    /// exited stays a zombie until its new parent reaps it, and signals reach it no more.
    static func isRunning(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        return ProcessStatus(pid: pid)?.state != "Z"
    }
}
