/// A small, dependency-free implementation of SHA-256 (FIPS 180-4).
///
/// Berth hashes rendered configuration to detect changes. Foundation on Linux has no CryptoKit, and
/// swift-crypto adds about a minute of build time for what is a few dozen lines of well-specified
/// arithmetic, so the digest is implemented here. It is not constant-time and must not be used to
/// compare secrets.
///
/// Use the static ``hash(_:)`` and ``hexDigest(_:)`` for one-shot hashing, or ``init()``,
/// ``update(_:)`` and ``finalize()`` to hash data that arrives in pieces.
public struct SHA256: Sendable {
    // Everything lives inline (SIMD storage rather than arrays), so hashing never allocates
    // except for the returned digest: Berth hashes about ten small documents per service, and
    // per-hash allocations used to cost more than the compression itself.

    /// The working hash value H0...H7.
    private var state: SIMD8<UInt32> = SHA256.initialState
    /// Bytes waiting for a full 64-byte block: the first `pendingCount` bytes of `pending`.
    private var pending = SIMD64<UInt8>()
    private var pendingCount = 0
    /// Total number of bytes hashed so far, needed for the final length padding.
    private var byteCount: UInt64 = 0

    /// Creates a hasher with no data hashed yet.
    public init() {}

    /// Returns the 32-byte SHA-256 digest of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Returns the SHA-256 digest of the UTF-8 encoding of `string`, as 64 lowercase hex digits.
    public static func hexDigest(_ string: String) -> String {
        hex(hash(string.utf8))
    }

    /// Bytes as lowercase hex digits, two per byte: how digests (or their first bytes) are
    /// written into labels and object names.
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { text in
            for (index, byte) in bytes.enumerated() {
                text[2 * index] = hexDigits[Int(byte >> 4)]
                text[2 * index + 1] = hexDigits[Int(byte & 0x0F)]
            }
            return bytes.count * 2
        }
    }

    /// Adds `bytes` to the data being hashed.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let handledContiguously: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            absorb(UnsafeRawBufferPointer(buffer))
        }
        if handledContiguously != nil {
            return
        }
        // Sequences without contiguous storage (lazy views, `repeatElement`) are buffered byte by byte.
        for byte in bytes {
            pending[pendingCount] = byte
            pendingCount += 1
            byteCount &+= 1
            if pendingCount == SHA256.blockSize {
                compressPending()
            }
        }
    }

    /// Returns the 32-byte digest of everything passed to ``update(_:)``, leaving the hasher unchanged.
    public func finalize() -> [UInt8] {
        var state = self.state
        // Padding: a single 1 bit, zeros up to 56 mod 64 bytes, then the message length in bits.
        var block = pending
        for index in pendingCount..<SHA256.blockSize {
            block[index] = 0
        }
        block[pendingCount] = 0x80
        if pendingCount >= SHA256.blockSize - 8 {
            // No room for the length: it goes into one more block of zeros.
            withUnsafeBytes(of: block) { SHA256.compress($0, state: &state) }
            block = SIMD64()
        }
        let bitCount = byteCount &* 8
        for index in 0..<8 {
            let shift = UInt64(56 - 8 * index)
            block[SHA256.blockSize - 8 + index] = UInt8(truncatingIfNeeded: bitCount >> shift)
        }
        withUnsafeBytes(of: block) { SHA256.compress($0, state: &state) }
        return [UInt8](unsafeUninitializedCapacity: 32) { digest, count in
            for index in 0..<8 {
                let word = state[index]
                digest[4 * index] = UInt8(truncatingIfNeeded: word >> 24)
                digest[4 * index + 1] = UInt8(truncatingIfNeeded: word >> 16)
                digest[4 * index + 2] = UInt8(truncatingIfNeeded: word >> 8)
                digest[4 * index + 3] = UInt8(truncatingIfNeeded: word)
            }
            count = 32
        }
    }

    // MARK: - Internals

    private static let blockSize = 64

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static let initialState = SIMD8<UInt32>(
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c,
        0x1f83_d9ab, 0x5be0_cd19
    )

    /// The first 32 bits of the fractional parts of the cube roots of the first 64 primes.
    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1,
        0x923f_82a4, 0xab1c_5ed5, 0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3,
        0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174, 0xe49b_69c1, 0xefbe_4786,
        0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147,
        0x06ca_6351, 0x1429_2967, 0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13,
        0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85, 0xa2bf_e8a1, 0xa81a_664b,
        0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a,
        0x5b9c_ca4f, 0x682e_6ff3, 0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208,
        0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// Hashes contiguous bytes, compressing whole blocks straight from `buffer` without copying them.
    private mutating func absorb(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        byteCount &+= UInt64(buffer.count)
        var offset = 0
        if pendingCount > 0 {
            let taken = min(SHA256.blockSize - pendingCount, buffer.count)
            appendPending(UnsafeRawBufferPointer(start: base, count: taken))
            offset = taken
            if pendingCount == SHA256.blockSize {
                compressPending()
            }
        }
        while buffer.count - offset >= SHA256.blockSize {
            let block = UnsafeRawBufferPointer(start: base + offset, count: SHA256.blockSize)
            SHA256.compress(block, state: &state)
            offset += SHA256.blockSize
        }
        if offset < buffer.count {
            appendPending(UnsafeRawBufferPointer(start: base + offset, count: buffer.count - offset))
        }
    }

    /// Copies bytes after the pending ones; the caller guarantees they fit in the block.
    private mutating func appendPending(_ bytes: UnsafeRawBufferPointer) {
        let start = pendingCount
        withUnsafeMutableBytes(of: &pending) { block in
            let destination = UnsafeMutableRawBufferPointer(rebasing: block[start..<(start + bytes.count)])
            destination.copyMemory(from: bytes)
        }
        pendingCount += bytes.count
    }

    private mutating func compressPending() {
        withUnsafeBytes(of: pending) { SHA256.compress($0, state: &state) }
        pendingCount = 0
    }

    /// Applies the SHA-256 compression function to one 64-byte block.
    ///
    /// Eight rounds per iteration with the roles of `a`...`h` rotated in the arguments, instead of
    /// shifting eight variables every round, and the simplified forms of `Ch` and `Maj`: together
    /// nearly twice as fast as the textbook loop, and hashing is most of rendering's time.
    private static func compress(_ block: UnsafeRawBufferPointer, state: inout SIMD8<UInt32>) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
            for t in 0..<16 {
                schedule[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self))
            }
            for t in 16..<64 {
                let w15 = schedule[t - 15]
                let w2 = schedule[t - 2]
                let sigma0 = rotateRight(w15, 7) ^ rotateRight(w15, 18) ^ (w15 >> 3)
                let sigma1 = rotateRight(w2, 17) ^ rotateRight(w2, 19) ^ (w2 >> 10)
                schedule[t] = schedule[t - 16] &+ sigma0 &+ schedule[t - 7] &+ sigma1
            }
            var a = state[0]
            var b = state[1]
            var c = state[2]
            var d = state[3]
            var e = state[4]
            var f = state[5]
            var g = state[6]
            var h = state[7]
            roundConstants.withUnsafeBufferPointer { constants in
                /// One round: `d` and `h` receive the new `e` and `a`; the caller renames the rest.
                @inline(__always)
                func round(
                    _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
                    _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ t: Int
                ) {
                    let bigSigma1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25)
                    let choice = g ^ (e & (f ^ g))
                    let temp1 = h &+ bigSigma1 &+ choice &+ constants[t] &+ schedule[t]
                    let bigSigma0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22)
                    let majority = (a & b) | (c & (a | b))
                    d &+= temp1
                    h = temp1 &+ bigSigma0 &+ majority
                }
                for t in stride(from: 0, to: 64, by: 8) {
                    round(a, b, c, &d, e, f, g, &h, t)
                    round(h, a, b, &c, d, e, f, &g, t + 1)
                    round(g, h, a, &b, c, d, e, &f, t + 2)
                    round(f, g, h, &a, b, c, d, &e, t + 3)
                    round(e, f, g, &h, a, b, c, &d, t + 4)
                    round(d, e, f, &g, h, a, b, &c, t + 5)
                    round(c, d, e, &f, g, h, a, &b, t + 6)
                    round(b, c, d, &e, f, g, h, &a, t + 7)
                }
            }
            state &+= SIMD8(a, b, c, d, e, f, g, h)
        }
    }

    @inline(__always)
    private static func rotateRight(_ value: UInt32, _ count: UInt32) -> UInt32 {
        (value >> count) | (value << (32 - count))
    }
}
