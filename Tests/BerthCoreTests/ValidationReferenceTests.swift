import Testing

@testable import BerthCore

@Suite("Validation: references to undeclared elements")
struct ValidationReferenceTests {
    @Test func undeclaredNetworkWithSuggestion() throws {
        // `.networks(…)` records no location of its own, so the diagnostic points at the service.
        let (service, line) = (Service("web", image: "nginx:1.27").networks("backnd"), #line)
        let stack = Stack("shop") {
            Network("backend")
            service
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .undeclaredNetwork)
        #expect(diagnostic.element == "service 'web'")
        #expect(diagnostic.message == "It attaches to network 'backnd', which the stack does not declare.")
        #expect(
            diagnostic.fix
                == "Declare Network(\"backnd\") in the stack (or Network.external(\"backnd\") for a shared one), or correct the name (did you mean 'backend'?)."
        )
        #expect(diagnostic.location == here(line))
    }

    @Test func undeclaredNetworkWithoutNearMiss() throws {
        let (service, line) = (Service("web", image: "nginx:1.27").networks("frontend"), #line)
        let stack = Stack("shop") {
            Network("db")
            service
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.code == .undeclaredNetwork)
        #expect(!diagnostic.fix.contains("did you mean"))
        #expect(diagnostic.fix.hasSuffix("or correct the name."))
        #expect(diagnostic.location == here(line))
    }

    @Test func eachUndeclaredNetworkIsReported() {
        let stack = Stack("shop") { Service("web", image: "nginx:1.27").networks("a", "b", "c") }
        let found = diagnostics(of: stack, code: .undeclaredNetwork)
        #expect(
            found.map(\.message)
                == ["a", "b", "c"].map { "It attaches to network '\($0)', which the stack does not declare." }
        )
    }

    @Test func undeclaredVolumeWithSuggestion() throws {
        let service = Service("db", image: "postgres:17")
        let (changed, line) = (service.volume("dta", at: "/var/lib/postgresql/data"), #line)
        let stack = Stack("shop") {
            Volume("data")
            changed
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .undeclaredVolume)
        #expect(diagnostic.element == "service 'db'")
        #expect(diagnostic.message == "It mounts volume 'dta', which the stack does not declare.")
        #expect(
            diagnostic.fix
                == "Declare Volume(\"dta\") in the stack, or correct the name (did you mean 'data'?).")
        #expect(diagnostic.location == here(line))
    }

    @Test func bindAndTmpfsMountsNeedNoDeclaration() {
        let stack = Stack("shop") {
            Service("web", image: "nginx:1.27").mount(.bind("./site"), at: "/srv").mount(
                .tmpfs(sizeBytes: nil), at: "/tmp")
        }
        #expect(stack.validate(for: .prod) == [])
    }

    @Test func undeclaredSecretWithSuggestion() throws {
        let service = Service("db", image: "postgres:17")
        let (changed, line) = (service.secret("db_pasword", pathVariable: "POSTGRES_PASSWORD_FILE"), #line)
        let stack = Stack("shop") {
            Secret.generated("db_password")
            changed
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .undeclaredSecret)
        #expect(diagnostic.element == "service 'db'")
        #expect(diagnostic.message == "It reads secret 'db_pasword', which the stack does not declare.")
        #expect(
            diagnostic.fix
                == "Declare the secret in the stack, for example Secret.generated(\"db_pasword\"), or correct the name (did you mean 'db_password'?)."
        )
        #expect(diagnostic.location == here(line))
    }

    @Test func undeclaredConfigWithoutAnyConfigs() throws {
        let service = Service("web", image: "nginx:1.27")
        let (changed, line) = (service.config("nginx_conf", at: "/etc/nginx/nginx.conf"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { changed })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .undeclaredConfig)
        #expect(diagnostic.element == "service 'web'")
        #expect(diagnostic.message == "It reads config 'nginx_conf', which the stack does not declare.")
        #expect(diagnostic.fix == "Declare Config(\"nginx_conf\", …) in the stack, or correct the name.")
        #expect(diagnostic.location == here(line))
    }

    @Test func undeclaredConfigWithSuggestion() throws {
        let service = Service("web", image: "nginx:1.27")
        let (changed, line) = (service.config("ngnx_conf", at: "/etc/nginx/nginx.conf"), #line)
        let stack = Stack("shop") {
            Config("nginx_conf", .content(""))
            changed
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.code == .undeclaredConfig)
        #expect(diagnostic.fix.hasSuffix("(did you mean 'nginx_conf'?)."))
        #expect(diagnostic.location == here(line))
    }

    @Test func undeclaredServiceWithSuggestion() throws {
        let service = Service("web", image: "nginx:1.27")
        let (changed, line) = (service.dependsOn("postgress", condition: .healthy), #line)
        let stack = Stack("shop") {
            Service("postgres", image: "postgres:17").healthCheck(HealthCheck(.command(["pg_isready"])))
            changed
        }
        // Only the missing service is reported, not also the `healthy` condition.
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .undeclaredService)
        #expect(diagnostic.element == "service 'web'")
        #expect(diagnostic.message == "It depends on service 'postgress', which the stack does not declare.")
        #expect(diagnostic.fix == "Declare the service or correct the name (did you mean 'postgres'?).")
        #expect(diagnostic.location == here(line))
    }

    @Test func undeclaredServiceFarFromAnyName() throws {
        let service = Service("web", image: "nginx:1.27")
        let (changed, line) = (service.dependsOn("redis"), #line)
        let stack = Stack("shop") {
            Service("postgres", image: "postgres:17")
            changed
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.code == .undeclaredService)
        #expect(diagnostic.fix == "Declare the service or correct the name.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [
        ("dbb", ["db", "web"], "db"),
        ("cach", ["cache", "queue"], "cache"),
        ("postgre", ["postgres", "mysql"], "postgres"),
        ("catalogue", ["catalog", "cart"], "catalog"),
    ])
    func suggestsTheClosestName(_ typo: String, _ names: [String], _ expected: String) {
        #expect(Naming.closest(to: typo, among: Set(names)) == expected)
    }

    @Test(arguments: [
        ("redis", ["postgres", "web"]), ("x", []), ("api", ["web"]), ("queue", ["cache"]),
        // A swapped pair of letters costs two edits, too many for a three-letter name.
        ("wbe", ["web"]),
    ])
    func suggestsNothingWhenNoNameIsClose(_ name: String, _ names: [String]) {
        #expect(Naming.closest(to: name, among: Set(names)) == nil)
    }

    @Test(arguments: [
        ("", "", 0), ("a", "", 1), ("", "abc", 3), ("kitten", "sitting", 3), ("data", "dta", 1),
        ("ab", "ba", 2),
    ])
    func editDistance(_ lhs: String, _ rhs: String, _ distance: Int) {
        #expect(Naming.editDistance(lhs, rhs) == distance)
        #expect(Naming.editDistance(rhs, lhs) == distance)
    }

    @Test func secretKeptByAnUndeclaredService() throws {
        let (secret, line) = (Secret.generated("db_password").keptBy("databse"), #line)
        let stack = Stack("shop") {
            secret
            Service("database", image: "postgres:16.4").secret("db_password")
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.code == .undeclaredService)
        #expect(diagnostic.element == "secret 'db_password'")
        #expect(diagnostic.fix.contains("did you mean 'database'?"))
        #expect(diagnostic.location == here(line))
    }
}
