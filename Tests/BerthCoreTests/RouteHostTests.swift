import Testing

@testable import BerthCore

@Suite("Route hosts: wildcards and IPv6 literals")
struct RouteHostTests {
    private func route(_ host: String) -> Route {
        Route(host: host, port: 80, location: SourceLocation(fileID: "App/Stack.swift", line: 1))
    }

    @Test("a wildcard covers exactly one label in place of its '*'")
    func wildcardCoversOneLabel() {
        let wildcard = route("*.example.com")
        #expect(wildcard.wildcardDomain == "example.com")
        #expect(wildcard.wildcardCovers("shop.example.com"))
        #expect(wildcard.wildcardCovers("Shop.Example.com"))
        #expect(!wildcard.wildcardCovers("example.com"))
        #expect(!wildcard.wildcardCovers("a.shop.example.com"))
        #expect(!wildcard.wildcardCovers("shopexample.com"))
        #expect(!wildcard.wildcardCovers("*.example.com"))
        #expect(!route("shop.example.com").wildcardCovers("shop.example.com"))
        #expect(route("shop.example.com").wildcardDomain == nil)
    }

    @Test("an IPv6 literal's address is the text inside its brackets")
    func ipv6Address() {
        #expect(route("[::1]").ipv6Address == "::1")
        #expect(route("shop.example.com").ipv6Address == nil)
        #expect(route("[]").ipv6Address == nil)
    }

    @Test(arguments: [
        "::", "::1", "1::", "2001:db8::10", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
        "::ffff:192.0.2.1", "1:2:3:4:5:6:192.0.2.1", "fe80::abcd:ef01",
    ])
    func validIPv6(_ text: String) {
        #expect(IPv6Address.isValid(text))
    }

    @Test(arguments: [
        "", ":", ":::", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "12345::",
        "g::1", "::1%eth0", "::256.0.0.1", "::1.2.3", "1.2.3.4", "::01.2.3.4", "1:2:3:4:5:6:7:1.2.3.4",
        "::１", ":1::", "1::2:",
    ])
    func invalidIPv6(_ text: String) {
        #expect(!IPv6Address.isValid(text))
    }
}
