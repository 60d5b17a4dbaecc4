import Foundation
import Testing

@testable import BerthImport

@Suite("berth import: values written as Swift")
struct ImporterUnitTests {
    @Test("Compose's durations")
    func durations() {
        #expect(ComposeDuration.milliseconds("1m30s") == 90_000)
        #expect(ComposeDuration.milliseconds("500ms") == 500)
        #expect(ComposeDuration.milliseconds("2h") == 7_200_000)
        #expect(ComposeDuration.milliseconds("soon") == nil)
        #expect(ComposeDuration.swift("1m0s") == ".seconds(60)")
        #expect(ComposeDuration.swift("1.5s") == ".milliseconds(1500)")
    }

    @Test("tmpfs sizes as mount reads them")
    func tmpfsSizes() {
        #expect(ComposeImporter.bytes("16m") == 16 << 20)
        #expect(ComposeImporter.bytes("64k") == 64 << 10)
        #expect(ComposeImporter.bytes("1G") == 1 << 30)
        #expect(ComposeImporter.bytes("4096") == 4096)
        #expect(ComposeImporter.bytes("50%") == nil)
    }

    @Test("string literals escape what Swift would read otherwise; type names from project names")
    func literals() {
        #expect(SwiftSource.string("a \"b\" \\(c) $d\n\u{1}") == #""a \"b\" \\(c) $d\n\u{1}""#)
        #expect(SwiftSource.typeName("wordpress-mysql") == "WordpressMysql")
        #expect(SwiftSource.typeName("3d_app") == "Imported3dApp")
    }

    @Test(
        "a literal credential becomes one secret, shared by the services that held the same value; `$$` is Compose's `$`"
    )
    func credentials() throws {
        let json = """
            {"name": "shop", "services": {
              "db": {"image": "postgres:16", "environment": {"POSTGRES_PASSWORD": "hunter2", "PGDATA": "/data"}},
              "app": {"image": "shop:1", "environment": {"DB_PASSWORD": "hunter2", "PRICE": "$$5"},
                      "depends_on": {"db": {"condition": "service_healthy"}}}
            }}
            """
        let result = ComposeImporter(packageDirectory: "/tmp").run(try ComposeJSON.parse(Data(json.utf8)))
        #expect(result.credentialSecrets == ["db_password"])
        #expect(!result.source.contains("hunter2"))
        #expect(result.source.contains(#".secret("db_password", pathVariable: "POSTGRES_PASSWORD_FILE")"#))
        #expect(result.source.contains(#".environment("PRICE", "$5")"#))
        // db has no health check Berth can see: the dependency waits for it to start, and says so.
        #expect(result.source.contains(#".dependsOn("db", condition: .started)"#))
        #expect(result.notes.contains { $0.key == "depends_on.db" && $0.kind == .changed })
    }
}
