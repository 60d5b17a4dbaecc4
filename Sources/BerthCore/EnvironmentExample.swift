/// The `.env.example` of a stack: every variable of the deployer's environment that a deploy
/// reads, so a deployer learns what to set before the first `up` instead of from a failure.
///
/// Two kinds of variable are listed: those an ``EnvironmentVariable/Value/interpolated(_:)``
/// value names (`${IMAGE_TAG:-latest}`), which Compose and Swarm complete at deploy time, and
/// those a ``Secret/Source/environment(_:)`` secret is read from. Each is written once, sorted
/// by name, after a comment naming the services that use it and the lines that ask for it; a
/// variable with a default is written with that default. The same stack always gives the same
/// text.
public struct EnvironmentExample: Sendable, Hashable {
    /// One variable the deployer provides.
    public struct Entry: Sendable, Hashable {
        /// The variable's name.
        public var name: String
        /// What it is used for, such as `secret 'db_password'`; `nil` for interpolation.
        public var secret: String?
        /// The services that use it, sorted.
        public var services: [String]
        /// The lines that ask for it, sorted.
        public var locations: [SourceLocation]
        /// The value used when the variable is unset, when every use gives one.
        public var defaultValue: String?
    }

    /// The variables, sorted by name.
    public var entries: [Entry]

    /// Collects the variables the stacks' deployer provides.
    public init(stacks: [Stack]) {
        var byName: [String: Entry] = [:]
        var required: Set<String> = []
        let qualify = stacks.count > 1
        func add(_ name: String, service: String, at location: SourceLocation, secret: String?, defaultValue: String?) {
            var entry =
                byName[name] ?? Entry(name: name, secret: secret, services: [], locations: [], defaultValue: nil)
            if !entry.services.contains(service) { entry.services.append(service) }
            if !entry.locations.contains(location) { entry.locations.append(location) }
            if entry.secret == nil { entry.secret = secret }
            if defaultValue == nil {
                required.insert(name)
            } else if entry.defaultValue == nil {
                entry.defaultValue = defaultValue
            }
            byName[name] = entry
        }
        for stack in stacks {
            let secretVariables = Dictionary(
                stack.secrets.compactMap { secret -> (String, (String, SourceLocation))? in
                    guard case .environment(let variable) = secret.source else { return nil }
                    return (secret.name, (variable, secret.location))
                },
                uniquingKeysWith: { first, _ in first })
            for service in stack.services {
                let serviceName = qualify ? "\(stack.name)/\(service.name)" : service.name
                for variable in service.effectiveEnvironment {
                    guard case .interpolated(let text) = variable.value else { continue }
                    for use in Self.interpolatedVariables(in: text) {
                        add(
                            use.name, service: serviceName, at: variable.location, secret: nil,
                            defaultValue: use.defaultValue)
                    }
                }
                for mount in service.secrets {
                    guard let (variable, location) = secretVariables[mount.secret] else { continue }
                    add(
                        variable, service: serviceName, at: location, secret: "secret '\(mount.secret)'",
                        defaultValue: nil)
                }
            }
        }
        entries = byName.values.sorted { $0.name < $1.name }.map { entry in
            var entry = entry
            entry.services.sort()
            entry.locations.sort { ($0.fileID, $0.line) < ($1.fileID, $1.line) }
            if required.contains(entry.name) { entry.defaultValue = nil }
            return entry
        }
    }

    /// The file's text: a heading, then one commented line per variable.
    public func text(heading: String) -> String {
        var lines = heading.split(separator: "\n", omittingEmptySubsequences: false).map { "# \($0)" }
        for entry in entries {
            lines.append("")
            let purpose = entry.secret.map { "Value of \($0), read by" } ?? "Used by"
            let places = entry.locations.map(\.description).joined(separator: ", ")
            lines.append("# \(purpose) \(entry.services.joined(separator: ", ")); asked for at \(places).")
            if let value = entry.defaultValue {
                lines.append("# Optional: unset, it is '\(value)'.")
            }
            lines.append("\(entry.name)=\(entry.defaultValue ?? "")")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A variable Compose's interpolation reads, with its default when it has one.
    struct Use: Hashable {
        var name: String
        var defaultValue: String? = nil
    }

    /// The variables a value in Compose's interpolation syntax reads: `$NAME`, `${NAME}`,
    /// `${NAME:-default}`, `${NAME-default}`, `${NAME:?message}`, `${NAME:+alternative}`;
    /// `$$` is a literal `$`. A default may itself name variables (`${A:-${B}}`).
    static func interpolatedVariables(in text: String) -> [Use] {
        let characters = Array(text)
        var uses: [Use] = []
        func isNameStart(_ c: Character) -> Bool { c == "_" || (c.isASCII && c.isLetter) }
        func isName(_ c: Character) -> Bool { isNameStart(c) || (c.isASCII && c.isNumber) }
        var index = 0
        while index < characters.count {
            guard characters[index] == "$", index + 1 < characters.count else {
                index += 1
                continue
            }
            let next = characters[index + 1]
            if next == "$" {
                index += 2
            } else if isNameStart(next) {
                var end = index + 1
                while end < characters.count, isName(characters[end]) { end += 1 }
                uses.append(Use(name: String(characters[(index + 1)..<end]), defaultValue: nil))
                index = end
            } else if next == "{" {
                var end = index + 2
                while end < characters.count, isName(characters[end]) { end += 1 }
                let name = String(characters[(index + 2)..<end])
                // The rest up to the matching brace: an operator and its word.
                var depth = 1
                var close = end
                while close < characters.count {
                    if characters[close] == "{" { depth += 1 }
                    if characters[close] == "}" {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    close += 1
                }
                let rest = String(characters[end..<min(close, characters.count)])
                var defaultValue: String?
                var word = ""
                for op in [":-", "-", ":?", "?", ":+", "+"] where rest.hasPrefix(op) {
                    word = String(rest.dropFirst(op.count))
                    if op.hasSuffix("-") || op.hasSuffix("+") { defaultValue = op.hasSuffix("-") ? word : "" }
                    break
                }
                if !name.isEmpty { uses.append(Use(name: name, defaultValue: defaultValue)) }
                uses.append(contentsOf: interpolatedVariables(in: word))
                index = close + 1
            } else {
                index += 1
            }
        }
        return uses
    }
}
