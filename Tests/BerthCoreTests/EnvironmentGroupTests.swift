import Foundation
import Testing

@testable import BerthCore

@Suite("Environment groups shared by several services")
struct EnvironmentGroupTests {
    @Test("a group's variables and secrets join each service it is applied to, in the order written")
    func applied() {
        let (group, line) = (EnvironmentGroup("app-common", ["LOG_LEVEL": "info", "TZ": "UTC"]), #line)
        let shared = group.secret("db_password", pathVariable: "DB_PASSWORD_FILE")
        let api = Service("api", image: "acme/api:1").environment("PORT", "8000").environment(shared)
        #expect(api.environment.map(\.key) == ["PORT", "LOG_LEVEL", "TZ"])
        #expect(api.environment.map(\.group) == [nil, "app-common", "app-common"])
        #expect(api.environment[1].location == here(line))
        #expect(api.secrets.map(\.pathVariable) == ["DB_PASSWORD_FILE"])
        #expect(api.effectiveEnvironment == api.environment)
    }

    @Test("the service's own variable wins over the group's, before or after the group is applied")
    func serviceWins() {
        let group = EnvironmentGroup("app-common", ["LOG_LEVEL": "info", "TZ": "UTC"])
        let after = Service("api", image: "acme/api:1").environment(group).environment("LOG_LEVEL", "debug")
        let before = Service("api", image: "acme/api:1").environment("LOG_LEVEL", "debug").environment(group)
        #expect(after.effectiveEnvironment.map(\.key) == ["TZ", "LOG_LEVEL"])
        #expect(before.effectiveEnvironment.map(\.key) == ["LOG_LEVEL", "TZ"])
        for service in [after, before] {
            #expect(service.effectiveEnvironment.first { $0.key == "LOG_LEVEL" }?.value == .literal("debug"))
        }
    }

    @Test("a variable set by the group and again by the service is a warning naming both lines")
    func overrideWarns() throws {
        let (group, groupLine) = (EnvironmentGroup("app-common").environment("LOG_LEVEL", "info"), #line)
        let (api, serviceLine) = (
            Service("api", image: "acme/api:1").environment(group).environment("LOG_LEVEL", "debug"), #line
        )
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { api })
        #expect(diagnostic.severity == .warning)
        #expect(diagnostic.code == .overriddenGroupVariable)
        #expect(diagnostic.element == "service 'api'")
        #expect(
            diagnostic.message
                == "The service sets 'LOG_LEVEL' at \(here(serviceLine)), and the environment group 'app-common' it applies sets it at \(here(groupLine)); the service's value wins."
        )
        #expect(diagnostic.location == here(serviceLine))
        // The same when the service's line comes first.
        let first = Service("api", image: "acme/api:1").environment("LOG_LEVEL", "debug").environment(group)
        let again = try onlyDiagnostic(of: Stack("shop") { first })
        #expect(again.code == .overriddenGroupVariable)
        #expect(again.message.contains("at \(here(groupLine))"))
    }

    @Test("two groups setting one key, or one group applied twice, are duplicates")
    func groupsConflict() throws {
        let (one, oneLine) = (EnvironmentGroup("one").environment("MODE", "a"), #line)
        let two = EnvironmentGroup("two").environment("MODE", "b")
        let diagnostic = try onlyDiagnostic(
            of: Stack("shop") { Service("api", image: "acme/api:1").environment(one).environment(two) })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .duplicateEnvironmentKey)
        #expect(
            diagnostic.message
                == "The environment sets 'MODE' twice; the first is at \(here(oneLine)) (environment group 'one').")
        let twice = Stack("shop") { Service("api", image: "acme/api:1").environment(one).environment(one) }
        #expect(twice.validate(for: .dev).map(\.code) == [.duplicateEnvironmentKey])
    }

    @Test("a group's variable colliding with a secret's path variable stays an error")
    func pathVariableCollision() {
        let group = EnvironmentGroup("common").environment("DB_PASSWORD_FILE", "/x")
        let stack = Stack("shop") {
            Secret.generated("db_password")
            Service("api", image: "acme/api:1").environment(group).secret(
                "db_password", pathVariable: "DB_PASSWORD_FILE")
        }
        #expect(stack.validate(for: .dev).map(\.code) == [.duplicateEnvironmentKey])
    }

    @Test("a group's values are checked like the service's own: a sensitive value is refused")
    func groupValuesChecked() {
        let group = EnvironmentGroup("common").environment("API_TOKEN", .sensitive("x"))
        let stack = Stack("shop") { Service("api", image: "acme/api:1").environment(group) }
        #expect(stack.validate(for: .dev).map(\.code) == [.secretInEnvironment])
    }

    @Test("release histories written before groups existed still decode, and without a group nothing changes")
    func codable() throws {
        let old = #"{"key":"MODE","value":{"literal":{"_0":"dev"}},"location":{"fileID":"A/B.swift","line":3}}"#
        let decoded = try JSONDecoder().decode(EnvironmentVariable.self, from: Data(old.utf8))
        #expect(decoded.group == nil)
        let encoded = String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self)
        #expect(!encoded.contains("group"))
    }
}

@Suite("Environment example: the variables the deployer provides")
struct EnvironmentExampleTests {
    typealias Use = EnvironmentExample.Use

    @Test("reads Compose's interpolation forms and skips $$")
    func interpolation() {
        #expect(EnvironmentExample.interpolatedVariables(in: "${TAG}") == [Use(name: "TAG")])
        #expect(EnvironmentExample.interpolatedVariables(in: "$HOME/x") == [Use(name: "HOME")])
        #expect(EnvironmentExample.interpolatedVariables(in: "$$HOME ${A:-1}") == [Use(name: "A", defaultValue: "1")])
        #expect(EnvironmentExample.interpolatedVariables(in: "${A-}") == [Use(name: "A", defaultValue: "")])
        #expect(EnvironmentExample.interpolatedVariables(in: "${A:?set A}") == [Use(name: "A")])
        #expect(EnvironmentExample.interpolatedVariables(in: "${A:+on}") == [Use(name: "A", defaultValue: "")])
        #expect(
            EnvironmentExample.interpolatedVariables(in: "${A:-${B}}x${C}")
                == [Use(name: "A", defaultValue: "${B}"), Use(name: "B"), Use(name: "C")])
        #expect(EnvironmentExample.interpolatedVariables(in: "price: 5$") == [])
    }

    @Test("a variable any use requires has no default; services and lines are merged and sorted")
    func merged() {
        let stack = Stack("shop") {
            Secret("db_password", .environment("DB_PASSWORD"))
            Service("worker", image: "acme/api:1").environment("TAG", .interpolated("${TAG}"))
                .secret("db_password")
            Service("api", image: "acme/api:1").environment("TAG", .interpolated("${TAG:-latest}"))
        }
        let example = EnvironmentExample(stacks: [stack])
        #expect(example.entries.map(\.name) == ["DB_PASSWORD", "TAG"])
        #expect(example.entries[0].secret == "secret 'db_password'")
        #expect(example.entries[0].services == ["worker"])
        #expect(example.entries[1].services == ["api", "worker"])
        #expect(example.entries[1].defaultValue == nil)
        #expect(example.entries[1].locations.count == 2)
    }
}
