import BerthCore
import BerthYAML
import Foundation

/// What a build reads, hashed: the tag of a built image, so the same sources always give the
/// same tag and a changed file a new one.
///
/// The hash covers every file of the context the builder receives (its path, whether it is
/// executable, its content; a symbolic link's target), every folder, the Dockerfile, the
/// target and the arguments. Modification times, owners and other permission bits are left
/// out: a fresh checkout or a `touch` must not rebuild, and Docker's `COPY` keeps only the
/// executable bit meaningful across machines. Files `.dockerignore` excludes and `.git`,
/// `.build` and `.berth` folders are left out too (the last three hold history, build products
/// and Berth's own output, which change on every build without changing the application).
public struct BuildInputs: Sendable {
    /// The build described.
    public var build: Build
    /// The package directory the context is relative to.
    public var packageDirectory: URL

    /// Folders never hashed, at any depth.
    static let skippedFolders: Set<Substring> = [".git", ".build", ".berth"]
    /// Files are read in pieces of this size, so a large file never sits in memory whole.
    static let chunkSize = 1 << 20
    /// Hex digits of the digest kept in the tag: 64 bits, ample to tell a service's builds apart.
    static let tagLength = 16

    /// Describes the inputs of a build.
    public init(build: Build, packageDirectory: URL) {
        self.build = build
        self.packageDirectory = packageDirectory
    }

    /// The context folder.
    public var contextDirectory: URL {
        build.context.isEmpty || build.context == "."
            ? packageDirectory : packageDirectory.appendingPathComponent(build.context, isDirectory: true)
    }

    /// The Dockerfile.
    public var dockerfile: URL { contextDirectory.appendingPathComponent(build.dockerfile) }

    /// The image tag for these inputs: the first 16 hex digits of their SHA-256.
    /// - Throws: ``BuildInputError`` naming a file that cannot be read.
    public func tag() throws -> String {
        String(try digest().prefix(Self.tagLength))
    }

    /// The SHA-256 of the inputs, in hex.
    /// - Throws: ``BuildInputError`` naming a file that cannot be read.
    public func digest() throws -> String {
        var hasher = SHA256()
        // A version, so a change of what is hashed changes every tag instead of colliding.
        hasher.update("berth-build-inputs 1\0".utf8)
        let context = contextDirectory
        let ignore = try dockerIgnore()
        try hashFolder(context, relative: [], ignore: ignore, into: &hasher)
        hasher.update("dockerfile\0\(build.dockerfile)\0".utf8)
        try hashContent(of: dockerfile, into: &hasher)
        hasher.update("target\0\(build.target ?? "")\0".utf8)
        for (key, value) in build.arguments.sorted(by: { $0.key < $1.key }) {
            hasher.update("arg\0\(key)\0\(value)\0".utf8)
        }
        return SHA256.hex(hasher.finalize())
    }

    /// The context's `.dockerignore`, or no patterns.
    func dockerIgnore() throws -> DockerIgnore {
        let file = contextDirectory.appendingPathComponent(".dockerignore")
        guard FileManager.default.fileExists(atPath: file.path) else { return DockerIgnore("") }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw BuildInputError(path: file.path, reason: "it cannot be read")
        }
        return DockerIgnore(String(decoding: data, as: UTF8.self))
    }

    /// Hashes a folder's entries in byte order of their names, so the order never depends on
    /// the file system.
    private func hashFolder(
        _ folder: URL, relative: [Substring], ignore: DockerIgnore, into hasher: inout SHA256
    ) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw BuildInputError(path: folder.path, reason: "its entries cannot be listed")
        }
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let path = relative + [Substring(name)]
            let url = folder.appendingPathComponent(name)
            var info = stat()
            guard lstat(url.path, &info) == 0 else {
                throw BuildInputError(path: url.path, reason: String(cString: strerror(errno)))
            }
            let isFolder = info.st_mode & S_IFMT == S_IFDIR
            if isFolder && Self.skippedFolders.contains(Substring(name)) { continue }
            let excluded = ignore.excludes(path)
            // An excluded folder can hold an included file only when some pattern is an exception.
            if excluded && (!isFolder || !ignore.hasExceptions) { continue }
            let text = path.joined(separator: "/")
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                if !excluded { hasher.update("d\0\(text)\0".utf8) }
                try hashFolder(url, relative: path, ignore: ignore, into: &hasher)
            case S_IFLNK:
                let target = try FileManager.default.destinationOfSymbolicLink(atPath: url.path)
                hasher.update("l\0\(text)\0\(target)\0".utf8)
            case S_IFREG:
                let executable = info.st_mode & S_IXUSR != 0 ? "x" : "-"
                hasher.update("f\0\(text)\0\(executable)\0\(info.st_size)\0".utf8)
                try hashContent(of: url, into: &hasher)
            default:
                // Sockets, pipes and devices: Docker sends only their names.
                hasher.update("o\0\(text)\0".utf8)
            }
        }
    }

    private func hashContent(of file: URL, into hasher: inout SHA256) throws {
        guard let handle = FileHandle(forReadingAtPath: file.path) else {
            throw BuildInputError(path: file.path, reason: "it cannot be opened for reading")
        }
        defer { try? handle.close() }
        do {
            while let chunk = try handle.read(upToCount: Self.chunkSize), !chunk.isEmpty {
                chunk.withUnsafeBytes { hasher.update($0) }
            }
        } catch {
            throw BuildInputError(path: file.path, reason: "reading it failed: \(error.localizedDescription)")
        }
    }
}

/// A build input that cannot be read, so no tag can be computed.
public struct BuildInputError: Error, CustomStringConvertible, Sendable {
    /// The file or folder.
    public var path: String
    /// Why it cannot be read.
    public var reason: String

    public var description: String {
        "\(path) cannot be hashed: \(reason). Make it readable, or list it in the context's .dockerignore."
    }
}
