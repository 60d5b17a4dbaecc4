import Foundation

/// The patterns of a build context's `.dockerignore`, matched as Docker matches them, so the
/// hash of a build's inputs covers the files the builder receives and no others.
///
/// Supported: comments (`#`), `*` and `?` within a path component, `[…]` classes, `**` across
/// components, `\` escapes, exceptions (`!`), and a pattern that names a folder excluding all
/// of it. The last pattern that matches a path decides, as in Docker.
struct DockerIgnore: Sendable {
    struct Pattern: Sendable {
        var components: [Substring]
        var isException: Bool
    }

    var patterns: [Pattern]

    /// Parses the text of a `.dockerignore`.
    init(_ text: String) {
        patterns = text.split(whereSeparator: \.isNewline).compactMap { line in
            var pattern = line.trimmingCharacters(in: .whitespaces)[...]
            guard !pattern.isEmpty, !pattern.hasPrefix("#") else { return nil }
            let isException = pattern.hasPrefix("!")
            if isException { pattern = pattern.dropFirst().drop(while: \.isWhitespace) }
            // Docker cleans the pattern: a leading `/` or `./` and `.` components mean nothing.
            let components = pattern.split(separator: "/").filter { $0 != "." }
            guard !components.isEmpty else { return nil }
            return Pattern(components: components, isException: isException)
        }
    }

    /// Whether any pattern is an exception: then an excluded folder may still hold included
    /// files, and its content has to be looked at.
    var hasExceptions: Bool { patterns.contains(where: \.isException) }

    /// Whether the builder leaves out a path of the context (components relative to its root).
    func excludes(_ path: [Substring]) -> Bool {
        var excluded = false
        for pattern in patterns {
            // A pattern matches a path or any folder above it.
            let matches = (1...path.count).contains { Self.match(pattern.components[...], path[..<$0]) }
            if matches { excluded = !pattern.isException }
        }
        return excluded
    }

    /// Matches pattern components against path components; `**` stands for any number of them.
    static func match(_ pattern: ArraySlice<Substring>, _ path: ArraySlice<Substring>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            let rest = pattern.dropFirst()
            return (path.startIndex...path.endIndex).contains { match(rest, path[$0...]) }
        }
        guard let component = path.first, glob(Array(first.unicodeScalars)[...], Array(component.unicodeScalars)[...])
        else { return false }
        return match(pattern.dropFirst(), path.dropFirst())
    }

    /// `fnmatch` for one path component: `*`, `?`, `[…]` (with `^` or `!` and ranges) and `\`.
    static func glob(_ pattern: ArraySlice<Unicode.Scalar>, _ text: ArraySlice<Unicode.Scalar>) -> Bool {
        var pattern = pattern
        var text = text
        while let p = pattern.first {
            switch p {
            case "*":
                let rest = pattern.drop { $0 == "*" }
                return (text.startIndex...text.endIndex).contains { glob(rest, text[$0...]) }
            case "?":
                guard !text.isEmpty else { return false }
                pattern.removeFirst()
                text.removeFirst()
            case "[":
                guard let character = text.first, let (matched, after) = matchClass(pattern.dropFirst(), character),
                    matched
                else { return false }
                pattern = after
                text.removeFirst()
            case "\\" where pattern.count > 1:
                pattern.removeFirst()
                guard text.first == pattern.first else { return false }
                pattern.removeFirst()
                text.removeFirst()
            default:
                guard text.first == p else { return false }
                pattern.removeFirst()
                text.removeFirst()
            }
        }
        return text.isEmpty
    }

    /// Matches a character against a class whose `[` is already consumed; returns whether it
    /// matched and the pattern after the `]`, or `nil` for a class that never closes.
    private static func matchClass(_ pattern: ArraySlice<Unicode.Scalar>, _ character: Unicode.Scalar) -> (
        Bool, ArraySlice<Unicode.Scalar>
    )? {
        var rest = pattern
        let negated = rest.first == "^" || rest.first == "!"
        if negated { rest.removeFirst() }
        var matched = false
        var first = true
        while let c = rest.first {
            if c == "]" && !first {
                return (matched != negated, rest.dropFirst())
            }
            first = false
            var low = c
            rest.removeFirst()
            if low == "\\", let escaped = rest.first {
                low = escaped
                rest.removeFirst()
            }
            var high = low
            if rest.first == "-", rest.count > 1, rest.dropFirst().first != "]" {
                rest.removeFirst()
                high = rest.removeFirst()
            }
            if low.value <= character.value && character.value <= high.value { matched = true }
        }
        return nil
    }
}
