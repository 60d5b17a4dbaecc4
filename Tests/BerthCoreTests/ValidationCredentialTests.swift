import Testing

@testable import BerthCore

@Suite("Validation: credentials in URLs, on command lines and under conventional key names")
struct ValidationCredentialTests {
    /// The codes and lines of a one-service stack's diagnostics.
    func problems(_ service: Service) -> [(Diagnostic.Code, Int)] {
        Stack("shop") { service }.validate(for: .dev).map { ($0.code, $0.location?.line ?? 0) }
    }

    @Test(
        "a URL with a literal password is refused in any variable, naming its line and never the value",
        arguments: [
            "postgresql://app:s3cret-value@db:5432/app", "redis://:s3cret-value@cache:6379/0",
            "amqp://guest:s3cret-value@rabbit//", "mysql://root:s3cret-value@db/app?ssl=true",
            "DATABASE=postgres://u:s3cret-value@db/app and more",
        ])
    func urlPassword(value: String) throws {
        let line = #line + 1
        let service = Service("api", image: "acme/api:1").environment("DATABASE_URL", value)
        let diagnostics = Stack("shop") { service }.validate(for: .dev)
        #expect(diagnostics.map(\.code) == [.secretInEnvironment])
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.location?.line == line)
        #expect(!diagnostic.description.contains("s3cret-value"))
        #expect(diagnostic.message.contains("'DATABASE_URL'"))
    }

    @Test(
        "URLs without a literal password pass",
        arguments: [
            "postgresql://app@db:5432/app", "https://example.com/path?q=a:b@c", "redis://cache:6379",
            "postgresql://app:${DB_PASSWORD}@db/app", "mailto:someone@example.com", "http://[::1]:8080/",
        ])
    func noURLPassword(value: String) {
        #expect(problems(Service("api", image: "acme/api:1").environment("UPSTREAM", value)).isEmpty)
    }

    @Test("a *_DSN with any user information is a credential; one without is not")
    func dsn() {
        #expect(
            problems(
                Service("api", image: "acme/api:1").environment("SENTRY_DSN", "https://0123abcd@o1.ingest.example.io/4")
            )
            .map(\.0) == [.secretInEnvironment])
        #expect(
            problems(Service("api", image: "acme/api:1").environment("SENTRY_DSN", "https://o1.ingest.example.io/4"))
                .isEmpty)
    }

    @Test("keys named *_PASS and *_APIKEY with a literal value are refused; *_PASS_FILE and BYPASS are not")
    func keyNames() {
        for key in ["SMTP_PASS", "STRIPE_APIKEY", "APIKEY", "PASS"] {
            #expect(
                problems(Service("api", image: "acme/api:1").environment(key, "literal")).map(\.0) == [
                    .secretInEnvironment
                ],
                "\(key)")
        }
        for key in ["SMTP_PASS_FILE", "CACHE_BYPASS", "COMPASS", "PASSENGERS"] {
            #expect(problems(Service("api", image: "acme/api:1").environment(key, "literal")).isEmpty, "\(key)")
        }
    }

    @Test(
        "a password flag with a literal value in a command or entrypoint is refused",
        arguments: [
            ["redis-server", "--requirepass", "s3cret-value"], ["redis-server", "--requirepass=s3cret-value"],
            ["sh", "-c", "exec redis-server --appendonly yes --requirepass s3cret-value"],
            ["app", "--api-key", "s3cret-value"], ["minio", "server", "--secret-key='s3cret-value'"],
        ])
    func commandLine(arguments: [String]) throws {
        let line = #line + 1
        let service = Service("cache", image: "redis:7").command(arguments)
        let diagnostics = Stack("shop") { service }.validate(for: .dev)
        #expect(diagnostics.map(\.code) == [.secretOnCommandLine])
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.location?.line == line)
        #expect(!diagnostic.description.contains("s3cret-value"))
        let entrypoint = Service("cache", image: "redis:7").entrypoint(arguments)
        #expect(problems(entrypoint).map(\.0) == [.secretOnCommandLine])
    }

    @Test(
        "a value read at run time, or a flag that names a file, passes",
        arguments: [
            ["sh", "-c", "exec redis-server --requirepass \"$(cat /run/secrets/redis_password)\""],
            ["sh", "-c", "redis-server --requirepass $REDIS_PASSWORD"], ["app", "--password-file", "/run/secrets/p"],
            ["app", "--token"], ["app", "--pass", "<", "/run/secrets/p"],
        ])
    func commandLineAtRunTime(arguments: [String]) {
        #expect(problems(Service("cache", image: "redis:7").command(arguments)).isEmpty)
    }

    @Test("a value said to be no secret passes, under a credential's key name or as a URL with a password")
    func notSecret() {
        let service = Service("exporter", image: "acme/exporter:1")
            .environment("REDIS_ADDR", .notSecret("redis://stats:any@cache:6379"))
            .environment("PUBLIC_TOKEN", .notSecret("pk_live_published"))
        #expect(problems(service).isEmpty)
    }
}
