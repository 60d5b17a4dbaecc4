import Foundation

/// Whether Go's `regexp.Compile` (RE2 syntax) accepts a pattern, approximated without Go.
///
/// The pattern is compiled with ICU (`NSRegularExpression`) after translating the Go spellings
/// ICU reads differently (`(?P<name>`, `\pL`, a `{` that is not a repetition), and the RE2
/// limits ICU does not have are checked first: no lookaround, backreferences, atomic groups or
/// possessive quantifiers, no `\Z`, and repeat counts up to 1000. Rare corners can still differ
/// (a character class ICU and RE2 read apart); cloudflared remains the final judge.
package enum GoRegexp {
    /// Why Go would refuse the pattern, or `nil` when it compiles.
    package static func problem(in pattern: String) -> String? {
        let translation = translate(pattern)
        if let problem = translation.problem { return problem }
        do {
            _ = try NSRegularExpression(pattern: translation.icuPattern)
        } catch {
            return "it is not a valid regular expression"
        }
        return nil
    }

    /// The pattern in ICU's spelling, or the RE2 rule it breaks.
    static func translate(_ pattern: String) -> (icuPattern: String, problem: String?) {
        let scalars = Array(pattern.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        var inClass = false
        // After `*`, `+`, `?` or `{n,m}`: another repetition is a nested one, which RE2 refuses,
        // except a single `?` that makes the previous one lazy.
        var afterRepetition = false
        var lazyAllowed = false

        func peek(_ offset: Int) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }
        func emit(_ text: String) {
            output.append(contentsOf: text.unicodeScalars)
        }

        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\" {
                guard let next = peek(1) else { return (pattern, "it ends with a lone backslash") }
                if !inClass, ("1"..."9").contains(next) {
                    return (pattern, "Go's regexp has no backreferences (\\\(next))")
                }
                if next == "Z" || next == "G" {
                    return (pattern, "Go's regexp has no \\\(next); use \\z or $ for the end")
                }
                if next == "p" || next == "P", let name = peek(2), name != "{" {
                    // Go's one-letter class `\pL` is `\p{L}` for ICU.
                    emit("\\\(next){\(name)}")
                    index += 3
                } else {
                    output.append(scalar)
                    output.append(next)
                    index += 2
                }
                afterRepetition = false
                continue
            }
            if inClass {
                if scalar == "[", peek(1) == ":", let end = posixClassEnd(scalars, from: index + 2) {
                    // A POSIX class such as `[:alpha:]`, which both read alike.
                    output.append(contentsOf: scalars[index..<end])
                    index = end
                    continue
                }
                if scalar == "[" {
                    // A literal `[` inside a class, which ICU would read as a nested set.
                    emit("\\[")
                } else {
                    output.append(scalar)
                }
                if scalar == "]" { inClass = false }
                index += 1
                continue
            }
            switch scalar {
            case "[":
                inClass = true
                emit("[")
                index += 1
                if peek(0) == "^" {
                    emit("^")
                    index += 1
                }
                if peek(0) == "]" {
                    // A `]` first in a class is literal in Go.
                    emit("\\]")
                    index += 1
                }
                afterRepetition = false
            case "(":
                if peek(1) == "?" {
                    let first = peek(2)
                    let second = peek(3)
                    if first == "=" || first == "!" || (first == "<" && (second == "=" || second == "!")) {
                        return (pattern, "Go's regexp has no lookahead or lookbehind (\"(?=\", \"(?!\", \"(?<=\")")
                    }
                    if first == ">" {
                        return (pattern, "Go's regexp has no atomic groups (\"(?>\")")
                    }
                    if first == "P", second == "<" {
                        emit("(?<")
                        index += 4
                        afterRepetition = false
                        continue
                    }
                    // A group's flags or `?:`: the `?` is no repetition.
                    emit("(?")
                    index += 2
                    afterRepetition = false
                    continue
                }
                emit("(")
                index += 1
                afterRepetition = false
            case "*", "+", "?":
                if afterRepetition {
                    guard scalar == "?", lazyAllowed else {
                        return (pattern, "Go's regexp refuses a repetition of a repetition (\"++\", \"*+\")")
                    }
                    lazyAllowed = false
                } else {
                    afterRepetition = true
                    lazyAllowed = true
                }
                output.append(scalar)
                index += 1
            case "{":
                if let (length, counts) = repetition(scalars, at: index) {
                    if afterRepetition {
                        return (pattern, "Go's regexp refuses a repetition of a repetition")
                    }
                    if counts.contains(where: { $0 > 1000 }) {
                        return (pattern, "Go's regexp allows repeat counts up to 1000")
                    }
                    if counts.count == 2, counts[1] < counts[0] {
                        return (pattern, "the repeat count {\(counts[0]),\(counts[1])} is backwards")
                    }
                    output.append(contentsOf: scalars[index..<(index + length)])
                    index += length
                    afterRepetition = true
                    lazyAllowed = true
                } else {
                    // Go reads a `{` that starts no repetition as a literal; ICU refuses it.
                    emit("\\{")
                    index += 1
                    afterRepetition = false
                }
            default:
                output.append(scalar)
                index += 1
                afterRepetition = false
            }
        }
        return (String(output), nil)
    }

    /// The index after the `:]` closing a POSIX class whose name starts at `start`.
    private static func posixClassEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start
        while index + 1 < scalars.count {
            if scalars[index] == ":" && scalars[index + 1] == "]" { return index + 2 }
            guard scalars[index].properties.isAlphabetic else { return nil }
            index += 1
        }
        return nil
    }

    /// A counted repetition `{n}`, `{n,}` or `{n,m}` at `start`: its length and its counts.
    private static func repetition(_ scalars: [Unicode.Scalar], at start: Int) -> (Int, [Int])? {
        var index = start + 1
        var counts: [Int] = []
        var digits = ""
        while index < scalars.count {
            let scalar = scalars[index]
            if ("0"..."9").contains(scalar) {
                digits.unicodeScalars.append(scalar)
            } else if scalar == ",", counts.isEmpty, !digits.isEmpty {
                counts.append(Int(digits) ?? Int.max)
                digits = ""
            } else if scalar == "}" {
                if !digits.isEmpty {
                    counts.append(Int(digits) ?? Int.max)
                } else if counts.isEmpty {
                    return nil
                }
                return (index - start + 1, counts)
            } else {
                return nil
            }
            index += 1
        }
        return nil
    }
}
