import Testing

@testable import BerthYAML

@Suite("String scalars round-trip")
struct StringRoundTripTests {
    /// Strings that a naive emitter gets wrong: YAML 1.1 booleans and null, numbers in disguise,
    /// indicators, comments, Compose interpolation, quotes, whitespace, and awkward Unicode.
    static let trickyStrings: [String] = [
        "yes", "no", "on", "off", "null", "~", "Yes", "NO", "y", "N", "true", "False", "0755", "0x1F",
        "22:22", "1e3", "1_000", ".inf", "-.inf", ".nan", "2001-12-14", "$HOME", "${HOME:-x}", "$$",
        " #", "a #b", "#", ": ", "key: value", "a:", "*alias", "&anchor", "!tag", "!!str", "%YAML",
        "@at", "`backtick`", "|", ">", "-", "- item", "---", "...", "?", "? x", "[a, b]", "{a: b}", ",",
        "\"", "'", "\"'\"", "it's", "\\", "\\\\", "C:\\path\\n", "\\n", "line1\nline2", "\n", "\n\n",
        "trailing\n", "\r\n", "\r", "a\tb", "\t", " leading", "trailing ", "  ", " ", "", "한국어",
        "🚢", "👨‍👩‍👧", "e\u{301}", "\u{301}", "é", "\u{2028}", "\u{2029}", "\u{85}", "\u{0}",
        "a\u{0}b", "\u{7F}", "\u{1B}[0m", "\u{7}", "\u{FEFF}bom", "zero\u{200B}width", "\u{A0}",
        "\u{AD}", "\u{E000}", "\u{FFFE}", "\u{FFFF}", "\u{10FFFF}", "\u{1F600}", "\u{9F}",
        "ends with backslash\\", "<<", "=", "!", "&", "*", "%", "@",
    ]

    @Test(arguments: trickyStrings)
    func quotedScalarDecodesToTheInput(string: String) throws {
        let document = YAMLEmitter.emit(.string(string))
        let decoded = try QuotedScalar.decodeDocument(document)
        #expect(sameScalars(decoded, string), "emitted \(document.debugDescription)")
    }

    @Test func escapesAreTheDocumentedOnes() {
        let cases: [(String, String)] = [
            ("a\"b", #""a\"b""#), ("a\\b", #""a\\b""#), ("\n", #""\n""#), ("\t", #""\t""#),
            ("\r", #""\r""#), ("\u{0}", #""\x00""#), ("\u{1B}", #""\x1B""#), ("\u{7F}", #""\x7F""#),
            ("\u{85}", #""\u0085""#), ("\u{2028}", #""\u2028""#), ("\u{2029}", #""\u2029""#),
            ("\u{FEFF}", #""\uFEFF""#), ("\u{E000}", #""\uE000""#), ("\u{10FFFF}", #""\U0010FFFF""#),
            ("한국어 🚢", #""한국어 🚢""#), ("e\u{301}", "\"e\u{301}\""), ("$HOME #x", #""$HOME #x""#),
        ]
        for (input, expected) in cases {
            let emitted = YAMLEmitter.emit(.string(input))
            #expect(sameScalars(emitted, expected + "\n"), "for \(input.debugDescription)")
        }
    }

    @Test func stringsInsideCollectionsAreQuotedToo() {
        let node: YAMLNode = ["environment": ["A": "yes", "B": "0755"], "command": ["sh", "-c", "echo $$"]]
        let expected = """
            environment:
              A: "yes"
              B: "0755"
            command:
              - "sh"
              - "-c"
              - "echo $$"

            """
        #expect(YAMLEmitter.emit(node) == expected)
    }

    @Test(.enabled(if: PyYAML.isAvailable, PyYAML.unavailableMessage))
    func trickyStringsLoadInPyYAML() throws {
        var asKeys = YAMLMapping()
        for (index, string) in Self.trickyStrings.enumerated() where !asKeys.keys.contains(string) {
            asKeys.append(string, .integer(index))
        }
        let node: YAMLNode = [
            "values": .sequence(Self.trickyStrings.map(YAMLNode.string)),
            "keys": .mapping(asKeys),
        ]
        #expect(try PyYAML.loadAsJSON(YAMLEmitter.emit(node)) == PythonJSON.encode(node))
    }
}
