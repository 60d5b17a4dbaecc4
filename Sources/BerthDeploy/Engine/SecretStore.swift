import BerthCompose
import BerthCore
import Foundation

/// Puts each secret's value into the file the rendered Compose file points at, mode 0600.
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
    /// - Throws: ``SecretError`` listing every secret whose source is missing; nothing is
    ///   written in that case.
    public func materialize(_ secrets: [Secret]) throws {
        var values: [(Secret, [UInt8])] = []
        var problems: [String] = []
        for secret in secrets {
            let file = directory.appendingPathComponent(secret.name)
            switch secret.source {
            case .environment(let variable):
                if let value = environment[variable] {
                    values.append((secret, Array(value.utf8)))
                } else {
                    problems.append(
                        "\(secret.location): secret '\(secret.name)' reads the environment variable \(variable), which is not set. Export \(variable) before deploying.")
                }
            case .file(let path):
                let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : packageDirectory.appendingPathComponent(path)
                if let data = FileManager.default.contents(atPath: url.path) {
                    values.append((secret, Array(data)))
                } else {
                    problems.append(
                        "\(secret.location): secret '\(secret.name)' reads \(url.path), which does not exist or cannot be read. Create the file or correct the path.")
                }
            case .generated(let length, let alphabet):
                if FileManager.default.fileExists(atPath: file.path) { continue }
                values.append((secret, Array(Self.generate(length: length, alphabet: alphabet).utf8)))
            case .external:
                continue
            }
        }
        guard problems.isEmpty else { throw SecretError(problems: problems) }
        if secrets.isEmpty { return }
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for (secret, value) in values {
            let file = directory.appendingPathComponent(secret.name)
            if FileManager.default.contents(atPath: file.path).map(Array.init) == value { continue }
            try Workspace.writeAtomically(Data(value), to: file, permissions: 0o600)
        }
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
        "Cannot deploy: \(problems.count) secret(s) have no value.\n" + problems.map { "  " + $0 }.joined(separator: "\n")
    }
}
