import Testing

@testable import BerthCore

@Suite("MemorySize.bytes")
struct MemorySizeTests {
    @Test(arguments: [
        ("512m", 512 * 1024 * 1024),
        ("512M", 512 * 1024 * 1024),
        ("1g", 1024 * 1024 * 1024),
        ("1G", 1024 * 1024 * 1024),
        ("1.5G", 1536 * 1024 * 1024),
        ("65536k", 65536 * 1024),
        ("64K", 64 * 1024),
        ("100", 100),
        ("100b", 100),
        ("100B", 100),
        ("1t", 1024 * 1024 * 1024 * 1024),
        ("0.5k", 512),
    ])
    func valid(_ text: String, _ bytes: Int) {
        #expect(MemorySize(text).bytes == bytes)
    }

    @Test(arguments: [
        "", "512MB", "-1m", "abc", "0", "0m", "0.0g", "m", ".", "1.2.3m", "1e3", " 512m", "512 m", "+5m",
        "0.5",
        "5x",
        // Beyond Int.max: reported as invalid rather than trapping.
        "99999999999g", "99999999999999999999",
    ])
    func invalid(_ text: String) {
        #expect(MemorySize(text).bytes == nil)
    }

    @Test func helpersAndLiterals() {
        #expect(MemorySize.megabytes(256).text == "256M")
        #expect(MemorySize.megabytes(256).bytes == 256 * 1024 * 1024)
        #expect(MemorySize.gigabytes(2).text == "2G")
        #expect(MemorySize.gigabytes(2).bytes == 2 * 1024 * 1024 * 1024)
        let literal: MemorySize = "1.5g"
        #expect(literal == MemorySize("1.5g"))
        #expect(literal.description == "1.5g")
    }
}
