import BerthCloudflare
import BerthCore
import BerthTesting
import Foundation
import Testing

@testable import BerthDeploy

@Suite("a stack behind a tunnel publishes no host port unless allowed")
struct TunnelPortTests {
    static let tunnel = Tunnel(
        id: "6ff42ae2-765d-4adf-8112-31c55c1551ef", token: "tunnel_token", network: "edge"
    ) {
        IngressRule.route("shop.example.com", to: "gateway", port: 80)
    }

    static func stack(publish: Bool, allow: Bool = false, line: Int = #line) -> Stack {
        Stack("edge") {
            Network("edge")
            Secret("tunnel_token", .environment("TUNNEL_TOKEN"))
            if publish {
                Service("gateway", image: "nginx:1.27").networks("edge").expose(80)
                    .publish(80, on: 8080, fileID: #fileID, line: line)
                    .label(Tunnel.allowPublishedLabel, allow ? "8080" : "")
            } else {
                Service("gateway", image: "nginx:1.27").networks("edge").expose(80)
            }
            tunnel.stackPart(image: "cloudflare/cloudflared:2025.4.0")
        }
    }

    @Test func publishedPortIsAnErrorWithLocationAndFix() throws {
        let line = #line
        let diagnostics = Tunnel.openPortDiagnostics(in: Self.stack(publish: true, line: line))
        let only = try #require(diagnostics.only)
        #expect(only.severity == .error)
        #expect(only.code == .tunnelPublishedPort)
        #expect(only.element == "service 'gateway'")
        #expect(only.message.contains("8080"))
        #expect(only.fix.contains(Tunnel.allowPublishedLabel))
        #expect(only.location == BerthCore.SourceLocation(fileID: #fileID, line: line))
    }

    @Test func allowedOrUnpublishedPortsPass() {
        #expect(Tunnel.openPortDiagnostics(in: Self.stack(publish: true, allow: true)).isEmpty)
        #expect(Tunnel.openPortDiagnostics(in: Self.stack(publish: false)).isEmpty)
        let plain = Stack("plain") { Service("web", image: "nginx:1.27").publish(80, on: 8080) }
        #expect(Tunnel.openPortDiagnostics(in: plain).isEmpty)
    }

    @Test("validate and Topology apply the rule, for Compose and Swarm environments")
    func commandsApplyIt() async throws {
        for environment in [Environment.dev, Environment("prod", isProduction: true, orchestrator: .swarm)] {
            let stack = Self.stack(publish: true)
            #expect(Topology(stack, environment: environment).diagnostics.errors.map(\.code) == [.tunnelPublishedPort])
            let deployment = Deployment(environments: [environment]) { _ in Self.stack(publish: true) }
            let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("berth-tunnel-\(UUID())")
            defer { try? FileManager.default.removeItem(at: tmp) }
            #expect(try await deployment.run(arguments: ["validate", "--directory", tmp.path]) == 1)
            #expect(throws: ValidationFailure.self) {
                try ComposeDeployer(engine: DockerEngine(), workspace: Workspace(root: tmp)).prepare(stack, for: .dev)
            }
        }
    }
}

extension Array {
    fileprivate var only: Element? { count == 1 ? first : nil }
}
