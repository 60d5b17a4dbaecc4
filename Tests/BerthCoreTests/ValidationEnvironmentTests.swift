import Testing

@testable import BerthCore

@Suite("Validation: environment and secrets")
struct ValidationEnvironmentTests {
    let base = Service("api", image: "acme/api:1")

    @Test func duplicateKey() throws {
        let (first, firstLine) = (base.environment("MODE", "dev"), #line)
        let (second, secondLine) = (first.environment("MODE", "prod"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { second })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .duplicateEnvironmentKey)
        #expect(diagnostic.element == "service 'api'")
        #expect(
            diagnostic.message == "The environment sets 'MODE' twice; the first is at \(here(firstLine)).")
        #expect(diagnostic.fix == "Keep one of them.")
        #expect(diagnostic.location == here(secondLine))
    }

    @Test func duplicateKeyInOneDictionary() throws {
        let (service, line) = (base.environment(["MODE": "dev", "LEVEL": "1", "MODE": "prod"]), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { service })
        #expect(diagnostic.code == .duplicateEnvironmentKey)
        #expect(diagnostic.message == "The environment sets 'MODE' twice; the first is at \(here(line)).")
        #expect(diagnostic.location == here(line))
    }

    @Test func keysDifferingInCaseAreDistinct() {
        #expect(
            Stack("shop") { base.environment("mode", "a").environment("MODE", "b") }.validate(for: .prod)
                == [])
    }

    @Test func secretPathVariableCollidingWithLiteralKey() throws {
        let (literal, literalLine) = (base.environment("DB_PASSWORD_FILE", "/run/secrets/old"), #line)
        let (mounted, mountLine) = (literal.secret("db_password", pathVariable: "DB_PASSWORD_FILE"), #line)
        let stack = Stack("shop") {
            Secret.generated("db_password")
            mounted
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .duplicateEnvironmentKey)
        #expect(diagnostic.element == "service 'api'")
        #expect(
            diagnostic.message
                == "The environment sets 'DB_PASSWORD_FILE' twice; the first is at \(here(literalLine))."
        )
        #expect(diagnostic.location == here(mountLine))
    }

    @Test func twoSecretsWithTheSamePathVariable() throws {
        let (first, firstLine) = (base.secret("a", pathVariable: "TOKEN_FILE"), #line)
        let (second, secondLine) = (first.secret("b", pathVariable: "TOKEN_FILE"), #line)
        let stack = Stack("shop") {
            Secret.generated("a")
            Secret.generated("b")
            second
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.code == .duplicateEnvironmentKey)
        #expect(
            diagnostic.message
                == "The environment sets 'TOKEN_FILE' twice; the first is at \(here(firstLine)).")
        #expect(diagnostic.location == here(secondLine))
    }

    @Test(arguments: [
        "DB_PASSWORD", "PASSWORD", "APP_SECRET", "SECRET", "GITHUB_TOKEN", "TOKEN", "API_KEY",
        "STRIPE_PRIVATE_KEY",
        "KEY", "SMTP_PASSWD", "AWS_CREDENTIALS", "db_password", "Api_Key",
    ])
    func literalCredential(_ key: String) throws {
        let (service, line) = (base.environment(key, "hunter2"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { service })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .secretInEnvironment)
        #expect(diagnostic.element == "service 'api'")
        #expect(
            diagnostic.message
                == "The environment variable '\(key)' looks like a credential and holds a literal value, which would be stored in the rendered file and visible in `docker inspect`."
        )
        #expect(
            diagnostic.fix
                == "Declare a Secret and mount it with .secret(\"\(key.lowercased())\", pathVariable: \"\(key)_FILE\"); most images read the *_FILE form."
        )
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [
        "DB_PASSWORD_FILE", "PASSWORD_FILE", "api_key_file", "MONKEY", "KEYBOARD", "PASSWORD_POLICY",
        "SECRETARY",
        "TOKENIZER", "MODE", "CACHE_KEYS",
    ])
    func literalUnderOrdinaryKey(_ key: String) {
        #expect(Stack("shop") { base.environment(key, "value") }.validate(for: .prod) == [])
    }

    @Test(arguments: ["DB_PASSWORD", "API_KEY", "TOKEN"])
    func emptyOrInterpolatedCredentialIsFine(_ key: String) {
        let service = base.environment(key, "").environment("OTHER_\(key)", .interpolated("${\(key)}"))
        #expect(Stack("shop") { service }.validate(for: .prod) == [])
    }

    @Test(arguments: ["MODE", "DB_PASSWORD", "TOKEN_FILE", "anything"])
    func sensitiveValueUnderAnyKey(_ key: String) throws {
        let (service, line) = (base.environment(key, .sensitive("s3cr3t")), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { service })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .secretInEnvironment)
        #expect(diagnostic.element == "service 'api'")
        #expect(
            diagnostic.message
                == "The environment variable '\(key)' holds a value marked sensitive; environment variables are visible in `docker inspect`, logs and crash reports."
        )
        #expect(
            diagnostic.fix
                == "Declare a Secret and mount it with .secret(\"\(key.lowercased())\", pathVariable: \"\(key)_FILE\")."
        )
        #expect(diagnostic.location == here(line))
    }

    @Test func sensitiveEmptyValueIsStillReported() {
        let found = diagnostics(
            of: Stack("shop") { base.environment("X", .sensitive("")) }, code: .secretInEnvironment)
        #expect(found.count == 1)
    }

    @Test(arguments: [15, 8, 0, -1])
    func generatedSecretTooShort(_ length: Int) throws {
        let (secret, line) = (Secret.generated("session_key", length: length), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { secret })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidCount)
        #expect(diagnostic.element == "secret 'session_key'")
        #expect(
            diagnostic.message
                == "A generated secret of \(length) characters is too short to resist guessing.")
        #expect(diagnostic.fix == "Generate between 16 and 4096 characters (32 is the default).")
        #expect(diagnostic.location == here(line))
    }

    @Test func generatedSecretTooLong() throws {
        let (secret, line) = (Secret("blob", .generated(length: 4097, alphabet: .hexadecimal)), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { secret })
        #expect(diagnostic.code == .invalidCount)
        #expect(
            diagnostic.message == "A generated secret of 4097 characters is longer than any service needs.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [16, 32, 4096])
    func generatedSecretLengthInRange(_ length: Int) {
        #expect(
            Stack("shop") { Secret.generated("k", length: length, alphabet: .urlSafe) }.validate(for: .prod)
                == [])
    }

    @Test func alphabets() {
        #expect(Secret.Alphabet.hexadecimal.characters == Array("0123456789abcdef"))
        #expect(Secret.Alphabet.alphanumeric.characters.count == 62)
        #expect(Secret.Alphabet.urlSafe.characters.count == 66)
        #expect(
            Set(Secret.Alphabet.urlSafe.characters).isSuperset(of: Secret.Alphabet.alphanumeric.characters))
    }
}
