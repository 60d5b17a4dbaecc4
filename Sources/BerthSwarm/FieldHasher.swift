import BerthCompose
import BerthYAML

/// Computes ``ServiceHash``es the way the Compose renderer does, so plans read Swarm services'
/// labels the same way.
///
/// A field's hash is the SHA-256 of the one-entry YAML document `key: value` (plus, for
/// `secrets` and `configs`, the versions of what they mount, which the field itself does not
/// show); the configuration hash is that of the lines `key=<field digest>`; the short field
/// hash in labels is the digest's first 12 hex digits.
struct FieldHasher {
    /// The field being hashed, as YAML.
    private var text: [UInt8] = []

    mutating func hash(of service: YAMLMapping, labels: YAMLMapping, suffixes: [String: String]) -> ServiceHash {
        var fields: [String: String] = [:]
        var combined = ""
        for (key, value) in Array(zip(service.keys, service.values)) + [("labels", YAMLNode.mapping(labels))] {
            text.removeAll(keepingCapacity: true)
            YAMLEmitter.emitEntry(key, value, into: &text)
            text.append(contentsOf: (suffixes[key] ?? "").utf8)
            let digest = Self.hex(SHA256.hash(text))
            fields[key] = String(digest.prefix(12))
            combined += "\(key)=\(digest)\n"
        }
        return ServiceHash(configuration: Self.hex(SHA256.hash(combined.utf8)), fields: fields)
    }

    private static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digest.count * 2)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
