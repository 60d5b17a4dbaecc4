import Testing

@testable import BerthCore

@Suite("Validation: names")
struct ValidationNameTests {
    @Test(arguments: [
        ("My Shop", "my-shop"), ("Shop", "shop"), ("-shop", "shop"), ("_shop", "shop"),
        ("shop.prod", "shop-prod"),
        ("", "app"), ("shop/prod", "shop-prod"),
    ])
    func invalidStackName(_ name: String, _ suggestion: String) throws {
        let (stack, line) = (Stack(name) {}, #line)
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidName)
        #expect(diagnostic.element == "stack '\(name)'")
        #expect(diagnostic.message.contains("lowercase letters, digits, '-' and '_'"))
        #expect(diagnostic.fix == "Rename the stack, for example to '\(suggestion)'.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: ["shop", "1shop", "my_shop-2", "a"])
    func validStackName(_ name: String) {
        #expect(Stack(name) {}.validate(for: .prod) == [])
    }

    @Test(arguments: [("Prod", "prod"), ("eu west", "eu-west"), ("-qa", "qa"), ("qa.1", "qa-1")])
    func invalidEnvironmentName(_ name: String, _ suggestion: String) throws {
        let diagnostic = try onlyDiagnostic(of: Stack("shop") {}, for: Environment(name))
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidName)
        #expect(diagnostic.element == "environment '\(name)'")
        #expect(diagnostic.message.contains("environment name"))
        #expect(diagnostic.fix == "Rename the environment, for example to '\(suggestion)'.")
        // An environment is not written in the stack's code.
        #expect(diagnostic.location == nil)
    }

    @Test(arguments: ["dev", "eu-west_2", "qa1"])
    func validEnvironmentName(_ name: String) {
        #expect(Stack("shop") {}.validate(for: Environment(name, isProduction: true)) == [])
    }

    @Test(arguments: [
        ("Web", "web"), ("_web", "web"), ("-web", "web"), ("web app", "web-app"), ("web/app", "web-app"),
        ("wéb", "w-b"), ("", "app"),
    ])
    func invalidServiceName(_ name: String, _ suggestion: String) throws {
        let (service, line) = (Service(name, image: "nginx:1.27"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { service })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidName)
        #expect(diagnostic.element == "service '\(name)'")
        #expect(
            diagnostic.message
                == "The name is not valid: Compose allows only lowercase letters, digits, '.', '_' and '-', starting with a letter or digit."
        )
        #expect(diagnostic.fix == "Rename the service, for example to '\(suggestion)'.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: ["web", "web-1", "web_1", "web.internal", "1web"])
    func validServiceName(_ name: String) {
        #expect(Stack("shop") { Service(name, image: "nginx:1.27") }.validate(for: .prod) == [])
    }

    @Test(
        arguments: ResourceKind.allCases,
        [("my net", "my-net"), ("bad/name", "bad-name"), ("", "app"), ("a:b", "a-b")])
    func invalidResourceName(_ kind: ResourceKind, _ example: (name: String, suggestion: String)) throws {
        let (element, line) = (kind.declare(example.name), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { [element] })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidName)
        #expect(diagnostic.element == "\(kind.rawValue) '\(example.name)'")
        #expect(
            diagnostic.message
                == "The name is not valid: Compose allows only letters, digits, '.', '_' and '-'.")
        #expect(diagnostic.fix == "Rename the \(kind.rawValue), for example to '\(example.suggestion)'.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: ResourceKind.allCases, ["Backend", "db.data", "_private", "a-b_c.D9"])
    func validResourceName(_ kind: ResourceKind, _ name: String) {
        #expect(Stack("shop") { [kind.declare(name)] }.validate(for: .prod) == [])
    }

    @Test(arguments: ResourceKind.allCases)
    func duplicateResourceName(_ kind: ResourceKind) throws {
        let (first, firstLine) = (kind.declare("shared"), #line)
        let (second, secondLine) = (kind.declare("shared"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { [first, kind.declare("other"), second] })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .duplicateName)
        #expect(diagnostic.element == "\(kind.rawValue) 'shared'")
        #expect(
            diagnostic.message
                == "The stack declares two \(kind.rawValue)s named 'shared'; the first is at BerthCoreTests/ValidationNameTests.swift:\(firstLine)."
        )
        #expect(diagnostic.fix == "Give each \(kind.rawValue) its own name or remove one of them.")
        #expect(diagnostic.location == here(secondLine))
    }

    @Test func duplicateServiceName() throws {
        let (first, firstLine) = (Service("web", image: "nginx:1.27"), #line)
        let (second, secondLine) = (Service("web", image: "nginx:1.28"), #line)
        let stack = Stack("shop") {
            first
            Service("db", image: "postgres:17")
            second
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .duplicateName)
        #expect(diagnostic.element == "service 'web'")
        #expect(
            diagnostic.message
                == "The stack declares two services named 'web'; the first is at \(here(firstLine))."
        )
        #expect(diagnostic.fix == "Give each service its own name or remove one of them.")
        #expect(diagnostic.location == here(secondLine))
    }

    @Test func everyRepeatIsReportedAgainstTheFirst() {
        let (first, firstLine) = (Volume("data"), #line)
        let (second, secondLine) = (Volume("data"), #line)
        let (third, thirdLine) = (Volume("data"), #line)
        let stack = Stack("shop") {
            first
            second
            third
        }
        let found = diagnostics(of: stack, code: .duplicateName)
        #expect(found.map(\.location) == [here(secondLine), here(thirdLine)])
        #expect(found.allSatisfy { $0.message.hasSuffix("the first is at \(here(firstLine)).") })
    }

    @Test func sameNameForDifferentKindsIsFine() {
        let stack = Stack("shop") {
            Service("db", image: "postgres:17").volume("db", at: "/var/lib/postgresql/data").networks("db")
                .secret("db").config("db", at: "/etc/db.conf")
            Network("db")
            Volume("db")
            Secret.generated("db")
            Config("db", .content("x"))
        }
        #expect(stack.validate(for: .prod) == [])
    }

    @Test(arguments: ["1KEY", "MY=VAR", "", "MY VAR", "ÉTÉ"])
    func invalidEnvironmentKey(_ key: String) throws {
        let service = Service("web", image: "nginx:1.27")
        let (changed, line) = (service.environment(key, "x"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { changed })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidName)
        #expect(diagnostic.element == "service 'web'")
        #expect(diagnostic.message == "The environment key '\(key)' is not valid.")
        #expect(diagnostic.fix == "Use letters, digits, '_', '.' and '-', starting with a letter or '_'.")
        #expect(diagnostic.location == here(line))
    }

    @Test func invalidSecretPathVariable() throws {
        let service = Service("web", image: "nginx:1.27")
        let (changed, line) = (service.secret("token", pathVariable: "TOKEN FILE"), #line)
        let stack = Stack("shop") {
            Secret.generated("token")
            changed
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.code == .invalidName)
        #expect(diagnostic.message == "The environment key 'TOKEN FILE' is not valid.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: ["PATH", "_private", "lower_case", "A1", "DB_PASSWORD_FILE"])
    func validEnvironmentKey(_ key: String) {
        #expect(
            Stack("shop") { Service("web", image: "nginx:1.27").environment(key, "x") }.validate(for: .prod)
                == [])
    }
}
