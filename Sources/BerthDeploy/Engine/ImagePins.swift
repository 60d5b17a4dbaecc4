import BerthCore
import Foundation

/// The registry digests a package's image tags are pinned to, in `image-pins.json` beside its
/// `Package.swift`: committed like `Package.resolved`, so every deploy from every checkout runs
/// the same image until someone moves the pin.
///
/// ```json
/// {
///   "pins" : {
///     "postgres:16" : "sha256:…"
///   },
///   "version" : 1
/// }
/// ```
/// `up --pin-digests` writes it: each tag the stacks pull is fetched from its registry and
/// pinned to the digest it has now. While a tag is pinned, every render names the digest
/// (`postgres:16@sha256:…`), so a push under the same tag changes nothing until the next
/// `--pin-digests`, and `plan` says when the engine's copy of the tag moved away from the pin.
/// Images Berth builds from the package's sources are tagged by their content and never pinned.
public struct ImagePins: Sendable, Hashable, Codable {
    /// The file's name in the package directory.
    public static let fileName = "image-pins.json"

    /// The format of the file.
    public var version = 1
    /// Digest (`sha256:…`) by image reference, as the description writes it.
    public var pins: [String: String] = [:]

    /// No pins.
    public init() {}

    /// The pins of a package; none when it has no `image-pins.json`.
    /// - Throws: ``EngineError`` naming the file when it cannot be read.
    public static func load(from packageDirectory: URL) throws -> ImagePins {
        let file = packageDirectory.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: file.path) else { return ImagePins() }
        do {
            let pins = try JSONDecoder().decode(ImagePins.self, from: data)
            for (reference, digest) in pins.pins where !Self.isDigest(digest) {
                throw EngineError("pin of \(reference) is '\(digest)', not a digest (sha256: and 64 hex digits)")
            }
            return pins
        } catch {
            throw EngineError(
                "\(file.path) cannot be read as image pins (\(error)). Fix it, or delete it and run `up --pin-digests` to write it again."
            )
        }
    }

    /// Writes the pins, sorted, so a change reviews as the lines of the images that moved.
    public func save(to packageDirectory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var data = try encoder.encode(self)
        data.append(UInt8(ascii: "\n"))
        try data.write(to: packageDirectory.appendingPathComponent(Self.fileName), options: .atomic)
    }

    /// The stack with every pinned reference of a pulled image carrying its digest.
    public func applied(to stack: Stack) -> Stack {
        guard !pins.isEmpty else { return stack }
        var stack = stack
        stack.services = stack.services.map { service in
            guard service.build == nil, service.image.digest == nil, let digest = pins[service.image.reference] else {
                return service
            }
            var pinned = service
            pinned.image.digest = digest
            return pinned
        }
        return stack
    }

    /// The references of a stack that can be pinned: pulled (not built), without a digest.
    public static func pinnable(in stack: Stack) -> Set<String> {
        Set(stack.services.filter { $0.build == nil && $0.image.digest == nil }.map(\.image.reference))
    }

    static func isDigest(_ text: String) -> Bool {
        let hex = text.utf8.dropFirst(7)
        return text.hasPrefix("sha256:") && hex.count == 64
            && hex.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

extension DockerEngine {
    /// Fetches each reference from its registry (`docker pull`) and returns the digest the
    /// registry has for it now. A reference the engine has only from a build or a `docker load`
    /// has no registry digest: it is returned in `unpinnable`, with why.
    /// - Throws: ``EngineError`` when a pull fails for another reason than a missing registry
    ///   copy of an image the engine has.
    func registryDigests(of references: Set<String>) async throws -> (
        digests: [String: String], unpinnable: [String: String]
    ) {
        var digests: [String: String] = [:]
        var unpinnable: [String: String] = [:]
        for reference in references.sorted() {
            let pull = try await run(["pull", "--quiet", reference])
            let repoDigests = try await self.repoDigests(of: reference)
            if let digest = repoDigests[Image(reference).repository] ?? repoDigests[Self.hubName(reference)] {
                digests[reference] = digest
            } else if pull.succeeded {
                unpinnable[reference] = "the registry gave no digest for it"
            } else if try await imageID(reference) != nil {
                unpinnable[reference] =
                    "the engine has it from a build or a `docker load`, and no registry serves it (\(pull.standardError.trimmed))"
            } else {
                throw EngineError(
                    "Could not pull \(reference) to pin it: \(pull.standardError.trimmed). Check the reference and the registry's credentials (`docker login`)."
                )
            }
        }
        return (digests, unpinnable)
    }

    /// The registry digests the engine records for a reference's image, by repository.
    func repoDigests(of reference: String) async throws -> [String: String] {
        let result = try await run(["image", "inspect", "--format", "{{json .RepoDigests}}", reference])
        guard result.succeeded,
            let entries = try? JSONDecoder().decode([String]?.self, from: Data(result.standardOutput.utf8))
        else { return [:] }
        var byRepository: [String: String] = [:]
        for entry in entries {
            guard let at = entry.lastIndex(of: "@") else { continue }
            byRepository[String(entry[..<at])] = String(entry[entry.index(after: at)...])
        }
        return byRepository
    }

    /// A Docker Hub reference's repository as the engine records it (`postgres`, `grafana/loki`).
    static func hubName(_ reference: String) -> String {
        let listed = listedName(of: reference)
        return String(listed[..<(listed.lastIndex(of: ":") ?? listed.endIndex)])
    }
}
