import Testing

@testable import BerthCore

@Suite("Several servers: addresses across stacks, order, and what each server exposes")
struct DeploymentTopologyTests {
    static let core = Server("core", engine: "ssh://deploy@core.example", address: "10.0.0.2")
    static let edge = Server("edge", engine: "ssh://deploy@edge.example", address: "10.0.0.3")

    /// The core stack, its app published as `publish` says.
    static func coreStack(_ app: Service) -> Stack {
        Stack("shop-core", on: core) {
            app
            Service("db", image: "postgres:16").expose(5432)
        }
    }

    static func edgeStack(using address: ServiceAddress, line: Int = #line) -> Stack {
        Stack("shop-edge", on: edge) {
            Service("gateway", image: "nginx:1.27").environment("UPSTREAM", address, line: line)
        }
    }

    @Test("a published address resolves to the server's address and port, and orders core before edge")
    func resolvesAndOrders() throws {
        let core = Self.coreStack(validService("app").publish(8000, on: 18000, hostIP: "10.0.0.2"))
        let edge = Self.edgeStack(using: core.address(of: "app", port: 8000).url(path: "/api"))
        #expect(DeploymentTopology.diagnostics(of: [edge, core]).isEmpty)
        #expect(edge.services[0].environment.first?.value == .literal("http://10.0.0.2:18000/api"))
        #expect(DeploymentTopology.ordered([edge, core]).map(\.name) == ["shop-core", "shop-edge"])
        #expect(DeploymentTopology.ordered([core, edge]).map(\.name) == ["shop-core", "shop-edge"])
        // A port published on every address resolves through the server's own address.
        let open = Self.coreStack(validService("app").publish(8000, public: true))
        let value = Self.edgeStack(using: open.address(of: "app", port: 8000)).services[0].environment[0].value
        #expect(value == .literal("10.0.0.2:8000"))
    }

    @Test("an address of a port the service does not publish is an error at the line that uses it")
    func unpublishedPort() throws {
        let core = Self.coreStack(validService("app").expose(8000))
        let line = #line + 1
        let edge = Self.edgeStack(using: core.address(of: "app", port: 8000), line: line)
        let diagnostics = DeploymentTopology.diagnostics(of: [core, edge])
        let only = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(only.code == .addressUnpublishedPort)
        #expect(only.location == here(line))
        #expect(only.message.contains("does not publish port 8000"))
        #expect(only.fix.contains("hostIP: \"10.0.0.2\""))
        #expect(String(describing: only).contains("DeploymentTopologyTests.swift:\(line)"))
    }

    @Test("an address published on loopback only is internal to its server: an error from another server")
    func loopbackOnly() throws {
        let core = Self.coreStack(validService("app").publish(8000))
        let line = #line + 1
        let edge = Self.edgeStack(using: core.address(of: "app", port: 8000), line: line)
        let diagnostics = DeploymentTopology.diagnostics(of: [core, edge])
        #expect(diagnostics.map(\.code) == [.addressInternalOnly])
        #expect(diagnostics.first?.location == here(line))
        #expect(diagnostics.first?.message.contains("on another host") == true)
    }

    @Test("an address of a service or stack the deployment does not have")
    func unknownTargets() throws {
        let core = Self.coreStack(validService("app").publish(8000, public: true))
        let missingService = Self.edgeStack(using: core.address(of: "api", port: 8000))
        #expect(DeploymentTopology.diagnostics(of: [core, missingService]).map(\.code) == [.addressUnknownService])
        let missingStack = Self.edgeStack(using: core.address(of: "app", port: 8000))
        #expect(DeploymentTopology.diagnostics(of: [missingStack]).map(\.code) == [.addressUnknownService])
    }

    @Test("a server without an address cannot be reached through a port published on every address")
    func serverWithoutAddress() throws {
        let bare = Server("core", engine: "ssh://deploy@core.example")
        let core = Stack("shop-core", on: bare) { validService("app").publish(8000, public: true) }
        let edge = Self.edgeStack(using: core.address(of: "app", port: 8000))
        let diagnostics = DeploymentTopology.diagnostics(of: [core, edge])
        #expect(diagnostics.map(\.code) == [.hostWithoutAddress])
        #expect(diagnostics.first?.location == bare.location)
    }

    @Test("stacks that use each other's addresses in a circle, duplicate stacks, conflicting servers")
    func cyclesAndDuplicates() throws {
        let a = Stack("a", on: Self.core) { validService("one").publish(80, public: true) }
        let b = Stack("b", on: Self.edge) {
            validService("two").publish(80, public: true).environment("A", a.address(of: "one", port: 80))
        }
        var circular = a
        circular.services[0] = circular.services[0].environment("B", b.address(of: "two", port: 80))
        let codes = DeploymentTopology.diagnostics(of: [circular, b]).map(\.code)
        #expect(codes.filter { $0 == .stackCycle }.count == 2)

        let twin = Stack("a", on: Self.edge) { validService() }
        #expect(DeploymentTopology.diagnostics(of: [a, twin]).map(\.code) == [.duplicateStack])

        let otherCore = Server("core", engine: "ssh://deploy@elsewhere")
        let c = Stack("c", on: otherCore) { validService() }
        #expect(DeploymentTopology.diagnostics(of: [a, c]).map(\.code) == [.conflictingHost])
        #expect(DeploymentTopology.diagnostics(of: []).count == 1)
    }

    @Test("only the gateway is public, per server: another stack on the gateway's server may not publish publicly")
    func gatewayPerServer() throws {
        let network = SharedNetwork("edge", engineName: "shop_edge", owner: "shop-gateway")
        let gateway = Gateway.nginx(service: "nginx", network: network)
        let gatewayStack = Stack("shop-gateway", on: Self.edge) {
            gateway
            Service("nginx", image: "nginx:1.27").publish(443, public: true).networks("edge")
        }
        let line = #line + 2
        let beside = Stack("metrics", on: Self.edge) {
            validService("exporter").publish(9100, public: true)
        }
        let onCore = Stack("metrics-core", on: Self.core) { validService("exporter").publish(9100, public: true) }
        let local = Stack("metrics-local", on: Self.edge) { validService("exporter").publish(9100) }
        let diagnostics = DeploymentTopology.diagnostics(of: [gatewayStack, beside, onCore, local])
        #expect(diagnostics.map(\.code) == [.publicPortBesideGateway])
        #expect(diagnostics.first?.location == here(line))
    }
}
