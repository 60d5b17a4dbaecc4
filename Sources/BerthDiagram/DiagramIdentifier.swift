/// Identifiers every diagram format accepts unquoted: ASCII letters, digits and `_`.
///
/// Names in a description may hold `-`, `.` and, before validation, anything at all. Each
/// character other than a letter or a digit becomes `_` and its UTF-8 bytes in hexadecimal
/// (`shop-core` → `shop_2dcore`), so two different names never meet on one identifier, and parts
/// are joined with `__`, which an encoded part never contains. Every identifier starts with a
/// prefix naming its kind: it never begins with a digit (DOT), and never is a Mermaid keyword
/// such as `end` nor starts with the `o` or `x` Mermaid reads as an arrow head.
enum DiagramIdentifier {
    static func make(_ prefix: String, _ parts: String...) -> String {
        ([prefix] + parts.map(encode)).joined(separator: "__")
    }

    static func encode(_ part: String) -> String {
        var encoded = ""
        for byte in part.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "_" + hex(byte)
            }
        }
        return encoded
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
    }
}
