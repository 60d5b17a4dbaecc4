import BerthCore
import Foundation

/// The `.berth/` folder of a package: rendered files and materialised secrets, per stack and
/// environment.
///
/// ```
/// .berth/
///   .gitignore                  "*": nothing here is ever committed
///   <stack>/<environment>/
///     compose.yaml              what `up` applies, inspectable
///     secrets/<name>            secret values, mode 0600, in a 0700 folder
///     secrets/.checksums        the SHA-256 of each generated value
///     secrets/.version-key      the key of the secret versions in service labels
/// ```
/// Generated secrets are created once and kept in `secrets/`; later deploys reuse them and
/// stop when one is missing or damaged rather than generate another, so keep the folder (or
/// back it up) on the machine that deploys.
public struct Workspace: Sendable {
    /// The package directory.
    public var root: URL

    /// Creates a workspace rooted at a package directory.
    public init(root: URL) {
        self.root = root
    }

    /// A file the description names: an absolute path as it is, a relative one from the
    /// package directory.
    public func file(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
    }

    /// The content of every file-backed config of a stack, by name.
    /// - Throws: ``EngineError`` naming every config whose file cannot be read, with the line
    ///   that declares it.
    public func configFiles(of stack: Stack) throws -> [String: [UInt8]] {
        var contents: [String: [UInt8]] = [:]
        var problems: [String] = []
        for config in stack.configs {
            guard case .file(let path) = config.source else { continue }
            guard let data = FileManager.default.contents(atPath: file(path).path) else {
                problems.append(
                    "\(config.location): config '\(config.name)' reads \(file(path).path), which does not exist or cannot be read. Create the file or correct the path."
                )
                continue
            }
            contents[config.name] = Array(data)
        }
        guard problems.isEmpty else { throw EngineError(problems.joined(separator: "\n")) }
        return contents
    }

    /// The folder holding everything Berth writes.
    public var berthDirectory: URL { root.appendingPathComponent(".berth", isDirectory: true) }

    /// The folder of one stack in one environment.
    public func directory(stack: String, environment: String) -> URL {
        berthDirectory.appendingPathComponent(stack, isDirectory: true)
            .appendingPathComponent(environment, isDirectory: true)
    }

    /// The rendered Compose file.
    public func composeFile(stack: String, environment: String) -> URL {
        directory(stack: stack, environment: environment).appendingPathComponent("compose.yaml")
    }

    /// The folder of materialised secrets.
    public func secretsDirectory(stack: String, environment: String) -> URL {
        directory(stack: stack, environment: environment).appendingPathComponent("secrets", isDirectory: true)
    }

    /// Creates the folders, with a `.gitignore` that keeps `.berth/` out of git.
    public func prepare(stack: String, environment: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(
            at: directory(stack: stack, environment: environment), withIntermediateDirectories: true)
        let ignore = berthDirectory.appendingPathComponent(".gitignore")
        if !manager.fileExists(atPath: ignore.path) {
            try Data("# Rendered files and secrets: never commit them.\n*\n".utf8).write(to: ignore)
        }
    }

    /// Writes a file through a temporary file and a rename, so a reader never sees half of it.
    public func write(_ text: String, to url: URL, permissions: Int = 0o644) throws {
        try Self.writeAtomically(Data(text.utf8), to: url, permissions: permissions)
    }

    static func writeAtomically(_ data: Data, to url: URL, permissions: Int) throws {
        let manager = FileManager.default
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UInt32.random(in: 0 ... .max)).tmp")
        // The file is created with its final permissions, so a secret is never readable by others,
        // not even for an instant.
        guard manager.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: permissions])
        else {
            throw EngineError("Could not write \(url.path): check that the folder is writable.")
        }
        // rename(2) replaces the old file atomically; FileManager's replace is not reliable on Linux.
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? manager.removeItem(at: temporary)
            throw EngineError("Could not write \(url.path): \(reason).")
        }
    }
}
