import Testing

@testable import BerthCore

@Suite("Capabilities: none by default, an image's known needs, what a service asks for")
struct CapabilityTests {
    @Test("known images get their needs, by repository, whatever the registry, tag or digest")
    func presets() {
        #expect(CapabilitySet.forImage("postgres:16") == .postgres)
        #expect(CapabilitySet.forImage("pgvector/pgvector:pg16") == .postgres)
        #expect(CapabilitySet.forImage("registry.example.com:5000/library/nginx:1.27@sha256:abc") == .nginx)
        #expect(CapabilitySet.forImage("redis:7.4-alpine") == .redis)
        #expect(CapabilitySet.forImage("ghcr.io/acme/api:1.4") == [])
    }

    @Test("a service runs with its image's needs and what it added, sorted; engine defaults on request")
    func effective() {
        let db = Service("db", image: "postgres:16").capabilities(["NET_ADMIN", "CHOWN"])
        #expect(db.effectiveCapabilities == ["CHOWN", "DAC_OVERRIDE", "FOWNER", "NET_ADMIN", "SETGID", "SETUID"])
        #expect(Service("api", image: "acme/api:1").effectiveCapabilities == [])
        #expect(Service("vpn", image: "acme/vpn:1").engineDefaultPrivileges().effectiveCapabilities == nil)
    }

    @Test("a capability Linux does not have is an error at the service")
    func unknown() throws {
        let line = #line + 1
        let stack = Stack("shop") { Service("vpn", image: "acme/vpn:1").capabilities(["NET_ADMIN", "NET_WIZARD"]) }
        let found = stack.validate(for: .dev)
        #expect(found.map(\.code) == [.invalidCapability])
        #expect(found.first?.message.contains("'NET_WIZARD'") == true && found.first?.location?.line == line)
        #expect(
            Stack("shop") { Service("vpn", image: "acme/vpn:1").capabilities(["CAP_NET_ADMIN"]) }.validate(for: .dev)
                .isEmpty)
    }
}
