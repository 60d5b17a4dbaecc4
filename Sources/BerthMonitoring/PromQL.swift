/// A check of PromQL expressions, so a broken alert rule is a validation error at the line that
/// declares it rather than a Prometheus that refuses its rules file after the deploy.
///
/// It parses the grammar Prometheus parses (numbers, strings, durations, selectors with label
/// matchers, range vectors, subqueries, `offset` and `@`, unary and binary operators with their
/// precedence, `bool`, `on`/`ignoring`/`group_left`/`group_right`, aggregations with `by` or
/// `without` before or after their arguments, function calls) and checks the types Prometheus
/// checks: what a function takes and returns, a range where one is needed, an instant vector
/// where a range would be wrong, and comparisons of scalars without `bool`. Function names are
/// Prometheus 2 and 3's; an unknown one is an error with the nearest known name.
public enum PromQL {
    /// Why an expression is not PromQL, and where: the character offset in the expression.
    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public var description: String { "\(message) (at character \(offset + 1))" }
    }

    /// What an expression evaluates to.
    public enum ValueType: String, Sendable, Hashable {
        case scalar, string
        case instantVector = "instant vector"
        case rangeVector = "range vector"
    }

    /// Checks `expression`; returns its type.
    @discardableResult
    public static func check(_ expression: String) throws(SyntaxError) -> ValueType {
        var parser = try Parser(expression)
        let type = try parser.expression()
        try parser.expectEnd()
        return type
    }

    // MARK: Functions

    /// Argument types of each function; `variadic` is how many trailing arguments may be left out.
    struct Signature {
        var arguments: [ValueType]
        var optional = 0
        var variadic = false
        var result: ValueType
    }

    static let functions: [String: Signature] = {
        var table: [String: Signature] = [:]
        let v = ValueType.instantVector
        let m = ValueType.rangeVector
        let s = ValueType.scalar
        let str = ValueType.string
        for name in [
            "abs", "ceil", "exp", "floor", "ln", "log2", "log10", "sqrt", "sgn", "acos", "acosh", "asin", "asinh",
            "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh", "deg", "rad", "sort", "sort_desc",
            "histogram_count", "histogram_sum", "histogram_avg", "histogram_stddev", "histogram_stdvar",
            "absent", "timestamp",
        ] {
            table[name] = Signature(arguments: [v], result: v)
        }
        for name in [
            "rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets", "avg_over_time",
            "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "stddev_over_time",
            "stdvar_over_time", "last_over_time", "present_over_time", "absent_over_time", "mad_over_time",
        ] {
            table[name] = Signature(arguments: [m], result: v)
        }
        for name in ["day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year"] {
            table[name] = Signature(arguments: [v], optional: 1, result: v)
        }
        table["round"] = Signature(arguments: [v, s], optional: 1, result: v)
        table["clamp"] = Signature(arguments: [v, s, s], result: v)
        table["clamp_max"] = Signature(arguments: [v, s], result: v)
        table["clamp_min"] = Signature(arguments: [v, s], result: v)
        table["histogram_quantile"] = Signature(arguments: [s, v], result: v)
        table["histogram_fraction"] = Signature(arguments: [s, s, v], result: v)
        table["quantile_over_time"] = Signature(arguments: [s, m], result: v)
        table["predict_linear"] = Signature(arguments: [m, s], result: v)
        table["holt_winters"] = Signature(arguments: [m, s, s], result: v)
        table["double_exponential_smoothing"] = Signature(arguments: [m, s, s], result: v)
        table["label_replace"] = Signature(arguments: [v, str, str, str, str], result: v)
        table["label_join"] = Signature(arguments: [v, str, str, str], variadic: true, result: v)
        table["sort_by_label"] = Signature(arguments: [v, str], variadic: true, result: v)
        table["sort_by_label_desc"] = Signature(arguments: [v, str], variadic: true, result: v)
        table["scalar"] = Signature(arguments: [v], result: s)
        table["vector"] = Signature(arguments: [s], result: v)
        table["time"] = Signature(arguments: [], result: s)
        table["pi"] = Signature(arguments: [], result: s)
        return table
    }()

    /// Aggregation operators, and whether each takes a parameter before the vector.
    static let aggregations: [String: ValueType?] = [
        "sum": nil, "min": nil, "max": nil, "avg": nil, "group": nil, "stddev": nil, "stdvar": nil, "count": nil,
        "count_values": .string, "bottomk": .scalar, "topk": .scalar, "quantile": .scalar, "limitk": .scalar,
        "limit_ratio": .scalar,
    ]

    // MARK: Lexer

    enum Token: Equatable {
        case identifier(String)
        case number(Double)
        case string(String)
        case duration(String)
        case symbol(String)
        case end
    }

    struct Lexed {
        var token: Token
        var offset: Int
    }

    static func lex(_ text: String) throws(SyntaxError) -> [Lexed] {
        let characters = Array(text.unicodeScalars)
        var tokens: [Lexed] = []
        var index = 0
        func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
            c == "_" || c == ":" || (c.isASCII && c.properties.isAlphabetic)
        }
        func isIdentifier(_ c: Unicode.Scalar) -> Bool { isIdentifierStart(c) || ("0"..."9").contains(c) }
        func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
        // Inside `[…]` a `:` separates a subquery's range from its resolution; elsewhere it may
        // start a recording rule's name (`:job:rate5m`).
        var brackets = 0
        while index < characters.count {
            let c = characters[index]
            let start = index
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                index += 1
                continue
            }
            if c == "#" {
                while index < characters.count && characters[index] != "\n" { index += 1 }
                continue
            }
            if c == "\"" || c == "'" || c == "`" {
                index += 1
                var value = ""
                var closed = false
                while index < characters.count {
                    let d = characters[index]
                    if d == c {
                        closed = true
                        index += 1
                        break
                    }
                    if d == "\\" && c != "`" {
                        index += 1
                        guard index < characters.count else { break }
                    } else if d == "\n" && c != "`" {
                        break
                    }
                    value.unicodeScalars.append(characters[index])
                    index += 1
                }
                guard closed else { throw SyntaxError(message: "a string is not closed", offset: start) }
                tokens.append(Lexed(token: .string(value), offset: start))
                continue
            }
            if isDigit(c) || (c == "." && index + 1 < characters.count && isDigit(characters[index + 1])) {
                var end = index
                while end < characters.count
                    && (isDigit(characters[end]) || characters[end] == "." || characters[end].properties.isAlphabetic
                        || characters[end] == "_"
                        || ((characters[end] == "+" || characters[end] == "-")
                            && end > index && ["e", "E"].contains(characters[end - 1])
                            && !String(String.UnicodeScalarView(characters[index..<end])).lowercased().hasPrefix("0x")))
                {
                    end += 1
                }
                let word = String(String.UnicodeScalarView(characters[index..<end]))
                index = end
                if isDuration(word) {
                    tokens.append(Lexed(token: .duration(word), offset: start))
                } else if let number = number(word) {
                    tokens.append(Lexed(token: .number(number), offset: start))
                } else {
                    throw SyntaxError(
                        message: "'\(word)' is neither a number nor a duration (5m, 1h30m)", offset: start)
                }
                continue
            }
            if isIdentifierStart(c) && !(c == ":" && brackets > 0) {
                var end = index
                while end < characters.count && isIdentifier(characters[end]) { end += 1 }
                tokens.append(
                    Lexed(token: .identifier(String(String.UnicodeScalarView(characters[index..<end]))), offset: start))
                index = end
                continue
            }
            let two =
                index + 1 < characters.count ? String(String.UnicodeScalarView(characters[index...index + 1])) : ""
            if ["==", "!=", ">=", "<=", "=~", "!~"].contains(two) {
                tokens.append(Lexed(token: .symbol(two), offset: start))
                index += 2
                continue
            }
            if "+-*/%^(){}[],:=<>@".unicodeScalars.contains(c) {
                if c == "[" { brackets += 1 }
                if c == "]" { brackets = max(0, brackets - 1) }
                tokens.append(Lexed(token: .symbol(String(c)), offset: start))
                index += 1
                continue
            }
            throw SyntaxError(message: "'\(c)' has no meaning in PromQL", offset: start)
        }
        tokens.append(Lexed(token: .end, offset: characters.count))
        return tokens
    }

    static func isDuration(_ word: String) -> Bool {
        var rest = Substring(word)
        var units: [String] = []
        while !rest.isEmpty {
            let digits = rest.prefix(while: \.isNumber)
            guard !digits.isEmpty else { return false }
            rest = rest.dropFirst(digits.count)
            let unit = rest.hasPrefix("ms") ? "ms" : rest.first.map(String.init) ?? ""
            guard ["ms", "s", "m", "h", "d", "w", "y"].contains(unit) else { return false }
            units.append(unit)
            rest = rest.dropFirst(unit.count)
        }
        let order = ["y", "w", "d", "h", "m", "s", "ms"]
        let positions = units.compactMap { order.firstIndex(of: $0) }
        return !units.isEmpty && positions == positions.sorted() && Set(positions).count == positions.count
    }

    static func number(_ word: String) -> Double? {
        let lower = word.lowercased()
        if lower.hasPrefix("0x"), let value = UInt64(lower.dropFirst(2), radix: 16) { return Double(value) }
        if lower == "inf" || lower == "nan" { return nil }
        return Double(word.replacingOccurrences(of: "_", with: ""))
    }

    // MARK: Parser

    struct Parser {
        var tokens: [Lexed]
        var position = 0

        init(_ text: String) throws(SyntaxError) {
            tokens = try PromQL.lex(text)
        }

        var current: Token { tokens[position].token }
        var offset: Int { tokens[position].offset }

        mutating func advance() { if position < tokens.count - 1 { position += 1 } }

        func fail(_ message: String) -> SyntaxError { SyntaxError(message: message, offset: offset) }

        func describe(_ token: Token) -> String {
            switch token {
            case .identifier(let name): "'\(name)'"
            case .number(let value): "the number \(value)"
            case .string(let value): "the string \"\(value)\""
            case .duration(let value): "the duration \(value)"
            case .symbol(let symbol): "'\(symbol)'"
            case .end: "the end of the expression"
            }
        }

        mutating func expect(_ symbol: String, _ context: String) throws(SyntaxError) {
            guard current == .symbol(symbol) else {
                throw fail("expected '\(symbol)' \(context), found \(describe(current))")
            }
            advance()
        }

        func expectEnd() throws(SyntaxError) {
            guard current == .end else { throw fail("unexpected \(describe(current)) after a complete expression") }
        }

        func isKeyword(_ word: String) -> Bool { current == .identifier(word) }

        // Binary operators by precedence, lowest first; `^` is right-associative.
        static let levels: [[String]] = [
            ["or"], ["and", "unless"], ["==", "!=", "<=", "<", ">=", ">"], ["+", "-"], ["*", "/", "%", "atan2"], ["^"],
        ]

        func binaryOperator(at level: Int) -> String? {
            switch current {
            case .symbol(let symbol) where Self.levels[level].contains(symbol): symbol
            case .identifier(let word) where Self.levels[level].contains(word.lowercased()): word.lowercased()
            default: nil
            }
        }

        mutating func expression() throws(SyntaxError) -> ValueType {
            try binary(level: 0)
        }

        mutating func binary(level: Int) throws(SyntaxError) -> ValueType {
            if level == Self.levels.count { return try unary() }
            var left = try binary(level: level + 1)
            while let op = binaryOperator(at: level) {
                let at = offset
                advance()
                let isComparison = Self.levels[2].contains(op)
                let isSetOperator = ["and", "or", "unless"].contains(op)
                var returnsBool = false
                if isKeyword("bool") {
                    guard isComparison else { throw fail("'bool' follows only a comparison") }
                    returnsBool = true
                    advance()
                }
                var matching = false
                if isKeyword("on") || isKeyword("ignoring") {
                    matching = true
                    advance()
                    try labelList()
                    if isKeyword("group_left") || isKeyword("group_right") {
                        guard !isSetOperator else { throw fail("'\(op)' cannot group: it is many-to-many already") }
                        advance()
                        if current == .symbol("(") { try labelList() }
                    }
                }
                // `^` binds to the right: 2 ^ 3 ^ 2 is 2 ^ 9.
                let right = op == "^" ? try binary(level: level) : try binary(level: level + 1)
                for side in [left, right] where side == .string || side == .rangeVector {
                    throw SyntaxError(
                        message: "'\(op)' takes scalars or instant vectors, not a \(side.rawValue)"
                            + (side == .rangeVector ? "; wrap it in a function such as rate(…)" : ""),
                        offset: at)
                }
                if isSetOperator && (left != .instantVector || right != .instantVector) {
                    throw SyntaxError(message: "'\(op)' takes two instant vectors", offset: at)
                }
                if matching && (left != .instantVector || right != .instantVector) {
                    throw SyntaxError(message: "vector matching (on, ignoring) needs vectors on both sides", offset: at)
                }
                if isComparison && left == .scalar && right == .scalar && !returnsBool {
                    throw SyntaxError(
                        message: "a comparison of two scalars needs 'bool' (\(op) bool)", offset: at)
                }
                left = left == .instantVector || right == .instantVector ? .instantVector : .scalar
            }
            return left
        }

        mutating func unary() throws(SyntaxError) -> ValueType {
            if current == .symbol("-") || current == .symbol("+") {
                let at = offset
                advance()
                let type = try unary()
                guard type == .scalar || type == .instantVector else {
                    throw SyntaxError(message: "a sign applies to a scalar or an instant vector", offset: at)
                }
                return type
            }
            return try postfix(primary())
        }

        mutating func postfix(_ base: ValueType) throws(SyntaxError) -> ValueType {
            var type = base
            while true {
                if current == .symbol("[") {
                    let at = offset
                    advance()
                    guard case .duration = current else { throw fail("a range needs a duration such as 5m") }
                    advance()
                    if current == .symbol(":") {
                        // A subquery: any instant vector expression over a range, at a resolution.
                        guard type == .instantVector else {
                            throw SyntaxError(message: "a subquery needs an instant vector", offset: at)
                        }
                        advance()
                        if case .duration = current { advance() }
                        try expect("]", "to close the subquery")
                        type = .rangeVector
                        continue
                    }
                    guard type == .instantVector, selectorEnded else {
                        throw SyntaxError(
                            message:
                                "a range [d] follows a metric selector only; for another expression write a subquery [d:]",
                            offset: at)
                    }
                    try expect("]", "to close the range")
                    type = .rangeVector
                    selectorEnded = false
                } else if isKeyword("offset") {
                    advance()
                    if current == .symbol("-") { advance() }
                    guard case .duration = current else { throw fail("'offset' needs a duration such as 5m") }
                    advance()
                } else if current == .symbol("@") {
                    advance()
                    if case .number = current {
                        advance()
                    } else if isKeyword("start") || isKeyword("end") {
                        advance()
                        try expect("(", "after start or end")
                        try expect(")", "after start( or end(")
                    } else {
                        throw fail("'@' needs a Unix time, start() or end()")
                    }
                } else {
                    selectorEnded = false
                    return type
                }
            }
        }

        /// Whether the last primary was a plain selector, the only thing a range may follow.
        var selectorEnded = false

        mutating func primary() throws(SyntaxError) -> ValueType {
            selectorEnded = false
            switch current {
            case .number:
                advance()
                return .scalar
            case .string:
                advance()
                return .string
            case .duration(let word):
                throw fail("the duration \(word) stands where a value belongs")
            case .symbol("("):
                advance()
                let type = try expression()
                try expect(")", "to close the parenthesis")
                return type
            case .symbol("{"):
                try matchers(hasName: false)
                selectorEnded = true
                return .instantVector
            case .identifier(let name):
                let lower = name.lowercased()
                if lower == "inf" || lower == "nan" {
                    advance()
                    return .scalar
                }
                if let parameter = PromQL.aggregations[lower], !isFollowedBySelectorEnd(afterName: true) {
                    return try aggregation(lower, parameter: parameter)
                }
                let nameOffset = offset
                advance()
                if current == .symbol("(") {
                    return try call(name, at: nameOffset)
                }
                if current == .symbol("{") { try matchers(hasName: true) }
                selectorEnded = true
                return .instantVector
            default:
                throw fail("expected a value, found \(describe(current))")
            }
        }

        /// An aggregation's name used as a metric name (`count` alone) is a selector.
        func isFollowedBySelectorEnd(afterName: Bool) -> Bool {
            guard position + 1 < tokens.count else { return true }
            let next = tokens[position + 1].token
            return next != .symbol("(") && next != .identifier("by") && next != .identifier("without")
        }

        mutating func aggregation(_ name: String, parameter: ValueType?) throws(SyntaxError) -> ValueType {
            advance()
            var grouped = false
            if isKeyword("by") || isKeyword("without") {
                advance()
                try labelList()
                grouped = true
            }
            try expect("(", "after the aggregation \(name)")
            if let parameter {
                let at = offset
                let type = try expression()
                guard type == parameter else {
                    throw SyntaxError(
                        message: "\(name) takes a \(parameter.rawValue) first, not a \(type.rawValue)", offset: at)
                }
                try expect(",", "between \(name)'s parameter and its vector")
            }
            let at = offset
            let type = try expression()
            guard type == .instantVector else {
                throw SyntaxError(
                    message: "\(name) aggregates an instant vector, not a \(type.rawValue)"
                        + (type == .rangeVector ? "; wrap it in a function such as rate(…)" : ""), offset: at)
            }
            try expect(")", "to close \(name)(…)")
            if !grouped && (isKeyword("by") || isKeyword("without")) {
                advance()
                try labelList()
            }
            return .instantVector
        }

        mutating func call(_ name: String, at: Int) throws(SyntaxError) -> ValueType {
            guard let signature = PromQL.functions[name] else {
                let near = PromQL.nearest(name, among: Array(PromQL.functions.keys) + Array(PromQL.aggregations.keys))
                throw SyntaxError(
                    message: "unknown function '\(name)'" + (near.map { "; did you mean '\($0)'?" } ?? ""), offset: at)
            }
            advance()
            var types: [(ValueType, Int)] = []
            if current != .symbol(")") {
                while true {
                    let argumentOffset = offset
                    types.append((try expression(), argumentOffset))
                    if current == .symbol(",") {
                        advance()
                        continue
                    }
                    break
                }
            }
            try expect(")", "to close \(name)(…)")
            let required = signature.arguments.count - signature.optional
            let count = types.count
            if count < required || (!signature.variadic && count > signature.arguments.count) {
                let expected =
                    signature.variadic
                    ? "at least \(required)"
                    : signature.optional > 0 ? "\(required) to \(signature.arguments.count)" : "\(required)"
                throw SyntaxError(
                    message: "\(name) takes \(expected) argument(s), and is given \(count)", offset: at)
            }
            for (index, (type, argumentOffset)) in types.enumerated() {
                let expected =
                    index < signature.arguments.count ? signature.arguments[index] : signature.arguments.last!
                guard type == expected else {
                    var message =
                        "argument \(index + 1) of \(name) must be a \(expected.rawValue), not a \(type.rawValue)"
                    if expected == .rangeVector && type == .instantVector {
                        message += "; give it a range, as in \(name)(metric[5m])"
                    }
                    throw SyntaxError(message: message, offset: argumentOffset)
                }
            }
            return signature.result
        }

        mutating func labelList() throws(SyntaxError) {
            try expect("(", "to open a list of labels")
            while current != .symbol(")") {
                guard case .identifier = current else {
                    throw fail("expected a label name, found \(describe(current))")
                }
                advance()
                if current == .symbol(",") { advance() } else { break }
            }
            try expect(")", "to close the list of labels")
        }

        mutating func matchers(hasName: Bool) throws(SyntaxError) {
            let at = offset
            try expect("{", "to open label matchers")
            var anyNonEmpty = hasName
            while current != .symbol("}") {
                var label = ""
                switch current {
                case .identifier(let name): label = name
                case .string(let name): label = name
                default: throw fail("expected a label name, found \(describe(current))")
                }
                advance()
                if current == .symbol(",") || current == .symbol("}") {
                    // `{"metric.name"}`: a quoted metric name (Prometheus 3).
                    anyNonEmpty = true
                } else {
                    let op: String
                    switch current {
                    case .symbol(let symbol) where ["=", "!=", "=~", "!~"].contains(symbol): op = symbol
                    default: throw fail("expected =, !=, =~ or !~ after the label \(label), found \(describe(current))")
                    }
                    advance()
                    guard case .string(let value) = current else {
                        throw fail("the value of label \(label) must be a quoted string")
                    }
                    if op == "=~" || op == "!~" {
                        if let problem = PromQL.regexProblem(value) {
                            throw fail("the regular expression \"\(value)\" of label \(label) \(problem)")
                        }
                    }
                    let matchesEmpty =
                        (op == "=" && value.isEmpty) || (op == "!=" && !value.isEmpty)
                        || (op == "=~" && (value.isEmpty || value == ".*")) || op == "!~"
                    if !matchesEmpty { anyNonEmpty = true }
                    advance()
                }
                if current == .symbol(",") { advance() } else { break }
            }
            try expect("}", "to close label matchers")
            if !anyNonEmpty {
                throw SyntaxError(
                    message: "a selector needs a metric name or a label matcher that does not match the empty string",
                    offset: at)
            }
        }
    }

    /// Why a regular expression would not compile (unbalanced groups or classes), or `nil`.
    static func regexProblem(_ pattern: String) -> String? {
        var depth = 0
        var inClass = false
        var escaped = false
        for character in pattern {
            if escaped {
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "[" where !inClass: inClass = true
            case "]" where inClass: inClass = false
            case "(" where !inClass: depth += 1
            case ")" where !inClass:
                depth -= 1
                if depth < 0 { return "closes a group it never opened" }
            default: break
            }
        }
        if escaped { return "ends with a lone backslash" }
        if inClass { return "leaves a [class] open" }
        if depth > 0 { return "leaves a (group) open" }
        return nil
    }

    /// The known name closest to `name` by edit distance, if any is close.
    static func nearest(_ name: String, among names: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var row = Array(0...b.count)
            for (i, x) in a.enumerated() {
                var previous = row[0]
                row[0] = i + 1
                for (j, y) in b.enumerated() {
                    let current = row[j + 1]
                    row[j + 1] = min(row[j + 1] + 1, row[j] + 1, previous + (x == y ? 0 : 1))
                    previous = current
                }
            }
            return row[b.count]
        }
        let scored = names.map { ($0, distance(Array(name.lowercased()), Array($0))) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }?.0
    }
}
