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
    /// - Parameter readableByAnyUser: Secrets a service reads as a non-root user. Compose
    ///   bind-mounts secret files with the owner and mode they have here, so these are written
    ///   0644 instead of 0600; the 0700 folder still keeps other users of this machine out.
    /// - Returns: Each secret's version, for ``ComposeRenderer/render(_:for:secretVersions:)``.
    /// - Throws: ``SecretError`` listing every secret whose source is missing; nothing is
    ///   written in that case.
    @discardableResult
    public func materialize(_ secrets: [Secret], readableByAnyUser: Set<String> = []) throws -> [String: String] {
        let values = try resolve(secrets)
        if secrets.isEmpty { return [:] }
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for (name, value) in values {
            let file = directory.appendingPathComponent(name)
            let mode = readableByAnyUser.contains(name) ? 0o644 : 0o600
            let current = FileManager.default.contents(atPath: file.path).map(Array.init)
            let currentMode = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.posixPermissions] as? Int
            if current == value && currentMode == mode { continue }
            try Workspace.writeAtomically(Data(value), to: file, permissions: mode)
        }
        return try versions(of: values, creatingKey: true)
    }

    /// Each secret's version without writing anything, for a plan.
    /// - Throws: ``SecretError`` listing every secret whose source is missing.
    public func currentVersions(_ secrets: [Secret]) throws -> [String: String] {
        try versions(of: resolve(secrets), creatingKey: false)
    }

    /// Reads every source, generating what was never generated, without writing.
    private func resolve(_ secrets: [Secret]) throws -> [String: [UInt8]] {
        var values: [String: [UInt8]] = [:]
        var problems: [String] = []
        for secret in secrets {
            let file = directory.appendingPathComponent(secret.name)
            switch secret.source {
            case .environment(let variable):
                if let value = environment[variable] {
                    values[secret.name] = Array(value.utf8)
                } else {
                    problems.append(
                        "\(secret.location): secret '\(secret.name)' reads the environment variable \(variable), which is not set. Export \(variable) before deploying."
                    )
                }
            case .file(let path):
                let url =
                    path.hasPrefix("/") ? URL(fileURLWithPath: path) : packageDirectory.appendingPathComponent(path)
                if let data = FileManager.default.contents(atPath: url.path) {
                    values[secret.name] = Array(data)
                } else {
                    problems.append(
                        "\(secret.location): secret '\(secret.name)' reads \(url.path), which does not exist or cannot be read. Create the file or correct the path."
                    )
                }
            case .generated(let length, let alphabet):
                values[secret.name] =
                    FileManager.default.contents(atPath: file.path).map(Array.init)
                    ?? Array(Self.generate(length: length, alphabet: alphabet).utf8)
            case .external, .shared:
                // Held by the engine (Swarm), never by files here; Compose refuses both.
                continue
            }
        }
        guard problems.isEmpty else { throw SecretError(problems: problems) }
        return values
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
        return values.mapValues { value in
            Self.hmac(key: key!, message: value).prefix(8).map { byte in
                let digits = Array("0123456789abcdef")
                return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
            }.joined()
        }
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

/// Secrets whose sources are missing.
public struct SecretError: Error, CustomStringConvertible, Sendable {
    /// One line per secret.
    public var problems: [String]

    public var description: String {
        "Cannot deploy: \(problems.count) secret(s) have no value.\n"
            + problems.map { "  " + $0 }.joined(separator: "\n")
    }
}
