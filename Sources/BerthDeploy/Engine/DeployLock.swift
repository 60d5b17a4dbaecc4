import BerthCore
import Foundation

/// The lock that lets one deployer at a time change a stack in an environment, held on the
/// engine itself so deployers on different machines see it.
///
/// The lock is a container that is never started, named `berth-lock.<project>`: the engine
/// refuses a second container of that name, which makes taking the lock atomic without any
/// service beside the engine. Its labels record the holder. The container's image is an empty
/// one Berth imports locally (`berth/lock:1`); nothing is pulled.
///
/// A lock whose holder ran on this machine and whose process is gone (killed, or the machine
/// restarted) is reported and taken over; one held from another machine is waited for
/// (`--lock-wait`) or reported with its holder, and `lock release` removes it by hand.
public struct DeployLock: Sendable {
    /// Who holds a lock.
    public struct Holder: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The user name.
        public var user: String
        /// The machine's host name.
        public var host: String
        /// The process ID on that machine.
        public var pid: Int32
        /// When the process started, in clock ticks since boot (Linux), so a reused process ID
        /// is not taken for the holder.
        public var processStart: String
        /// The command it runs, such as `up`.
        public var command: String
        /// When it took the lock (ISO 8601).
        public var since: String

        public var description: String {
            "\(user)@\(host) (pid \(pid), `\(command)`, since \(since))"
        }

    }

    /// A lock this process took: its holder, and the container that is the lock, which
    /// ``release(_:)`` removes by ID.
    public struct Lease: Sendable, Hashable {
        /// Who holds it: this process.
        public var holder: Holder
        /// The lock container's ID.
        public var container: String
    }

    /// The engine.
    public var engine: DockerEngine
    /// The Compose project or Swarm stack name the lock guards.
    public var project: String

    static let image = "berth/lock:1"
    static let label = "berth.lock"

    /// Creates the lock of a project.
    public init(engine: DockerEngine, project: String) {
        self.engine = engine
        self.project = project
    }

    /// The lock container's name.
    var name: String { "berth-lock.\(project)" }

    /// This process, as a holder.
    static func current(command: String) -> Holder {
        Holder(
            user: ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName,
            host: ProcessInfo.processInfo.hostName, pid: getpid(),
            processStart: processStart(of: getpid()) ?? "", command: command,
            since: ISO8601DateFormatter().string(from: Date()))
    }

    /// Takes the lock, waiting up to `wait` for its holder to let go.
    /// - Parameters:
    ///   - command: What this process is about to do, shown to whoever finds the lock held.
    ///   - wait: How long to wait for a lock held by a live deployer.
    ///   - onStale: Called with the holder of a lock whose process is gone, before it is taken
    ///     over.
    /// - Throws: ``DeployLockHeld`` when the lock is still held after `wait`.
    public func acquire(
        command: String,
        wait: Duration,
        console: Console,
        onStale: @Sendable (Holder) async throws -> Void = { _ in }
    ) async throws -> Lease {
        let me = Self.current(command: command)
        var imported = false
        let clock = ContinuousClock()
        let deadline = clock.now + wait
        var announced = false
        while true {
            // `--pull never`: without it the CLI answers a missing image with a pull, which
            // fails (with a registry error instead of "No such image") on an offline engine.
            Self.held.mutate { $0.creating[name, default: 0] += 1 }
            let created: CommandResult
            do {
                created = try await engine.run(
                    ["container", "create", "--pull", "never", "--name", name] + Self.labels(of: me, project: project)
                        + [Self.image, "lock"])
            } catch {
                Self.held.mutate { $0.creating[name, default: 1] -= 1 }
                throw error
            }
            let lease = created.succeeded ? Lease(holder: me, container: created.standardOutput.trimmed) : nil
            Self.held.mutate { state in
                if let lease { state.leases.insert(lease.container) }
                state.creating[name, default: 1] -= 1
            }
            if let lease { return lease }
            if !imported, created.standardError.contains("No such image") {
                try await importImage()
                imported = true
                continue
            }
            guard Self.isNameConflict(created.standardError) else {
                throw EngineError(
                    "Could not take the deploy lock \(name) on \(engine.target): \(created.standardError.trimmed)")
            }
            guard let (id, holder) = try await current() else { continue }  // released meanwhile
            // A lock this very process took and let go of without removing it (the engine was
            // unreachable then) has no deployer left either.
            if !Self.isAlive(holder) || (Self.isThisProcess(holder) && !Self.held.holds(id, name: name)) {
                console.progress(
                    "The deploy lock of \(project) is held by \(holder), \(Self.isThisProcess(holder) ? "a deploy of this process that could not remove it" : "whose process is gone"); taking it over."
                )
                try await onStale(holder)
                // Removed by ID: a lock someone else took meanwhile has another ID and stays.
                _ = try await engine.run(["container", "rm", id])
                continue
            }
            if clock.now >= deadline {
                throw DeployLockHeld(project: project, holder: holder, target: engine.target.description)
            }
            if !announced {
                console.progress(
                    "Waiting for the deploy lock of \(project), held by \(holder) (up to \(GoDuration.format(wait)))…"
                )
                announced = true
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    /// Releases a lock this process took. It is removed by its ID: a lock released by hand
    /// and taken by another deployer meanwhile has another ID and stays.
    public func release(_ lease: Lease) async {
        // A connection that just dropped may be back a moment later; a lock left behind costs the
        // next deployer a takeover, not correctness.
        for attempt in 0..<3 {
            if (try? await engine.run(["container", "rm", lease.container])) != nil { break }
            if attempt < 2 { try? await Task.sleep(for: .seconds(1)) }
        }
        // Only now: until the container is gone, another task of this process must wait for it.
        Self.held.mutate { $0.leases.remove(lease.container) }
    }

    /// The lock containers this process holds.
    private static let held = HeldLeases()

    /// Whether a holder is this process.
    static func isThisProcess(_ holder: Holder) -> Bool {
        holder.host == ProcessInfo.processInfo.hostName && holder.pid == getpid()
            && holder.processStart == (processStart(of: getpid()) ?? "")
    }

    /// Removes the lock whoever holds it (`lock release`).
    /// - Returns: The holder it had, or `nil` when it was free.
    @discardableResult
    public func forceRelease() async throws -> Holder? {
        guard let (id, holder) = try await current() else { return nil }
        _ = try await engine.output(["container", "rm", id])
        return holder
    }

    /// The lock's container ID and holder, or `nil` when it is free.
    public func current() async throws -> (id: String, holder: Holder)? {
        let result = try await engine.run(["container", "inspect", "--format", "{{json .}}", name])
        guard result.succeeded else {
            if result.standardError.contains("No such") { return nil }
            throw EngineError("Could not read the deploy lock \(name): \(result.standardError.trimmed)")
        }
        struct Inspected: Decodable {
            struct Configuration: Decodable {
                var labels: [String: String]?
                enum CodingKeys: String, CodingKey { case labels = "Labels" }
            }
            var id: String
            var config: Configuration
            enum CodingKeys: String, CodingKey {
                case id = "Id"
                case config = "Config"
            }
        }
        let inspected = try JSONDecoder().decode(Inspected.self, from: Data(result.standardOutput.utf8))
        let labels = inspected.config.labels ?? [:]
        func label(_ key: String) -> String { labels["\(Self.label).\(key)"] ?? "?" }
        return (
            inspected.id,
            Holder(
                user: label("user"), host: label("host"), pid: Int32(label("pid")) ?? 0,
                processStart: labels["\(Self.label).process-start"] ?? "", command: label("command"),
                since: label("since"))
        )
    }

    /// Whether the holder's process still runs. A holder on another machine cannot be checked
    /// from here and counts as alive.
    static func isAlive(_ holder: Holder) -> Bool {
        guard holder.host == ProcessInfo.processInfo.hostName else { return true }
        guard holder.pid > 0, ProcessStatus.isRunning(holder.pid) else { return false }
        guard !holder.processStart.isEmpty, let start = processStart(of: holder.pid) else { return true }
        return start == holder.processStart
    }

    /// The start time of a process (``ProcessStatus/startTime``), or `nil` where there is no
    /// `/proc`.
    static func processStart(of pid: Int32) -> String? {
        ProcessStatus(pid: pid)?.startTime
    }

    static func labels(of holder: Holder, project: String) -> [String] {
        [
            ("project", project), ("user", holder.user), ("host", holder.host), ("pid", String(holder.pid)),
            ("process-start", holder.processStart), ("command", holder.command), ("since", holder.since),
        ].flatMap { ["--label", "\(label).\($0.0)=\($0.1)"] }
    }

    static func isNameConflict(_ message: String) -> Bool {
        message.contains("Conflict") || message.contains("already in use")
    }

    /// Imports the empty image the lock container (and each ``ReleaseHistory`` release) is
    /// made from, once per engine.
    func importImage() async throws {
        // An empty tar archive: two 512-byte blocks of zeros.
        let imported = try await engine.run(
            ["image", "import", "--message", "Berth deploy locks", "-", Self.image],
            input: [UInt8](repeating: 0, count: 1024))
        guard imported.succeeded || imported.standardError.contains("already exists") else {
            throw EngineError(
                "Could not create the image of Berth's deploy locks (\(Self.image)) on \(engine.target): \(imported.standardError.trimmed)"
            )
        }
    }
}

/// Another deployer holds the stack's lock.
public struct DeployLockHeld: Error, CustomStringConvertible, Sendable {
    /// The project.
    public var project: String
    /// Who holds it.
    public var holder: DeployLock.Holder
    /// The engine.
    public var target: String

    public var description: String {
        """
        Another deploy of \(project) is in progress on \(target): the lock is held by \(holder).
        Wait for it to finish (or pass --lock-wait SECONDS to wait here). If that deployer is gone, \
        check with `lock status` and remove the lock with `lock release`.
        """
    }
}

/// The lock containers this process holds, and the locks it is creating, shared by every lock
/// value: a lock of this very process that is in neither was left behind when its release could
/// not reach the engine.
final class HeldLeases: @unchecked Sendable {
    struct State {
        /// The IDs of the lock containers held.
        var leases: Set<String> = []
        /// How many `container create` calls are in flight, by lock name.
        var creating: [String: Int] = [:]
    }

    private let lock = NSLock()
    private var state = State()

    func mutate(_ change: (inout State) -> Void) { lock.withLock { change(&state) } }

    /// Whether a task of this process holds the lock with this ID, or may be taking it now.
    func holds(_ id: String, name: String) -> Bool {
        lock.withLock { state.leases.contains(id) || state.creating[name, default: 0] > 0 }
    }
}
