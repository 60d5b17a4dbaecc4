import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension Command {
    /// ``run(_:input:environment:directory:)`` for code that cannot `await`: test-availability
    /// probes in `static let` initialisers.
    ///
    /// Not through swift-subprocess, whose work hops between tasks: a thread of the
    /// cooperative pool (two of them on a two-core machine) blocked while a task waits for
    /// one deadlocks as soon as two probes run at once. This waits for the program with
    /// `waitpid` on the calling thread and needs no other. Standard output and error go to
    /// files, which never fill as a pipe nobody reads would.
    /// - Parameters:
    ///   - timeout: How long the program may run before it is stopped (SIGKILL).
    /// - Returns: The outcome, or `nil` when the program had to be stopped.
    public static func runBlocking(
        _ arguments: [String],
        input: [UInt8]? = nil,
        environment: Environment = .inherited,
        directory: URL? = nil,
        timeout: Duration
    ) throws -> Outcome? {
        guard let name = arguments.first else { throw Failure.cannotStart("", "no command given") }
        let path = try locate(name)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("berth-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inputFile = scratch.appendingPathComponent("input").path
        let outputFile = scratch.appendingPathComponent("output").path
        let errorFile = scratch.appendingPathComponent("errors").path
        try Data(input ?? []).write(to: URL(fileURLWithPath: inputFile))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputFile, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // `cd` by a shell that is given the directory and the command as arguments, never as text
        // to interpret: the C library's `addchdir` is not in the Glibc module, nor public on
        // macOS before 26.
        let program =
            (directory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0.path] } ?? []) + [path]
            + arguments.dropFirst()

        let variables: [String: String]
        switch environment {
        case .inherited(let added): variables = ProcessInfo.processInfo.environment.merging(added) { $1 }
        case .exactly(let exact): variables = exact
        }
        let argv: [UnsafeMutablePointer<CChar>?] = program.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, program[0], &actions, nil, argv, envp)
        guard spawned == 0 else { throw Failure.cannotStart(name, String(cString: strerror(spawned))) }

        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var status: Int32 = 0
        var stopped = false
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { break }
            if waited == -1 && errno != EINTR { throw Failure.cannotStart(name, String(cString: strerror(errno))) }
            if !stopped && clock.now > deadline {
                kill(pid, SIGKILL)
                stopped = true
            }
            usleep(5_000)
        }
        guard !stopped else { return nil }
        // The wait status: the exit code in bits 8-15 when the low 7 bits are 0, else the signal.
        let signal = status & 0x7f
        return Outcome(
            status: signal == 0 ? (status >> 8) & 0xff : 128 + signal,
            output: [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: outputFile))) ?? Data()),
            errors: [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: errorFile))) ?? Data()))
    }
}
