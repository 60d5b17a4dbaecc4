/// The naming rules of Docker and Compose, in one place.
package enum Naming {
    /// The longest DNS label (RFC 1035): a service's name is one on its networks, and the
    /// Compose project name is part of every name the engine gives the stack's objects.
    static let dnsLabelLength = 63

    /// Whether text holds a NUL byte (U+0000). The engine, Compose and runc pass strings on as C
    /// strings, which end at the first NUL, so such a string is refused or cut short.
    static func containsNUL(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable(containsZero) ?? text.utf8.contains(0)
    }

    /// Whether a byte is zero, eight bytes at a time: validation reads every string of a stack,
    /// and a byte-by-byte loop made it a third slower.
    private static func containsZero(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        var index = 0
        while index + 8 <= bytes.count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            // Non-zero exactly when one of the eight bytes is zero.
            if (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0 { return true }
            index += 8
        }
        while index < bytes.count {
            if base[index] == 0 { return true }
            index += 1
        }
        return false
    }

    /// Text with every NUL byte written `\0`, for messages: a terminal or a log would otherwise
    /// cut the line at it.
    static func visible(_ text: String) -> String {
        guard containsNUL(text) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\0" {
                scalars.append(contentsOf: #"\0"#.unicodeScalars)
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// Whether a name is `.` or `..`, which name folders wherever a name becomes a path.
    static func isDotComponent(_ name: String) -> Bool {
        name == "." || name == ".."
    }

    /// An absolute path with its `.` and `..` components resolved as the engine resolves a mount
    /// target, and whether it had a `..` component: `/etc/../srv` is `/srv`.
    static func resolvingDots(_ path: String) -> (path: String, hadParent: Bool) {
        var components: [Substring] = []
        var hadParent = false
        for component in path.split(separator: "/") {
            switch component {
            case ".":
                continue
            case "..":
                hadParent = true
                if !components.isEmpty { components.removeLast() }
            default:
                components.append(component)
            }
        }
        return ("/" + components.joined(separator: "/"), hadParent)
    }

    private static func all(_ text: String, _ allowed: (UInt8) -> Bool) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(allowed)
    }

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
    }

    private static func isAlnum(_ byte: UInt8) -> Bool {
        isLowerAlnum(byte) || (byte >= 0x41 && byte <= 0x5A)
    }

    /// Names a POSIX shell exports: `[A-Za-z_][A-Za-z0-9_]*`.
    static func isShellName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(first >= 0x30 && first <= 0x39) else { return false }
        return all(name) { isAlnum($0) || $0 == 0x5F }
    }

    /// Compose project names: `[a-z0-9][a-z0-9_-]*`.
    static func isProjectName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLowerAlnum(first) else { return false }
        return all(name) { isLowerAlnum($0) || $0 == 0x2D || $0 == 0x5F }
    }

    /// Compose resource names (networks, volumes, secrets, configs): `[a-zA-Z0-9._-]+`.
    static func isResourceName(_ name: String) -> Bool {
        all(name) { isAlnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// Service names: also DNS names and parts of container names, so lowercase and starting
    /// with a letter or digit.
    static func isServiceName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLowerAlnum(first) else { return false }
        return all(name) { isLowerAlnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// POSIX environment variable names.
    /// Environment keys: a letter or `_`, then letters, digits, `_`, and the `.` and `-` some
    /// images read (Elasticsearch's `discovery.type`).
    static func isEnvironmentKey(_ key: String) -> Bool {
        guard let first = key.utf8.first, isAlnum(first) && !(first >= 0x30 && first <= 0x39) || first == 0x5F
        else { return false }
        return all(key) { isAlnum($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }
    }

    /// Image repositories: lowercase path components, optionally after a registry host:port.
    static func isImageRepository(_ repository: String) -> Bool {
        guard repository.utf8.allSatisfy({ $0 < 0x80 }) else {
            return isImageRepositoryByCharacter(repository)
        }
        // ASCII, where bytes and characters agree: one pass over the bytes, no allocation.
        var rest = repository.utf8[...]
        if let slash = rest.firstIndex(of: 0x2F) {
            let first = rest[..<slash]
            if first.contains(0x2E) || first.contains(0x3A) || first.elementsEqual("localhost".utf8) {
                rest = rest[rest.index(after: slash)...]
            }
        }
        // Every component is non-empty, starts with [a-z0-9] and continues with [a-z0-9._-].
        var atComponentStart = true
        for byte in rest {
            if byte == 0x2F {
                if atComponentStart { return false }
                atComponentStart = true
            } else if atComponentStart {
                guard isLowerAlnum(byte) else { return false }
                atComponentStart = false
            } else {
                guard isLowerAlnum(byte) || byte == 0x2E || byte == 0x5F || byte == 0x2D else {
                    return false
                }
            }
        }
        return !atComponentStart
    }

    /// The same rule, split by characters as it always was, for repositories that are not ASCII:
    /// there a character can hide a `/` or `.` (one followed by a combining mark), so bytes could
    /// give another answer.
    private static func isImageRepositoryByCharacter(_ repository: String) -> Bool {
        var components = repository.split(separator: "/", omittingEmptySubsequences: false)
        guard !components.isEmpty, !components.contains(where: \.isEmpty) else { return false }
        if components.count > 1,
            components[0].contains(".") || components[0].contains(":")
                || components[0] == "localhost"
        {
            components.removeFirst()
        }
        return components.allSatisfy { component in
            guard let first = component.utf8.first, isLowerAlnum(first) else { return false }
            return component.utf8.allSatisfy { isLowerAlnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
        }
    }

    static func isIPAddress(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4 {
            return parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isNumber) && (Int(part) ?? 256) <= 255
            }
        }
        return text.contains(":") && text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }

    /// Keys whose values are credentials by the conventions teams already use.
    package static func looksSecret(_ key: String) -> Bool {
        if let answer = looksSecretASCII(key) { return answer }
        let upper = key.uppercased()
        if upper.hasSuffix("_FILE") { return false }
        let words = [
            "PASSWORD", "PASSWD", "PASS", "SECRET", "TOKEN", "KEY", "APIKEY", "CREDENTIALS", "PRIVATE_KEY", "API_KEY",
        ]
        return words.contains { upper == $0 || upper.hasSuffix("_" + $0) }
    }

    private static let secretWords: [[UInt8]] = [
        "PASSWORD", "PASSWD", "PASS", "SECRET", "TOKEN", "KEY", "APIKEY", "CREDENTIALS", "PRIVATE_KEY", "API_KEY",
    ].map { Array($0.utf8) }
    private static let fileSuffix = Array("_FILE".utf8)

    /// ``looksSecret(_:)`` for ASCII keys, compared byte by byte without the upper-cased copy and
    /// the `"_" + word` strings; `nil` for other keys, whose upper-case form may differ in length
    /// (`ß` becomes `SS`).
    private static func looksSecretASCII(_ key: String) -> Bool? {
        var key = key
        return key.withUTF8 { utf8 -> Bool? in
            guard utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
            /// Whether the upper-cased key ends with `suffix`, which is upper case.
            func hasSuffix(_ suffix: [UInt8]) -> Bool {
                guard utf8.count >= suffix.count else { return false }
                let start = utf8.count - suffix.count
                for index in suffix.indices {
                    let byte = utf8[start + index]
                    let upper = byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
                    if upper != suffix[index] { return false }
                }
                return true
            }
            if hasSuffix(fileSuffix) { return false }
            for word in secretWords where hasSuffix(word) {
                // The whole key, or `_` + the word.
                if utf8.count == word.count || utf8[utf8.count - word.count - 1] == 0x5F { return true }
            }
            return false
        }
    }

    static func suggestProjectName(_ name: String) -> String {
        let mapped = name.lowercased().map { character -> Character in
            character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == "_")
                ? character : "-"
        }
        let text = String(mapped).trimmingCharacters(in: ["-", "_"])
        return text.isEmpty ? "app" : text
    }

    static func suggestServiceName(_ name: String) -> String {
        suggestProjectName(name)
    }

    /// A service name cut to the length of a DNS label, without a separator at its end.
    static func suggestShortServiceName(_ name: String) -> String {
        var short = Substring(String(decoding: name.utf8.prefix(dnsLabelLength), as: UTF8.self))
        while let last = short.last, last == "-" || last == "_" || last == "." { short = short.dropLast() }
        return short.isEmpty ? "app" : String(short)
    }

    /// A resource name without its leading dots: `.version-key` becomes `version-key`.
    static func suggestUndottedName(_ name: String) -> String {
        let rest = name.drop { $0 == "." }
        return rest.isEmpty ? suggestServiceName(name) : String(rest)
    }

    /// The declared name closest to a misspelt one, if one is close enough to be a typo.
    static func closest(to name: String, among candidates: Set<String>) -> String? {
        let scored = candidates.map { ($0, editDistance(name, $0)) }.filter { $0.1 <= max(1, name.count / 3) }
        return scored.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }?.0
    }

    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs)
        let b = Array(rhs)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
