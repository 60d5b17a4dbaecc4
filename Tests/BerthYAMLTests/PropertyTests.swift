import Foundation
import Testing

@testable import BerthYAML

@Suite("Random strings round-trip")
struct PropertyTests {
    /// The seed; override with `BERTH_YAML_SEED=<number>` to replay or explore other inputs.
    static let seed: UInt64 = {
        if let text = ProcessInfo.processInfo.environment["BERTH_YAML_SEED"], let value = UInt64(text) {
            return value
        }
        return 0x5EED_BE27_0000_0001
    }()

    /// Building blocks weighted towards what breaks YAML: indicators, whitespace and line breaks,
    /// quotes and backslashes, special words, digits, controls, and non-ASCII of every width.
    static let fragments: [String] = [
        "\"", "'", "\\", ":", ": ", "#", " #", "-", "- ", "?", ",", "[", "]", "{", "}", "&", "*", "!", "|",
        ">", "%", "@", "`", "~", "=", "<<", "$", "$$", "${", ".", "..", "...", "---", " ", "  ", "\t",
        "\n", "\r", "\r\n", "0", "1", "9", "0x", "e", "E", "+", "_", "yes", "no", "on", "off", "y", "N",
        "null", "true", "False", "a", "b", "Z", "key", "\u{0}", "\u{7}", "\u{1B}", "\u{7F}", "\u{85}",
        "\u{9F}", "\u{A0}", "\u{AD}", "é", "e\u{301}", "\u{301}", "한", "국", "어", "🚢", "👨‍👩‍👧", "\u{200D}",
        "\u{200B}", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{E000}", "\u{F8FF}", "\u{FFFD}", "\u{FFFE}",
        "\u{FFFF}", "\u{10000}", "\u{1F600}", "\u{E0001}", "\u{10FFFF}", "\u{3000}", "中", "ß", "Ω",
    ]

    static func randomStrings(count: Int, seed: UInt64) -> [String] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let length = Int.random(in: 0...12, using: &generator)
            var string = ""
            for _ in 0..<length {
                if Int.random(in: 0..<10, using: &generator) == 0 {
                    // Occasionally an arbitrary scalar from anywhere in the code space.
                    let value = UInt32.random(in: 0...0x10FFFF, using: &generator)
                    string.unicodeScalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
                } else {
                    string += fragments.randomElement(using: &generator)!
                }
            }
            return string
        }
    }

    @Test func randomStringsDecodeToThemselves() throws {
        let strings = Self.randomStrings(count: 500, seed: Self.seed)
        for (index, string) in strings.enumerated() {
            let document = YAMLEmitter.emit(.string(string))
            let context: Comment = "seed \(Self.seed), string #\(index) \(string.debugDescription)"
            let decoded = try #require(
                try? QuotedScalar.decodeDocument(document),
                "undecodable \(document.debugDescription); \(context)"
            )
            #expect(sameScalars(decoded, string), context)
            #expect(!document.dropLast().contains("\n"), context)
        }
    }

    @Test func randomKeysDecodeToThemselves() throws {
        let strings = Self.randomStrings(count: 500, seed: Self.seed &+ 1)
        for (index, key) in strings.enumerated() {
            let document = YAMLEmitter.emit(.mapping([key: 1]))
            let context: Comment = "seed \(Self.seed &+ 1), key #\(index) \(key.debugDescription)"
            if document.unicodeScalars.first == "\"" {
                let scalars = Array(document.unicodeScalars)
                let (decoded, end) = try QuotedScalar.decode(scalars, from: 0)
                #expect(sameScalars(decoded, key), context)
                #expect(String(String.UnicodeScalarView(scalars[end...])) == ": 1\n", context)
            } else {
                #expect(document == "\(key): 1\n", context)
            }
        }
    }

    @Test(.enabled(if: PyYAML.isAvailable, PyYAML.unavailableMessage))
    func randomStringsLoadInPyYAML() throws {
        let strings = Self.randomStrings(count: 500, seed: Self.seed)
        let keys = Self.randomStrings(count: 500, seed: Self.seed &+ 1)
        var keyed = YAMLMapping()
        for (index, key) in keys.enumerated() where !keyed.keys.contains(key) {
            keyed.append(key, .string(strings[index]))
        }
        let node: YAMLNode = ["values": .sequence(strings.map(YAMLNode.string)), "keyed": .mapping(keyed)]
        let loaded = try PyYAML.loadAsJSON(YAMLEmitter.emit(node))
        if loaded == PythonJSON.encode(node) {
            return
        }
        // Narrow the failure down to individual strings so the message names the first few culprits.
        var culprits = 0
        for (index, string) in strings.enumerated() where culprits < 5 {
            let single = YAMLNode.sequence([.string(string)])
            let singleLoaded = try PyYAML.loadAsJSON(YAMLEmitter.emit(single))
            if singleLoaded != PythonJSON.encode(single) {
                culprits += 1
                Issue.record(
                    "seed \(Self.seed), string #\(index) \(string.debugDescription) loaded as \(singleLoaded)"
                )
            }
        }
        Issue.record("PyYAML loaded a different document; seed \(Self.seed)")
    }
}
