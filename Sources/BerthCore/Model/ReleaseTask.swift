/// A command run once in a service's new version before that version starts serving: database
/// migrations, cache warm-up, an asset upload.
///
/// On every `up` that creates or updates the service, Berth runs the command in a one-off
/// container of the new configuration (its image, environment, secrets, networks and volumes;
/// `docker compose run --rm --no-deps`), after the services it depends on are ready and before
/// any of its own containers is replaced. If the command fails or runs out of time the release
/// stops there: the service's running containers were never touched and keep serving, and `up`
/// exits 1 with the command's exit status and the end of its output. A repair of drift (a
/// container that crashed) does not run it again.
///
/// ```swift
/// Service("api", image: "ghcr.io/acme/api:1.5")
///     .dependsOn("db", condition: .healthy)
///     .beforeRelease(["bin/rails", "db:migrate"])
/// ```
///
/// On Swarm, which updates a stack's services all at once, Berth first deploys the services the
/// task depends on when this deploy creates or changes them (leaving the service with the task
/// on its previous version), then runs the task as a one-off Swarm job of the new version
/// (`mode: replicated-job`, no restart), and only once it completed deploys the whole stack.
public struct ReleaseTask: Sendable, Hashable, Codable {
    /// The command, run as the service's command is (through its entrypoint).
    public var command: [String]
    /// How long it may run before the release counts as failed.
    public var timeout: Duration
    /// Where the user declared it.
    public var location: SourceLocation

    /// Creates a release task.
    public init(command: [String], timeout: Duration, location: SourceLocation) {
        self.command = command
        self.timeout = timeout
        self.location = location
    }
}

extension Service {
    /// Runs `command` once in the new version before it serves; see ``ReleaseTask``.
    /// - Parameters:
    ///   - command: The task's command, run through the service's entrypoint.
    ///   - timeout: How long it may run (default 10 minutes).
    public func beforeRelease(
        _ command: [String], timeout: Duration = .seconds(600), fileID: String = #fileID, line: Int = #line
    ) -> Service {
        var copy = self
        copy.releaseTask = ReleaseTask(
            command: command, timeout: timeout, location: SourceLocation(fileID: fileID, line: line))
        return copy
    }
}
