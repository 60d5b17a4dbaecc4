/// How a service's variables composed from secrets (``SecretTemplate``) reach its process: the
/// shell script of the entrypoint shim and what it runs afterwards.
///
/// The renderers write the entrypoint as `/bin/sh -c SCRIPT SERVICE` and the command as the
/// service's own entrypoint followed by its command; the script reads each secret from its file,
/// exports the variables and `exec`s `"$@"`, so the service's program replaces the shell.
public struct ComposedEnvironment: Sendable, Hashable {
    /// The variables composed at start, in the order declared.
    public var variables: [(key: String, template: SecretTemplate)] {
        entries.map { ($0.key, $0.template) }
    }
    private var entries: [Entry]
    /// Where the service mounts each secret.
    private var paths: [String: String]
    /// The program the shim starts: the service's entrypoint and command.
    public var program: [String]

    private struct Entry: Sendable, Hashable {
        var key: String
        var template: SecretTemplate
    }

    /// The composed variables of `service`, or `nil` when it has none.
    public init?(of service: Service) {
        entries = service.effectiveEnvironment.compactMap { variable in
            guard case .composed(let template) = variable.value else { return nil }
            return Entry(key: variable.key, template: template)
        }
        guard !entries.isEmpty else { return nil }
        paths = Dictionary(service.secrets.map { ($0.secret, $0.path) }, uniquingKeysWith: { first, _ in first })
        program = (service.entrypoint ?? []) + (service.command ?? [])
    }

    /// The shim's entrypoint: `/bin/sh -c SCRIPT NAME`, `NAME` being `$0` in the script's
    /// messages.
    public func entrypoint(name: String) -> [String] {
        ["/bin/sh", "-c", script, name]
    }

    /// The script: each secret read once into a shell variable (a missing or unreadable file
    /// stops the container with exit status 78 and a message naming it), the variables
    /// exported, then the program `exec`ed.
    public var script: String {
        var lines: [String] = []
        var shellNames: [String: String] = [:]
        for entry in entries {
            for name in entry.template.secrets where shellNames[name] == nil {
                let shellName = "berth_secret_\(shellNames.count + 1)"
                shellNames[name] = shellName
                let path = paths[name] ?? "/run/secrets/\(name)"
                lines.append(
                    "\(shellName)=$(cat \(Self.singleQuoted(path))) || { echo \"$0: cannot read secret \(Self.doubleQuotedText(name)) from \(Self.doubleQuotedText(path))\" >&2; exit 78; }"
                )
            }
        }
        for entry in entries {
            let value = entry.template.parts.map { part in
                switch part {
                case .text(let text): Self.doubleQuotedText(text)
                case .secret(let name): "${\(shellNames[name] ?? "")}"
                }
            }.joined()
            lines.append("export \(entry.key)=\"\(value)\"")
        }
        lines.append("exec \"$@\"")
        return lines.joined(separator: "\n")
    }

    /// `text` for a place inside double quotes, where `\`, `"`, `$` and `` ` `` are special.
    static func doubleQuotedText(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "\\\"$`".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// `text` in single quotes, where only `'` is special.
    static func singleQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
