/// One nginx directive, `name arguments;` or `name arguments { … }`, as renderers build it before
/// it becomes text.
///
/// Renderers build directives rather than text so quoting is decided in one place: every argument
/// says whether it is a word, literal text or an nginx expression, and ``NginxDirective/render()``
/// quotes and escapes it accordingly.
struct NginxDirective: Sendable, Hashable {
    /// One argument of a directive.
    enum Argument: Sendable, Hashable {
        /// A word nginx reads literally (a path in `location`, a host name in `server_name`).
        /// Quoted when it holds a character nginx's tokenizer would split or interpret.
        case word(String)
        /// Literal text for a directive that expands variables (`add_header`, `return`): a `$`
        /// in it is written as `${berth_dollar}`, which ``NginxDirective/dollarVariable`` defines.
        case text(String)
        /// An nginx expression with variables, written as it is (`$host$request_uri`), quoted
        /// when needed.
        case expression(String)
    }

    var name: String
    var arguments: [Argument]
    /// The block's directives; `nil` for a simple directive ending in `;`.
    var block: [NginxDirective]?
    /// A comment line written above the directive.
    var comment: String?

    init(_ name: String, _ arguments: [Argument] = [], block: [NginxDirective]? = nil, comment: String? = nil) {
        self.name = name
        self.arguments = arguments
        self.block = block
        self.comment = comment
    }

    /// A simple directive whose arguments are all words.
    static func words(_ name: String, _ arguments: String...) -> NginxDirective {
        NginxDirective(name, arguments.map { .word($0) })
    }

    /// The variable that holds a literal `$`, for text in directives that expand variables.
    static let dollarVariable = "berth_dollar"

    /// `geo $berth_dollar { default "$"; }`: geo values are never expanded, so this is the one
    /// way nginx 1.22 lets a configuration write a literal `$` where variables are expanded.
    static let dollarDefinition = NginxDirective(
        "geo", [.expression("$" + dollarVariable)], block: [NginxDirective("default", [.word("$")])])

    /// Whether any argument of this directive or its block is text holding a `$`.
    var needsDollarVariable: Bool {
        arguments.contains { argument in
            if case .text(let text) = argument { return text.contains("$") }
            return false
        } || (block ?? []).contains { $0.needsDollarVariable }
    }

    /// The directive as configuration text, indented by `level` steps of four spaces.
    func render(level: Int = 0) -> String {
        let indent = String(repeating: "    ", count: level)
        var text = ""
        if let comment {
            for line in comment.split(separator: "\n", omittingEmptySubsequences: false) {
                text += indent + "# " + Self.commentSafe(line) + "\n"
            }
        }
        let head = ([Self.render(.word(name))] + arguments.map(Self.render)).joined(separator: " ")
        guard let block else { return text + indent + head + ";\n" }
        text += indent + head + " {\n"
        for directive in block {
            text += directive.render(level: level + 1)
        }
        return text + indent + "}\n"
    }

    private static func commentSafe(_ line: Substring) -> String {
        String(line.map { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 } ?? false) ? " " : $0 })
    }

    static func render(_ argument: Argument) -> String {
        switch argument {
        case .word(let word): quoted(word, keepingDollars: true)
        case .text(let text):
            quoted(text, keepingDollars: false)
        case .expression(let expression): quoted(expression, keepingDollars: true)
        }
    }

    /// Characters that never need quotes in an nginx token.
    private static func isPlain(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": true
        case "-", "_", ".", "/", ":", "=", ",", "@", "%", "+", "*", "~", "^", "!", "?", "&", "[", "]", "(", ")", "|",
            "<", ">":
            true
        default: false
        }
    }

    /// `value` as one nginx token: bare when every character is plain (a `$` is plain too when
    /// kept), otherwise in double quotes with `"`, `\`, tab and line breaks escaped.
    ///
    /// nginx's tokenizer ends a bare token at whitespace, `;`, `{` or `}`, starts a comment at a
    /// leading `#` and a quoted string at a leading quote, and unescapes `\` inside quotes, so
    /// anything else goes in double quotes.
    private static func quoted(_ value: String, keepingDollars: Bool) -> String {
        var body = ""
        var plain = !value.isEmpty
        for scalar in value.unicodeScalars {
            switch scalar {
            case "$" where !keepingDollars:
                body += "${\(dollarVariable)}"
            case "\"", "\\":
                plain = false
                body += "\\" + String(scalar)
            case "\n", "\t", "\r":
                // nginx unescapes these three inside quotes.
                plain = false
                body += scalar == "\n" ? "\\n" : scalar == "\t" ? "\\t" : "\\r"
            default:
                if !(isPlain(scalar) || (scalar == "$" && keepingDollars)) { plain = false }
                body.unicodeScalars.append(scalar)
            }
        }
        // `${…}` is plain, but braces end a bare token.
        if !keepingDollars && value.contains("$") { plain = false }
        return plain ? body : "\"" + body + "\""
    }
}
