import BerthCompose
import BerthCore
import BerthYAML
import Foundation

/// Puts each secret's value into the file the rendered Compose file points at.
///
/// Every source is read before any file is written, and every missing source is reported at
/// once, so a deploy never starts with half of its secrets. Values are never printed; errors
/// name the secret and its source, never the value.
public struct SecretStore: Sendable {
    /// The folder that holds the files.
    public var directory: URL
    /// The deployer's environment, for `.environment` sources.
    public var environment: [String: String]
    /// The package directory, for relative `.file` sources.
    public var packageDirectory: URL

    /// Creates a store.
    public init(directory: URL, environment: [String: String], packageDirectory: URL) {
        self.directory = directory
        self.environment = environment
        self.packageDirectory = packageDirectory
    }

    /// Reads or generates every secret and writes the files.
    ///
    /// A generated value is kept with its SHA-256 in ``checksumsFileName``, and checked against
    /// it on every later deploy: a file that is missing, empty or changed is an error, never a
    /// reason to generate a new value, since a database initialised with the old value would
    /// refuse it. A generated file without a recorded checksum, written by an older Berth, is
    /// adopted: its checksum is recorded.
    /// - Parameters:
    ///   - readableByAnyUser: Secrets a service reads as a non-root user. Compose bind-mounts
    ///     secret files with the owner and mode they have here, so these are written 0644
    ///     instead of 0600; the 0700 folder still keeps other users of this machine out.
    ///   - deployedVersions: The version of each secret the stack on the engine uses, by name.
    ///     A generated secret listed here but absent from this machine is an error: the stack
    ///     already runs with a value that only a backup still has.
    /// - Returns: Each secret's version, for ``ComposeRenderer/render(_:for:secretVersions:)``.
    /// - Throws: ``SecretError`` listing every secret whose source is missing and every
    ///   generated value that is missing or damaged; nothing is written in that case.
    @discardableResult
    public func materialize(
        _ secrets: [Secret],
        readableByAnyUser: Set<String> = [],
        deployedVersions: [String: String] = [:]
    ) throws -> [String: String] {
        let resolved = try resolve(secrets, deployedVersions: deployedVersions)
        if secrets.isEmpty { return [:] }
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for (name, value) in resolved.values {
            let file = directory.appendingPathComponent(name)
            let mode = readableByAnyUser.contains(name) ? 0o644 : 0o600
            let current = FileManager.default.contents(atPath: file.path).map(Array.init)
            if current == value && Self.permissions(of: file) == mode { continue }
            try Workspace.writeAtomically(Data(value), to: file, permissions: mode)
        }
        // Written after the values: a deploy interrupted in between leaves files without
        // checksums, which the next one adopts, rather than checksums without their files.
        if !resolved.unrecorded.isEmpty {
            var checksums = resolved.checksums
            for name in resolved.unrecorded {
                checksums[name] = Self.checksum(of: resolved.values[name]!)
            }
            try writeChecksums(checksums)
        }
        return try versions(of: resolved.values, creatingKey: true)
    }

    /// The environment of the `docker compose` process that applies the stack: each secret's
    /// value under ``ComposeRenderer/secretVariable(_:)``, read from the files
    /// ``materialize(_:readableByAnyUser:deployedVersions:)`` wrote.
    ///
    /// A process environment holds text without NUL bytes, so a value that is not such text is
    /// refused by name, before anything changes.
    /// - Throws: ``SecretError`` naming every secret whose value cannot travel that way.
    public func composeEnvironment(for secrets: [Secret]) throws -> [String: String] {
        var environment: [String: String] = [:]
        var problems: [String] = []
        for secret in secrets {
            let file = directory.appendingPathComponent(secret.name)
            guard let value = FileManager.default.contents(atPath: file.path) else {
                problems.append("secret '\(secret.name)': its value was not written to \(file.path).")
                continue
            }
            guard let text = String(validating: value, as: UTF8.self), !text.utf8.contains(0) else {
                problems.append(
                    "secret '\(secret.name)': its value is not UTF-8 text, and Docker Compose passes secrets as text. Base64-encode it and decode it in the container."
                )
                continue
            }
            environment[ComposeRenderer.secretVariable(secret.name)] = text
        }
        guard problems.isEmpty else { throw SecretError(problems: problems) }
        return environment
    }

    /// Each secret's version without writing anything, for a plan.
    /// - Parameter deployedVersions: The version of each secret the stack on the engine uses,
    ///   as for ``materialize(_:readableByAnyUser:deployedVersions:)``.
    /// - Throws: ``SecretError`` listing every secret whose source is missing and every
    ///   generated value that is missing or damaged.
    public func currentVersions(
        _ secrets: [Secret],
        deployedVersions: [String: String] = [:]
    ) throws -> [String: String] {
        try versions(of: resolve(secrets, deployedVersions: deployedVersions).values, creatingKey: false)
    }

    /// Replaces a generated secret's value with a new one and records its checksum.
    ///
    /// Only that secret's file and its checksum are written, whether the old file was intact,
    /// damaged or missing. The services that read the secret get the new value at the next
    /// deploy; a service that keeps the value in its data (``Secret/keptBy``) has to be told
    /// separately (``Secret/rotationWarning``).
    /// - Parameters:
    ///   - name: The secret to rotate.
    ///   - secrets: The stack's secrets, which declare it.
    /// - Throws: ``SecretError`` when the stack does not declare a generated secret of that name
    ///   or the checksum file is damaged; nothing is written in that case.
    public func rotate(_ name: String, in secrets: [Secret]) throws {
        guard let secret = secrets.first(where: { $0.name == name }) else {
            throw SecretError(
                problems: [
                    "The stack declares no secret '\(name)'. Its secrets: \(secrets.map(\.name).joined(separator: ", "))."
                ],
                summary: "Cannot rotate secret '\(name)'.")
        }
        guard case .generated(let length, let alphabet) = secret.source else {
            throw SecretError(
                problems: [
                    "\(secret.location): secret '\(name)' is not generated by Berth; change its source (file or environment variable) instead, then deploy."
                ],
                summary: "Cannot rotate secret '\(name)'.")
        }
        var checksums = try readChecksums().get()
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let file = directory.appendingPathComponent(name)
        let value = Array(Self.generate(length: length, alphabet: alphabet).utf8)
        // A secret a non-root service reads keeps its 0644 (see materialize).
        let mode = Self.permissions(of: file) == 0o644 ? 0o644 : 0o600
        try Workspace.writeAtomically(Data(value), to: file, permissions: mode)
        checksums[name] = Self.checksum(of: value)
        try writeChecksums(checksums)
    }

    /// What ``resolve(_:deployedVersions:)`` found.
    private struct Resolution {
        /// Each secret's value.
        var values: [String: [UInt8]] = [:]
        /// The recorded checksums, as read.
        var checksums: [String: String] = [:]
        /// Generated secrets whose checksum is not recorded yet: new ones and adopted ones.
        var unrecorded: Set<String> = []
    }

    /// Reads every source and checks every kept value, generating what was never generated,
    /// without writing.
    private func resolve(_ secrets: [Secret], deployedVersions: [String: String]) throws -> Resolution {
        var resolved = Resolution()
        var problems: [String] = []
        if secrets.contains(where: { if case .generated = $0.source { true } else { false } }) {
            switch readChecksums() {
            case .success(let checksums): resolved.checksums = checksums
            case .failure(let error): problems += error.problems
            }
        }
        for secret in secrets {
            let file = directory.appendingPathComponent(secret.name)
            switch secret.source {
            case .environment(let variable):
                if let value = environment[variable] {
                    resolved.values[secret.name] = Array(value.utf8)
                } else {
                    problems.append(
                        "\(secret.location): secret '\(secret.name)' reads the environment variable \(variable), which is not set. Export \(variable) before deploying."
                    )
                }
            case .file(let path):
                let url = Workspace(root: packageDirectory).file(path)
                if let data = FileManager.default.contents(atPath: url.path) {
                    resolved.values[secret.name] = Array(data)
                } else {
                    problems.append(
                        "\(secret.location): secret '\(secret.name)' reads \(url.path), which does not exist or cannot be read. Create the file or correct the path."
                    )
                }
            case .generated(let length, let alphabet):
                let recorded = resolved.checksums[secret.name]
                guard let current = FileManager.default.contents(atPath: file.path).map(Array.init) else {
                    if FileManager.default.fileExists(atPath: file.path) {
                        problems.append(
                            "\(secret.location): secret '\(secret.name)' is kept in \(file.path), which cannot be read. Check that it belongs to the user who deploys and has mode 0600."
                        )
                    } else if recorded != nil {
                        problems.append(
                            lost(secret, "\(file.path) is missing, although its checksum is recorded"))
                    } else if deployedVersions[secret.name] != nil {
                        problems.append(
                            lost(
                                secret,
                                "the stack on the engine uses a value of '\(secret.name)' that this machine does not have (\(file.path) does not exist)"
                            ))
                    } else {
                        resolved.values[secret.name] = Array(Self.generate(length: length, alphabet: alphabet).utf8)
                        resolved.unrecorded.insert(secret.name)
                    }
                    continue
                }
                if current.isEmpty {
                    problems.append(lost(secret, "\(file.path) is empty"))
                } else if let recorded, Self.checksum(of: current) != recorded {
                    problems.append(
                        lost(secret, "\(file.path) no longer matches the checksum recorded when it was written"))
                } else {
                    resolved.values[secret.name] = current
                    if recorded == nil { resolved.unrecorded.insert(secret.name) }
                }
            case .external, .shared:
                // Held by the engine (Swarm), never by files here; Compose refuses both.
                continue
            }
        }
        guard problems.isEmpty else { throw SecretError(problems: problems) }
        return resolved
    }

    /// The problem of a generated value that is missing or damaged: what happened, why Berth
    /// does not replace it, and the two ways on.
    private func lost(_ secret: Secret, _ what: String) -> String {
        "\(secret.location): secret '\(secret.name)' was generated by an earlier deploy, and its value is missing or damaged: \(what). "
            + "Berth does not replace it by itself, because services and data set up with the old value (such as a database's password) would refuse a new one. "
            + "Restore the file from your backup of \(directory.path)/, "
            + "or run `rotate-secret \(secret.name)` with the same --env to start over with a new value on purpose."
    }

    /// The file that records the SHA-256 of each generated value, one `name sha256` line each.
    ///
    /// Its name starts with a dot, which no secret's name can, so it never meets a secret file.
    public static let checksumsFileName = ".checksums"

    private var checksumsFile: URL { directory.appendingPathComponent(Self.checksumsFileName) }

    /// The recorded checksums by secret name; none when the file does not exist.
    private func readChecksums() -> Result<[String: String], SecretError> {
        guard FileManager.default.fileExists(atPath: checksumsFile.path) else { return .success([:]) }
        let fix =
            "Restore it from your backup of \(directory.path)/, or delete it so that the next deploy records the checksums of the files as they are now."
        guard let data = FileManager.default.contents(atPath: checksumsFile.path),
            let text = String(data: data, encoding: .utf8)
        else {
            return .failure(SecretError(problems: ["\(checksumsFile.path) cannot be read. \(fix)"]))
        }
        var checksums: [String: String] = [:]
        let hexadecimal = Set("0123456789abcdef")
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.isEmpty {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, !fields[0].isEmpty, fields[1].count == 64,
                fields[1].allSatisfy(hexadecimal.contains)
            else {
                return .failure(
                    SecretError(problems: [
                        "\(checksumsFile.path) is damaged: line \(index + 1) is not a secret's name and its SHA-256. \(fix)"
                    ]))
            }
            checksums[String(fields[0])] = String(fields[1])
        }
        return .success(checksums)
    }

    private func writeChecksums(_ checksums: [String: String]) throws {
        let text = checksums.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)\n" }.joined()
        try Workspace.writeAtomically(Data(text.utf8), to: checksumsFile, permissions: 0o600)
    }

    /// The SHA-256 of a value, in lowercase hexadecimal.
    static func checksum(of value: [UInt8]) -> String {
        SHA256.hex(SHA256.hash(value))
    }

    private static func permissions(of file: URL) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: file.path))?[.posixPermissions] as? Int
    }

    /// A secret's version is an HMAC of its value under a random key kept beside the secrets,
    /// so a changed value changes the label of the services that read it (and Compose
    /// recreates them), while the label tells nothing about the value to whoever reads it.
    private func versions(of values: [String: [UInt8]], creatingKey: Bool) throws -> [String: String] {
        let keyFile = directory.appendingPathComponent(".version-key")
        var key = FileManager.default.contents(atPath: keyFile.path).map(Array.init)
        if key == nil {
            guard creatingKey else { return values.mapValues { _ in "new" } }
            let fresh = Array(Self.generate(length: 64, alphabet: .alphanumeric).utf8)
            try Workspace.writeAtomically(Data(fresh), to: keyFile, permissions: 0o600)
            key = fresh
        }
        return values.mapValues { value in SHA256.hex(Self.hmac(key: key!, message: value).prefix(8)) }
    }

    /// HMAC-SHA-256 (RFC 2104).
    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? SHA256.hash(key) : key
        block += Array(repeating: 0, count: 64 - block.count)
        var inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = SHA256()
        outer.update(block.map { $0 ^ 0x5c })
        outer.update(inner.finalize())
        return outer.finalize()
    }

    /// A random string drawn with the system's cryptographically secure generator
    /// (`getrandom` on Linux, `arc4random` on Apple platforms), uniformly from the alphabet.
    public static func generate(length: Int, alphabet: Secret.Alphabet) -> String {
        var generator = SystemRandomNumberGenerator()
        let characters = alphabet.characters
        return String((0..<length).map { _ in characters.randomElement(using: &generator)! })
    }
}

/// Secrets that have no usable value: a missing source, or a generated value that is missing or
/// damaged.
public struct SecretError: Error, CustomStringConvertible, Sendable {
    /// One line per secret.
    public var problems: [String]
    /// What could not be done, the first line of the description.
    public var summary: String

    /// Creates an error.
    /// - Parameters:
    ///   - problems: One line per secret, naming it and saying what to do.
    ///   - summary: What could not be done; by default, a deploy.
    public init(problems: [String], summary: String? = nil) {
        self.problems = problems
        self.summary = summary ?? "Cannot deploy: \(problems.count) secret(s) have no usable value."
    }

    public var description: String {
        summary + "\n" + problems.map { "  " + $0 }.joined(separator: "\n")
    }
}
