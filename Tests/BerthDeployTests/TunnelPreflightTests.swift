import BerthCloudflare
import BerthCore
import BerthTesting
import Foundation
import Testing

@testable import BerthDeploy

@Suite("the tunnel's ingress rules are part of the checks validate, plan and up run")
struct TunnelPreflightTests {
    static let ruleLine = #line + 4
    static let tunnel = Tunnel(
        id: "6ff42ae2-765d-4adf-8112-31c55c1551ef", token: "tunnel_token", network: "edge"
    ) {
        IngressRule.route("*.*.example.com", to: "gateway", port: 80)
    }

    static func stack() -> Stack {
        Stack("edge") {
            Network("edge")
            Secret("tunnel_token", .environment("TUNNEL_TOKEN"))
            Service("gateway", image: "nginx:1.27").networks("edge").expose(80)
            tunnel.stackPart(image: "cloudflare/cloudflared:2025.4.0")
        }
    }

    @Test("a rule cloudflared refuses is one error, at the line of the rule, in the preflight")
    func preflightReportsTheRuleOnce() throws {
        let diagnostics = Preflight.modelDiagnostics(of: Self.stack(), for: .dev)
        #expect(diagnostics.errors.map(\.code) == [.tunnelInvalidWildcard])
        let error = try #require(diagnostics.errors.first)
        #expect(error.location == BerthCore.SourceLocation(fileID: #fileID, line: Self.ruleLine))
        #expect(Topology(Self.stack(), environment: .dev).diagnostics.errors.map(\.code) == [.tunnelInvalidWildcard])
    }

    @Test(
        "the same stack with a valid rule passes, and the attachment changes no container: only the file's x-berth-tunnel says it"
    )
    func validRulePasses() {
        let tunnel = Tunnel(id: "6ff42ae2-765d-4adf-8112-31c55c1551ef", token: "tunnel_token", network: "edge") {
            IngressRule.route("*.example.com", to: "gateway", port: 80)
        }
        let stack = Stack("edge") {
            Network("edge")
            Secret("tunnel_token", .environment("TUNNEL_TOKEN"))
            Service("gateway", image: "nginx:1.27").networks("edge").expose(80)
            tunnel.stackPart(image: "cloudflare/cloudflared:2025.4.0")
        }
        #expect(Preflight.modelDiagnostics(of: stack, for: .dev).errors == [])
        var bare = stack
        for index in bare.services.indices { bare.services[index].attachments = nil }
        let attached = Topology(stack, environment: .dev).renderedCompose.split(separator: "\n")
        let without = Topology(bare, environment: .dev).renderedCompose.split(separator: "\n")
        // The same containers and configuration hash; the tunnel is written beside them.
        #expect(attached.filter { !$0.contains("x-berth-tunnel:") } == without)
        #expect(attached.count == without.count + 1)
    }

    @Test("validate exits 1; plan and up stop at the preflight, before any engine, on Compose and Swarm")
    func commandsRefuse() async throws {
        for environment in [Environment.dev, Environment("prod", isProduction: true, orchestrator: .swarm)] {
            let deployment = Deployment(environments: [environment]) { _ in Self.stack() }
            let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("berth-tunnel-\(UUID())")
            defer { try? FileManager.default.removeItem(at: tmp) }
            #expect(try await deployment.run(arguments: ["validate", "--directory", tmp.path]) == 1)
        }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("berth-tunnel-\(UUID())")
        defer { try? FileManager.default.removeItem(at: tmp) }
        // An engine that does not exist: the preflight must refuse before it is asked anything.
        let engine = DockerEngine(target: Target(host: "unix:///nonexistent/berth-tunnel-preflight.sock"))
        let failure = #expect(throws: ValidationFailure.self) {
            try ComposeDeployer(engine: engine, workspace: Workspace(root: tmp)).prepare(Self.stack(), for: .dev)
        }
        #expect(failure?.diagnostics.errors.map(\.code) == [.tunnelInvalidWildcard])
    }
}
