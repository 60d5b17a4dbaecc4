/// Finds credentials written into places the engine shows to anyone who can inspect a
/// container: URLs with a password in an environment variable, and passwords given as
/// command-line flags. It says where, never what: a diagnostic must not repeat the value.
package enum CredentialScan {
    /// Whether `text` holds a URL whose user information has a literal password
    /// (`postgresql://app:s3cret@db/app`, `redis://:s3cret@cache:6379`).
    ///
    /// A password that is a reference (`${DB_PASSWORD}`, `$DB_PASSWORD`) is left alone: the
    /// reference is what is written, and a variable's own key is checked by name.
    package static func hasURLPassword(_ text: String) -> Bool {
        userInformation(in: text).contains { info in
            guard let colon = info.firstIndex(of: ":") else { return false }
            let password = info[info.index(after: colon)...]
            return !password.isEmpty && !password.hasPrefix("$")
        }
    }

    /// Whether `text` holds a URL with any user information (`https://key@host/1`): for keys
    /// named `*_DSN`, whose user part is itself the credential.
    package static func hasURLUser(_ text: String) -> Bool {
        userInformation(in: text).contains { !$0.isEmpty && !$0.hasPrefix("$") }
    }

    /// The user information (`user:password`) of every `scheme://…@host` in `text`.
    private static func userInformation(in text: String) -> [Substring] {
        var found: [Substring] = []
        var rest = text[...]
        while let marker = rest.range(of: "://") {
            let authority = rest[marker.upperBound...].prefix { !"/?# \t\n\"'".contains($0) }
            if let at = authority.lastIndex(of: "@") { found.append(authority[..<at]) }
            rest = rest[marker.upperBound...]
        }
        return found
    }

    /// Flags that take a password or token as their value, as servers and CLIs spell them.
    static let credentialFlags: Set<String> = [
        "--requirepass", "--masterauth", "--password", "--passwd", "--pass", "--token", "--api-key", "--apikey",
        "--secret", "--auth-token", "--client-secret", "--access-key", "--secret-key",
    ]

    /// The first credential flag in `arguments` given a literal value (`--requirepass s3cret`,
    /// `--password=s3cret`), also inside a shell script argument (`sh -c "… --requirepass x"`).
    /// A value read at run time (`"$(cat /run/secrets/x)"`, `$PASSWORD`) does not count.
    static func literalCredentialFlag(in arguments: [String]) -> String? {
        func isLiteral(_ value: Substring) -> Bool {
            let unquoted = value.drop { $0 == "\"" || $0 == "'" }
            return !unquoted.isEmpty && !unquoted.hasPrefix("$") && !unquoted.hasPrefix("<")
        }
        func scan(_ words: [Substring]) -> String? {
            for (index, word) in words.enumerated() {
                if let equals = word.firstIndex(of: "="), credentialFlags.contains(String(word[..<equals])) {
                    if isLiteral(word[word.index(after: equals)...]) { return String(word[..<equals]) }
                } else if credentialFlags.contains(String(word)), index + 1 < words.count, isLiteral(words[index + 1]) {
                    return String(word)
                }
            }
            return nil
        }
        if let flag = scan(arguments.map { $0[...] }) { return flag }
        for argument in arguments where argument.contains(" ") {
            if let flag = scan(argument.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })) {
                return flag
            }
        }
        return nil
    }
}
