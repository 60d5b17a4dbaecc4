/// Environment variables several services share, declared once and applied to each with
/// `.environment(group)`.
///
/// ```swift
/// let common = EnvironmentGroup("app-common", ["LOG_LEVEL": "info", "TZ": "UTC"])
///     .environment("IMAGE_TAG", .interpolated("${IMAGE_TAG:-latest}"))
///     .secret("db_password", pathVariable: "DATABASE_PASSWORD_FILE")
///
/// Service("api", image: "ghcr.io/acme/api:1.4").environment(common)
/// Service("worker", image: "ghcr.io/acme/api:1.4").environment(common).environment("LOG_LEVEL", "debug")
/// ```
///
/// A group is rendered as each service's own `environment:` (never an `env_file`), so the
/// rendered file stays self-contained. A variable the service sets itself wins over the
/// group's, and validation warns about it, naming both lines.
public struct EnvironmentGroup: Sendable, Hashable {
    /// The group's name, used in diagnostics and in `.env.example`.
    public var name: String
    /// The variables, in the order written; each keeps the line that declared it.
    public var variables: [EnvironmentVariable] = []
    /// The secrets the group mounts, for variables that hold a secret file's path (`*_FILE`).
    public var secrets: [SecretMount] = []
    /// Where the user declared the group.
    public var location: SourceLocation

    /// Declares a group, optionally with literal variables in the order written.
    public init(
        _ name: String,
        _ variables: KeyValuePairs<String, String> = [:],
        fileID: String = #fileID,
        line: Int = #line
    ) {
        self.name = name
        self.location = SourceLocation(fileID: fileID, line: line)
        let location = self.location
        self.variables = variables.map { key, value in
            EnvironmentVariable(key: key, value: .literal(value), location: location, group: name)
        }
    }

    /// Adds a variable with literal text; a `$` in it stays a `$`.
    public func environment(
        _ key: String,
        _ value: String,
        fileID: String = #fileID,
        line: Int = #line
    ) -> EnvironmentGroup {
        environment(key, .literal(value), fileID: fileID, line: line)
    }

    /// Adds a variable with a literal, interpolated or sensitive value.
    public func environment(
        _ key: String,
        _ value: EnvironmentVariable.Value,
        fileID: String = #fileID,
        line: Int = #line
    ) -> EnvironmentGroup {
        var copy = self
        copy.variables.append(
            EnvironmentVariable(
                key: key, value: value, location: SourceLocation(fileID: fileID, line: line), group: name))
        return copy
    }

    /// Mounts a secret in every service the group is applied to, as
    /// ``Service/secret(_:target:pathVariable:fileID:line:)`` does.
    public func secret(
        _ name: String,
        target: String? = nil,
        pathVariable: String? = nil,
        fileID: String = #fileID,
        line: Int = #line
    ) -> EnvironmentGroup {
        var copy = self
        copy.secrets.append(
            SecretMount(
                secret: name, target: target ?? name, pathVariable: pathVariable,
                location: SourceLocation(fileID: fileID, line: line)))
        return copy
    }
}

extension Service {
    /// Applies a shared ``EnvironmentGroup``: its variables and secrets join the service's.
    ///
    /// A variable the service sets itself, before or after this line, overrides the group's.
    public func environment(_ group: EnvironmentGroup) -> Service {
        var copy = self
        copy.environment.append(contentsOf: group.variables)
        copy.secrets.append(contentsOf: group.secrets)
        return copy
    }

    /// The variables the service's containers get: every one in the order written, except a
    /// group's variable the service also sets itself, which the service's value overrides.
    public var effectiveEnvironment: [EnvironmentVariable] {
        // Most services use no group: nothing to filter.
        guard environment.contains(where: { $0.group != nil }) else { return environment }
        let own = Set(environment.lazy.filter { $0.group == nil }.map(\.key))
        return environment.filter { $0.group == nil || !own.contains($0.key) }
    }
}
