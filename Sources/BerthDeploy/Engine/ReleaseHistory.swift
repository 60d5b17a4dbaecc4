import BerthCore
import BerthRendering
import Foundation

/// One deploy of a stack that succeeded: what ran, who deployed it, from which commit, and the
/// description itself, so ``ReleaseHistory`` can list it and `rollback` can apply it again.
///
/// Secret values are never part of a release, only their versions (keyed hashes, as in the
/// ``OwnershipLabel/secretVersions`` label).
public struct Release: Sendable, Hashable, Codable {
    /// The release's number in its project: 1, 2, 3…
    public var number: Int
    /// When it was recorded (ISO 8601).
    public var time: String
    /// The user who deployed it.
    public var user: String
    /// The machine it was deployed from (its host name).
    public var host: String
    /// The application repository's commit (`git rev-parse HEAD`), or `nil` when the package
    /// directory is not in a git repository.
    public var commit: String?
    /// Whether that repository had uncommitted changes; `nil` without a repository.
    public var dirty: Bool?
    /// The command that deployed it: `up`, `rollback 3`, `rotate-secret NAME`.
    public var command: String
    /// The stack's name.
    public var stack: String
    /// The environment's name.
    public var environment: String
    /// Each service's configuration hash (``OwnershipLabel/configHash``).
    public var configHashes: [String: String]
    /// Each service's image, as the engine resolved it: a repository digest
    /// (`repo@sha256:…`) where the engine knows one, else the image ID.
    public var images: [String: String]
    /// The versions of the secrets the services read, by name. Never their values.
    public var secretVersions: [String: String]
    /// The text of the file the orchestrator applied (`compose.yaml` or `stack.yaml`).
    public var renderedFile: String
    /// The ``BerthCore/Stack`` that was deployed, as JSON.
    public var stackJSON: String

    /// Creates a release.
    public init(
        number: Int, time: String, user: String, host: String, commit: String?, dirty: Bool?, command: String,
        stack: String, environment: String, configHashes: [String: String], images: [String: String],
        secretVersions: [String: String], renderedFile: String, stackJSON: String
    ) {
        self.number = number
        self.time = time
        self.user = user
        self.host = host
        self.commit = commit
        self.dirty = dirty
        self.command = command
        self.stack = stack
        self.environment = environment
        self.configHashes = configHashes
        self.images = images
        self.secretVersions = secretVersions
        self.renderedFile = renderedFile
        self.stackJSON = stackJSON
    }

    /// The deployed description, to apply again.
    /// - Throws: ``EngineError`` when this version of Berth cannot read it.
    public func decodedStack() throws -> Stack {
        do {
            return try JSONDecoder().decode(Stack.self, from: Data(stackJSON.utf8))
        } catch {
            throw EngineError(
                "Release \(number) of \(stack) (\(environment)) holds a stack description this version of Berth cannot read (\(error)). Roll back with the Berth version that recorded it (\(time)), or check out its commit\(commit.map { " \($0.prefix(12))" } ?? "") and run `up`."
            )
        }
    }

    /// Whether two releases run the same thing: the same configuration and images in every
    /// service. Who deployed them, when and from which commit does not matter.
    public func runsTheSame(as other: Release) -> Bool {
        configHashes == other.configHashes && images == other.images
    }

    /// The secrets whose recorded version differs from `other`'s: after a rollback, the
    /// secrets that could not be restored to this release's value.
    public func secretsDiffering(from other: Release) -> [String] {
        secretVersions.keys.filter { other.secretVersions[$0] != secretVersions[$0] }.sorted()
    }
}

/// The releases of one project, kept on the target engine so every deployer, from any machine
/// or checkout, sees the same history.
///
/// Each release is a container that is never started, named `berth-release.<project>.<number>`
/// and made from the empty image of the deploy locks (``DeployLock``). The engine refuses a
/// second container of a name, so two deployers recording at once cannot take the same number:
/// the one that loses takes the next. Small fields are plain labels a person can read with
/// `docker inspect`; the whole release is also a base64 JSON record, cut into labels of at most
/// ``chunkSize`` characters because the docker CLI reads a label file line by line with a
/// 64 KiB buffer. Labels travel through a label file on standard input, so a large rendered
/// file never becomes a process argument (which Linux limits to 128 KiB).
///
/// Releases carry none of the ``OwnershipLabel`` labels: live state, plans and `down` never see
/// them, and the history survives `down`.
public struct ReleaseHistory: Sendable {
    /// The engine the releases live on.
    public var engine: DockerEngine
    /// The Compose project or Swarm stack name.
    public var project: String
    /// How many releases to keep; older ones are removed after each new one.
    public var keep: Int

    /// How many releases are kept unless told otherwise.
    public static let defaultKeep = 10

    static let label = "berth.release"
    /// The longest value of one label of the record.
    static let chunkSize = 32_000
    /// The record's format, so a later Berth can tell what it reads.
    static let format = "1"

    /// Creates the history of a project.
    public init(engine: DockerEngine, project: String, keep: Int = ReleaseHistory.defaultKeep) {
        self.engine = engine
        self.project = project
        self.keep = keep
    }

    /// The container name of a release.
    func name(of number: Int) -> String { "berth-release.\(project).\(number)" }

    /// Stores a release under the next free number, then removes releases beyond ``keep``.
    /// - Parameter release: The release; its number is replaced by the one it gets.
    /// - Returns: The release as stored.
    /// - Throws: ``EngineError`` when the engine refuses it.
    @discardableResult
    public func record(_ release: Release) async throws -> Release {
        var release = release
        release.number = (try await numbers().max() ?? 0) + 1
        var imported = false
        var attempts = 0
        while true {
            let created = try await engine.run(
                [
                    "container", "create", "--name", name(of: release.number), "--label-file", "/dev/stdin",
                    DeployLock.image, "release",
                ],
                input: Array(try Self.labelFile(of: release, project: project).utf8))
            if created.succeeded { break }
            if !imported, created.standardError.contains("No such image") {
                try await DeployLock(engine: engine, project: project).importImage()
                imported = true
                continue
            }
            attempts += 1
            // Another deployer took this number meanwhile: the next one is ours.
            guard DeployLock.isNameConflict(created.standardError), attempts < 50 else {
                throw EngineError(
                    "Could not record release \(release.number) of \(project) on \(engine.target): \(created.standardError.trimmed)"
                )
            }
            release.number += 1
        }
        try await prune()
        return release
    }

    /// Every release still kept, newest first.
    /// - Throws: ``EngineError`` when a release cannot be read, naming the container to remove.
    public func list() async throws -> [Release] {
        let ids = try await engine.output(
            ["ps", "--all", "--quiet", "--no-trunc", "--filter", "label=\(Self.label).project=\(project)"]
        ).split(whereSeparator: \.isNewline).map(String.init)
        guard !ids.isEmpty else { return [] }
        let inspect = ["container", "inspect", "--format", "{{json .Config.Labels}}"] + ids
        let result = try await engine.run(inspect)
        // A release pruned by another deployer between `ps` and `inspect` is simply gone.
        guard result.succeeded || result.standardError.contains("No such") else {
            throw EngineError(
                "Could not read the releases of \(project) on \(engine.target): \(result.standardError.trimmed)")
        }
        var releases: [Release] = []
        for line in result.standardOutput.split(whereSeparator: \.isNewline) {
            let labels = try JSONDecoder().decode([String: String].self, from: Data(line.utf8))
            releases.append(try Self.release(from: labels))
        }
        return releases.sorted { $0.number > $1.number }
    }

    /// The numbers of the releases kept, read from their labels alone.
    func numbers() async throws -> [Int] {
        try await engine.output(
            [
                "ps", "--all", "--filter", "label=\(Self.label).project=\(project)", "--format",
                "{{.Label \"\(Self.label).number\"}}",
            ]
        ).split(whereSeparator: \.isNewline).compactMap { Int(String($0).trimmed) }
    }

    /// Removes the oldest releases beyond ``keep``.
    func prune() async throws {
        let old = try await numbers().sorted(by: >).dropFirst(max(keep, 1))
        guard !old.isEmpty else { return }
        let removed = try await engine.run(["container", "rm"] + old.map(name(of:)))
        // Another deployer pruning at the same time may have removed some already.
        guard removed.succeeded || removed.standardError.contains("No such") else {
            throw EngineError(
                "Could not remove old releases of \(project) on \(engine.target): \(removed.standardError.trimmed)")
        }
    }

    // MARK: Labels

    /// The label file of a release: one `key=value` a line, the record in chunks.
    static func labelFile(of release: Release, project: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let record = try encoder.encode(release).base64EncodedString()
        var chunks: [Substring] = []
        var rest = Substring(record)
        while !rest.isEmpty {
            chunks.append(rest.prefix(chunkSize))
            rest = rest.dropFirst(chunkSize)
        }
        let readable: [(String, String)] = [
            ("project", project), ("number", String(release.number)), ("time", release.time),
            ("user", release.user), ("host", release.host), ("commit", release.commit ?? ""),
            ("dirty", release.dirty.map { String($0) } ?? ""), ("command", release.command),
            ("stack", release.stack), ("environment", release.environment), ("format", format),
            ("record-chunks", String(chunks.count)),
        ]
        // A newline would end the label early; none of these fields should hold one.
        let lines =
            readable.map { "\(label).\($0.0)=\($0.1.replacingOccurrences(of: "\n", with: " "))" }
            + chunks.enumerated().map { "\(label).record.\($0.offset)=\($0.element)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads a release back from its container's labels.
    static func release(from labels: [String: String]) throws -> Release {
        let container = "berth-release.\(labels["\(label).project"] ?? "?").\(labels["\(label).number"] ?? "?")"
        func unreadable(_ reason: String) -> EngineError {
            EngineError(
                "Release container \(container) cannot be read (\(reason)). Remove it with `docker container rm \(container)`."
            )
        }
        guard labels["\(label).format"] == format else {
            throw unreadable("format \(labels["\(label).format"] ?? "none"), this Berth reads format \(format)")
        }
        guard let count = labels["\(label).record-chunks"].flatMap(Int.init) else {
            throw unreadable("no record-chunks label")
        }
        var record = ""
        for index in 0..<count {
            guard let chunk = labels["\(label).record.\(index)"] else {
                throw unreadable("record chunk \(index) missing")
            }
            record += chunk
        }
        guard let data = Data(base64Encoded: record) else { throw unreadable("the record is not base64") }
        do {
            var release = try JSONDecoder().decode(Release.self, from: data)
            // The name holds the number the engine let this release have.
            release.number = labels["\(label).number"].flatMap(Int.init) ?? release.number
            return release
        } catch {
            throw unreadable("\(error)")
        }
    }
}

// MARK: Capturing a deploy

extension ReleaseHistory {
    /// What a deploy that just succeeded runs, read from the engine and the package directory.
    /// - Parameters:
    ///   - stack: The description that was applied.
    ///   - environment: Its environment.
    ///   - command: The command that applied it.
    ///   - packageDirectory: The application's package, for its git commit.
    ///   - renderedFile: The file the orchestrator applied.
    /// - Returns: A release not yet numbered.
    public func capture(
        _ stack: Stack, environment: Environment, command: String, packageDirectory: URL, renderedFile: URL
    ) async throws -> Release {
        let live = try await engine.liveState(stack: stack.name, environment: environment.name)
        var hashes: [String: String] = [:]
        var references: [String: String] = [:]
        var secretVersions: [String: String] = [:]
        for service in stack.services.map(\.name) {
            let containers = live.containers(of: service).filter { !$0.isLeftover }
            // After a deploy every container of a service has the new configuration; a running
            // one is preferred should an old one still be stopping.
            let chosen = containers.first { $0.state == "running" } ?? containers.first
            if let chosen {
                hashes[service] = chosen.configHash
                references[service] = chosen.image
            }
            for container in containers {
                secretVersions.merge(OwnershipLabel.pairs(container.labels[OwnershipLabel.secretVersions] ?? "")) {
                    $1
                }
            }
        }
        if environment.orchestrator == .swarm {
            // Swarm tasks may run on other nodes: the services' own labels are the reference.
            for service in try await engine.swarmServices(stack: stack.name, environment: environment.name) {
                if let hash = service.configHash { hashes[service.service] = hash }
            }
        }
        var images: [String: String] = [:]
        for (service, reference) in references {
            images[service] = try await resolve(reference)
        }
        let (commit, dirty) = await Self.gitState(of: packageDirectory, runner: engine.runner)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let holder = DeployLock.current(command: command)
        return Release(
            number: 0, time: holder.since, user: holder.user, host: holder.host, commit: commit, dirty: dirty,
            command: command, stack: stack.name, environment: environment.name, configHashes: hashes,
            images: images, secretVersions: secretVersions,
            renderedFile: (try? String(contentsOf: renderedFile, encoding: .utf8)) ?? "",
            stackJSON: String(decoding: try encoder.encode(stack), as: UTF8.self))
    }

    /// An image reference as the engine resolved it: its repository digest for that
    /// repository, else any digest, else the image ID; the reference itself when the engine
    /// does not know it (a Swarm service whose tasks run elsewhere).
    func resolve(_ reference: String) async throws -> String {
        let result = try await engine.run(
            ["image", "inspect", "--format", "{{json .RepoDigests}} {{.Id}}", reference])
        guard result.succeeded else { return reference }
        let parts = result.standardOutput.trimmed.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return reference }
        let digests = (try? JSONDecoder().decode([String].self, from: Data(parts[0].utf8))) ?? []
        let repository = reference.split(separator: "@").first.map { Self.repository(of: String($0)) } ?? reference
        return digests.first { Self.repository(of: $0) == repository } ?? digests.first ?? parts[1]
    }

    /// The repository of a reference: without its tag or digest.
    static func repository(of reference: String) -> String {
        let withoutDigest = reference.split(separator: "@").first.map(String.init) ?? reference
        // A colon after the last slash starts the tag; one before it is a registry's port.
        if let colon = withoutDigest.lastIndex(of: ":"),
            !withoutDigest[colon...].contains("/")
        {
            return String(withoutDigest[..<colon])
        }
        return withoutDigest
    }

    /// The commit of the git repository holding `directory`, and whether it has uncommitted
    /// changes; `nil`s when it is not in a repository or git is not installed.
    static func gitState(of directory: URL, runner: any CommandRunner) async -> (commit: String?, dirty: Bool?) {
        guard
            let head = try? await runner.run(["git", "-C", directory.path, "rev-parse", "HEAD"], input: nil),
            head.succeeded, !head.standardOutput.trimmed.isEmpty
        else { return (nil, nil) }
        let status = try? await runner.run(["git", "-C", directory.path, "status", "--porcelain"], input: nil)
        return (
            head.standardOutput.trimmed, status.map { $0.succeeded ? !$0.standardOutput.trimmed.isEmpty : nil } ?? nil
        )
    }

    /// Records the deploy that just succeeded, unless an `up` changed nothing since the newest
    /// release (which would only push real releases out of the history).
    /// - Parameter changed: Whether the deploy changed anything.
    /// - Returns: The release recorded, or the newest one when nothing changed.
    public func recordDeploy(
        _ stack: Stack, environment: Environment, command: String, changed: Bool, packageDirectory: URL,
        renderedFile: URL, console: Console
    ) async throws -> Release {
        let release = try await capture(
            stack, environment: environment, command: command, packageDirectory: packageDirectory,
            renderedFile: renderedFile)
        if !changed, command == "up", let newest = try await list().first, newest.runsTheSame(as: release) {
            console.progress("Nothing changed since release \(newest.number); no new release recorded.")
            return newest
        }
        let recorded = try await record(release)
        console.progress(
            "Recorded release \(recorded.number) of \(project) (`history` lists them, `rollback` returns to one).")
        return recorded
    }
}
