import Testing

@testable import BerthCore

@Suite("Networks and environment keys that Compose accepts")
struct ValidationNetworkTests {
    @Test("Compose's implicit default network needs no declaration")
    func defaultNetwork() {
        let stack = Stack("s") {
            Network("backend")
            validService().networks("default", "backend")
        }
        #expect(stack.validate(for: .dev).isEmpty)
    }

    @Test(
        "keys with dots and dashes are valid; a leading digit, '=' or a space is not",
        arguments: [
            ("discovery.type", true), ("node-name", true), ("_PRIVATE", true), ("A1", true),
            ("1A", false), ("A=B", false), ("A B", false), (".hidden", false), ("-x", false),
        ])
    func environmentKeys(key: String, valid: Bool) {
        let stack = Stack("s") { validService().environment(key, "v") }
        #expect(diagnostics(of: stack, code: .invalidName).isEmpty == valid)
    }

    @Test("a port published from a service attached only to internal networks is a warning")
    func publishedOnInternalOnly() throws {
        let line = #line + 3
        let stack = Stack("s") {
            Network("backend", internal: true)
            validService().networks("backend")
                .publish(80, on: 8080)
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.severity == .warning)
        #expect(diagnostic.code == .invalidPort)
        #expect(diagnostic.message.contains("8080"))
        #expect(diagnostic.location == here(line + 1))

        let reachable = Stack("s") {
            Network("backend", internal: true)
            Network("frontend")
            validService().networks("backend", "frontend").publish(80, on: 8080)
        }
        #expect(reachable.validate(for: .dev).isEmpty)
    }
}
