import Testing

@testable import BerthCore

@Suite("Validation: ports")
struct ValidationPortTests {
    @Test func twoServicesPublishingTheSameLoopbackPort() throws {
        let (first, firstLine) = (Service("web", image: "nginx:1.27").publish(8080), #line)
        let admin = Service("admin", image: "acme/admin:1")
        let (second, secondLine) = (admin.publish(80, on: 8080), #line)
        let stack = Stack("shop") {
            first
            second
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .portConflict)
        #expect(diagnostic.element == "service 'admin'")
        #expect(
            diagnostic.message
                == "It publishes 127.0.0.1:8080/tcp, which overlaps 127.0.0.1:8080/tcp that service 'web' already publishes (BerthCoreTests/ValidationPortTests.swift:\(firstLine)); the second container would fail to start."
        )
        #expect(diagnostic.fix == "Publish one of them on another host port.")
        #expect(diagnostic.location == here(secondLine))
    }

    @Test func wildcardAddressConflictsWithLoopback() throws {
        let (first, firstLine) = (Service("web", image: "nginx:1.27").publish(443, public: true), #line)
        let proxy = Service("proxy", image: "traefik:v3.2")
        let (second, secondLine) = (proxy.publish(443), #line)
        let stack = Stack("shop") {
            first
            second
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.code == .portConflict)
        #expect(diagnostic.element == "service 'proxy'")
        #expect(
            diagnostic.message.hasPrefix(
                "It publishes 127.0.0.1:443/tcp, which overlaps 0.0.0.0:443/tcp that service 'web' already publishes (\(here(firstLine)))"
            ))
        #expect(diagnostic.location == here(secondLine))
    }

    struct Binding: Sendable, CustomTestStringConvertible {
        var first: (hostIP: String, transport: Port.TransportProtocol)
        var second: (hostIP: String, transport: Port.TransportProtocol)
        var conflicts: Bool
        var testDescription: String {
            "\(first.hostIP)/\(first.transport) vs \(second.hostIP)/\(second.transport): \(conflicts)"
        }
    }

    @Test(arguments: [
        Binding(first: ("127.0.0.1", .tcp), second: ("127.0.0.1", .tcp), conflicts: true),
        Binding(first: ("0.0.0.0", .tcp), second: ("127.0.0.1", .tcp), conflicts: true),
        Binding(first: ("127.0.0.1", .tcp), second: ("0.0.0.0", .tcp), conflicts: true),
        Binding(first: ("0.0.0.0", .udp), second: ("0.0.0.0", .udp), conflicts: true),
        Binding(first: ("::", .tcp), second: ("10.0.0.5", .tcp), conflicts: true),
        Binding(first: ("10.0.0.5", .tcp), second: ("0.0.0.0", .tcp), conflicts: true),
        Binding(first: ("127.0.0.1", .tcp), second: ("127.0.0.1", .udp), conflicts: false),
        Binding(first: ("0.0.0.0", .tcp), second: ("0.0.0.0", .udp), conflicts: false),
        Binding(first: ("127.0.0.1", .tcp), second: ("10.0.0.5", .tcp), conflicts: false),
        Binding(first: ("127.0.0.1", .tcp), second: ("::1", .tcp), conflicts: false),
    ])
    func conflictDependsOnAddressAndProtocol(_ binding: Binding) {
        let stack = Stack("shop") {
            Service("dns", image: "coredns/coredns:1.12")
                .publish(53, hostIP: binding.first.hostIP, transport: binding.first.transport)
            Service("other", image: "acme/other:1")
                .publish(53, hostIP: binding.second.hostIP, transport: binding.second.transport)
        }
        let all = stack.validate(for: .dev)
        #expect(all.map(\.code) == (binding.conflicts ? [.portConflict] : []))
    }

    @Test func differentHostPortsOrExposedPortsDoNotConflict() {
        let stack = Stack("shop") {
            Service("blue", image: "nginx:1.27").publish(80, on: 8080).expose(9000)
            Service("green", image: "nginx:1.27").publish(80, on: 8081).expose(9000)
        }
        #expect(stack.validate(for: .prod) == [])
    }

    @Test func aThirdServiceConflictsWithEachEarlierOne() {
        let stack = Stack("shop") {
            Service("a", image: "x:1").publish(80, hostIP: "127.0.0.1")
            Service("b", image: "x:1").publish(80, hostIP: "10.0.0.1")
            Service("c", image: "x:1").publish(80, public: true)
        }
        let found = diagnostics(of: stack, code: .portConflict)
        #expect(found.map(\.element) == ["service 'c'", "service 'c'"])
        #expect(found.map { $0.message.contains("service 'a'") } == [true, false])
        #expect(found.map { $0.message.contains("service 'b'") } == [false, true])
    }

    @Test func oneServicePublishingTheSamePortTwice() throws {
        let web = Service("web", image: "nginx:1.27").publish(80)
        let (changed, line) = (web.publish(8080, on: 80), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { changed })
        #expect(diagnostic.code == .portConflict)
        #expect(diagnostic.message.contains("service 'web' already publishes"))
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [0, -1, 65536, 70000])
    func invalidContainerPort(_ port: Int) throws {
        let web = Service("web", image: "nginx:1.27")
        let (changed, line) = (web.expose(port), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { changed })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidPort)
        #expect(diagnostic.element == "service 'web'")
        #expect(diagnostic.message == "Port \(port) is not a valid port number.")
        #expect(diagnostic.fix == "Use a port between 1 and 65535.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [0, 70000])
    func invalidHostPort(_ port: Int) throws {
        let web = Service("web", image: "nginx:1.27")
        let (changed, line) = (web.publish(80, on: port), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { changed })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidPort)
        #expect(diagnostic.element == "service 'web'")
        #expect(diagnostic.message == "Host port \(port) is not a valid port number.")
        #expect(diagnostic.fix == "Publish on a host port between 1 and 65535.")
        #expect(diagnostic.location == here(line))
    }

    @Test func invalidPortPublishedOnItselfIsReportedForBothSides() {
        let (service, line) = (Service("web", image: "nginx:1.27").publish(70000), #line)
        let all = Stack("shop") { service }.validate(for: .dev)
        #expect(
            all.map(\.message) == [
                "Port 70000 is not a valid port number.", "Host port 70000 is not a valid port number.",
            ])
        #expect(all.map(\.location) == [here(line), here(line)])
    }

    @Test(arguments: ["localhost", "999.0.0.1", "1.2.3", "1.2.3.4.5", "", "example.com", "127.0.0.01a"])
    func invalidHostAddress(_ hostIP: String) throws {
        let web = Service("web", image: "nginx:1.27")
        let (changed, line) = (web.publish(80, hostIP: hostIP), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { changed })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidPort)
        #expect(diagnostic.element == "service 'web'")
        #expect(diagnostic.message == "Host address '\(hostIP)' is not an IP address.")
        #expect(diagnostic.fix == "Bind to an address such as 127.0.0.1, or leave it out.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [1, 65535])
    func boundaryPortsAreValid(_ port: Int) {
        #expect(
            Stack("shop") { Service("web", image: "nginx:1.27").publish(port).expose(port) }.validate(
                for: .prod) == [])
    }

    @Test(arguments: [
        "127.0.0.1", "0.0.0.0", "10.1.2.3", "255.255.255.255", "::", "::1", "fe80::1",
        "2001:db8::8a2e:370:7334",
    ])
    func validHostAddresses(_ hostIP: String) {
        #expect(
            Stack("shop") { Service("web", image: "nginx:1.27").publish(80, hostIP: hostIP) }.validate(
                for: .prod) == [])
    }
}
