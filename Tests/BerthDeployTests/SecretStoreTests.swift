import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

@Suite("SecretStore")
struct SecretStoreTests {
    /// A store writing into `<tmp>/.berth/app/dev/secrets`, reading relative files from `<tmp>`.
    static func store(in directory: TemporaryDirectory, environment: [String: String] = [:]) -> SecretStore {
        SecretStore(
            directory: Workspace(root: directory.url).secretsDirectory(stack: "app", environment: "dev"),
            environment: environment,
            packageDirectory: directory.url)
    }

    @Test("a generated secret: 0600 file in a 0700 folder, length and alphabet, reused afterwards")
    func generated() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let store = Self.store(in: tmp)
        let secrets = [
            Secret.generated("session_key", length: 48, alphabet: .hexadecimal),
            Secret.generated("token"),
        ]
        try store.materialize(secrets)

        let file = store.directory.appendingPathComponent("session_key")
        let first = try Data(contentsOf: file)
        #expect(first.count == 48)
        let hexadecimal = Set("0123456789abcdef".utf8)
        #expect(first.allSatisfy { hexadecimal.contains($0) })
        #expect(try permissions(of: file) == 0o600)
        #expect(try permissions(of: store.directory) == 0o700)

        let token = try Data(contentsOf: store.directory.appendingPathComponent("token"))
        #expect(token.count == 32)
        let alphanumeric = Set(Secret.Alphabet.alphanumeric.characters.map { $0.asciiValue! })
        #expect(token.allSatisfy { alphanumeric.contains($0) })

        // A second deploy keeps the values services already use.
        try store.materialize(secrets)
        #expect(try Data(contentsOf: file) == first)
        #expect(try Data(contentsOf: store.directory.appendingPathComponent("token")) == token)
        #expect(try permissions(of: file) == 0o600)
    }

    @Test("an environment secret is written with the variable's exact bytes")
    func fromEnvironment() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let value = "p@ss word\nwith $dollar and ünïcode"
        let store = Self.store(in: tmp, environment: ["API_KEY": value])
        try store.materialize([Secret("api_key", .environment("API_KEY"))])
        let file = store.directory.appendingPathComponent("api_key")
        #expect(try Data(contentsOf: file) == Data(value.utf8))
        #expect(try permissions(of: file) == 0o600)

        // A changed variable replaces the file on the next deploy.
        let rotated = Self.store(in: tmp, environment: ["API_KEY": "rotated"])
        try rotated.materialize([Secret("api_key", .environment("API_KEY"))])
        #expect(try String(contentsOf: file, encoding: .utf8) == "rotated")
    }

    @Test("a missing variable names the secret and the variable, never a value, and writes nothing")
    func missingVariable() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let present = "present-value-\(UUID().uuidString)"
        let source = tmp.url.appendingPathComponent("cert.pem")
        let certificate = "certificate-value-\(UUID().uuidString)"
        try Data(certificate.utf8).write(to: source)
        let store = Self.store(in: tmp, environment: ["PRESENT_KEY": present])
        let secrets = [
            Secret("present", .environment("PRESENT_KEY")),
            Secret("db_password", .environment("DB_PASSWORD_NOT_SET")),
            Secret.generated("session"),
            Secret("certificate", .file("cert.pem")),
        ]
        let error = try #require(throws: SecretError.self) { try store.materialize(secrets) }
        let text = error.description
        #expect(error.problems.count == 1)
        #expect(text.contains("'db_password'"))
        #expect(text.contains("DB_PASSWORD_NOT_SET"))
        #expect(!text.contains(present))
        #expect(!text.contains(certificate))
        #expect(!text.contains("present'"))
        // Not one file: a deploy never starts with half of its secrets.
        #expect(!FileManager.default.fileExists(atPath: store.directory.path))
        #expect(allFiles(under: Workspace(root: tmp.url).berthDirectory).isEmpty)
    }

    @Test("every missing source is reported at once")
    func everyProblem() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let store = Self.store(in: tmp)
        let error = try #require(throws: SecretError.self) {
            try store.materialize([
                Secret("one", .environment("ONE_NOT_SET")),
                Secret("two", .file("missing/two.txt")),
            ])
        }
        #expect(error.problems.count == 2)
        #expect(error.description.contains("ONE_NOT_SET"))
        #expect(error.description.contains(tmp.url.appendingPathComponent("missing/two.txt").path))
        #expect(!FileManager.default.fileExists(atPath: store.directory.path))
    }

    @Test("a file secret is copied byte for byte, from a relative or an absolute path")
    func fromFile() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let bytes = Data([0, 1, 2, 255, 10, 13] + Array("key material".utf8))
        try FileManager.default.createDirectory(
            at: tmp.url.appendingPathComponent("keys"), withIntermediateDirectories: true)
        try bytes.write(to: tmp.url.appendingPathComponent("keys/tls.key"))
        let other = try TemporaryDirectory()
        defer { other.remove() }
        let absolute = other.url.appendingPathComponent("absolute.txt")
        try Data("absolute".utf8).write(to: absolute)

        let store = Self.store(in: tmp)
        try store.materialize([
            Secret("tls_key", .file("keys/tls.key")),
            Secret("absolute", .file(absolute.path)),
        ])
        let copy = store.directory.appendingPathComponent("tls_key")
        #expect(try Data(contentsOf: copy) == bytes)
        #expect(try permissions(of: copy) == 0o600)
        #expect(
            try String(contentsOf: store.directory.appendingPathComponent("absolute"), encoding: .utf8)
                == "absolute")
    }

    @Test("no secrets: no folder")
    func nothingToDo() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let store = Self.store(in: tmp)
        try store.materialize([])
        #expect(!FileManager.default.fileExists(atPath: store.directory.path))
    }

    @Test(
        "generate draws only from the alphabet",
        arguments: [
            Secret.Alphabet.alphanumeric, .hexadecimal, .urlSafe,
        ])
    func generateUsesOnlyTheAlphabet(alphabet: Secret.Alphabet) {
        let allowed = Set(alphabet.characters)
        let value = SecretStore.generate(length: 4096, alphabet: alphabet)
        #expect(value.count == 4096)
        #expect(value.allSatisfy { allowed.contains($0) })
        // With 4096 draws every character of these small alphabets shows up.
        #expect(Set(value) == allowed)
        #expect(
            SecretStore.generate(length: 32, alphabet: alphabet)
                != SecretStore.generate(length: 32, alphabet: alphabet))
        #expect(SecretStore.generate(length: 0, alphabet: alphabet).isEmpty)
    }
}

@Suite struct SecretVersionTests {
    @Test("HMAC-SHA-256 matches RFC 4231 test case 2")
    func hmacVector() {
        let digest = SecretStore.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        #expect(hex == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("versions change with the value and reveal nothing without the key")
    func versionsFollowValues() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        func store(_ value: String) -> SecretStore {
            SecretStore(
                directory: tmp.url.appendingPathComponent("secrets"), environment: ["K": value],
                packageDirectory: tmp.url)
        }
        let secret = [Secret("k", .environment("K"))]
        #expect(try store("a").currentVersions(secret) == ["k": "new"])
        let first = try store("a").materialize(secret)
        #expect(try store("a").currentVersions(secret) == first)
        let second = try store("b").currentVersions(secret)
        #expect(second["k"] != first["k"])
        #expect(first["k"]?.count == 16)
    }
}
