/// A backup policy of a service: what is copied, where the copies go, how many are kept, and
/// whether they are encrypted.
///
/// ```swift
/// Service("db", image: "postgres:16")
///     .volume("pgdata", at: "/var/lib/postgresql/data")
///     .backup(.postgres(database: "app", user: "app"), to: .volume("backups"), keep: 30,
///             encryptedWith: "backup_key")
/// ```
///
/// **How a backup is taken.** Berth streams the copy from the engine that runs the service to
/// the destination on the same engine, without a temporary file: a PostgreSQL database through
/// `pg_dump --format=custom` run in the service's running container (so the dump has the
/// server's own version), a volume through `tar` in a one-off container of the service's image
/// that mounts it read-only. With a key, the stream is encrypted on the deploying machine by
/// `openssl enc -aes-256-cbc -pbkdf2` between the two, so the destination only ever holds
/// ciphertext. Each archive is written under a temporary name and renamed once complete, next
/// to a record of its size, SHA-256 and time (`<id>.json`); a backup that fails leaves a
/// record of its failure instead, which `backups` and `status` report.
///
/// **How one is restored.** `restore SERVICE BACKUP` checks the archive's SHA-256 against its
/// record before anything stops, stops the services that write to the data, restores (a
/// database with `pg_restore --clean --if-exists --single-transaction`, so a failure leaves it
/// as it was; a volume into a staging folder that replaces the contents only once complete),
/// starts them again and waits until they run.
public struct Backup: Sendable, Hashable, Codable {
    /// What a backup copies.
    public enum Kind: Sendable, Hashable, Codable {
        /// A PostgreSQL database, as a logical dump (`pg_dump --format=custom`). `backup --now`
        /// and `restore` run in the service's container and connect as `user` through its local
        /// socket; a scheduled backup connects over the network, with the password from the
        /// stack secret `password`.
        case postgres(database: String, user: String, password: String? = nil)
        /// A named volume the service mounts, as a `tar` archive of its contents.
        case volume(String)
        /// A Redis server's data: Berth has it write a snapshot (`redis-cli SAVE`), then archives
        /// `volume`, the volume the service keeps its data in (`/data` in the official image),
        /// as for ``volume(_:)``: the archive holds what the server had in memory when the backup
        /// began, not what its last scheduled save wrote. `SAVE` writes in the foreground, so the
        /// server answers nothing else meanwhile (milliseconds for a cache, seconds for gigabytes):
        /// schedule the backups of a large data set when a pause is acceptable. A server with a password names the stack
        /// secret `password` that holds it (`redis-cli` reads it from the environment, never from
        /// its arguments). A restore replaces the volume's contents while the server is stopped,
        /// and the server loads them when it starts again.
        case redis(volume: String, password: String? = nil)
    }

    /// Where the archives go, on the engine that runs the service.
    public enum Destination: Sendable, Hashable, Codable {
        /// A named volume of the stack.
        case volume(String)
        /// An absolute path on the engine's host (bind-mounted into the helper containers).
        case hostDirectory(String)
        /// An S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, Backblaze B2…), through the
        /// stack's uploader for it (``BucketUploader``): archives are written to its outbox
        /// volume first, then uploaded and removed there.
        case bucket(Bucket)
    }

    /// What is copied.
    public var kind: Kind
    /// Where the copies go.
    public var destination: Destination
    /// How many successful copies are kept; taking one more removes the oldest.
    public var keep: Int
    /// The stack secret whose value encrypts the archives, or `nil` for plain archives.
    public var encryptionKey: String?
    /// When a job of the stack takes one by itself (``BackupJob``), or `nil` for `backup --now`
    /// only.
    public var schedule: Schedule?
    /// Where the user declared the policy.
    public var location: SourceLocation

    /// Creates a policy.
    public init(
        kind: Kind, destination: Destination, keep: Int, encryptionKey: String?, schedule: Schedule? = nil,
        location: SourceLocation
    ) {
        self.kind = kind
        self.destination = destination
        self.keep = keep
        self.encryptionKey = encryptionKey
        self.schedule = schedule
        self.location = location
    }

    /// The policy's name among the service's: `postgres`, or `volume-<name>`; part of every
    /// backup's identifier.
    public var name: String {
        switch kind {
        case .postgres: "postgres"
        case .volume(let volume): "volume-\(volume)"
        case .redis: "redis"
        }
    }

    /// The file extension of an archive: what it holds, then `.enc` when it is encrypted.
    public var fileExtension: String {
        let base =
            switch kind {
            case .postgres: "dump"
            case .volume, .redis: "tar"
            }
        return encryptionKey == nil ? base : "\(base).enc"
    }
}

extension Backup.Kind {
    /// The volume whose contents an archive holds: a volume backup's, or the one a Redis server
    /// keeps its data in; `nil` for a database dump.
    public var archivedVolume: String? {
        switch self {
        case .postgres: nil
        case .volume(let volume), .redis(let volume, _): volume
        }
    }
}

extension Service {
    /// Backs up the service's data (``Backup``).
    ///
    /// - Parameters:
    ///   - kind: A PostgreSQL database the service runs, a volume it mounts, or the data of the
    ///     Redis server it runs.
    ///   - destination: Where the archives go on the service's engine: a volume of the stack
    ///     (default `backups`, which the stack must declare) or a directory of the host.
    ///   - keep: How many successful archives to keep (default 30).
    ///   - key: The name of a stack secret that encrypts the archives. Give it a source every
    ///     machine that restores can read (a file or an environment variable): an archive is
    ///     only as recoverable as its key.
    ///   - schedule: A cron expression (``Schedule``), such as `"0 3 * * *"`: a job of the stack
    ///     then takes a backup at each time due (``BackupJob``).
    public func backup(
        _ kind: Backup.Kind,
        to destination: Backup.Destination = .volume("backups"),
        keep: Int = 30,
        encryptedWith key: String? = nil,
        schedule: String? = nil,
        fileID: String = #fileID,
        line: Int = #line
    ) -> Service {
        var copy = self
        let location = SourceLocation(fileID: fileID, line: line)
        copy.backups.append(
            Backup(
                kind: kind, destination: destination, keep: keep, encryptionKey: key,
                schedule: schedule.map { Schedule($0, location: location) }, location: location))
        return copy
    }
}
