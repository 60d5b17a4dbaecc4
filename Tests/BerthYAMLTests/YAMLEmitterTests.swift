import Testing

@testable import BerthYAML

@Suite("YAMLEmitter layout")
struct YAMLEmitterLayoutTests {
    /// A Compose-like document exercising every layout rule at once.
    static let composeLike: YAMLNode = [
        "services": [
            "web": [
                "image": "nginx:1.27",
                "ports": ["80:80", "443:443"],
                "environment": ["A": "1", "yes": true],
                "healthcheck": ["test": ["CMD", "true"], "interval": 1.5, "retries": 3],
                "labels": [:],
                "command": [],
                "deploy": ["x": .null],
            ]
        ],
        "x-list": [
            ["name": "a", "value": 1],
            ["name": "b", "nested": ["k": "v"]],
            [],
            [:],
            ["p", "q"],
            [["deep": true, "deeper": ["z"]]],
        ],
        "ON": "quoted key",
        "8080": 1,
        "com.example.label": "plain",
        "": "empty key",
    ]

    @Test func nestedStructuresHaveExactLayout() {
        let expected = """
            services:
              web:
                image: "nginx:1.27"
                ports:
                  - "80:80"
                  - "443:443"
                environment:
                  A: "1"
                  "yes": true
                healthcheck:
                  test:
                    - "CMD"
                    - "true"
                  interval: 1.5
                  retries: 3
                labels: {}
                command: []
                deploy:
                  x: null
            x-list:
              - name: "a"
                value: 1
              - name: "b"
                nested:
                  k: "v"
              - []
              - {}
              - - "p"
                - "q"
              - - deep: true
                  deeper:
                    - "z"
            "ON": "quoted key"
            "8080": 1
            com.example.label: "plain"
            "": "empty key"

            """
        #expect(YAMLEmitter.emit(Self.composeLike) == expected)
    }

    @Test(.enabled(if: PyYAML.isAvailable, PyYAML.unavailableMessage))
    func nestedStructuresLoadInPyYAML() throws {
        let expected =
            #"{"services": {"web": {"image": "nginx:1.27", "ports": ["80:80", "443:443"], "#
            + #""environment": {"A": "1", "yes": true}, "healthcheck": {"test": ["CMD", "true"], "#
            + #""interval": 1.5, "retries": 3}, "labels": {}, "command": [], "deploy": {"x": null}}}, "#
            + #""x-list": [{"name": "a", "value": 1}, {"name": "b", "nested": {"k": "v"}}, [], {}, "#
            + #"["p", "q"], [{"deep": true, "deeper": ["z"]}]], "ON": "quoted key", "8080": 1, "#
            + #""com.example.label": "plain", "": "empty key"}"#
        #expect(try PyYAML.loadAsJSON(YAMLEmitter.emit(Self.composeLike)) == expected)
        #expect(PythonJSON.encode(Self.composeLike) == expected)
    }

    @Test func rootScalarsAndEmptyCollections() {
        #expect(YAMLEmitter.emit("a") == "\"a\"\n")
        #expect(YAMLEmitter.emit(5) == "5\n")
        #expect(YAMLEmitter.emit(.null) == "null\n")
        #expect(YAMLEmitter.emit(false) == "false\n")
        #expect(YAMLEmitter.emit([]) == "[]\n")
        #expect(YAMLEmitter.emit([:]) == "{}\n")
        #expect(YAMLEmitter.emit(["a", 1]) == "- \"a\"\n- 1\n")
        #expect(YAMLEmitter.emit(["k": [:], "l": []]) == "k: {}\nl: []\n")
    }

    @Test func sequenceOfMappingsAlignsFollowingKeys() {
        let node: YAMLNode = ["volumes": [["type": "bind", "source": "/srv", "read_only": true]]]
        let expected = """
            volumes:
              - type: "bind"
                source: "/srv"
                read_only: true

            """
        #expect(YAMLEmitter.emit(node) == expected)
    }

    @Test func numbersAndBooleans() {
        let node: YAMLNode = [
            "int": 0, "negative": -42, "max": .integer(Int.max), "min": .integer(Int.min),
            "yes": true, "no": false,
        ]
        let expected = """
            int: 0
            negative: -42
            max: 9223372036854775807
            min: -9223372036854775808
            "yes": true
            "no": false

            """
        #expect(YAMLEmitter.emit(node) == expected)
    }

    static let doubles: [(Double, String)] = [
        (0.5, "0.5"), (2.0, "2.0"), (-3.25, "-3.25"), (1e-7, "1.0e-07"), (1.5e-7, "1.5e-07"),
        (1e16, "1.0e+16"), (1.5e300, "1.5e+300"), (-0.0, "-0.0"), (.leastNonzeroMagnitude, "5.0e-324"),
        (123.456, "123.456"), (.infinity, ".inf"), (-.infinity, "-.inf"), (.nan, ".nan"),
    ]

    @Test func doublesAlwaysReadAsFloats() {
        for (value, text) in Self.doubles {
            #expect(YAMLEmitter.emit(.double(value)) == text + "\n", "for \(value)")
        }
    }

    @Test(.enabled(if: PyYAML.isAvailable, PyYAML.unavailableMessage))
    func doublesLoadAsFloatsInPyYAML() throws {
        let node = YAMLNode.sequence(Self.doubles.map { .double($0.0) })
        let expected =
            "[0.5, 2.0, -3.25, 1e-07, 1.5e-07, 1e+16, 1.5e+300, -0.0, 5e-324, 123.456, "
            + "Infinity, -Infinity, NaN]"
        #expect(try PyYAML.loadAsJSON(YAMLEmitter.emit(node)) == expected)
    }

    @Test func outputIsDeterministicAndHasNoTrailingSpaces() {
        let first = YAMLEmitter.emit(Self.composeLike)
        #expect(first == YAMLEmitter.emit(Self.composeLike))
        #expect(!first.hasPrefix("---"))
        for line in first.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(!line.hasSuffix(" ") && !line.contains("\t"), "line \(line.debugDescription)")
        }
    }
}

@Suite("YAMLEmitter keys")
struct YAMLEmitterKeyTests {
    static let quotedKeys: [String] = [
        "y", "Y", "yes", "Yes", "YES", "yEs", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
        "OFF", "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL", "~", "",
        "8080", "1e3", "0755", "-a", ".a", "/a", "a b", "a:b", "a#b", "<<", "=", "a\tb", "é", "a\"b",
        "*a", "&a", "!a", "%a", "@a", "`a", "|", ">", "?", "-", "---", "...", "$HOME", "a,b", "[a]",
    ]

    static let plainKeys: [String] = [
        "image", "com.example.label", "berth.stack", "_x", "a-b", "a/b", "a.", "a-", "yess", "nope",
        "onion", "offset", "nullable", "True1", "x-berth", "A", "Z9", "truely",
    ]

    @Test(arguments: quotedKeys)
    func nonIdentifierAndSpecialKeysAreQuoted(key: String) throws {
        let document = YAMLEmitter.emit(.mapping([key: 1]))
        #expect(document.unicodeScalars.first == "\"", "\(document.debugDescription)")
        let scalars = Array(document.unicodeScalars)
        let (decoded, end) = try QuotedScalar.decode(scalars, from: 0)
        #expect(sameScalars(decoded, key))
        #expect(String(String.UnicodeScalarView(scalars[end...])) == ": 1\n")
    }

    @Test(arguments: plainKeys)
    func identifierKeysStayPlain(key: String) {
        #expect(YAMLEmitter.emit(.mapping([key: 1])) == "\(key): 1\n")
    }

    @Test(.enabled(if: PyYAML.isAvailable, PyYAML.unavailableMessage))
    func keysLoadAsStringsInPyYAML() throws {
        var mapping = YAMLMapping()
        for (index, key) in (Self.quotedKeys + Self.plainKeys).enumerated() {
            mapping.append(key, .integer(index))
        }
        let node = YAMLNode.mapping(mapping)
        #expect(try PyYAML.loadAsJSON(YAMLEmitter.emit(node)) == PythonJSON.encode(node))
    }

    /// Keys longer than the 1024-character implicit-key limit of the Go parser and PyYAML.
    static let longKeys: [String] = [
        String(repeating: "a", count: 2000),
        String(repeating: "\u{0}", count: 300),
        String(repeating: "한", count: 400),
    ]

    @Test func longKeysUseExplicitForm() {
        let plain = String(repeating: "k", count: 240)
        #expect(YAMLEmitter.emit(.mapping([plain: 1])) == "\(plain): 1\n")
        let long = Self.longKeys[0]
        #expect(YAMLEmitter.emit(.mapping([long: 1])) == "? \(long)\n: 1\n")
        #expect(
            YAMLEmitter.emit(["list": [.mapping([long: ["a": 1]])]])
                == "list:\n  - ? \(long)\n    :\n      a: 1\n"
        )
        let nuls = YAMLEmitter.emit(.mapping([Self.longKeys[1]: 1]))
        #expect(nuls.hasPrefix("? \"\\x00"))
        let hangul = YAMLEmitter.emit(.mapping([Self.longKeys[2]: 1]))
        #expect(hangul.hasPrefix("? \"한"))
    }

    @Test(.enabled(if: PyYAML.isAvailable, PyYAML.unavailableMessage))
    func longKeysLoadInPyYAML() throws {
        var mapping = YAMLMapping()
        for (index, key) in Self.longKeys.enumerated() {
            mapping.append(key, index == 0 ? ["nested": [1, 2]] : .integer(index))
        }
        let node: YAMLNode = ["top": .mapping(mapping), "list": [.mapping(mapping)]]
        #expect(try PyYAML.loadAsJSON(YAMLEmitter.emit(node)) == PythonJSON.encode(node))
    }
}

@Suite("YAMLMapping")
struct YAMLMappingTests {
    @Test func keepsInsertionOrder() {
        var mapping: YAMLMapping = ["b": 1, "a": 2]
        mapping.append("c", 3)
        #expect(mapping.keys == ["b", "a", "c"])
        #expect(mapping.values == [1, 2, 3])
        #expect(mapping.count == 3)
        #expect(!mapping.isEmpty)
        #expect(YAMLMapping().isEmpty)
        #expect(mapping.entries.map(\.key) == ["b", "a", "c"])
    }

    @Test func subscriptReplacesInPlaceAppendsAndRemoves() {
        var mapping = YAMLMapping([("x", 1), ("y", 2)])
        #expect(mapping["y"] == 2)
        #expect(mapping["z"] == nil)
        mapping["x"] = "one"
        mapping["z"] = 3
        #expect(mapping.keys == ["x", "y", "z"])
        #expect(mapping["x"] == "one")
        mapping["y"] = nil
        #expect(mapping.keys == ["x", "z"])
        mapping["missing"] = nil
        #expect(mapping.count == 2)
    }

    @Test func entriesSetterReplacesEverything() {
        var mapping: YAMLMapping = ["a": 1]
        mapping.entries = [(key: "q", value: true), (key: "r", value: .null)]
        #expect(mapping == YAMLMapping([("q", true), ("r", .null)]))
    }

    @Test func equalityAndHashingAreOrderSensitive() {
        let forward: YAMLMapping = ["a": 1, "b": 2]
        let backward: YAMLMapping = ["b": 2, "a": 1]
        #expect(forward != backward)
        #expect(Set([YAMLNode.mapping(forward), .mapping(forward), .mapping(backward)]).count == 2)
    }
}
