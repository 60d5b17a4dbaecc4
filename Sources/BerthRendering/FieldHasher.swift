import BerthYAML

/// Computes ``ServiceHash``es, reusing its buffers from one service to the next.
///
/// Each top-level field is hashed separately, then the whole from the field hashes, so the
/// configuration hash changes exactly when a field does: a field's hash is the SHA-256 of the
/// one-entry YAML document `key: value`, the configuration hash that of the lines
/// `key=<field digest>`. The bytes are written into reused buffers: making a mapping, a `String`
/// and a 64 KiB writer buffer for every field of every service cost more than the
/// rest of rendering.
package struct FieldHasher {
    /// The field being hashed, as YAML.
    private var text: [UInt8] = []
    /// The lines `key=<hex digest>\n` the configuration hash is computed from.
    private var combined: [UInt8] = []

    package init() {}

    /// Hashes a service's fields and labels.
    /// - Parameter suffixes: Text hashed with a field though the field does not show it: the
    ///   versions of the secrets (and, on Swarm, configs) it mounts.
    package mutating func hash(
        of service: YAMLMapping,
        labels: YAMLMapping,
        suffixes: [String: String] = [:]
    ) -> ServiceHash {
        var fields: [String: String] = [:]
        fields.reserveCapacity(service.count + 1)
        combined.removeAll(keepingCapacity: true)
        for (key, value) in zip(service.keys, service.values) {
            add(key, value, to: &fields, suffix: suffixes[key] ?? "")
        }
        add("labels", .mapping(labels), to: &fields)
        return ServiceHash(configuration: Self.hex(SHA256.hash(combined)), fields: fields)
    }

    /// ``ServiceHash/fieldsLabel``, written into one reused buffer instead of a string per field
    /// joined at the end.
    package mutating func fieldsLabel(of hash: ServiceHash) -> String {
        text.removeAll(keepingCapacity: true)
        for key in hash.fields.keys.sorted() {
            if !text.isEmpty { text.append(UInt8(ascii: ",")) }
            text.append(contentsOf: key.utf8)
            text.append(UInt8(ascii: "="))
            text.append(contentsOf: hash.fields[key]!.utf8)
        }
        return String(decoding: text, as: UTF8.self)
    }

    private mutating func add(
        _ key: String,
        _ value: YAMLNode,
        to fields: inout [String: String],
        suffix: String = ""
    ) {
        text.removeAll(keepingCapacity: true)
        YAMLEmitter.emitEntry(key, value, into: &text)
        text.append(contentsOf: suffix.utf8)
        combined.append(contentsOf: key.utf8)
        combined.append(UInt8(ascii: "="))
        let start = combined.count
        Self.appendHex(SHA256.hash(text), to: &combined)
        // The short hash is the digest's first 12 hex digits.
        fields[key] = String(decoding: combined[start..<(start + 12)], as: UTF8.self)
        combined.append(UInt8(ascii: "\n"))
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func appendHex(_ digest: [UInt8], to bytes: inout [UInt8]) {
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
    }

    private static func hex(_ digest: [UInt8]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digest.count * 2)
        appendHex(digest, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
