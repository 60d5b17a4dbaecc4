import Foundation
import Testing

@testable import BerthYAML

/// Checks emitted documents against Docker Compose's own loader (a Go YAML parser), when installed.
@Suite("Docker Compose loader")
struct ComposeLoaderTests {
    /// The parts of `docker compose config --format json` output these tests look at.
    private struct Output: Decodable {
        var strings: [String]
        var keyed: OrderedKeys
        var integers: [Int]
        var doubles: [Double]
        var flags: [Bool?]

        enum CodingKeys: String, CodingKey {
            case strings = "x-strings"
            case keyed = "x-keyed"
            case integers = "x-integers"
            case doubles = "x-doubles"
            case flags = "x-flags"
        }
    }

    /// A JSON object decoded key by key, keeping each key's exact scalars (a `[String: Int]` would
    /// merge canonically equivalent keys).
    private struct OrderedKeys: Decodable {
        var pairs: [(key: String, value: Int)]

        private struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            pairs = try container.allKeys.map { key in
                (key: key.stringValue, value: try container.decode(Int.self, forKey: key))
            }
        }
    }

    @Test(.enabled(if: DockerCompose.isAvailable, DockerCompose.unavailableMessage))
    func composeLoadsStringsKeysAndNumbersUnchanged() throws {
        let seed = PropertyTests.seed
        let strings =
            StringRoundTripTests.trickyStrings + PropertyTests.randomStrings(count: 500, seed: seed)
        var keyed = YAMLMapping()
        // `contains` compares canonically, so no two keys are equivalent once decoded in Swift.
        for (index, key) in strings.enumerated() where !keyed.keys.contains(key) {
            keyed.append(key, .integer(index))
        }
        keyed.append(String(repeating: "k", count: 1500), .integer(-1))
        let node: YAMLNode = [
            "services": ["app": ["image": "busybox", "labels": ["com.example.yes": "yes"]]],
            "x-strings": .sequence(strings.map(YAMLNode.string)),
            "x-keyed": .mapping(keyed),
            "x-integers": [0, -2, .integer(Int.max), .integer(Int.min)],
            "x-doubles": [0.5, 2.0, 1e-7, 1e16, -3.25],
            "x-flags": [true, false, .null],
        ]
        let output = try JSONDecoder().decode(
            Output.self, from: DockerCompose.configJSON(YAMLEmitter.emit(node)))

        #expect(output.strings.count == strings.count)
        for (index, (loaded, original)) in zip(output.strings, strings).enumerated() {
            #expect(
                sameScalars(loaded, original),
                "seed \(seed), string #\(index) \(original.debugDescription) loaded as \(loaded.debugDescription)"
            )
        }
        #expect(output.keyed.pairs.count == keyed.count)
        for (key, value) in output.keyed.pairs {
            let original = value >= 0 ? strings[value] : String(repeating: "k", count: 1500)
            #expect(sameScalars(key, original), "seed \(seed), key for #\(value): \(key.debugDescription)")
        }
        #expect(output.integers == [0, -2, Int.max, Int.min])
        #expect(output.doubles == [0.5, 2.0, 1e-7, 1e16, -3.25])
        #expect(output.flags == [true, false, nil])
    }
}
