import BerthCore
import BerthSwarm
import BerthYAML
import Testing

/// Secrets and configs: immutable in Swarm, so created by Berth under versioned names and
/// mounted at stable targets.
@Suite("Versioned secrets and configs")
struct SecretAndConfigTests {
    static let stack = Stack("shop") {
        Secret.generated("db_password")
        Secret("tls_key", .external("shop_tls_key_v3"))
        Config("app", .content("port = 8080\nprice = $5\n"))
        Config("nginx", .file("config/nginx.conf"))
        Service("api", image: "ghcr.io/acme/api:1.0")
            .secret("db_password", target: "db", pathVariable: "DB_PASSWORD_FILE")
            .secret("tls_key", target: "tls.key")
            .config("app", at: "/etc/app.toml")
            .config("nginx", at: "/etc/nginx/nginx.conf")
    }

    @Test("the versioned name carries the stack, the environment and 8 hex digits of the version")
    func versionedNames() {
        #expect(
            SwarmRenderer.versionedName("db_password", version: "0f1e2d3c4b5a6978", stack: "shop", environment: "prod")
                == "shop-prod_db_password_0f1e2d3c")
        // Not hex: the start of its SHA-256 instead.
        let hashed = SwarmRenderer.versionedName("db_password", version: "v2", stack: "shop", environment: "prod")
        #expect(hashed == "shop-prod_db_password_" + String(SHA256.hexDigest("v2").prefix(8)))
        #expect(
            SwarmRenderer.versionedName("db_password", version: "ABCDEF0123", stack: "shop", environment: "prod")
                == "shop-prod_db_password_" + String(SHA256.hexDigest("ABCDEF0123").prefix(8)))
        #expect(
            SwarmRenderer.versionedName("db_password", version: nil, stack: "shop", environment: "prod")
                == "shop-prod_db_password")
    }

    @Test("every secret and config is external under its engine name, mounted at a stable target")
    func externalVersionedObjects() async throws {
        let document = try await renderChecked(
            Self.stack, for: .prod, secretVersions: ["db_password": "aabbccdd00112233"],
            configVersions: ["nginx": "1234567890abcdef"])
        let appVersion = String(SHA256.hexDigest("port = 8080\nprice = $5\n").prefix(8))
        #expect(
            document.secretNames == ["db_password": "shop-prod_db_password_aabbccdd", "tls_key": "shop_tls_key_v3"])
        #expect(
            document.configNames == ["app": "shop-prod_app_\(appVersion)", "nginx": "shop-prod_nginx_12345678"])
        #expect(
            document.root["secrets", "db_password"] == ["name": "shop-prod_db_password_aabbccdd", "external": true])
        #expect(document.root["secrets", "tls_key"] == ["name": "shop_tls_key_v3", "external": true])
        // Where the content comes from, in an extension key Swarm ignores (`$` escaped as everywhere).
        #expect(
            document.root["configs", "app"]
                == [
                    "name": .string("shop-prod_app_\(appVersion)"), "external": true,
                    "x-berth-content": "port = 8080\nprice = $$5\n",
                ])
        let api = try #require(document.root["services", "api"])
        #expect(
            api["secrets"] == [["source": "db_password", "target": "db"], ["source": "tls_key", "target": "tls.key"]])
        #expect(api["environment", "DB_PASSWORD_FILE"] == "/run/secrets/db")
        #expect(
            api["configs"]
                == [
                    ["source": "app", "target": "/etc/app.toml"],
                    ["source": "nginx", "target": "/etc/nginx/nginx.conf"],
                ])
        // Berth creates the config: its content is not a config's content in the stack file,
        // only the extension key that says where it came from.
        #expect(document.yaml.components(separatedBy: "port = 8080").count == 2)
        #expect(document.root["configs", "app", "content"] == nil && document.root["configs", "app", "file"] == nil)
    }

    @Test("a new secret version renames the secret and changes only the services that read it")
    func rotation() async throws {
        let stack = Stack("shop") {
            Secret.generated("db_password")
            Service("api", image: "ghcr.io/acme/api:1.0").secret("db_password")
            Service("web", image: "nginx:1.27")
        }
        let before = try await renderChecked(stack, secretVersions: ["db_password": "1111111111111111"])
        let after = try await renderChecked(stack, secretVersions: ["db_password": "2222222222222222"])
        #expect(before.secretNames["db_password"] == "shop-dev_db_password_11111111")
        #expect(after.secretNames["db_password"] == "shop-dev_db_password_22222222")
        // The target, and so the path the service reads, stays the same.
        #expect(before.root["services", "api", "secrets"] == after.root["services", "api", "secrets"])
        let changed = after.serviceHashes["api"]!.changedFields(since: before.serviceHashes["api"]!.fields)
        #expect(changed.contains("secrets"))
        #expect(after.serviceHashes["web"] == before.serviceHashes["web"])
    }

    @Test("a changed config content renames the config and changes the services that mount it")
    func configContentChange() async throws {
        func stack(_ content: String) -> Stack {
            Stack("shop") {
                Config("app", .content(content))
                Service("api", image: "ghcr.io/acme/api:1.0").config("app", at: "/etc/app.toml")
            }
        }
        let first = try await renderChecked(stack("a = 1\n"))
        let second = try await renderChecked(stack("a = 2\n"))
        #expect(first.configNames["app"] != second.configNames["app"])
        #expect(second.serviceHashes["api"]!.changedFields(since: first.serviceHashes["api"]!.fields) == ["configs"])
    }

    @Test("per-environment files: the environment picks the file, the deploy versions it")
    func perEnvironmentFiles() async throws {
        let dev = Fixtures.nextCandle(.dev)
        let prod = Fixtures.nextCandle(.prod)
        #expect(dev.configs[0].source == .file("configs/postgres/postgresql.conf"))
        #expect(prod.configs[0].source == .file("configs/postgres/postgresql-prod.conf"))
        let devDocument = try await renderChecked(dev, for: .dev, configVersions: ["postgresql": "aaaaaaaa00000000"])
        let prodDocument = try await renderChecked(prod, for: .prod, configVersions: ["postgresql": "bbbbbbbb00000000"])
        #expect(devDocument.configNames["postgresql"] == "nextcandle-dev_postgresql_aaaaaaaa")
        #expect(prodDocument.configNames["postgresql"] == "nextcandle-prod_postgresql_bbbbbbbb")
        // The mount is the same in both: only the config behind it differs.
        #expect(
            devDocument.root["services", "postgres", "configs"] == prodDocument.root["services", "postgres", "configs"])
    }

    @Test("a name longer than Swarm's 64 characters is an error at the secret's line")
    func tooLongName() async throws {
        let stack = Stack("a-rather-long-stack-name") {
            Secret.generated("an_even_longer_secret_name_for_the_database")
            Service("api", image: "ghcr.io/acme/api:1.0").secret("an_even_longer_secret_name_for_the_database")
        }
        let document = try await renderChecked(
            stack, for: .stg, secretVersions: ["an_even_longer_secret_name_for_the_database": "0123456789abcdef"])
        #expect(document.diagnostics.map(\.code) == [.invalidName])
        #expect(document.diagnostics.first?.element == "secret 'an_even_longer_secret_name_for_the_database'")
        #expect(document.diagnostics.first?.location == stack.secrets[0].location)
    }

    @Test("a service name longer than a DNS label once prefixed with the stack is an error")
    func tooLongServiceName() async throws {
        let name = String(repeating: "s", count: 55)
        let stack = Stack("shop") { Service(name, image: "busybox:1.36") }
        let document = try await renderChecked(stack, for: .prod)
        #expect(document.diagnostics.map(\.code) == [.invalidName])
        #expect(document.diagnostics.first?.message.contains("shop-prod_\(name)") == true)
    }
}
