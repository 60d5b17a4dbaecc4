import BerthCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A Traefik v3 HTTP router rule, parsed the way Traefik's rule parser reads it, to tell a rule
/// v3 accepts from one it refuses or reads differently.
///
/// The grammar is that of Traefik's `rules` package: matchers such as `` Host(`a`) `` combined
/// with `&&`, `||`, `!` and parentheses; arguments are Go string literals, in backquotes or
/// double quotes.
struct TraefikRule {
    /// One matcher call in a rule.
    struct Matcher: Equatable {
        var name: String
        var arguments: [String]
    }

    /// What is wrong with a rule.
    enum Problem: Equatable {
        /// It does not parse; the text says where.
        case malformed(String)
        /// A v3 matcher with more arguments than it takes.
        case tooManyArguments(matcher: String, count: Int, maximum: Int)
        /// A v3 matcher with fewer arguments than it needs.
        case tooFewArguments(matcher: String, count: Int, minimum: Int)
        /// A matcher only v2 had; `replacement` is its v3 name.
        case v2Matcher(matcher: String, replacement: String)
        /// `{name:regex}` placeholders, a v2 form.
        case v2Placeholder(matcher: String, argument: String)
        /// A matcher no version has.
        case unknownMatcher(String)
        /// An argument the matcher refuses when Traefik builds the router: a path without its
        /// leading `/`, a client address that is no IP or CIDR, a regular expression Go does not
        /// compile. `why` says which.
        case invalidArgument(matcher: String, argument: String, why: String)
    }

    /// The HTTP matchers of v3 with their least and most arguments.
    static let arity: [String: ClosedRange<Int>] = [
        "Host": 1...1, "HostRegexp": 1...1, "Path": 1...1, "PathPrefix": 1...1, "PathRegexp": 1...1,
        "Method": 1...1, "ClientIP": 1...1, "Header": 2...2, "HeaderRegexp": 2...2, "Query": 1...2,
        "QueryRegexp": 1...2,
    ]

    /// v2 matchers v3 renamed or removed, with what to write instead.
    static let v2Matchers = ["HostHeader": "Host", "Headers": "Header", "HeadersRegexp": "HeaderRegexp"]

    /// The matchers in the order written.
    var matchers: [Matcher] = []
    /// The first reason the rule does not parse, if any.
    var syntaxError: String?

    init(_ text: String) {
        var parser = Parser(text: Array(text))
        do {
            try parser.parse()
        } catch {
            syntaxError = error.message
        }
        matchers = parser.matchers
    }

    /// Every problem, the syntax error first.
    var problems: [Problem] {
        var problems: [Problem] = []
        if let syntaxError { problems.append(.malformed(syntaxError)) }
        for matcher in matchers {
            // Traefik looks matchers up without regard to case.
            let known = Self.arity.keys.first { $0.lowercased() == matcher.name.lowercased() }
            let v2 = Self.v2Matchers.first { $0.key.lowercased() == matcher.name.lowercased() }
            if let v2 {
                problems.append(.v2Matcher(matcher: matcher.name, replacement: v2.value))
                continue
            }
            guard let known, let range = Self.arity[known] else {
                problems.append(.unknownMatcher(matcher.name))
                continue
            }
            if matcher.arguments.count > range.upperBound {
                problems.append(
                    .tooManyArguments(matcher: known, count: matcher.arguments.count, maximum: range.upperBound))
            } else if matcher.arguments.count < range.lowerBound {
                problems.append(
                    .tooFewArguments(matcher: known, count: matcher.arguments.count, minimum: range.lowerBound))
            }
            if ["HostRegexp", "Path", "PathPrefix"].contains(known),
                let placeholder = matcher.arguments.first(where: Self.hasV2Placeholder)
            {
                problems.append(.v2Placeholder(matcher: known, argument: placeholder))
            } else if let (argument, why) = Self.invalidArgument(of: known, in: matcher.arguments) {
                problems.append(.invalidArgument(matcher: known, argument: argument, why: why))
            }
        }
        return problems
    }

    /// The first argument Traefik refuses when it builds the matcher, with the reason, as its
    /// matchers check them: `Path` and `PathPrefix` need a leading `/`, `ClientIP` an IP or a
    /// CIDR range, and the `…Regexp` matchers a pattern Go's `regexp` compiles (the value, for
    /// `HeaderRegexp` and `QueryRegexp`, whose first argument is a name).
    static func invalidArgument(of matcher: String, in arguments: [String]) -> (String, String)? {
        switch matcher {
        case "Path", "PathPrefix":
            if let argument = arguments.first, !argument.hasPrefix("/") {
                return (argument, "a path must start with '/'")
            }
        case "ClientIP":
            if let argument = arguments.first, !isIPOrCIDR(argument) {
                return (argument, "it is neither an IP address nor a CIDR range such as 10.0.0.0/8")
            }
        case "HostRegexp", "PathRegexp":
            if let argument = arguments.first, let problem = GoRegexp.problem(in: argument) {
                return (argument, "as a regular expression, \(problem)")
            }
        case "HeaderRegexp", "QueryRegexp":
            if arguments.count == 2, let problem = GoRegexp.problem(in: arguments[1]) {
                return (arguments[1], "as a regular expression, \(problem)")
            }
        default:
            break
        }
        return nil
    }

    /// Whether Go's `net.ParseIP` or `net.ParseCIDR` accepts `text`.
    static func isIPOrCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let address = parts[0]
        let isV4 = !address.contains(":")
        var buffer = [UInt8](repeating: 0, count: 16)
        // Go refuses IPv4 parts with leading zeros, which inet_pton accepts on some systems.
        if isV4, address.split(separator: ".").contains(where: { $0.count > 1 && $0.hasPrefix("0") }) {
            return false
        }
        guard inet_pton(isV4 ? AF_INET : AF_INET6, address, &buffer) == 1 else { return false }
        guard parts.count == 2 else { return true }
        let bits = parts[1]
        guard !bits.isEmpty, bits.count <= 3, bits.allSatisfy(\.isASCII), bits.allSatisfy(\.isNumber),
            let value = Int(bits)
        else { return false }
        return value <= (isV4 ? 32 : 128)
    }

    /// Whether a v2 `{name}` or `{name:regex}` placeholder appears: `{` then an identifier, then
    /// `:` or `}`. A v3 regex quantifier such as `{2,3}` starts with a digit.
    static func hasV2Placeholder(_ argument: String) -> Bool {
        let characters = Array(argument)
        for (index, character) in characters.enumerated() where character == "{" {
            var end = index + 1
            while end < characters.count, characters[end].isASCII,
                characters[end].isLetter || characters[end] == "_" || (end > index + 1 && characters[end].isNumber)
            {
                end += 1
            }
            if end > index + 1, end < characters.count, characters[end] == ":" || characters[end] == "}" {
                return true
            }
        }
        return false
    }
}

/// Why a rule does not parse.
private struct RuleSyntaxError: Error {
    var message: String
}

/// A recursive-descent parser for
/// `expr := term (("&&" | "||") term)*`, `term := "!" term | "(" expr ")" | matcher`,
/// `matcher := NAME "(" [string ("," string)*] ")"`.
private struct Parser {
    let text: [Character]
    var position = 0
    var matchers: [TraefikRule.Matcher] = []

    init(text: [Character]) {
        self.text = text
    }

    mutating func parse() throws(RuleSyntaxError) {
        skipSpaces()
        guard position < text.count else { throw RuleSyntaxError(message: "the rule is empty") }
        try expression()
        skipSpaces()
        if position < text.count {
            if text[position] == ")" {
                throw RuleSyntaxError(message: "a ')' at character \(position + 1) closes nothing")
            }
            throw RuleSyntaxError(
                message:
                    "'\(String(text[position...].prefix(12)))' at character \(position + 1) follows a matcher without && or ||"
            )
        }
    }

    private mutating func expression() throws(RuleSyntaxError) {
        try term()
        while true {
            skipSpaces()
            if consume("&&") || consume("||") {
                try term()
            } else {
                return
            }
        }
    }

    private mutating func term() throws(RuleSyntaxError) {
        skipSpaces()
        guard position < text.count else {
            throw RuleSyntaxError(message: "the rule ends where a matcher should follow")
        }
        if consume("!") {
            try term()
        } else if consume("(") {
            let open = position
            try expression()
            skipSpaces()
            guard consume(")") else {
                throw RuleSyntaxError(message: "the '(' at character \(open) is never closed")
            }
        } else {
            try matcher()
        }
    }

    private mutating func matcher() throws(RuleSyntaxError) {
        let start = position
        while position < text.count, text[position].isASCII, text[position].isLetter || text[position].isNumber {
            position += 1
        }
        let name = String(text[start..<position])
        guard !name.isEmpty else {
            throw RuleSyntaxError(
                message: "'\(text[position])' at character \(position + 1) is not the start of a matcher")
        }
        skipSpaces()
        guard consume("(") else {
            throw RuleSyntaxError(message: "the matcher \(name) at character \(start + 1) has no '('")
        }
        var arguments: [String] = []
        skipSpaces()
        if !consume(")") {
            while true {
                skipSpaces()
                arguments.append(try string(in: name))
                skipSpaces()
                if consume(",") { continue }
                guard consume(")") else {
                    throw RuleSyntaxError(
                        message: "the arguments of \(name) at character \(start + 1) are never closed")
                }
                break
            }
        }
        matchers.append(TraefikRule.Matcher(name: name, arguments: arguments))
    }

    /// A Go string literal: raw in backquotes, or interpreted in double quotes.
    private mutating func string(in matcher: String) throws(RuleSyntaxError) -> String {
        guard position < text.count, text[position] == "`" || text[position] == "\"" else {
            throw RuleSyntaxError(
                message: "an argument of \(matcher) is not a string in backquotes (`…`) or double quotes")
        }
        let quote = text[position]
        let open = position
        position += 1
        var value = ""
        while position < text.count, text[position] != quote {
            if quote == "\"", text[position] == "\\", position + 1 < text.count {
                position += 1
            }
            value.append(text[position])
            position += 1
        }
        guard position < text.count else {
            let kind = quote == "`" ? "backquote" : "double quote"
            throw RuleSyntaxError(message: "the \(kind) at character \(open + 1) is never closed")
        }
        position += 1
        return value
    }

    private mutating func consume(_ token: String) -> Bool {
        let characters = Array(token)
        guard position + characters.count <= text.count,
            Array(text[position..<position + characters.count]) == characters
        else { return false }
        position += characters.count
        return true
    }

    private mutating func skipSpaces() {
        while position < text.count, text[position].isWhitespace { position += 1 }
    }
}
