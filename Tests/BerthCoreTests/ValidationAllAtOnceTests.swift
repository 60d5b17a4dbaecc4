import Testing

@testable import BerthCore

@Suite("Validation: every problem at once")
struct ValidationAllAtOnceTests {
    @Test func oneValidateCallReportsEveryMistakeErrorsFirst() {
        // Each mistake is on its own line so each diagnostic's location can be checked.
        let (cache, unpinnedLine) = (Service("cache", image: "redis"), #line)
        let (proxy, proxyLine) = (Service("Proxy", image: "traefik:v3.2"), #line)
        let web = Service("web", image: "nginx:1.27")
        let (web1, undeclaredVolumeLine) = (web.volume("static", at: "/srv"), #line)
        let (web2, webPublishLine) = (web1.publish(80, on: 5432), #line)
        let (web3, credentialLine) = (web2.environment("API_TOKEN", "abc123"), #line)
        let (web4, healthyLine) = (web3.dependsOn("db", condition: .healthy), #line)
        let (db, dbPublishLine) = (Service("db", image: "postgres:17").publish(5432), #line)
        let (db1, cycleLine) = (db.dependsOn("web"), #line)
        let (db2, relativeLine) = (db1.volume("pgdata", at: "pgdata"), #line)
        let (secret, shortSecretLine) = (Secret.generated("session", length: 8), #line)
        let (network, duplicateNetworkLine) = (Network("backend"), #line)
        let (legacy, legacyLine) = (Service("legacy", image: "acme/legacy:latest"), #line)

        let stack = Stack("shop") {
            Network("backend")
            Volume("pgdata")
            cache
            proxy
            web4
            db2
            secret
            network
            legacy
        }
        let all = stack.validate(for: .dev)

        let expected: [(Diagnostic.Severity, Diagnostic.Code, String, Int)] = [
            (.error, .invalidName, "service 'Proxy'", proxyLine),
            (.error, .duplicateName, "network 'backend'", duplicateNetworkLine),
            (.error, .undeclaredVolume, "service 'web'", undeclaredVolumeLine),
            (.error, .secretInEnvironment, "service 'web'", credentialLine),
            (.error, .invalidPath, "service 'db'", relativeLine),
            (.error, .healthyDependencyWithoutCheck, "service 'web'", healthyLine),
            (.error, .dependencyCycle, "service 'web'", healthyLine),
            (.error, .portConflict, "service 'db'", dbPublishLine),
            (.error, .invalidCount, "secret 'session'", shortSecretLine),
            (.warning, .unpinnedImage, "service 'cache'", unpinnedLine),
            (.warning, .unpinnedImage, "service 'legacy'", legacyLine),
        ]
        #expect(all.count == expected.count, "\(all.map(\.description).joined(separator: "\n"))")
        // Errors come before warnings.
        let severities = all.map(\.severity)
        #expect(severities == severities.sorted(by: >))
        #expect(Set(all.map(\.code)).count == 10)
        for (severity, code, element, line) in expected {
            #expect(
                all.contains {
                    $0.severity == severity && $0.code == code && $0.element == element
                        && $0.location == here(line)
                },
                "missing \(severity) \(code) for \(element) at line \(line)")
        }
        // The cycle runs through both services and is written from the one declared first.
        let cycle = all.first { $0.code == .dependencyCycle }
        #expect(cycle?.message.contains("web -> db -> web") == true)
        #expect(cycle?.location != here(cycleLine))
        #expect(all.first { $0.code == .portConflict }?.message.contains("(\(here(webPublishLine)))") == true)
    }

    @Test func productionTurnsUnpinnedImagesIntoErrors() {
        let stack = Stack("shop") {
            Service("cache", image: "redis")
            Service("Web", image: "nginx:1.27")
        }
        #expect(stack.validate(for: .dev).map(\.severity) == [.error, .warning])
        #expect(stack.validate(for: .prod).map(\.severity) == [.error, .error])
        #expect(stack.validate(for: .prod).map(\.code) == [.invalidName, .unpinnedImage])
    }

    @Test(arguments: [Environment.dev, .stg, .prod])
    func aCorrectStackHasNoDiagnostics(_ environment: Environment) {
        let stack = Stack("shop") {
            Network("frontend")
            Network("backend", internal: true)
            Network.external("proxy")
            Volume("pgdata")
            Volume.external("backups")
            Secret.generated("db_password")
            Secret("tls_key", .file("certs/key.pem"))
            Config("nginx_conf", .file("config/nginx.conf"))

            Service("db", image: "postgres:17.2@sha256:0123456789abcdef")
                .networks("backend")
                .volume("pgdata", at: "/var/lib/postgresql/data")
                .volume("backups", at: "/backups", readOnly: true)
                .secret("db_password", pathVariable: "POSTGRES_PASSWORD_FILE")
                .environment("POSTGRES_USER", "shop")
                .healthCheck(
                    HealthCheck(.command(["pg_isready", "-U", "shop"]), interval: .seconds(5), retries: 5)
                )
                .resources(Resources(cpuLimit: 2, memoryLimit: "1g", memoryReservation: "512m"))
                .expose(5432)
            Service("api", image: "ghcr.io/acme/api:1.4.2")
                .networks("backend", "frontend")
                .secret("db_password", target: "db", pathVariable: "DB_PASSWORD_FILE")
                .environment(
                    "DATABASE_URL", .interpolated("postgres://shop@db/shop?sslmode=${SSL_MODE:-disable}")
                )
                .environment(["LOG_LEVEL": "info", "PORT": "8080"])
                .dependsOn("db", condition: .healthy)
                .healthCheck(.http(port: 8080, path: "/health"))
                .replicas(environment.isProduction ? 3 : 1)
                .restart(.onFailure(maxAttempts: 5))
                .expose(8080)
            Service("web", image: "nginx:1.27")
                .networks("frontend", "proxy")
                .config("nginx_conf", at: "/etc/nginx/nginx.conf")
                .secret("tls_key")
                .mount(.tmpfs(sizeBytes: 64 << 20), at: "/var/cache/nginx")
                .publish(8080, on: 80, public: environment.isProduction)
                .publish(8443, on: 443, public: true)
                .dependsOn("api")
                .readOnlyRootFilesystem()
                .dropCapabilities(["ALL"])
            Service("migrate", image: "ghcr.io/acme/api:1.4.2")
                .command(["migrate", "up"])
                .networks("backend")
                .dependsOn("db", condition: .healthy)
                .restart(.never)
        }
        #expect(stack.validate(for: environment) == [])
    }
}
