import BerthCompose
import BerthCore
import BerthProcess
import BerthTesting
import Foundation
import Testing

@Suite("Variables composed from secrets at container start")
struct ComposedEnvironmentTests {
    /// Text a shell would expand, or that ends a quoted word, in the parts around the secret.
    static let hostile = #"a"b$HOME`id`\c $(echo no) 'q'"#

    static let api = Service("api", image: "acme/api:1")
        .entrypoint(["docker-entrypoint.sh"])
        .command(["serve", "--port", "8000"])
        .secret("db_password")
        .secret("cache_password", target: "redis")
        .environment("MODE", "production")
        .environment("DATABASE_URL", .composed("postgresql://app:\(secret: "db_password")@db:5432/app"))
        .environment("CACHE_URL", .composed("redis://:\(secret: "cache_password")@cache:6379/0"))
        .environment("ODD", .composed("\(Self.hostile)\(secret: "db_password")\(Self.hostile)"))

    static let stack = Stack("shop") {
        Secret.generated("db_password")
        Secret.generated("cache_password")
        Self.api
    }

    @Test("the template is rendered, never a value: the shim is the entrypoint, the service's program the command")
    func rendered() async throws {
        #expect(Self.stack.validate(for: .dev).isEmpty)
        let yaml = ComposeRenderer().render(Self.stack, for: .dev).yaml
        switch try GoldenTests.golden.check(yaml, named: "composed-environment.yaml") {
        case .matches: break
        case .recorded(let note): print(note)
        case .mismatch(let message): Issue.record(Comment(rawValue: message))
        }
        guard ComposeReferee.shouldRun else { return }
        let verdict = try await ComposeReferee.config(yaml)
        let service = try #require(verdict.model["services"]?["api"])
        let entrypoint = try #require(service["entrypoint"]?.strings)
        #expect(entrypoint.count == 4 && entrypoint[0] == "/bin/sh" && entrypoint[1] == "-c" && entrypoint[3] == "api")
        // Compose reads the script back whole, every `$` still escaped (`$$`, one `$` once
        // interpolated): none was taken for a variable of the deployer's.
        let script = try #require(ComposedEnvironment(of: Self.api)?.script)
        #expect(entrypoint[2] == script.replacingOccurrences(of: "$", with: "$$"))
        #expect(service["command"]?.strings == ["docker-entrypoint.sh", "serve", "--port", "8000"])
        let environment = try #require(service["environment"]?.stringMap)
        #expect(environment["MODE"] == "production")
        #expect(environment["DATABASE_URL"] == nil && environment["CACHE_URL"] == nil && environment["ODD"] == nil)
    }

    @Test(
        "run by a real shell, the script exports exactly the composed values and execs the program with its arguments")
    func scriptRuns() async throws {
        let tmp = FileManager.default.temporaryDirectory.appending(path: "berth-composed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let password = "pa$$ 'w\"ord`x`"
        try Data(password.utf8).write(to: tmp.appending(path: "db_password"))
        try Data("cache-secret\n".utf8).write(to: tmp.appending(path: "redis"))
        let composed = try #require(ComposedEnvironment(of: Self.api))
        // The same script, reading the test's files instead of /run/secrets.
        let script = composed.script.replacingOccurrences(of: "'/run/secrets/", with: "'\(tmp.path)/")
        let output = try await runShell(
            [
                "/bin/sh", "-c", script, "api", "/bin/sh", "-c",
                #"printf '%s\n' "$DATABASE_URL" "$CACHE_URL" "$ODD" "$#" "$1""#, "program", "first argument",
            ])
        #expect(output.status == 0, "\(output.error)")
        #expect(
            output.text == """
                postgresql://app:\(password)@db:5432/app
                redis://:cache-secret@cache:6379/0
                \(Self.hostile)\(password)\(Self.hostile)
                1
                first argument

                """)

        // A secret that cannot be read stops the start, naming it and not running the program.
        try FileManager.default.removeItem(at: tmp.appending(path: "redis"))
        let missing = try await runShell(["/bin/sh", "-c", script, "api", "/bin/echo", "started"])
        #expect(missing.status == 78)
        #expect(
            missing.error.contains("api: cannot read secret cache_password from /run/secrets/redis"), "\(missing.error)"
        )
        #expect(!missing.text.contains("started"))
    }

    @Test("problems are reported with the variable's line: an unmounted secret, an unexportable name, no program")
    func validated() {
        let line = #line + 2
        let unmounted = Service("api", image: "acme/api:1").command(["serve"]).entrypoint([])
            .environment("DATABASE_URL", .composed("postgresql://app:\(secret: "db_password")@db/app"))
        let found = Stack("shop") { unmounted }.validate(for: .dev)
        #expect(found.map(\.code) == [.undeclaredSecret])
        #expect(found.first?.location?.line == line)
        #expect(found.first?.fix.contains("declare Secret(\"db_password\"") == true)

        let badName = Stack("shop") {
            Secret.generated("token")
            Service("api", image: "acme/api:1").command(["serve"]).entrypoint([]).secret("token")
                .environment("app.token", .composed("Bearer \(secret: "token")"))
        }
        #expect(badName.validate(for: .dev).map(\.code) == [.composedEnvironment])

        let noProgram = Stack("shop") {
            Secret.generated("token")
            Service("api", image: "acme/api:1").secret("token").environment(
                "AUTH", .composed("Bearer \(secret: "token")"))
        }
        #expect(noProgram.validate(for: .dev).map { "\($0.severity) \($0.code)" } == ["error composed-environment"])

        let commandOnly = Stack("shop") {
            Secret.generated("token")
            Service("api", image: "acme/api:1").command(["serve"]).secret("token")
                .environment("AUTH", .composed("Bearer \(secret: "token")"))
        }
        let warnings = commandOnly.validate(for: .dev)
        #expect(warnings.map { "\($0.severity) \($0.code)" } == ["warning composed-environment"])
        #expect(warnings.first?.message.contains("docker-entrypoint.sh") == true)
    }

    /// Runs a command, with its standard output, standard error and exit status.
    func runShell(_ arguments: [String]) async throws -> (status: Int32, text: String, error: String) {
        let outcome = try await Command.run(arguments)
        return (outcome.status, outcome.outputText, outcome.errorText)
    }
}
