import Dispatch

/// Renders ``YAMLNode`` values as block-style YAML documents.
///
/// The output is written for the two loaders that matter for Berth: the Go YAML parser inside Docker
/// Compose and PyYAML (a YAML 1.1 loader). Both therefore must read every value back with the same type
/// and content, which drives the rules below:
///
/// - Strings are always double-quoted, because plain scalars such as `yes`, `0755`, `22:22` or `1e3`
///   change type between YAML 1.1 and 1.2 and between loaders. Inside the quotes, only printable
///   characters are written raw; everything else is escaped.
/// - Mapping keys are written plain only when they are unmistakably identifiers, so that keys such as
///   `com.example.label` stay readable while `on`, `N` or `8080` keep their string type.
/// - Doubles always carry a decimal point, because PyYAML reads `1e-07` as a string.
///
/// The emitter appends UTF-8 bytes to one growing buffer and copies unescaped runs of a string in bulk,
/// which keeps rendering thousands of services in the low milliseconds; a mapping with hundreds of
/// entries (the services of a big stack) is written on all cores, chunk by chunk, then joined in order.
public struct YAMLEmitter: Sendable {
    /// Renders `node` as a complete YAML document ending with a newline.
    ///
    /// The document has no `---` marker, uses two-space indentation and contains no trailing spaces.
    /// Output depends only on `node`, so equal nodes always render to identical text (which the
    /// configuration hashes rely on). Mapping keys are not checked for uniqueness here; ``YAMLMapping``
    /// callers are expected to avoid duplicates.
    public static func emit(_ node: YAMLNode) -> String {
        var writer = Writer()
        writer.bytes.reserveCapacity(1 << 16)
        writer.writeDocument(node)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Appends to `bytes` the UTF-8 text of the one-entry document `key: value`, exactly what
    /// `emit(.mapping(YAMLMapping([(key, value)])))` returns.
    ///
    /// It is for hashing many small documents: the caller reuses one buffer, and no mapping, no
    /// `String` and no fresh 64 KiB writer buffer is made per document.
    public static func emitEntry(_ key: String, _ value: YAMLNode, into bytes: inout [UInt8]) {
        var writer = Writer()
        swap(&writer.bytes, &bytes)
        writer.writeEntry(key, value, indent: 0)
        swap(&writer.bytes, &bytes)
    }
}

// MARK: - Writer

/// The mutable byte buffer and the recursive block-style layout logic behind ``YAMLEmitter``.
private struct Writer {
    /// The output so far; ``YAMLEmitter/emit(_:)`` reserves room for a typical stack up front,
    /// so it rarely reallocates, and big stacks grow it geometrically.
    var bytes: [UInt8] = []

    mutating func writeDocument(_ node: YAMLNode) {
        switch node {
        case .mapping(let mapping) where !mapping.isEmpty:
            writeMapping(mapping, indent: 0, continuesLine: true)
        case .sequence(let items) where !items.isEmpty:
            writeSequence(items, indent: 0, continuesLine: true)
        default:
            writeInline(node)
            bytes.append(ASCII.newline)
        }
    }

    /// Writes a non-empty mapping whose entries start at column `indent`.
    ///
    /// When `continuesLine` is true the first entry goes on the current line, right after a `- `
    /// indicator (or at the start of the document), which gives the compact `- key: value` form.
    mutating func writeMapping(_ mapping: YAMLMapping, indent: Int, continuesLine: Bool) {
        if mapping.count >= Writer.parallelThreshold {
            writeMappingInParallel(mapping, indent: indent, continuesLine: continuesLine)
            return
        }
        // Through buffer pointers, elements are borrowed rather than copied (retained and
        // released) one by one, which is measurable on documents of thousands of services.
        mapping.keys.withUnsafeBufferPointer { keys in
            mapping.values.withUnsafeBufferPointer { values in
                for index in keys.indices {
                    if index > 0 || !continuesLine {
                        writeIndent(indent)
                    }
                    writeEntry(keys[index], values[index], indent: indent)
                }
            }
        }
    }

    /// Mappings with at least this many entries are written by several threads.
    static let parallelThreshold = 512

    /// Writes a big mapping (the services of a large stack) on all cores. An entry's text depends
    /// only on the entry and the indentation, so chunks of entries are written into buffers of
    /// their own and appended in order: the text is the same as written in one go.
    mutating func writeMappingInParallel(_ mapping: YAMLMapping, indent: Int, continuesLine: Bool) {
        let chunkSize = 128
        let chunkCount = (mapping.count + chunkSize - 1) / chunkSize
        var chunks = [[UInt8]](repeating: [], count: chunkCount)
        chunks.withUnsafeMutableBufferPointer { buffer in
            // Each chunk writes only its own buffer, so the writes never overlap.
            nonisolated(unsafe) let chunks = buffer
            DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                var writer = Writer()
                for index in (chunk * chunkSize)..<min(mapping.count, (chunk + 1) * chunkSize) {
                    if index > 0 || !continuesLine {
                        writer.writeIndent(indent)
                    }
                    writer.writeEntry(mapping.keys[index], mapping.values[index], indent: indent)
                }
                chunks[chunk] = writer.bytes
            }
        }
        bytes.reserveCapacity(bytes.count + chunks.reduce(0) { $0 + $1.count })
        for chunk in chunks {
            bytes.append(contentsOf: chunk)
        }
    }

    /// Writes one mapping entry from its key on; the key's indentation is already written.
    mutating func writeEntry(_ key: String, _ value: YAMLNode, indent: Int) {
        if writeKey(key) {
            // Explicit `? key` form: the value indicator goes on its own line.
            bytes.append(ASCII.newline)
            writeIndent(indent)
        }
        bytes.append(ASCII.colon)
        writeValue(value, childIndent: indent + 2)
    }

    /// Writes a non-empty sequence whose `-` indicators sit at column `indent`.
    mutating func writeSequence(_ items: [YAMLNode], indent: Int, continuesLine: Bool) {
        items.withUnsafeBufferPointer { items in
            for index in items.indices {
                if index > 0 || !continuesLine {
                    writeIndent(indent)
                }
                bytes.append(ASCII.dash)
                bytes.append(ASCII.space)
                switch items[index] {
                case .mapping(let mapping) where !mapping.isEmpty:
                    writeMapping(mapping, indent: indent + 2, continuesLine: true)
                case .sequence(let inner) where !inner.isEmpty:
                    writeSequence(inner, indent: indent + 2, continuesLine: true)
                case let item:
                    writeInline(item)
                    bytes.append(ASCII.newline)
                }
            }
        }
    }

    /// Writes the value after a mapping's `:`, either on the same line or as an indented block.
    mutating func writeValue(_ value: YAMLNode, childIndent: Int) {
        switch value {
        case .mapping(let mapping) where !mapping.isEmpty:
            bytes.append(ASCII.newline)
            writeMapping(mapping, indent: childIndent, continuesLine: false)
        case .sequence(let items) where !items.isEmpty:
            // Sequences are indented under their key (Compose's customary style), not "indentless".
            bytes.append(ASCII.newline)
            writeSequence(items, indent: childIndent, continuesLine: false)
        default:
            bytes.append(ASCII.space)
            writeInline(value)
            bytes.append(ASCII.newline)
        }
    }

    /// Writes a scalar or an empty collection, which are the nodes that fit on one line.
    mutating func writeInline(_ node: YAMLNode) {
        switch node {
        case .string(let string):
            writeQuoted(string)
        case .integer(let value):
            bytes.append(contentsOf: value.description.utf8)
        case .double(let value):
            writeDouble(value)
        case .boolean(let value):
            bytes.append(contentsOf: value ? ASCII.trueWord : ASCII.falseWord)
        case .null:
            bytes.append(contentsOf: ASCII.nullWord)
        case .sequence(let items):
            precondition(items.isEmpty, "non-empty sequences are written as blocks")
            bytes.append(ASCII.leftBracket)
            bytes.append(ASCII.rightBracket)
        case .mapping(let mapping):
            precondition(mapping.isEmpty, "non-empty mappings are written as blocks")
            bytes.append(ASCII.leftBrace)
            bytes.append(ASCII.rightBrace)
        }
    }

    mutating func writeIndent(_ count: Int) {
        // Byte by byte: appending a slice of a shared array of spaces retained and released that
        // array on every line, which cost more than the few appends.
        for _ in 0..<count {
            bytes.append(ASCII.space)
        }
    }

    // MARK: Keys

    /// Writes a mapping key and returns whether it had to use the explicit `? key` form.
    ///
    /// Both the Go parser and PyYAML only recognise an implicit key if its `:` follows within 1024
    /// characters, so longer keys are written as explicit keys. Escaping at most quadruples a byte
    /// (`\x00`), so short keys are written directly and only long ones are measured first.
    mutating func writeKey(_ key: String) -> Bool {
        let maximumImplicitKeyLength = 1000
        if key.utf8.count * 4 + 2 <= maximumImplicitKeyLength {
            writeKeyText(key)
            return false
        }
        var scratch = Writer()
        scratch.bytes.reserveCapacity(key.utf8.count + 2)
        scratch.writeKeyText(key)
        let isExplicit = scratch.bytes.count > maximumImplicitKeyLength
        if isExplicit {
            bytes.append(ASCII.questionMark)
            bytes.append(ASCII.space)
        }
        bytes.append(contentsOf: scratch.bytes)
        return isExplicit
    }

    mutating func writeKeyText(_ key: String) {
        if isPlainKey(key) {
            bytes.append(contentsOf: key.utf8)
        } else {
            writeQuoted(key)
        }
    }

    /// Whether `key` can be written without quotes and still load as the same string everywhere.
    ///
    /// The accepted shape, `[A-Za-z_][A-Za-z0-9_./-]*`, cannot start a number, an anchor, a tag, a
    /// comment or an indicator, and contains no `:` or `#`. Within that shape the only words YAML 1.1
    /// resolves to something other than a string are the booleans and null in any letter case (`Y`, `no`,
    /// `On`, `NULL`, ...), so those are quoted.
    func isPlainKey(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { utf8 in
            guard let first = utf8.first else { return false }
            let firstFolded = first | 0x20
            guard
                (firstFolded >= ASCII.lowercaseA && firstFolded <= ASCII.lowercaseZ)
                    || first == ASCII.underscore
            else { return false }
            for byte in utf8.dropFirst() {
                let folded = byte | 0x20
                let isLetter = folded >= ASCII.lowercaseA && folded <= ASCII.lowercaseZ
                let isDigit = byte >= ASCII.zero && byte <= ASCII.nine
                let isPunctuation =
                    byte == ASCII.underscore || byte == ASCII.dot
                    || byte == ASCII.slash || byte == ASCII.dash
                guard isLetter || isDigit || isPunctuation else { return false }
            }
            guard utf8.count <= ASCII.longestSpecialWord else { return true }
            // Case-fold and pack the short key into an integer to compare it with the special words.
            // Folding with 0x20 never turns a digit or `_./-` into a letter, so only words can match.
            var packed: UInt64 = 0
            for byte in utf8 {
                packed = packed << 8 | UInt64(byte | 0x20)
            }
            return !ASCII.specialWords.contains(packed)
        }
    }

    // MARK: Scalars

    /// Writes `string` as a double-quoted scalar, escaping everything that is not printable.
    ///
    /// Runs of characters that need no escaping are copied in bulk straight from the string's UTF-8
    /// storage; a string with nothing to escape is therefore a single copy.
    mutating func writeQuoted(_ string: String) {
        var string = string
        bytes.append(ASCII.quote)
        string.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            let end = utf8.count
            while index < end {
                let byte = utf8[index]
                if byte < 0x80 {
                    if byte >= 0x20 && byte != 0x7F && byte != ASCII.quote && byte != ASCII.backslash {
                        index += 1
                        continue
                    }
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                    writeASCIIEscape(byte)
                    index += 1
                    runStart = index
                } else {
                    // Swift strings always hold valid UTF-8, so the lead byte gives the length.
                    let length: Int
                    var scalar: UInt32
                    if byte < 0xE0 {
                        length = 2
                        scalar = UInt32(byte & 0x1F)
                    } else if byte < 0xF0 {
                        length = 3
                        scalar = UInt32(byte & 0x0F)
                    } else {
                        length = 4
                        scalar = UInt32(byte & 0x07)
                    }
                    for offset in 1..<length {
                        scalar = scalar << 6 | UInt32(utf8[index + offset] & 0x3F)
                    }
                    if Writer.isPrintable(scalar) {
                        index += length
                        continue
                    }
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                    writeUnicodeEscape(scalar)
                    index += length
                    runStart = index
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<end]))
        }
        bytes.append(ASCII.quote)
    }

    /// Whether a non-ASCII scalar may appear raw inside a double-quoted scalar.
    ///
    /// Controls, format characters (such as a byte-order mark or zero-width joiners), private-use and
    /// unassigned code points, and the line/paragraph separators are escaped: loaders either reject
    /// them (the Go parser and PyYAML refuse C1 controls and U+FFFE/U+FFFF), treat them as line breaks
    /// (U+0085, U+2028, U+2029), or they are invisible to anyone reviewing the rendered file.
    static func isPrintable(_ value: UInt32) -> Bool {
        guard let scalar = Unicode.Scalar(value) else { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .privateUse, .unassigned, .surrogate, .lineSeparator, .paragraphSeparator:
            return false
        default:
            return true
        }
    }

    mutating func writeASCIIEscape(_ byte: UInt8) {
        bytes.append(ASCII.backslash)
        switch byte {
        case ASCII.quote, ASCII.backslash:
            bytes.append(byte)
        case ASCII.newline:
            bytes.append(ASCII.lowercaseN)
        case ASCII.tab:
            bytes.append(ASCII.lowercaseT)
        case ASCII.carriageReturn:
            bytes.append(ASCII.lowercaseR)
        default:
            bytes.append(ASCII.lowercaseX)
            writeHex(UInt32(byte), digits: 2)
        }
    }

    mutating func writeUnicodeEscape(_ scalar: UInt32) {
        bytes.append(ASCII.backslash)
        if scalar <= 0xFFFF {
            bytes.append(ASCII.lowercaseU)
            writeHex(scalar, digits: 4)
        } else {
            bytes.append(ASCII.uppercaseU)
            writeHex(scalar, digits: 8)
        }
    }

    mutating func writeHex(_ value: UInt32, digits: Int) {
        var shift = (digits - 1) * 4
        while shift >= 0 {
            bytes.append(ASCII.hexDigits[Int((value >> UInt32(shift)) & 0xF)])
            shift -= 4
        }
    }

    /// Writes a double so that both YAML 1.1 and 1.2 loaders read a float back.
    ///
    /// Swift's `description` is the shortest text that round-trips, but it omits the decimal point in
    /// exponent form (`1e-07`), which PyYAML's float pattern rejects, so `.0` is inserted there.
    mutating func writeDouble(_ value: Double) {
        if value.isNaN {
            bytes.append(contentsOf: ".nan".utf8)
            return
        }
        if value.isInfinite {
            bytes.append(contentsOf: (value < 0 ? "-.inf" : ".inf").utf8)
            return
        }
        let text = Array(value.description.utf8)
        guard let exponentIndex = text.firstIndex(where: { $0 == ASCII.lowercaseE || $0 == ASCII.uppercaseE })
        else {
            bytes.append(contentsOf: text)
            if !text.contains(ASCII.dot) {
                bytes.append(contentsOf: ".0".utf8)
            }
            return
        }
        let mantissa = text[..<exponentIndex]
        var exponent = text[(exponentIndex + 1)...]
        bytes.append(contentsOf: mantissa)
        if !mantissa.contains(ASCII.dot) {
            bytes.append(contentsOf: ".0".utf8)
        }
        bytes.append(ASCII.lowercaseE)
        if let sign = exponent.first, sign == ASCII.plus || sign == ASCII.dash {
            bytes.append(sign)
            exponent = exponent.dropFirst()
        } else {
            // PyYAML's YAML 1.1 float pattern requires an explicit exponent sign.
            bytes.append(ASCII.plus)
        }
        bytes.append(contentsOf: exponent)
    }
}

// MARK: - Byte constants

/// ASCII byte values and fixed byte strings used by the writer, named for readability.
private enum ASCII {
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let plus: UInt8 = 0x2B
    static let dash: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let colon: UInt8 = 0x3A
    static let questionMark: UInt8 = 0x3F
    static let uppercaseE: UInt8 = 0x45
    static let uppercaseU: UInt8 = 0x55
    static let leftBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let rightBracket: UInt8 = 0x5D
    static let underscore: UInt8 = 0x5F
    static let lowercaseA: UInt8 = 0x61
    static let lowercaseE: UInt8 = 0x65
    static let lowercaseN: UInt8 = 0x6E
    static let lowercaseR: UInt8 = 0x72
    static let lowercaseT: UInt8 = 0x74
    static let lowercaseU: UInt8 = 0x75
    static let lowercaseX: UInt8 = 0x78
    static let lowercaseZ: UInt8 = 0x7A
    static let leftBrace: UInt8 = 0x7B
    static let rightBrace: UInt8 = 0x7D

    static let trueWord = Array("true".utf8)
    static let falseWord = Array("false".utf8)
    static let nullWord = Array("null".utf8)
    static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Words that YAML 1.1 loaders resolve to booleans or null when unquoted, lower-cased and packed
    /// big-endian into an integer the same way ``Writer/isPlainKey(_:)`` packs a key.
    static let specialWords: [UInt64] = ["y", "n", "yes", "no", "on", "off", "true", "false", "null"].map {
        word in word.utf8.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
    static let longestSpecialWord = 5
}
