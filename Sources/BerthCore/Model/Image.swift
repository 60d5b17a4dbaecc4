/// A container image reference: a repository with a tag, a digest, or both.
///
/// Write it as you would for `docker run`: `"nginx:1.27"`, `"ghcr.io/acme/shop@sha256:…"`.
/// An image with neither tag nor digest means "whatever `latest` is today", which validation
/// reports (a warning, an error in production).
public struct Image: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The repository, including any registry host and port (`registry:5000/team/app`).
    public var repository: String
    /// The tag, if any.
    public var tag: String?
    /// The content digest (`sha256:…`), if any.
    public var digest: String?

    /// Creates an image from its parts.
    public init(repository: String, tag: String? = nil, digest: String? = nil) {
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// Parses a reference such as `registry:5000/app:1.2@sha256:abc`.
    public init(_ reference: String) {
        var rest = Substring(reference)
        var digest: String?
        if let at = rest.lastIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        var tag: String?
        // A colon after the last slash separates the tag; one before it belongs to a registry port.
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        self.init(repository: String(rest), tag: tag, digest: digest)
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// The reference as Docker expects it.
    public var reference: String {
        var text = repository
        if let tag { text += ":" + tag }
        if let digest { text += "@" + digest }
        return text
    }

    /// Whether the reference pins a version (a tag other than `latest`, or a digest).
    public var isPinned: Bool {
        digest != nil || (tag != nil && tag != "latest")
    }

    public var description: String { reference }
}
