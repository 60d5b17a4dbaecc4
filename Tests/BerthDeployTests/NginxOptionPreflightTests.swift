import BerthCore
import BerthGateway
import Testing

@testable import BerthDeploy

@Suite("the nginx gateway's own options are checked with the stack")
struct NginxOptionPreflightTests {
    static let edge = SharedNetwork("edge", engineName: "acme_edge", owner: "acme-infra")

    static func infra(_ nginx: NginxGateway, line: Int = #line) -> Stack {
        Stack("acme-infra") {
            nginx.gateway
            nginx.stackPart(image: "nginx:1.27.3-alpine", fileID: #fileID, line: line)
        }
    }

    @Test(
        "an unknown-host status nginx would send as is is an error at the gateway's line",
        arguments: [99, 0, 200, 301, 700, 999])
    func invalidUnknownHostStatus(_ status: Int) throws {
        let line = #line + 1
        let stack = Self.infra(NginxGateway(Gateway.nginx(network: Self.edge), unknownHostStatus: status), line: line)
        let errors = Preflight.modelDiagnostics(of: stack, for: .dev).errors
        #expect(errors.map(\.code) == [.nginxInvalidOption])
        let error = try #require(errors.first)
        #expect(error.element == "nginx gateway 'nginx'")
        #expect(error.message.contains("unknownHostStatus \(status)"))
        #expect(error.location == SourceLocation(fileID: #fileID, line: line))
    }

    @Test(arguments: [404, 421, 444, 503])
    func validUnknownHostStatus(_ status: Int) {
        let stack = Self.infra(NginxGateway(Gateway.nginx(network: Self.edge), unknownHostStatus: status))
        #expect(Preflight.modelDiagnostics(of: stack, for: .dev).errors == [])
        #expect(stack.services.allSatisfy { $0.attachments == nil })
    }

    @Test("a health path that is not an absolute path is refused")
    func invalidHealthPath() {
        let nginx = NginxGateway(Gateway.nginx(network: Self.edge), healthPath: "healthz")
        #expect(
            nginx.optionDiagnostics(at: SourceLocation(fileID: "A/B.swift", line: 1)).map(\.code) == [
                .nginxInvalidOption
            ])
    }
}
