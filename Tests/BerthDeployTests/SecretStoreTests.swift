import BerthCore
import BerthYAML
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

@Suite("SecretStore integrity of generated values")
struct SecretStoreIntegrityTests {
    static let secrets = [Secret.generated("db_password"), Secret.generated("session_key", length: 48)]

    /// A store in `tmp` after a first deploy of ``secrets``.
    static func deployed(in tmp: TemporaryDirectory) throws -> (store: SecretStore, versions: [String: String]) {
        let store = SecretStoreTests.store(in: tmp)
        let versions = try store.materialize(secrets)
        return (store, versions)
    }

    static func contents(of name: String, in store: SecretStore) throws -> Data {
        try Data(contentsOf: store.directory.appendingPathComponent(name))
    }

    /// Checks that an error names the secret, the folder to restore from and the command that
    /// starts over, and shows none of the values.
    static func expectActionable(
        _ error: SecretError?, naming secret: String, in store: SecretStore, hiding values: [Data],
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        guard let error else {
            Issue.record("expected a SecretError", sourceLocation: sourceLocation)
            return
        }
        let text = error.description
        #expect(text.contains("secret '\(secret)'"), sourceLocation: sourceLocation)
        #expect(text.contains("backup of \(store.directory.path)/"), sourceLocation: sourceLocation)
        #expect(text.contains("`rotate-secret \(secret)`"), sourceLocation: sourceLocation)
        for value in values where !value.isEmpty {
            #expect(!text.contains(String(decoding: value, as: UTF8.self)), sourceLocation: sourceLocation)
        }
    }

    enum Damage: String, CaseIterable, Sendable {
        case emptied, truncated, replaced, newlineAppended

        func apply(to value: Data) -> Data {
            switch self {
            case .emptied: Data()
            case .truncated: value.prefix(value.count / 2)
            case .replaced: Data(SecretStore.generate(length: value.count, alphabet: .alphanumeric).utf8)
            case .newlineAppended: value + Data("\n".utf8)
            }
        }
    }

    @Test(
        "a damaged generated file stops materialize and plan, naming the secret and the fix", arguments: Damage.allCases
    )
    func damagedFile(damage: Damage) throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let (store, _) = try Self.deployed(in: tmp)
        let original = try Self.contents(of: "db_password", in: store)
        let session = try Self.contents(of: "session_key", in: store)
        let checksums = try Data(contentsOf: store.directory.appendingPathComponent(".checksums"))
        let damaged = damage.apply(to: original)
        try damaged.write(to: store.directory.appendingPathComponent("db_password"))

        let error = try #require(throws: SecretError.self) { try store.materialize(Self.secrets) }
        Self.expectActionable(error, naming: "db_password", in: store, hiding: [original, damaged, session])
        #expect(error.problems.count == 1)
        #expect(
            error.description.contains(damage == .emptied ? "is empty" : "no longer matches the checksum"))
        let planned = #expect(throws: SecretError.self) { try store.currentVersions(Self.secrets) }
        #expect(planned?.problems == error.problems)

        // Nothing was replaced: not the damaged file, not the others, not the checksums.
        #expect(try Self.contents(of: "db_password", in: store) == damaged)
        #expect(try Self.contents(of: "session_key", in: store) == session)
        #expect(try Data(contentsOf: store.directory.appendingPathComponent(".checksums")) == checksums)
    }

    @Test("a deleted generated file with a recorded checksum is an error, not a new value")
    func deletedFile() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let (store, _) = try Self.deployed(in: tmp)
        let original = try Self.contents(of: "db_password", in: store)
        let file = store.directory.appendingPathComponent("db_password")
        try FileManager.default.removeItem(at: file)

        let error = try #require(throws: SecretError.self) { try store.materialize(Self.secrets) }
        Self.expectActionable(error, naming: "db_password", in: store, hiding: [original])
        #expect(error.description.contains("\(file.path) is missing"))
        #expect(throws: SecretError.self) { try store.currentVersions(Self.secrets) }
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }

    @Test("a secrets folder gone while the stack runs is an error; with nothing deployed it is a first deploy")
    func folderGone() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let (store, versions) = try Self.deployed(in: tmp)
        let original = try Self.contents(of: "db_password", in: store)
        try FileManager.default.removeItem(at: store.directory)

        let error = try #require(throws: SecretError.self) {
            try store.materialize(Self.secrets, deployedVersions: ["db_password": versions["db_password"]!])
        }
        Self.expectActionable(error, naming: "db_password", in: store, hiding: [original])
        #expect(error.problems.count == 1)
        #expect(
            error.description.contains(
                "the stack on the engine uses a value of 'db_password' that this machine does not have"))
        let planned = #expect(throws: SecretError.self) {
            try store.currentVersions(Self.secrets, deployedVersions: versions)
        }
        #expect(planned?.problems.count == 2)
        #expect(!FileManager.default.fileExists(atPath: store.directory.path))

        // Nothing on the engine: a first deploy generates new values.
        let fresh = try store.materialize(Self.secrets, deployedVersions: [:])
        #expect(try Self.contents(of: "db_password", in: store) != original)
        #expect(fresh.keys.sorted() == ["db_password", "session_key"])
    }

    @Test("files of an older Berth, without checksums, are adopted and then protected")
    func legacyStore() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let store = SecretStoreTests.store(in: tmp)
        try FileManager.default.createDirectory(
            at: store.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let legacy = "legacy-\(UUID().uuidString)"
        let file = store.directory.appendingPathComponent("db_password")
        try Data(legacy.utf8).write(to: file)
        let checksumsFile = store.directory.appendingPathComponent(".checksums")

        // A plan writes nothing, not even the checksums.
        _ = try store.currentVersions(Self.secrets, deployedVersions: ["db_password": "0123456789abcdef"])
        #expect(!FileManager.default.fileExists(atPath: checksumsFile.path))

        try store.materialize(Self.secrets, deployedVersions: ["db_password": "0123456789abcdef"])
        #expect(try String(contentsOf: file, encoding: .utf8) == legacy)
        let session = try String(decoding: Self.contents(of: "session_key", in: store), as: UTF8.self)
        #expect(
            try String(contentsOf: checksumsFile, encoding: .utf8)
                == "db_password \(SHA256.hexDigest(legacy))\nsession_key \(SHA256.hexDigest(session))\n")
        #expect(try permissions(of: checksumsFile) == 0o600)

        // Adopted values are checked from now on.
        try Data("tampered".utf8).write(to: file)
        let error = try #require(throws: SecretError.self) { try store.materialize(Self.secrets) }
        Self.expectActionable(error, naming: "db_password", in: store, hiding: [Data(legacy.utf8), Data(session.utf8)])
    }

    @Test("rotate writes a new value and its checksum, only for that secret, and the next deploy accepts it")
    func rotate() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let store = SecretStoreTests.store(in: tmp)
        let before = try store.materialize(Self.secrets, readableByAnyUser: ["db_password"])
        let original = try Self.contents(of: "db_password", in: store)
        let session = try Self.contents(of: "session_key", in: store)
        let file = store.directory.appendingPathComponent("db_password")
        // Even a damaged value can be replaced on purpose.
        try Data().write(to: file)

        try store.rotate("db_password", in: Self.secrets)
        let rotated = try Self.contents(of: "db_password", in: store)
        #expect(rotated.count == 32)
        #expect(rotated != original)
        let alphanumeric = Set(Secret.Alphabet.alphanumeric.characters.map { $0.asciiValue! })
        #expect(rotated.allSatisfy { alphanumeric.contains($0) })
        #expect(try permissions(of: file) == 0o644)
        #expect(try Self.contents(of: "session_key", in: store) == session)
        let checksums = try String(
            contentsOf: store.directory.appendingPathComponent(".checksums"), encoding: .utf8)
        let hexDigest = { (value: Data) in SHA256.hexDigest(String(decoding: value, as: UTF8.self)) }
        #expect(checksums == "db_password \(hexDigest(rotated))\nsession_key \(hexDigest(session))\n")

        let after = try store.materialize(Self.secrets, readableByAnyUser: ["db_password"], deployedVersions: before)
        #expect(after["db_password"] != before["db_password"])
        #expect(after["session_key"] == before["session_key"])
        #expect(try Self.contents(of: "db_password", in: store) == rotated)
    }

    @Test("rotate refuses a secret the stack does not generate, and writes nothing")
    func rotateRefuses() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let store = SecretStoreTests.store(in: tmp, environment: ["API_KEY": "from-the-environment"])
        let secrets = [Secret("api_key", .environment("API_KEY")), Secret.generated("db_password")]

        let notGenerated = try #require(throws: SecretError.self) { try store.rotate("api_key", in: secrets) }
        #expect(notGenerated.description.hasPrefix("Cannot rotate secret 'api_key'."))
        #expect(notGenerated.description.contains("not generated"))
        #expect(!notGenerated.description.contains("from-the-environment"))
        let unknown = try #require(throws: SecretError.self) { try store.rotate("db_pasword", in: secrets) }
        #expect(unknown.description.contains("Its secrets: api_key, db_password."))
        #expect(!FileManager.default.fileExists(atPath: store.directory.path))
    }

    @Test("a damaged checksum file is an error until it is restored or deleted")
    func damagedChecksums() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let (store, versions) = try Self.deployed(in: tmp)
        let checksumsFile = store.directory.appendingPathComponent(".checksums")
        try Data("db_password\n".utf8).write(to: checksumsFile)

        let error = try #require(throws: SecretError.self) { try store.materialize(Self.secrets) }
        #expect(error.description.contains("\(checksumsFile.path) is damaged: line 1"))
        #expect(error.description.contains("backup of \(store.directory.path)/"))
        #expect(throws: SecretError.self) { try store.rotate("db_password", in: Self.secrets) }

        try FileManager.default.removeItem(at: checksumsFile)
        #expect(try store.materialize(Self.secrets) == versions)
        #expect(FileManager.default.fileExists(atPath: checksumsFile.path))
    }

    @Test("a secret can declare the service whose data keeps its value, for the rotation warning")
    func keptBy() {
        let plain = Secret.generated("db_password")
        let kept = plain.keptBy("db")
        #expect(plain.keptBy == nil)
        #expect(plain.rotationWarning == nil)
        #expect(kept.keptBy == "db")
        #expect(kept != plain)
        #expect(kept.rotationWarning?.contains("Service 'db' keeps the value of secret 'db_password'") == true)
    }
}
