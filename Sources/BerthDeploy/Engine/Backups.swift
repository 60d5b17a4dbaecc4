import BerthCompose
import BerthCore
import BerthRendering
import BerthSwarm
import Foundation

/// One backup, as recorded next to its archive (`<id>.json`): what it copies, when, and how to
/// tell the archive is whole. A failed backup has a record too, with its error and no archive.
public struct BackupRecord: Sendable, Hashable, Codable {
    /// Whether the backup completed.
    public enum Status: String, Sendable, Hashable, Codable {
        case ok, failed
    }

    /// `<service>-<policy>-<UTC time>`, as `restore` takes it.
    public var id: String
    /// The service backed up.
    public var service: String
    /// The policy's name: `postgres`, `redis`, `volume-<name>` (``Backup/name``).
    public var policy: String
    /// Whether it completed.
    public var status: Status
    /// When it was started (ISO 8601, UTC).
    public var time: String
    /// The archive's file name in the project's folder of the destination; `nil` for a failure.
    public var file: String?
    /// The archive's size in bytes.
    public var size: Int?
    /// The archive's SHA-256, checked before a restore.
    public var sha256: String?
    /// Whether the archive is encrypted, and with which secret.
    public var encryptionKey: String?
    /// Why it failed.
    public var error: String?
    /// Who took it, and from which machine.
    public var user: String
    /// The machine it was taken from.
    public var host: String
    /// Whether it waits in a bucket uploader's outbox, not yet in the bucket (``BucketUploader``).
    public var pending: Bool?
    /// Why the uploader's last attempt failed, for a backup that waits.
    public var uploadError: String?

    /// Whether it is a failure `backups` and `status` report: a backup that failed, or one
    /// that waits for an upload that fails.
    public var hasFailed: Bool { status == .failed || (pending == true && uploadError != nil) }

    /// What went wrong, in words, when ``hasFailed``.
    public var failure: String? {
        if status == .failed { return error ?? "no reason recorded" }
        return uploadError.map { "not uploaded to the bucket: \($0)" }
    }
}

/// Takes, lists, prunes and restores the backups of a stack's services on the engine that runs
/// them (``Backup``).
///
/// Every byte moves between processes on the engine and, when encrypted, the deploying
/// machine's `openssl`, through pipes (``CommandRunner/pipeline(_:)``): an archive is never held
/// in memory or in a temporary file here. The helper containers that read and write the
/// destination run the service's own image (the one image the engine is sure to have) as root,
/// with no network.
public struct BackupStore: Sendable {
    /// The engine.
    public var engine: DockerEngine
    /// The stack.
    public var stack: Stack
    /// Its environment.
    public var environment: Environment
    /// Where the values of secrets are read from (the encryption keys).
    public var secrets: SecretStore
    /// Where progress goes.
    public var console = Console()

    /// Creates a store.
    public init(engine: DockerEngine, stack: Stack, environment: Environment, secrets: SecretStore) {
        self.engine = engine
        self.stack = stack
        self.environment = environment
        self.secrets = secrets
    }

    /// The engine that manages the stack, where services are scaled: ``engine`` itself, unless
    /// this store works on one node of a Swarm (``onNode(of:)``), where it is the manager.
    var manager: DockerEngine?
    private var managing: DockerEngine { manager ?? engine }

    /// This store on the node that holds a service's data, where its helpers must run: itself
    /// on Compose, and on a Swarm whose node running the service is the one Berth talks to.
    ///
    /// A volume belongs to the node its task runs on, so on a Swarm of several nodes the
    /// backups and restores of a service go to that node's engine, which the environment names
    /// (``Environment/node(_:engine:)``); scaling still goes to the manager.
    /// - Throws: ``EngineError`` when the service runs on several nodes (each has its own copy of
    ///   its volumes), or on a node whose engine the environment does not name.
    func onNode(of service: String) async throws -> BackupStore {
        guard environment.orchestrator == .swarm, manager == nil else { return self }
        let nodes = try await engine.output(["node", "ls", "--format", "{{.Hostname}} {{.Self}}"])
            .split(whereSeparator: \.isNewline).map { $0.split(separator: " ").map(String.init) }
        guard nodes.count > 1 else { return self }
        let here = nodes.first { $0.count == 2 && $0[1] == "true" }?.first
        let running = try await engine.output([
            "service", "ps", "\(project)_\(service)", "--filter", "desired-state=running", "--format", "{{.Node}}",
        ]).split(whereSeparator: \.isNewline).map(String.init)
        var placed = Array(Set(running)).sorted()
        if placed.isEmpty, let pinned = Self.pinnedNode(of: stack.service(named: service)) { placed = [pinned] }
        guard placed.count == 1, let node = placed.first else {
            throw EngineError(
                placed.isEmpty
                    ? "'\(service)' runs no task on this Swarm of \(nodes.count) nodes, and no placement constraint says which node holds its data. Pin it to one (.constraint(\"node.hostname == NODE\")), `up`, then try again."
                    : "'\(service)' runs on the nodes \(placed.joined(separator: ", ")), each with its own copy of its volumes, so there is no one set of data to back up or restore. Pin it to one node (.constraint(\"node.hostname == \(placed[0])\")) and `up`."
            )
        }
        if node == here { return self }
        guard let address = environment.nodes[node] else {
            let reached =
                (try? await engine.output(["node", "inspect", node, "--format", "{{.Status.Addr}}"]))?.trimmed ?? ""
            throw EngineError(
                "The data of '\(service)' is on the Swarm node \(node)\(reached.isEmpty ? "" : " (\(reached))"), and Berth talks to \(here ?? "another node") (\(engine.target)). Name that node's engine in the environment, .node(\"\(node)\", engine: \"ssh://USER@\(reached.isEmpty ? "HOST" : reached)\"), so its backups and restores run there."
            )
        }
        var store = self
        store.manager = engine
        store.engine.target = Target(host: address)
        console.progress("'\(service)' runs on the Swarm node \(node): its backups and restores go to \(address).")
        return store
    }

    /// The node a `node.hostname == NAME` constraint pins a service to.
    static func pinnedNode(of service: Service?) -> String? {
        for constraint in service?.deploy.constraints ?? [] {
            let parts = constraint.expression.components(separatedBy: "==").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            if parts.count == 2, parts[0] == "node.hostname" { return parts[1] }
        }
        return nil
    }

    /// The Compose project or Swarm stack name: the folder of the destination this stack's
    /// archives go in, and the prefix of its volumes' names.
    public var project: String {
        switch environment.orchestrator {
        case .compose: ComposeRenderer.projectName(stack: stack.name, environment: environment.name)
        case .swarm: SwarmRenderer.stackName(stack: stack.name, environment: environment.name)
        }
    }

    /// The engine's name of a stack volume.
    func volumeName(_ name: String) -> String {
        stack.volumes.first { $0.name == name }?.externalName ?? "\(project)_\(name)"
    }

    /// Where the scripts that read and write a destination's `/backups` run: a helper that
    /// mounts a volume or host directory there, or a bucket's uploader, whose outbox is there.
    enum DestinationShell {
        case helper(image: String, mount: String)
        case uploader(container: String)
    }

    /// The shell of a destination, for helpers of `image`.
    func destinationShell(_ destination: Backup.Destination, image: String) async throws -> DestinationShell {
        switch destination {
        case .volume(let name): return .helper(image: image, mount: "\(volumeName(name)):/backups")
        case .hostDirectory(let path): return .helper(image: image, mount: "\(path):/backups")
        case .bucket(let bucket):
            let uploader = BucketUploader.name(of: bucket)
            do {
                return .uploader(container: try await services.container(of: uploader, index: 1).id)
            } catch {
                throw EngineError(
                    "The backups of bucket \(bucket.name) go through its uploader '\(uploader)', which does not run: \(error). `up` starts it; `logs \(uploader)` says why it stopped."
                )
            }
        }
    }

    /// Prints every record of `service`, one JSON object a line: from the folder, or from the
    /// bucket and the outbox (``BucketUploader``).
    func listing(_ service: String, in destination: DestinationShell) -> [String] {
        switch destination {
        case .helper:
            command(
                destination, "for f in \"/backups/$1/$2\"-*.json; do [ -f \"$f\" ] && cat \"$f\"; done; true",
                [project, service])
        case .uploader: command(destination, BucketUploader.script, ["list", service])
        }
    }

    /// Prints an archive's SHA-256, computed where it lies.
    func checksum(of file: String, in destination: DestinationShell) -> [String] {
        switch destination {
        case .helper:
            command(destination, "sum=$(sha256sum < \"/backups/$1/$2\"); echo \"${sum%% *}\"", [project, file])
        case .uploader: command(destination, BucketUploader.script, ["sum", file])
        }
    }

    /// Writes an archive to standard output.
    func reading(_ file: String, from destination: DestinationShell) -> [String] {
        switch destination {
        case .helper: command(destination, "cat \"/backups/$1/$2\"", [project, file])
        case .uploader: command(destination, BucketUploader.script, ["fetch", file])
        }
    }

    /// A `/bin/sh -c` script with its positional arguments, in a destination's shell.
    func command(
        _ destination: DestinationShell, interactive: Bool = false, _ script: String, _ arguments: [String]
    ) -> [String] {
        switch destination {
        case .helper(let image, let mount):
            shell(image: image, mounts: [mount], interactive: interactive, script, arguments)
        case .uploader(let container):
            ["exec"] + (interactive ? ["--interactive"] : []) + [container, "/bin/sh", "-c", script, "berth-backup"]
                + arguments
        }
    }

    /// `docker run` of a helper: the service's image as root, without network, its entrypoint
    /// replaced by `program`. Its labels say what it is and whose, so `docker ps --filter` finds
    /// one a killed deployer left running; it has no `berth.stack`, which would make it part of
    /// the stack's live state.
    func helper(image: String, mounts: [String], interactive: Bool = false, _ program: [String]) -> [String] {
        var arguments = [
            "run", "--rm", "--network", "none", "--user", "0:0", "--label", "\(Self.helperLabel)=backup",
            "--label", "\(Self.helperProjectLabel)=\(project)",
        ]
        if interactive { arguments.append("--interactive") }
        for mount in mounts { arguments += ["--volume", mount] }
        return arguments + ["--entrypoint", program[0], image] + program.dropFirst()
    }

    /// The label that marks a helper container, with what it is for (`backup`).
    static let helperLabel = "berth.helper"
    /// The label that names the Compose project or Swarm stack a helper works for.
    static let helperProjectLabel = "berth.helper.project"

    /// Removes the helpers of this project a killed deployer stranded. `docker run --rm` removes
    /// its container once it exits, but one whose client died between creating and starting it
    /// stays `created` for good, holding its volumes. A helper another deployer is starting at
    /// this moment is a fraction of a second old, so only those older than
    /// ``strandedHelperAge`` by the engine's own clock go.
    func removeStrandedHelpers() async {
        await Self.removeStrandedHelpers(of: project, on: engine, console: console)
    }

    /// ``removeStrandedHelpers()`` of a project, for `down`, which has no store.
    static func removeStrandedHelpers(of project: String, on engine: DockerEngine, console: Console) async {
        let listed = try? await engine.output([
            "ps", "--all", "--quiet", "--filter", "label=\(helperProjectLabel)=\(project)",
            "--filter", "status=created", "--filter", "status=exited", "--filter", "status=dead",
        ])
        let ids = (listed ?? "").split(whereSeparator: \.isNewline).map(String.init)
        guard !ids.isEmpty,
            let now = try? await engine.output(["info", "--format", "{{.SystemTime}}"]),
            let inspected = try? await engine.output(
                ["container", "inspect", "--format", "{{.Id}} {{.Created}}"] + ids)
        else { return }
        let stranded = stranded(inspected, now: now, olderThan: strandedHelperAge)
        guard !stranded.isEmpty, (try? await engine.output(["rm", "--force"] + stranded)) != nil else { return }
        console.progress(
            "Removed \(stranded.count) helper container(s) of \(project) a stopped deployer left: \(stranded.map { String($0.prefix(12)) }.joined(separator: ", "))."
        )
    }

    /// How old a helper that never started must be to count as stranded.
    static let strandedHelperAge: TimeInterval = 10

    /// The IDs in `docker container inspect --format '{{.Id}} {{.Created}}'` output created more
    /// than `age` seconds before `now` (the engine's `SystemTime`). Times the engine writes
    /// that do not parse count as not stranded.
    static func stranded(_ inspected: String, now: String, olderThan age: TimeInterval) -> [String] {
        guard let now = engineTime(now) else { return [] }
        return inspected.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard fields.count == 2, let created = engineTime(fields[1]), now.timeIntervalSince(created) > age
            else { return nil }
            return fields[0]
        }
    }

    /// A time as the engine writes it (RFC 3339 with nanoseconds, in the daemon's zone), to the
    /// second.
    static func engineTime(_ text: String) -> Date? {
        var text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let dot = text.firstIndex(of: ".") {
            let zone = text[dot...].firstIndex { $0 == "Z" || $0 == "+" || $0 == "-" } ?? text.endIndex
            text.removeSubrange(dot..<zone)
        }
        return ISO8601DateFormatter().date(from: text)
    }

    /// A `/bin/sh -c` helper, with its positional arguments.
    func shell(image: String, mounts: [String], interactive: Bool = false, _ script: String, _ arguments: [String])
        -> [String]
    {
        helper(
            image: image, mounts: mounts, interactive: interactive,
            ["/bin/sh", "-c", script, "berth-backup"] + arguments)
    }

    // MARK: Taking

    /// Takes one backup of every policy of `service` (or of the one named `policy`).
    /// - Returns: The records written, one per policy.
    /// - Throws: ``BackupFailure`` when one failed; the others were still taken, and the
    ///   failure is recorded on the engine.
    @discardableResult
    public func take(service name: String, policy: String? = nil) async throws -> [BackupRecord] {
        _ = try backedUpService(name)
        return try await onNode(of: name).takeHere(service: name, policy: policy)
    }

    private func takeHere(service name: String, policy: String?) async throws -> [BackupRecord] {
        let service = try backedUpService(name)
        let policies = service.backups.filter { policy == nil || $0.name == policy }
        guard !policies.isEmpty else {
            throw EngineError(
                "Service '\(name)' has no backup named '\(policy ?? "")'; its backups: \(service.backups.map(\.name).joined(separator: ", "))."
            )
        }
        let container = try await services.container(of: name, index: 1)
        var records: [BackupRecord] = []
        var failures: [String] = []
        for backup in policies {
            let record: BackupRecord
            do {
                record = try await take(backup, of: service, in: container)
            } catch let failure as BackupFailure {
                // Taken, but not uploaded: the next policies are still taken.
                failures += failure.problems
                continue
            }
            records.append(record)
            if let error = record.error { failures.append("\(record.id): \(error)") }
        }
        guard failures.isEmpty else { throw BackupFailure(failures) }
        return records
    }

    private func take(_ backup: Backup, of service: Service, in container: LiveContainer) async throws -> BackupRecord {
        let started = Date()
        let id = "\(service.name)-\(backup.name)-\(Self.stamp(started))"
        let file = "\(id).\(backup.fileExtension)"
        let holder = DeployLock.current(command: "backup")
        var record = BackupRecord(
            id: id, service: service.name, policy: backup.name, status: .ok,
            time: Self.time(started), file: file, size: nil, sha256: nil,
            encryptionKey: backup.encryptionKey, error: nil, user: holder.user, host: holder.host)
        console.progress(
            "\(service.name): backing up \(Self.describe(backup)) to \(Self.describe(backup.destination))…")
        try await ensureDestination(backup.destination)
        let destination = try await destinationShell(backup.destination, image: container.image)
        let producer: [String]
        var snapshot: [String]?
        switch backup.kind {
        case .postgres(let database, let user, _):
            producer =
                engine.prefix + [
                    "exec", container.id, "pg_dump", "--format=custom", "--username", user, "--dbname", database,
                ]
        case .volume(let volume), .redis(let volume, _):
            producer =
                engine.prefix
                + helper(
                    image: container.image, mounts: ["\(volumeName(volume)):/data:ro"],
                    ["tar", "-C", "/data", "-cf", "-", "."])
            if case .redis(_, let password) = backup.kind {
                snapshot = Self.redisSave(
                    in: container.id,
                    passwordFile: password.map { password in
                        let target = service.secrets.first { $0.secret == password }?.target ?? password
                        return "/run/secrets/\(target)"
                    })
            }
        }
        // Written under a hidden temporary name; renamed with its record once both are whole.
        let receive = """
            set -e
            mkdir -p "/backups/$1"
            cat > "/backups/$1/.$2.partial"
            size=$(wc -c < "/backups/$1/.$2.partial")
            sum=$(sha256sum < "/backups/$1/.$2.partial")
            echo "${sum%% *} $size"
            """
        let consumer = engine.prefix + command(destination, interactive: true, receive, [project, file])
        var stages = [producer]
        if let key = backup.encryptionKey { stages.append(try encryption(key: key, decrypt: false)) }
        stages.append(consumer)
        do {
            if let snapshot {
                let saved = try await engine.run(snapshot)
                guard saved.succeeded, saved.standardOutput.trimmed == "OK" else {
                    throw BackupFailure([
                        "redis-cli SAVE did not write a snapshot (exit \(saved.exitCode)): \((saved.standardOutput + saved.standardError).trimmed.lastLines(5))"
                    ])
                }
            }
            let results = try await engine.runner.pipeline(stages)
            let names = [Self.program(of: backup.kind), "openssl", "writing the archive"]
            if let (index, failed) = results.enumerated().first(where: { !$0.element.succeeded }) {
                let stage = index == results.count - 1 ? names[2] : names[index]
                throw BackupFailure(
                    ["\(stage) exited with status \(failed.exitCode): \(failed.standardError.trimmed.lastLines(5))"])
            }
            let fields = results.last!.standardOutput.split(whereSeparator: \.isWhitespace)
            guard fields.count == 2, let size = Int(fields[1]) else {
                throw BackupFailure([
                    "the archive's checksum could not be read: \(results.last!.standardOutput.trimmed)"
                ])
            }
            guard size > 0 else { throw BackupFailure(["\(names[0]) wrote nothing"]) }
            record.sha256 = String(fields[0])
            record.size = size
            try await write(record, destination: destination, completing: file)
        } catch {
            record.status = .failed
            record.file = nil
            record.error = (error as? BackupFailure)?.problems.joined(separator: "; ") ?? "\(error)"
            _ = try? await engine.run(
                command(destination, "rm -f \"/backups/$1/.$2.partial\"", [project, file]))
            try await write(record, destination: destination, completing: nil)
            console.progress("\(service.name): backup \(id) failed: \(record.error!)")
            if case .bucket = backup.destination { try? await upload(backup, through: destination) }
            return record
        }
        console.progress(
            "\(service.name): backup \(id) written (\(Self.size(record.size ?? 0)), sha256 \(record.sha256!.prefix(12))…)."
        )
        if case .bucket = backup.destination {
            try await upload(backup, through: destination)
        } else {
            try await prune(backup, of: service.name, image: container.image)
        }
        return record
    }

    /// Has a bucket's uploader upload its outbox now (and prune the bucket), so that
    /// `backup --now` ends with the archive in the bucket.
    private func upload(_ backup: Backup, through uploader: DestinationShell) async throws {
        guard case .bucket(let bucket) = backup.destination else { return }
        console.progress("Uploading to bucket \(bucket.name)…")
        let shipped = try await engine.run(command(uploader, BucketUploader.script, ["ship"]))
        for line in shipped.standardOutput.split(whereSeparator: \.isNewline) { console.progress(String(line)) }
        guard shipped.succeeded else {
            throw BackupFailure([
                "the archive is in the outbox of '\(BucketUploader.name(of: bucket))', but uploading it to bucket \(bucket.name) failed: \(shipped.standardError.trimmed.lastLines(5)). The uploader tries again every 15 s."
            ])
        }
    }

    /// Creates a destination volume no service mounts, which the orchestrator therefore never
    /// created, with the labels it would have given it, so it stays the stack's volume.
    private func ensureDestination(_ destination: Backup.Destination) async throws {
        guard case .volume(let name) = destination else { return }
        let real = volumeName(name)
        if try await engine.run(["volume", "inspect", real]).succeeded { return }
        if stack.volumes.first(where: { $0.name == name })?.externalName != nil {
            throw EngineError(
                "The backup destination '\(name)' is the external volume \(real), which does not exist on \(engine.target). Create it (`docker volume create \(real)`) or send the backups elsewhere."
            )
        }
        var labels = [
            (OwnershipLabel.stack, stack.name), (OwnershipLabel.environment, environment.name),
        ]
        switch environment.orchestrator {
        case .compose:
            labels += [("com.docker.compose.project", project), ("com.docker.compose.volume", name)]
        case .swarm:
            labels += [("com.docker.stack.namespace", project)]
        }
        _ = try await engine.output(["volume", "create"] + labels.flatMap { ["--label", "\($0)=\($1)"] } + [real])
    }

    /// Writes a record beside its archive, renaming the archive from its temporary name first.
    private func write(_ record: BackupRecord, destination: DestinationShell, completing file: String?) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(record) + Data("\n".utf8)
        let script = """
            set -e
            mkdir -p "/backups/$1"
            cat > "/backups/$1/.$2.json.partial"
            if [ -n "$3" ]; then mv "/backups/$1/.$3.partial" "/backups/$1/$3"; fi
            mv "/backups/$1/.$2.json.partial" "/backups/$1/$2.json"
            """
        let result = try await engine.run(
            command(destination, interactive: true, script, [project, record.id, file ?? ""]), input: Array(json))
        guard result.succeeded else {
            throw EngineError(
                "The record of backup \(record.id) could not be written (exit \(result.exitCode)): \(result.standardError.trimmed)"
            )
        }
    }

    /// Removes the oldest archives of a policy beyond its `keep`, and failures older than its
    /// newest success (they no longer say anything about the data).
    private func prune(_ backup: Backup, of service: String, image: String) async throws {
        let records = try await list(service: service, image: image).filter { $0.policy == backup.name }
        let ok = records.filter { $0.status == .ok }.sorted { $0.time > $1.time }
        var doomed = Array(ok.dropFirst(backup.keep))
        if let newest = ok.first {
            doomed += records.filter { $0.status == .failed && $0.time < newest.time }
        }
        guard !doomed.isEmpty else { return }
        let files = doomed.flatMap { record in ["\(record.id).json"] + (record.file.map { [$0] } ?? []) }
        let result = try await engine.run(
            command(
                try await destinationShell(backup.destination, image: image),
                "cd \"/backups/$1\" && shift && rm -f -- \"$@\"", [project] + files))
        guard result.succeeded else {
            throw EngineError("Old backups could not be removed: \(result.standardError.trimmed)")
        }
        let old = doomed.filter { $0.status == .ok }.map(\.id)
        let failures = doomed.filter { $0.status == .failed }.map(\.id)
        if !old.isEmpty {
            console.progress(
                "\(service): removed \(old.count) backup(s) beyond the \(backup.keep) kept: \(old.joined(separator: ", "))."
            )
        }
        if !failures.isEmpty {
            console.progress(
                "\(service): removed the record(s) of \(failures.count) failed backup(s) a newer one replaces: \(failures.joined(separator: ", "))."
            )
        }
    }

    // MARK: Listing

    /// Every backup of `service` recorded in its destinations, oldest first.
    public func list(service name: String) async throws -> [BackupRecord] {
        _ = try backedUpService(name)
        let store = try await onNode(of: name)
        return try await store.list(service: name, image: try await store.helperImage(of: name))
    }

    private func list(service name: String, image: String) async throws -> [BackupRecord] {
        guard let service = stack.service(named: name) else { return [] }
        var records: [BackupRecord] = []
        for destination in Set(service.backups.map(\.destination)).sorted(by: { "\($0)" < "\($1)" }) {
            // One record a line: each was written as one line of JSON.
            let result = try await engine.run(
                listing(name, in: try await destinationShell(destination, image: image)))
            guard result.succeeded else {
                throw EngineError(
                    "The backups of '\(name)' in \(Self.describe(destination)) could not be read: \(result.standardError.trimmed)"
                )
            }
            let decoder = JSONDecoder()
            for line in result.standardOutput.split(whereSeparator: \.isNewline) {
                guard let record = try? decoder.decode(BackupRecord.self, from: Data(line.utf8)),
                    record.service == name, service.backups.contains(where: { $0.name == record.policy })
                else { continue }
                // A bucket lists an upload that completed while it was listed twice.
                if let index = records.firstIndex(where: { $0.id == record.id }) {
                    if record.pending != true { records[index] = record }
                    continue
                }
                records.append(record)
            }
        }
        return records.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
    }

    /// The `Backups:` section of `status`: the newest backup of each policy, a failure first
    /// and in words; `nil` when no service has a policy. Reading them may fail without failing
    /// `status`: the section then says why.
    public func statusSection() async -> String? {
        let services = stack.services.filter { !$0.backups.isEmpty }
        guard !services.isEmpty else { return nil }
        var lines = ["Backups (newest of each policy; `backups` lists all):"]
        for service in services {
            let records: [BackupRecord]
            do {
                records = try await list(service: service.name)
            } catch {
                lines.append("  \(service.name): cannot be read: \(error)")
                continue
            }
            for backup in service.backups {
                guard let newest = records.last(where: { $0.policy == backup.name }) else {
                    lines.append(
                        "  \(service.name) \(backup.name): none yet (`backup \(service.name) --now` takes one)")
                    continue
                }
                switch newest.status {
                case .ok:
                    if newest.hasFailed {
                        lines.append(
                            "  \(service.name) \(backup.name): NOT UPLOADED: \(newest.id) waits in the outbox: \(newest.uploadError ?? "")"
                        )
                    } else {
                        lines.append(
                            "  \(service.name) \(backup.name): \(newest.id), \(BackupStore.size(newest.size ?? 0)), ok\(newest.pending == true ? ", waiting to be uploaded" : "")"
                        )
                    }
                case .failed:
                    lines.append(
                        "  \(service.name) \(backup.name): FAILED at \(newest.time): \(newest.error ?? "no reason recorded")"
                    )
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Restoring

    /// Restores a backup: checks the archive, stops the services that write to the data,
    /// restores, starts them again and waits until they run.
    /// - Parameter confirm: Asked once the archive is found whole, before anything stops; a
    ///   `false` answer restores nothing.
    /// - Returns: Whether it restored.
    public func restore(
        service name: String, backup id: String, timeout: Duration,
        confirm: (_ question: String) throws -> Bool
    ) async throws -> Bool {
        _ = try backedUpService(name)
        return try await onNode(of: name).restoreHere(service: name, backup: id, timeout: timeout, confirm: confirm)
    }

    private func restoreHere(
        service name: String, backup id: String, timeout: Duration,
        confirm: (_ question: String) throws -> Bool
    ) async throws -> Bool {
        let service = try backedUpService(name)
        await removeStrandedHelpers()
        // Found once: its image runs the helpers, and a database is restored through it.
        let running = try? await services.container(of: name, index: 1)
        let image = running?.image ?? service.image.reference
        let records = try await list(service: name, image: image)
        guard let record = records.first(where: { $0.id == id }) else {
            let known = records.filter { $0.status == .ok }.map(\.id)
            throw EngineError(
                "Service '\(name)' has no backup '\(id)'\(known.isEmpty ? "; it has none yet (`backup \(name) --now` takes one)" : ". Its backups: \(known.joined(separator: ", "))")."
            )
        }
        guard record.status == .ok, let file = record.file, let sum = record.sha256,
            let backup = service.backups.first(where: { $0.name == record.policy })
        else {
            throw EngineError(
                "Backup \(id) failed when it was taken (\(record.error ?? "no archive")); it cannot be restored.")
        }
        let destination = try await destinationShell(backup.destination, image: image)
        // 1. The archive is whole, or nothing else happens.
        let check = try await engine.run(checksum(of: file, in: destination))
        guard check.succeeded else {
            throw EngineError(
                "Backup \(id): its archive \(file) cannot be read in \(Self.describe(backup.destination)): \(check.standardError.trimmed). Nothing was restored."
            )
        }
        guard check.standardOutput.trimmed == sum else {
            throw EngineError(
                "Backup \(id) is damaged: its archive's SHA-256 is \(check.standardOutput.trimmed.prefix(16))…, not the \(sum.prefix(16))… recorded when it was taken. Nothing was stopped or restored; restore another backup (`backups \(name)` lists them)."
            )
        }
        // The key the archive was written with, which the policy may have changed since.
        let keyStage = try record.encryptionKey.map { try encryption(key: $0, decrypt: true) }
        if environment.orchestrator == .swarm {
            return try await restoreOnSwarm(
                record, file: file, backup: backup, service: service, running: running, image: image,
                destination: destination, decrypt: keyStage, timeout: timeout, confirm: confirm)
        }
        let writers = try await writers(of: service, backup: backup)
        let question =
            "Restore \(id) (\(record.time)) into \(Self.describe(backup.kind)) of '\(name)', replacing the data there now"
            + (writers.isEmpty ? "?" : ", stopping \(writers.map(\.name).joined(separator: ", ")) meanwhile?")
        guard try confirm(question) else { return false }
        // 2. Writers stop, and start again however the restore ends.
        if !writers.isEmpty {
            console.progress("Stopping \(writers.map(\.name).joined(separator: ", "))…")
            let stopped = try await engine.run(["stop"] + writers.map(\.id))
            guard stopped.succeeded else {
                _ = try? await engine.run(["start"] + writers.map(\.id))
                throw EngineError(
                    "The services writing to the data could not be stopped: \(stopped.standardError.trimmed)")
            }
        }
        var failure: (any Error)?
        do {
            try await restore(
                record, file: file, backup: backup, service: service, container: running, image: image,
                destination: destination, decrypt: keyStage)
        } catch {
            failure = error
        }
        if !writers.isEmpty {
            console.progress("Starting \(writers.map(\.name).joined(separator: ", ")) again…")
            let started = try await engine.run(["start"] + writers.map(\.id))
            if !started.succeeded, failure == nil {
                failure = EngineError(
                    "Restored, but the stopped services did not start: \(started.standardError.trimmed)")
            }
            if failure == nil {
                try await waitUntilRunning(writers.map(\.id), timeout: timeout)
            }
        }
        if let failure { throw failure }
        console.progress("\(name): restored \(id).")
        return true
    }

    private func restore(
        _ record: BackupRecord, file: String, backup: Backup, service: Service, container running: LiveContainer?,
        image: String, destination: DestinationShell, decrypt: [String]?
    ) async throws {
        let read = engine.prefix + reading(file, from: destination)
        switch backup.kind {
        case .postgres(let database, let user, _):
            // pg_restore runs in the database's container: it must be running.
            let container: LiveContainer
            if let running {
                container = running
            } else {
                container = try await services.container(of: service.name, index: 1)
            }
            console.progress("\(service.name): restoring \(record.id) with pg_restore (one transaction)…")
            let load =
                engine.prefix + [
                    "exec", "--interactive", container.id, "pg_restore", "--clean", "--if-exists",
                    "--single-transaction",
                    "--exit-on-error", "--username", user, "--dbname", database,
                ]
            let results = try await engine.runner.pipeline([read] + (decrypt.map { [$0] } ?? []) + [load])
            if let failed = results.first(where: { !$0.succeeded }) {
                throw EngineError(
                    "Restoring \(record.id) failed, and its transaction was rolled back, so the database is as it was: \(failed.standardError.trimmed.lastLines(5))"
                )
            }
        case .volume(let volume), .redis(let volume, _):
            // Unpacked beside the data first: the contents are replaced only once the whole
            // archive is out, so a failure leaves them as they were.
            let staging = ".berth-restore-\(record.id)"
            let unpack =
                engine.prefix
                + shell(
                    image: image, mounts: ["\(volumeName(volume)):/data"], interactive: true,
                    "set -e; rm -rf \"/data/$1\"; mkdir \"/data/$1\"; tar -xf - -C \"/data/$1\"", [staging])
            console.progress("\(service.name): restoring \(record.id) into volume '\(volume)'…")
            let results = try await engine.runner.pipeline([read] + (decrypt.map { [$0] } ?? []) + [unpack])
            if let failed = results.first(where: { !$0.succeeded }) {
                _ = try? await engine.run(
                    shell(image: image, mounts: ["\(volumeName(volume)):/data"], "rm -rf \"/data/$1\"", [staging]))
                throw EngineError(
                    "Restoring \(record.id) failed before the volume's contents were touched: \(failed.standardError.trimmed.lastLines(5))"
                )
            }
            let swap = """
                set -e
                cd /data
                for f in * .[!.]* ..?*; do
                  [ -e "$f" ] || [ -L "$f" ] || continue
                  [ "$f" = "$1" ] || rm -rf -- "$f"
                done
                for f in "$1"/* "$1"/.[!.]* "$1"/..?*; do
                  [ -e "$f" ] || [ -L "$f" ] || continue
                  mv -- "$f" .
                done
                rmdir "$1"
                """
            let swapped = try await engine.run(
                shell(image: image, mounts: ["\(volumeName(volume)):/data"], swap, [staging]))
            guard swapped.succeeded else {
                throw EngineError(
                    "Restoring \(record.id): the archive was unpacked into /\(staging) in the volume, but replacing the contents failed: \(swapped.standardError.trimmed)"
                )
            }
        }
    }

    /// On Swarm, which replaces a stopped task at once, the services writing to the data are
    /// scaled to 0 for the restore and back to their replicas after it, however it ends. A
    /// deployer killed meanwhile leaves them at 0: `plan` shows that as drift, and `up` scales
    /// them back.
    private func restoreOnSwarm(
        _ record: BackupRecord, file: String, backup: Backup, service: Service, running: LiveContainer?,
        image: String, destination: DestinationShell, decrypt: [String]?, timeout: Duration,
        confirm: (_ question: String) throws -> Bool
    ) async throws -> Bool {
        let live = try await managing.swarmServices(stack: stack.name, environment: environment.name)
        let writers = writerNames(of: service, backup: backup).compactMap { name in
            live.first { $0.service == name && $0.desired > 0 }
        }
        let shown = writers.map(\.name).joined(separator: ", ")
        let question =
            "Restore \(record.id) (\(record.time)) into \(Self.describe(backup.kind)) of '\(service.name)', replacing the data there now"
            + (writers.isEmpty ? "?" : ", scaling \(shown) to 0 meanwhile?")
        guard try confirm(question) else { return false }
        func scale(_ replicas: (LiveSwarmService) -> Int) async throws -> CommandResult {
            try await managing.run(["service", "scale", "--detach"] + writers.map { "\($0.name)=\(replicas($0))" })
        }
        func waitFor(_ what: String, _ settled: @escaping ([LiveSwarmService]) -> Bool) async throws {
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            while true {
                if settled(try await managing.swarmServices(stack: stack.name, environment: environment.name)) {
                    return
                }
                guard clock.now < deadline else {
                    throw EngineError("\(what) did not happen within \(GoDuration.format(timeout)). See `status`.")
                }
                try await Task.sleep(for: .seconds(1))
            }
        }
        var failure: (any Error)?
        if !writers.isEmpty {
            console.progress("Scaling \(shown) to 0…")
            let stopped = try await scale { _ in 0 }
            if !stopped.succeeded {
                failure = EngineError(
                    "The services writing to the data could not be scaled to 0: \(stopped.standardError.trimmed)")
            } else {
                do {
                    try await waitFor("Stopping \(shown)") { services in
                        writers.allSatisfy { writer in
                            // A task Swarm is stopping still writes until it has stopped.
                            services.first { $0.name == writer.name }.map { $0.running + $0.stopping == 0 } ?? true
                        }
                    }
                } catch {
                    failure = error
                }
            }
        }
        if failure == nil {
            do {
                try await restore(
                    record, file: file, backup: backup, service: service, container: running, image: image,
                    destination: destination, decrypt: decrypt)
            } catch {
                failure = error
            }
        }
        if !writers.isEmpty {
            console.progress("Scaling \(shown) back…")
            let started = try await scale(\.desired)
            if !started.succeeded, failure == nil {
                failure = EngineError(
                    "Restored, but the services could not be scaled back: \(started.standardError.trimmed). `up` scales them back."
                )
            }
            if failure == nil {
                do {
                    try await waitFor("Scaling \(shown) back") { services in
                        writers.allSatisfy { writer in
                            services.first { $0.name == writer.name }.map { $0.running == writer.desired } ?? false
                        }
                    }
                } catch {
                    failure = error
                }
            }
        }
        if let failure { throw failure }
        console.progress("\(service.name): restored \(record.id).")
        return true
    }

    /// The services that write to a backup's data: for a database, the services that depend on
    /// it; for a volume, every service that mounts it (the service itself too).
    private func writerNames(of service: Service, backup: Backup) -> [String] {
        switch backup.kind {
        case .postgres:
            stack.services.filter { $0.dependencies.contains { $0.service == service.name } }.map(\.name).sorted()
        case .volume(let volume), .redis(let volume, _):
            stack.services.filter { other in
                other.mounts.contains { if case .volume(volume) = $0.source { true } else { false } }
            }.map(\.name).sorted()
        }
    }

    /// The running containers that write to a backup's data (``writerNames(of:backup:)``).
    private func writers(of service: Service, backup: Backup) async throws -> [LiveContainer] {
        let names = writerNames(of: service, backup: backup)
        var running: [LiveContainer] = []
        for name in names.sorted() {
            running += try await services.containers(of: name).filter { $0.state == "running" && !$0.isOneOff }
        }
        return running.sorted { $0.name < $1.name }
    }

    private func waitUntilRunning(_ ids: [String], timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let states = try await engine.output(
                [
                    "inspect", "--format",
                    "{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}",
                ]
                    + ids)
            let waiting = states.split(whereSeparator: \.isNewline).filter { line in
                let fields = line.split(separator: " ")
                return fields.count < 2 || fields[1] != "running" || (fields.count > 2 && fields[2] != "healthy")
            }
            if waiting.isEmpty { return }
            guard clock.now < deadline else {
                throw EngineError(
                    "Restored, but these did not come back within \(GoDuration.format(timeout)): \(waiting.joined(separator: ", ")). See `status` and `logs`."
                )
            }
            try await Task.sleep(for: .seconds(1))
        }
    }

    // MARK: Helpers

    /// The `openssl enc` stage, reading the key from the secret's file (never an argument).
    func encryption(key: String, decrypt: Bool) throws -> [String] {
        guard let secret = stack.secrets.first(where: { $0.name == key }) else {
            throw EngineError(
                "The backup key '\(key)' is not a secret of the stack\(decrypt ? " any more; declare it again with the value the archive was encrypted with" : "")."
            )
        }
        try secrets.materialize([secret])
        let file = secrets.directory.appendingPathComponent(key).path
        return [
            "openssl", "enc", decrypt ? "-d" : "-e", "-aes-256-cbc", "-md", "sha256", "-pbkdf2", "-iter", "200000",
            "-pass",
            "file:\(file)",
        ]
    }

    private func backedUpService(_ name: String) throws -> Service {
        guard let service = stack.service(named: name) else {
            throw EngineError(
                "The stack has no service '\(name)'. Its services: \(stack.services.map(\.name).joined(separator: ", "))."
            )
        }
        guard !service.backups.isEmpty else {
            let backedUp = stack.services.filter { !$0.backups.isEmpty }.map(\.name)
            throw EngineError(
                "Service '\(name)' has no backup policy\(backedUp.isEmpty ? "; add one with .backup(…)" : "; these have: \(backedUp.joined(separator: ", "))")."
            )
        }
        return service
    }

    /// Finds the containers of the stack's services, as `exec` does (Compose's labels, or
    /// Swarm's on the target's node).
    private var services: ServiceExec { ServiceExec(engine: engine, stack: stack, environment: environment) }

    /// The image helpers run: the service's running container's, else the description's.
    private func helperImage(of service: String) async throws -> String {
        if let container = try? await services.container(of: service, index: 1) { return container.image }
        return stack.service(named: service)?.image.reference ?? ""
    }

    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        // Milliseconds: two backups within one second must not share a name.
        formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        return formatter.string(from: date)
    }

    /// ISO 8601 with milliseconds, so records sort in the order they were taken.
    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// The program that reads the data, as a failure names it.
    static func program(of kind: Backup.Kind) -> String {
        switch kind {
        case .postgres: "pg_dump"
        case .volume, .redis: "tar"
        }
    }

    static func describe(_ kind: Backup.Kind) -> String {
        switch kind {
        case .postgres(let database, _, _): "PostgreSQL database '\(database)'"
        case .volume(let volume): "volume '\(volume)'"
        case .redis(let volume, _): "Redis data in volume '\(volume)'"
        }
    }

    /// `redis-cli SAVE` in the server's container: the server writes what it holds now into its
    /// data folder before the volume is read. The password goes from its secret file into
    /// `REDISCLI_AUTH`, which `redis-cli` reads, so it is in no process's arguments.
    static func redisSave(in container: String, passwordFile: String?) -> [String] {
        guard let passwordFile else { return ["exec", container, "redis-cli", "SAVE"] }
        return [
            "exec", container, "/bin/sh", "-c", #"REDISCLI_AUTH="$(cat "$1")" exec redis-cli SAVE"#, "berth-backup",
            passwordFile,
        ]
    }

    static func describe(_ backup: Backup) -> String {
        describe(backup.kind) + (backup.encryptionKey.map { ", encrypted with '\($0)'," } ?? "")
    }

    static func describe(_ destination: Backup.Destination) -> String {
        switch destination {
        case .volume(let name): "volume '\(name)'"
        case .hostDirectory(let path): "host directory \(path)"
        case .bucket(let bucket): "bucket \(bucket.name) at \(bucket.endpoint)"
        }
    }

    static func size(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: "%.1f %@", value, units[unit])
    }
}

/// Backups that failed, each with its reason; the failures are recorded on the engine too.
public struct BackupFailure: Error, CustomStringConvertible, Sendable {
    /// One line per backup.
    public var problems: [String]

    init(_ problems: [String]) { self.problems = problems }

    public var description: String {
        "Backup failed: " + problems.joined(separator: "; ")
    }
}

extension String {
    /// The last `count` lines.
    func lastLines(_ count: Int) -> String {
        split(whereSeparator: \.isNewline).suffix(count).joined(separator: "\n")
    }
}
