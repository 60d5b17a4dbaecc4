import BerthCompose
import BerthCore
import BerthTesting
import Foundation
import Testing

@Suite("Environment groups rendered, and the environment example")
struct EnvironmentGroupRenderingTests {
    static let common = EnvironmentGroup("app-common", ["LOG_LEVEL": "info", "TZ": "UTC"])
        .environment("IMAGE_TAG", .interpolated("${IMAGE_TAG:-latest}"))
        .environment("SENTRY_ENVIRONMENT", .interpolated("${DEPLOY_ENV:?set DEPLOY_ENV}"))
        .secret("db_password", pathVariable: "DATABASE_PASSWORD_FILE")

    static let stack = Stack("shop") {
        Secret("db_password", .environment("SHOP_DB_PASSWORD"))
        Secret.generated("session_key")
        Service("api", image: "ghcr.io/acme/api:1.4")
            .environment(common)
            .environment("PORT", "8000")
        Service("worker", image: "ghcr.io/acme/api:1.4")
            .environment(common)
            .environment("LOG_LEVEL", "debug")
            .environment("QUEUE", .interpolated("${QUEUE_URL}"))
            .secret("session_key")
        Service("cache", image: "redis:7.4")
    }

    @Test("every service gets the group as its own environment, the service's value winning")
    func rendered() throws {
        let yaml = ComposeRenderer().render(Self.stack, for: .dev).yaml
        #expect(!yaml.contains("env_file"))
        switch try GoldenTests.golden.check(yaml, named: "environment-group.yaml") {
        case .matches: break
        case .recorded(let note): print(note)
        case .mismatch(let message): Issue.record(Comment(rawValue: message))
        }
        #expect(
            Self.stack.validate(for: .dev).map(\.code) == [.overriddenGroupVariable])
    }

    @Test("a service without a group renders exactly as before")
    func unchangedWithoutGroup() {
        let plain = Service("api", image: "acme/api:1").environment("A", "1").environment("B", "2")
        let stack = Stack("shop") { plain }
        let yaml = ComposeRenderer().render(stack, for: .dev).yaml
        #expect(yaml.contains("A: \"1\"\n      B: \"2\"") || yaml.contains("A: '1'\n      B: '2'"), "\(yaml)")
    }

    @Test("the .env.example lists every variable the deployer provides, byte for byte")
    func example() throws {
        let text = EnvironmentExample(stacks: [Self.stack]).text(heading: "Stack 'shop', environment 'dev'.")
        #expect(text == EnvironmentExample(stacks: [Self.stack]).text(heading: "Stack 'shop', environment 'dev'."))
        switch try GoldenTests.golden.check(text, named: "environment-group.env.example") {
        case .matches: break
        case .recorded(let note): print(note)
        case .mismatch(let message): Issue.record(Comment(rawValue: message))
        }
    }
}
