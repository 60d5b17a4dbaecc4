import Testing

@testable import BerthYAML

@Suite("SHA256")
struct SHA256Tests {
    @Test func standardVectors() {
        #expect(
            SHA256.hexDigest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        )
        #expect(
            SHA256.hexDigest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
        #expect(
            SHA256.hexDigest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        )
        #expect(
            SHA256.hexDigest(
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
                    + "lmnopqrsmnopqrstnopqrstu"
            ) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        )
        #expect(
            SHA256.hexDigest("한국어 🚢") == "a1d38de400e3c4d287a0ec4be2f8d7aacb87fb98f1b038deea307bc74c8b0397"
        )
    }

    @Test func oneMillionAs() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(SHA256.hexDigest(String(repeating: "a", count: 1_000_000)) == expected)
        #expect(hex(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000))) == expected)
    }

    /// Lengths around the padding boundaries (55/56 bytes and whole blocks), from Python's hashlib.
    @Test(arguments: [
        (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
        (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        (65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
        (119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"),
        (120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"),
        (128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        #expect(SHA256.hexDigest(String(repeating: "a", count: length)) == expected)
        // The same bytes through the non-contiguous path.
        #expect(hex(SHA256.hash(repeatElement(UInt8(0x61), count: length))) == expected)
    }

    @Test func incrementalUpdatesMatchOneShot() {
        let bytes = (0..<3).flatMap { _ in (0...255).map(UInt8.init) }
        let expected = "f3a25aa93aa2fbba28d79260535bbd6a5eb0fc1c24a8b0f04e12b484c1dfe363"
        #expect(hex(SHA256.hash(bytes)) == expected)
        for chunkSize in [1, 3, 63, 64, 65, 200] {
            var hasher = SHA256()
            var start = 0
            while start < bytes.count {
                let end = min(start + chunkSize, bytes.count)
                if chunkSize == 3 {
                    hasher.update(bytes[start..<end].lazy.map { $0 })  // non-contiguous pieces
                } else {
                    hasher.update(bytes[start..<end])
                }
                start = end
            }
            #expect(hex(hasher.finalize()) == expected, "chunk size \(chunkSize)")
            // Finalizing does not consume the hasher.
            #expect(hex(hasher.finalize()) == expected)
        }
    }

    private func hex(_ digest: [UInt8]) -> String {
        digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 0x10 ? "0" + text : text
        }.joined()
    }
}
