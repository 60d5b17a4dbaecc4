import ArgumentParser
import BerthCore
import Foundation

/// How many releases a deploy keeps on the engine.
struct ReleaseOptions: ParsableArguments {
    @Option(help: "How many releases to keep on the engine for `history` and `rollback` (default: 10).")
    var keepReleases = ReleaseHistory.defaultKeep

    func validatedKeep() throws -> Int {
        guard keepReleases >= 1 else {
            throw ValidationError("--keep-releases takes a number of at least 1, not \(keepReleases).")
        }
        return keepReleases
    }
}

struct HistoryCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the releases recorded on the engine, newest first.",
        discussion: """
            Every successful `up` and `rollback` records a release on the target engine: who deployed \
            it, from which commit, each service's configuration hash and image. Any checkout of the \
            package sees the same history.
            """)

    @OptionGroup var options: CommonOptions
    @Flag(help: "Print the releases as JSON.") var json = false

    func run(_ deployment: Deployment) async throws -> Int32 {
        let (environment, stacks) = try options.placements(deployment)
        let grouped = options.groupsOutput(deployment, environment)
        var listings: [(Stack, any Encodable)] = []
        for stack in stacks {
            let deployer = StackDeployer(for: environment, stack: stack, options: options)
            try await deployer.engine.checkReachable()
            let history = deployer.releases(stack, environment)
            let releases = try await history.list()
            if json {
                listings.append((stack, releases.map(ReleaseListing.init)))
                continue
            }
            if grouped { print(options.heading(of: stack)) }
            if releases.isEmpty {
                print("No release of \(history.project) is recorded on \(deployer.engine.target); `up` records one.")
            } else {
                print(ReleaseListing.table(releases))
            }
        }
        if json { try printJSON(listings, as: "releases", grouped: grouped) }
        return 0
    }
}

struct RollbackCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Deploy an earlier release again (default: the one before the newest).",
        discussion: """
            Applies the stack description recorded with the release, as `up` does (same rollout, same \
            lock), and records a new release. Secret values are never recorded: a secret whose value \
            changed since that release keeps its current value, and rollback says which.
            """)

    @OptionGroup var options: CommonOptions
    @Argument(help: "The release number, as `history` lists it.") var release: Int?
    @Option(help: "Seconds each wave of services (a level of the dependency graph) has to be healthy once started.")
    var timeout = 180
    @Option(help: "Seconds to wait for another deployer of the stack to finish (default: fail at once, exit 3).")
    var lockWait = 0
    @OptionGroup var releases: ReleaseOptions

    func run(_ deployment: Deployment) async throws -> Int32 {
        let (environment, described) = try options.resolve(deployment)
        var deployer = StackDeployer(for: environment, stack: described, options: options)
        deployer.keepReleases = try releases.validatedKeep()
        try await deployer.engine.checkReachable()
        let history = deployer.releases(described, environment)
        let target = try Self.choose(release, from: try await history.list(), project: history.project)
        let stack = try target.decodedStack()
        let console = Console()
        console.progress(
            "Rolling \(history.project) back to release \(target.number) (\(target.command) by \(target.user)@\(target.host) at \(target.time)\(target.commit.map { ", commit \($0.prefix(12))" } ?? ""))…"
        )
        let recorded = try await deployer.up(
            stack, for: environment, timeout: .seconds(timeout), lockWait: .seconds(lockWait),
            command: "rollback \(target.number)")
        if let recorded {
            let differing = target.secretsDiffering(from: recorded)
            if !differing.isEmpty {
                console.progress(
                    "\(Terminal.current.severity(.warning, on: .error)): secret(s) \(differing.joined(separator: ", ")) changed since release \(target.number) and cannot be restored (Berth never records secret values): the services use their current value."
                )
            }
        }
        return 0
    }

    /// The release to return to.
    /// - Throws: ``EngineError`` naming the releases there are.
    static func choose(_ number: Int?, from releases: [Release], project: String) throws -> Release {
        let available = releases.map { String($0.number) }.joined(separator: ", ")
        guard let newest = releases.first else {
            throw EngineError("No release of \(project) is recorded on this engine; `up` records one.")
        }
        guard let number else {
            guard releases.count >= 2 else {
                throw EngineError(
                    "\(project) has only release \(newest.number), which is what runs: there is nothing earlier to roll back to."
                )
            }
            return releases[1]
        }
        guard let found = releases.first(where: { $0.number == number }) else {
            throw EngineError(
                "Release \(number) of \(project) is not recorded. Recorded releases: \(available) (newest first); `history` describes them."
            )
        }
        return found
    }
}

/// A release as `history` shows it: everything but the rendered file and the description.
struct ReleaseListing: Codable {
    var number: Int
    var time: String
    var user: String
    var host: String
    var commit: String?
    var dirty: Bool?
    var command: String
    var stack: String
    var environment: String
    var configHashes: [String: String]
    var images: [String: String]
    var secretVersions: [String: String]

    init(_ release: Release) {
        number = release.number
        time = release.time
        user = release.user
        host = release.host
        commit = release.commit
        dirty = release.dirty
        command = release.command
        stack = release.stack
        environment = release.environment
        configHashes = release.configHashes
        images = release.images
        secretVersions = release.secretVersions
    }

    /// The `history` table: one row per release, each service's hash shortened.
    static func table(_ releases: [Release]) -> String {
        let header = ["RELEASE", "TIME", "WHO", "COMMIT", "COMMAND", "SERVICES"]
        let rows = releases.map { release in
            [
                String(release.number),
                release.time.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: ""),
                "\(release.user)@\(release.host)",
                release.commit.map { String($0.prefix(8)) + (release.dirty == true ? "+dirty" : "") } ?? "-",
                release.command,
                release.configHashes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.prefix(8))" }
                    .joined(separator: " "),
            ]
        }
        return StatusTable(rows: [header] + rows).text
    }
}
