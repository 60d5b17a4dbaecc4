/// Text with secrets in it, such as a connection URL, that the container composes when it
/// starts, so no secret value is ever written where the engine keeps or shows it.
///
/// ```swift
/// Service("api", image: "acme/api:1")
///     .secret("db_password")
///     .environment("DATABASE_URL", .composed("postgresql://app:\(secret: "db_password")@db:5432/app"))
/// ```
///
/// The rendered file holds the template, never the value. The service starts through a small
/// shell shim (its entrypoint becomes `/bin/sh -c …`), which reads each secret from its file
/// under `/run/secrets/`, exports the variable and `exec`s the service's own entrypoint and
/// command, so the program is PID 1 with the variable in its environment. The value is
/// therefore in neither the rendered file, `docker inspect` (whose `Env` lists the container's
/// configured variables only) nor any process's arguments. The image needs `/bin/sh`; an image
/// without a shell (distroless) must read the secret's file itself.
public struct SecretTemplate: Sendable, Hashable, Codable, ExpressibleByStringInterpolation {
    /// A piece of the text: written as is, or the value of a secret the service mounts.
    public enum Part: Sendable, Hashable, Codable {
        case text(String)
        case secret(String)
    }

    /// The pieces, in order.
    public var parts: [Part]

    /// Creates a template from its pieces.
    public init(parts: [Part]) {
        self.parts = parts
    }

    public init(stringLiteral value: String) {
        parts = value.isEmpty ? [] : [.text(value)]
    }

    public init(stringInterpolation: StringInterpolation) {
        parts = stringInterpolation.parts
    }

    /// The names of the secrets the template reads, in order of first use.
    public var secrets: [String] {
        var seen: Set<String> = []
        return parts.compactMap { part in
            guard case .secret(let name) = part, seen.insert(name).inserted else { return nil }
            return name
        }
    }

    /// The template with each secret shown as `${secret:NAME}`, for plans and messages.
    public var description: String {
        parts.map { part in
            switch part {
            case .text(let text): text
            case .secret(let name): "${secret:\(name)}"
            }
        }.joined()
    }

    /// Builds a template from a string literal with `\(secret: "name")` in it.
    public struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) {
            guard !literal.isEmpty else { return }
            if case .text(let before) = parts.last {
                parts[parts.count - 1] = .text(before + literal)
            } else {
                parts.append(.text(literal))
            }
        }

        /// Text as written (a host name, a port), merged with the text around it.
        public mutating func appendInterpolation(_ text: String) {
            appendLiteral(text)
        }

        /// The value of the secret `name`, which the service must mount.
        public mutating func appendInterpolation(secret name: String) {
            parts.append(.secret(name))
        }
    }
}
