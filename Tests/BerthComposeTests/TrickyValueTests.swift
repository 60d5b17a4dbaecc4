import BerthCompose
import BerthCore
import Testing

/// A value that YAML or Compose could misread, with a readable name for the test report.
struct TrickyValue: Sendable, CustomTestStringConvertible {
    var name: String
    var value: String

    init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    var testDescription: String { name }

    static let all: [TrickyValue] = [
        TrickyValue("yes", "yes"),
        TrickyValue("no", "no"),
        TrickyValue("on", "on"),
        TrickyValue("off", "off"),
        TrickyValue("y", "y"),
        TrickyValue("N", "N"),
        TrickyValue("true", "true"),
        TrickyValue("False", "False"),
        TrickyValue("null", "null"),
        TrickyValue("tilde", "~"),
        TrickyValue("octal 0755", "0755"),
        TrickyValue("octal 010", "010"),
        TrickyValue("0o17", "0o17"),
        TrickyValue("hex 0x1F", "0x1F"),
        TrickyValue("float 1.10", "1.10"),
        TrickyValue("sexagesimal 22:22", "22:22"),
        TrickyValue("exponent 1e3", "1e3"),
        TrickyValue(".inf", ".inf"),
        TrickyValue(".NaN", ".NaN"),
        TrickyValue("date 2024-01-01", "2024-01-01"),
        TrickyValue("timestamp", "2001-12-14t21:59:43.10-05:00"),
        TrickyValue("$HOME", "$HOME"),
        TrickyValue("${HOME}", "${HOME}"),
        TrickyValue("${HOME:-x}", "${HOME:-x}"),
        TrickyValue("${MISSING:?error}", "${MISSING:?error}"),
        TrickyValue("$$", "$$"),
        TrickyValue("lone $", "$"),
        TrickyValue("trailing $", "cost: 5$"),
        TrickyValue("$1", "$1"),
        TrickyValue("$ + combining mark", "$\u{301}HOME"),
        TrickyValue("prepend mark + $", "\u{600}$HOME"),
        TrickyValue("ZWJ + $", "\u{200D}$HOME"),
        TrickyValue("space hash", " #"),
        TrickyValue("a #b", "a #b"),
        TrickyValue("#comment", "#comment"),
        TrickyValue("colon space", ": "),
        TrickyValue("key: value", "key: value"),
        TrickyValue("trailing colon", "key:"),
        TrickyValue("leading *", "*alias"),
        TrickyValue("leading &", "&anchor"),
        TrickyValue("leading !", "!tag"),
        TrickyValue("!!binary", "!!binary aGVsbG8="),
        TrickyValue("leading %", "%YAML 1.2"),
        TrickyValue("leading @", "@reserved"),
        TrickyValue("backtick", "`cmd`"),
        TrickyValue("pipe", "|"),
        TrickyValue("greater than", ">"),
        TrickyValue("dash", "-"),
        TrickyValue("dash space", "- item"),
        TrickyValue("question mark", "? key"),
        TrickyValue("document start ---", "---"),
        TrickyValue("document end ...", "..."),
        TrickyValue("flow sequence", "[a, b]"),
        TrickyValue("flow mapping", "{a: b}"),
        TrickyValue("comma", "a,b"),
        TrickyValue("equals", "a=b"),
        TrickyValue("double quote", "\""),
        TrickyValue("single quote", "'"),
        TrickyValue("mixed quotes", "it's \"quoted\""),
        TrickyValue("backslash", "\\"),
        TrickyValue("backslashes", "C:\\new\\table\\x41\\u0041"),
        TrickyValue("newline", "line 1\nline 2"),
        TrickyValue("trailing newline", "text\n"),
        TrickyValue("only newlines", "\n\n"),
        TrickyValue("CRLF", "a\r\nb"),
        TrickyValue("tab", "a\tb"),
        TrickyValue("leading tab", "\tindented"),
        TrickyValue("leading and trailing spaces", "  padded  "),
        TrickyValue("only spaces", "   "),
        TrickyValue("empty", ""),
        TrickyValue("Korean", "한국어"),
        TrickyValue("emoji", "🚢 ahoy"),
        TrickyValue("flag emoji", "🇰🇷"),
        TrickyValue("combining marks (decomposed)", "e\u{301}te\u{301} a\u{308}\u{301}"),
        TrickyValue("precomposed", "été"),
        TrickyValue("combining mark first", "\u{301}x"),
        TrickyValue("U+2028 line separator", "a\u{2028}b"),
        TrickyValue("U+2029 paragraph separator", "a\u{2029}b"),
        TrickyValue("U+0085 next line", "a\u{85}b"),
        TrickyValue("no-break space", "\u{A0}nbsp\u{A0}"),
        TrickyValue("byte order mark", "\u{FEFF}bom"),
        TrickyValue("zero-width joiner", "👩\u{200D}💻"),
        TrickyValue("DEL", "a\u{7F}b"),
        TrickyValue("escape", "\u{1B}[31mred"),
        TrickyValue("long", String(repeating: "long value with $ and : ", count: 60)),
    ]
}

/// Values that YAML 1.1, YAML 1.2 or Compose's interpolation could change, each used as an
/// environment value, a label value, a command argument, a shell health check and a config's
/// content; Compose must
/// read every one of them back exactly as written.
@Suite("Tricky values")
struct TrickyValueTests {
    /// One stack with a service per value, so the whole list costs one referee call.
    static func stack(_ values: [TrickyValue]) -> Stack {
        Stack("tricky") {
            for (index, value) in values.enumerated() {
                Config("c\(index)", .content(value.value))
                Service("v\(index)", image: "busybox:1.36")
                    .environment("VALUE", value.value)
                    .label("test.value", value.value)
                    .command(["echo", value.value])
                    .healthCheck(HealthCheck(.shell(value.value)))
                    .config("c\(index)", at: "/etc/value")
            }
        }
    }

    static let batch: Task<ComposeReferee.Verdict, any Error> = Task {
        try await ComposeReferee.config(ComposeRenderer().render(stack(TrickyValue.all), for: .dev).yaml)
    }

    /// Checks one service of a model against the value it was rendered from.
    static func check(
        _ value: TrickyValue, in service: JSON?, config: JSON?,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let expected = Exact(composeJSON(literal: value.value))
        #expect(service != nil, "service missing", sourceLocation: sourceLocation)
        #expect(
            Exact(service?["environment"]?["VALUE"]?.string) == expected, "environment",
            sourceLocation: sourceLocation)
        #expect(
            Exact(service?["labels"]?["test.value"]?.string) == expected, "label",
            sourceLocation: sourceLocation)
        #expect(
            service?["command"]?.strings.map { $0.map(Exact.init) } == [Exact("echo"), expected], "command",
            sourceLocation: sourceLocation)
        #expect(
            service?["healthcheck"]?["test"]?.strings.map { $0.map(Exact.init) } == [
                Exact("CMD-SHELL"), expected,
            ],
            "health check", sourceLocation: sourceLocation)
        if value.value.isEmpty {
            // Compose drops an empty content (the renderer reports it: see DiagnosticTests).
            #expect(config?["content"] == nil, "config content", sourceLocation: sourceLocation)
        } else {
            #expect(
                Exact(config?["content"]?.string) == expected, "config content",
                sourceLocation: sourceLocation)
        }
    }

    @Test(
        "reads back exactly as written",
        .enabled(if: ComposeReferee.shouldRun, ComposeReferee.skipComment),
        arguments: TrickyValue.all)
    func roundTrip(_ value: TrickyValue) async throws {
        let index = TrickyValue.all.firstIndex { $0.name == value.name }!
        switch await Self.batch.result {
        case .success(let verdict):
            Self.check(
                value, in: verdict.model["services"]?["v\(index)"],
                config: verdict.model["configs"]?["c\(index)"])
        case .failure:
            // The shared file was refused: find out whether this value is the one to blame.
            let stack = Self.stack([value])
            let verdict = try await ComposeReferee.config(ComposeRenderer().render(stack, for: .dev).yaml)
            Self.check(value, in: verdict.model["services"]?["v0"], config: verdict.model["configs"]?["c0"])
        }
    }

    @Test(
        "the whole tricky stack reads back as described",
        .enabled(if: ComposeReferee.shouldRun, ComposeReferee.skipComment))
    func wholeStack() async throws {
        let stack = Self.stack(TrickyValue.all)
        let document = ComposeRenderer().render(stack, for: .dev)
        let verdict = try await Self.batch.value
        ModelExpectations(verdict, document: document, stack: stack, environment: .dev).verify()
    }

    static let interpolationStack = Stack("interpolation") {
        Service("app", image: "busybox:1.36")
            .environment("FROM_DEPLOYER", .interpolated("${BERTH_TEST_VAR:-fallback}"))
            .environment("LITERAL", "${BERTH_TEST_VAR:-fallback}")
    }

    @Test(
        "an interpolated value falls back when the variable is unset",
        .enabled(if: ComposeReferee.shouldRun, ComposeReferee.skipComment))
    func interpolationFallback() async throws {
        let document = ComposeRenderer().render(Self.interpolationStack, for: .dev)
        let verdict = try await ComposeReferee.config(document.yaml)
        let environment = verdict.model["services"]?["app"]?["environment"]
        #expect(environment?["FROM_DEPLOYER"]?.string == "fallback")
        #expect(environment?["LITERAL"]?.string == "$${BERTH_TEST_VAR:-fallback}")
        ModelExpectations(verdict, document: document, stack: Self.interpolationStack, environment: .dev)
            .verify()
    }

    @Test(
        "an interpolated value takes the deployer's variable when set",
        .enabled(if: ComposeReferee.shouldRun, ComposeReferee.skipComment))
    func interpolationFromEnvironment() async throws {
        let document = ComposeRenderer().render(Self.interpolationStack, for: .dev)
        // A value that itself holds `$`: Compose must not interpolate it a second time.
        let variables = ["BERTH_TEST_VAR": "from env: $1 ${X} é"]
        let verdict = try await ComposeReferee.config(document.yaml, environment: variables)
        let environment = verdict.model["services"]?["app"]?["environment"]
        #expect(Exact(environment?["FROM_DEPLOYER"]?.string) == Exact("from env: $$1 $${X} é"))
        #expect(environment?["LITERAL"]?.string == "$${BERTH_TEST_VAR:-fallback}")
        ModelExpectations(verdict, document: document, stack: Self.interpolationStack, environment: .dev)
            .verify()
    }
}
