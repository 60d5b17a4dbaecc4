import ArgumentParser
import BerthCore
import Foundation

extension BackupStore {
    /// What the backup commands share: the stack, validated, and its store.
    init(_ deployment: Deployment, options: CommonOptions, service: String?) throws {
        let (environment, stack) = try options.resolve(deployment, having: service)
        try self.init(stack, environment, options: options)
    }

    /// The store of one stack of the deployment.
    init(_ stack: Stack, _ environment: Environment, options: CommonOptions) throws {
        // Nothing reaches an engine from a description with errors.
        let diagnostics = stack.validate(for: environment)
        if diagnostics.containsErrors {
            throw ValidationFailure(diagnostics: diagnostics.filter { $0.severity == .error })
        }
        let deployer = StackDeployer(for: environment, stack: stack, options: options)
        let workspace = Workspace(root: deployer.packageDirectory)
        self.init(
            engine: deployer.engine, stack: stack, environment: environment,
            secrets: SecretStore(
                directory: workspace.secretsDirectory(stack: stack.name, environment: environment.name),
                environment: ProcessInfo.processInfo.environment, packageDirectory: deployer.packageDirectory))
    }
}

/// The services a backup command acts on: the one named, or every one with a backup policy.
private func backedUp(_ store: BackupStore, _ service: String?) throws -> [String] {
    if let service { return [service] }
    let names = store.stack.services.filter { !$0.backups.isEmpty }.map(\.name)
    guard !names.isEmpty else {
        throw ValidationError("No service of stack '\(store.stack.name)' has a backup policy; add one with .backup(…).")
    }
    return names
}

struct BackupCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up a service's data now, as its backup policy says.",
        discussion: """
            Takes one backup of each policy of the service (every service with a policy when none \
            is named): a PostgreSQL dump or a volume archive, streamed to the policy's destination \
            on the engine that runs it, encrypted when the policy names a key, checked by SHA-256, \
            then the oldest beyond the policy's `keep` are removed. Without --now it lists the \
            policies. Exit status: 1 when a backup failed (its failure is recorded and `backups` \
            shows it).
            """)

    @OptionGroup var options: CommonOptions
    @Argument(help: "The service (default: every service with a backup policy).") var service: String?
    @Flag(help: "Take the backups now.") var now = false

    func run(_ deployment: Deployment) async throws -> Int32 {
        let store = try BackupStore(deployment, options: options, service: service)
        let services = try backedUp(store, service)
        guard now else {
            for name in services {
                for backup in store.stack.service(named: name)?.backups ?? [] {
                    print(
                        "\(name): \(BackupStore.describe(backup)) to \(BackupStore.describe(backup.destination)), keeping \(backup.keep)"
                    )
                }
            }
            print("Pass --now to take them.")
            return 0
        }
        try await store.engine.checkReachable()
        // Once for the whole command, not per service: the helpers are the project's.
        await store.removeStrandedHelpers()
        var failed = false
        for name in services {
            do {
                try await store.take(service: name)
            } catch let failure as BackupFailure {
                Console().progress("\(Terminal.current.severity(.error, on: .error)): \(failure)")
                failed = true
            }
        }
        return failed ? 1 : 0
    }
}

struct BackupsCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "backups",
        abstract: "List the backups of the stack's services, oldest first.",
        discussion: """
            Reads the records kept beside the archives on the engine, so any checkout of the package \
            sees the same list. Exit status: 1 when the newest backup of some policy failed.
            """)

    @OptionGroup var options: CommonOptions
    @Argument(help: "The service (default: every service with a backup policy).") var service: String?
    @Flag(help: "Print the backups as JSON.") var json = false

    func run(_ deployment: Deployment) async throws -> Int32 {
        let store = try BackupStore(deployment, options: options, service: service)
        let services = try backedUp(store, service)
        try await store.engine.checkReachable()
        var records: [BackupRecord] = []
        for name in services { records += try await store.list(service: name) }
        if json {
            try printJSON(records)
        } else if records.isEmpty {
            print("No backup of \(store.project) is recorded on \(store.engine.target); `backup --now` takes one.")
        } else {
            print(BackupListing.table(records))
        }
        let failing = BackupListing.failing(records)
        if !failing.isEmpty {
            Console().progress(
                "\(Terminal.current.severity(.error, on: .error)): the newest backup failed: \(failing.map { "\($0.id) (\($0.failure ?? "no reason recorded"))" }.joined(separator: "; "))"
            )
            return 1
        }
        return 0
    }
}

struct RestoreCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a service's data from one of its backups.",
        discussion: """
            Checks the archive's SHA-256 against its record first (a damaged archive is refused \
            before anything stops), asks for confirmation, stops the services that write to the \
            data, restores (a database in one transaction, a volume through a staging folder), \
            starts them again and waits until they run and are healthy. Holds the deploy lock \
            meanwhile.
            """)

    @OptionGroup var options: CommonOptions
    @Argument(help: "The service.") var service: String
    @Argument(help: "The backup, as `backups` lists it.") var backup: String
    @Flag(name: .shortAndLong, help: "Restore without asking; needed when no terminal can answer.") var yes = false
    @Option(help: "Seconds to wait for the restarted services to be healthy.") var timeout = 180
    @Option(help: "Seconds to wait for another deployer of the stack to finish (default: fail at once, exit 3).")
    var lockWait = 0

    func run(_ deployment: Deployment) async throws -> Int32 {
        let store = try BackupStore(deployment, options: options, service: service)
        let deployer = StackDeployer(for: store.environment, stack: store.stack, options: options)
        var restored = false
        try await deployer.locked(store.stack, store.environment, command: "restore", wait: .seconds(lockWait)) {
            restored = try await store.restore(service: service, backup: backup, timeout: .seconds(timeout)) {
                question in
                try Terminal.current.confirm(
                    question, assumeYes: yes, command: "restore",
                    consequence: "replaces the data the service has now")
            }
        }
        return restored ? 0 : 1
    }
}

/// The `backups` table and the failures it reports.
enum BackupListing {
    static func table(_ records: [BackupRecord]) -> String {
        var rows = [["BACKUP", "TIME", "SIZE", "STATUS", "ENCRYPTED", "WHO"]]
        for record in records {
            rows.append([
                record.id,
                record.time.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: ""),
                record.size.map(BackupStore.size) ?? "-",
                record.status == .failed
                    ? "failed: \(record.error ?? "")"
                    : record.pending != true
                        ? "ok" : record.uploadError.map { "ok, not uploaded: \($0)" } ?? "ok, waiting to be uploaded",
                record.encryptionKey.map { "yes (\($0))" } ?? "no", "\(record.user)@\(record.host)",
            ])
        }
        return StatusTable(rows: rows).text
    }

    /// The newest record of each policy of each service, where it is a failure.
    static func failing(_ records: [BackupRecord]) -> [BackupRecord] {
        var newest: [String: BackupRecord] = [:]
        for record in records {
            let key = "\(record.service)/\(record.policy)"
            if let current = newest[key], current.time > record.time { continue }
            newest[key] = record
        }
        return newest.values.filter(\.hasFailed).sorted { $0.id < $1.id }
    }
}
