import Testing

@testable import BerthCore

@Suite("Validation: images")
struct ValidationImageTests {
    @Test func imageWithoutTagIsAWarningInDevelopment() throws {
        let (service, line) = (Service("web", image: "nginx"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { service }, for: .dev)
        #expect(diagnostic.severity == .warning)
        #expect(diagnostic.code == .unpinnedImage)
        #expect(diagnostic.element == "service 'web'")
        #expect(
            diagnostic.message
                == "The image 'nginx' has neither tag nor digest, so every deploy may run a different version."
        )
        #expect(diagnostic.fix == "Pin the image with a tag or a digest, for example \"nginx:1.0\".")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [Environment.prod, Environment("live", isProduction: true)])
    func imageWithoutTagIsAnErrorInProduction(_ environment: Environment) throws {
        let (service, line) = (Service("app", image: "registry:5000/team/app"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { service }, for: environment)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .unpinnedImage)
        #expect(
            diagnostic.message
                == "The image 'registry:5000/team/app' has neither tag nor digest, so every deploy may run a different version — not acceptable in production."
        )
        #expect(
            diagnostic.fix
                == "Pin the image with a tag or a digest, for example \"registry:5000/team/app:1.0\".")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [(Environment.dev, Diagnostic.Severity.warning), (.stg, .warning), (.prod, .error)])
    func latestTagIsNotPinned(_ environment: Environment, _ severity: Diagnostic.Severity) throws {
        // `latest` moves like a missing tag does (`Image.isPinned` is false), so it is reported the same way.
        let (service, line) = (Service("web", image: "nginx:latest"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { service }, for: environment)
        #expect(diagnostic.severity == severity)
        #expect(diagnostic.code == .unpinnedImage)
        #expect(
            diagnostic.message.hasPrefix(
                "The image 'nginx:latest' uses the moving tag 'latest', so every deploy"))
        #expect(diagnostic.fix == "Pin the image with a tag or a digest, for example \"nginx:1.0\".")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [
        "nginx:1.27", "app@sha256:abc", "app:1@sha256:abc", "app:latest@sha256:abc",
        "registry:5000/team/app:1.2",
        "Registry.Example.com/shop:1", "localhost/app:1", "my-registry.example.com:443/a/b/c:v1",
    ])
    func pinnedImagesAreAccepted(_ reference: String) {
        #expect(Stack("shop") { Service("web", image: Image(reference)) }.validate(for: .prod) == [])
    }

    @Test(arguments: [
        "Nginx:1.27", "acme/Web:1", "ACME/web", "/nginx:1", "acme//web:1", "nginx/:1", "-nginx:1", ":1",
        "ghcr.io/Acme/shop:1",
    ])
    func invalidReference(_ reference: String) throws {
        let (service, line) = (Service("web", image: Image(reference)), #line)
        // An invalid reference is not also reported as unpinned, even in production.
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { service }, for: .prod)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidImage)
        #expect(diagnostic.element == "service 'web'")
        #expect(diagnostic.message == "The image '\(reference)' is not a valid image reference.")
        #expect(diagnostic.fix == "Write it as REPOSITORY[:TAG][@DIGEST], for example \"nginx:1.27\".")
        #expect(diagnostic.location == here(line))
    }
}

@Suite("Validation: paths")
struct ValidationPathTests {
    let base = Service("web", image: "nginx:1.27")

    @Test func relativeVolumeTarget() throws {
        let (service, line) = (base.volume("data", at: "var/lib/data"), #line)
        let stack = Stack("shop") {
            Volume("data")
            service
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidPath)
        #expect(diagnostic.element == "service 'web'")
        #expect(
            diagnostic.message
                == "The mount target 'var/lib/data' is not an absolute path inside the container.")
        #expect(diagnostic.fix == "Write the target as an absolute path, such as /data.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [Mount.Source.bind("./site"), .tmpfs(sizeBytes: 1 << 20), .volume("data")])
    func relativeTargetOfAnyMount(_ source: Mount.Source) throws {
        let (service, line) = (base.mount(source, at: "./tmp"), #line)
        let stack = Stack("shop") {
            Volume("data")
            service
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.code == .invalidPath)
        #expect(
            diagnostic.message == "The mount target './tmp' is not an absolute path inside the container.")
        #expect(diagnostic.location == here(line))
    }

    @Test func relativeConfigTarget() throws {
        let (service, line) = (base.config("nginx_conf", at: "nginx.conf"), #line)
        let stack = Stack("shop") {
            Config("nginx_conf", .content(""))
            service
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.code == .invalidPath)
        #expect(diagnostic.element == "service 'web'")
        #expect(
            diagnostic.message
                == "The mount target 'nginx.conf' is not an absolute path inside the container.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: ["db/password", "/run/secrets/password", ""])
    func secretTargetIsNotAFileName(_ target: String) throws {
        let (service, line) = (base.secret("db_password", target: target), #line)
        let stack = Stack("shop") {
            Secret.generated("db_password")
            service
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidPath)
        #expect(diagnostic.element == "service 'web'")
        #expect(
            diagnostic.message == "The secret target '\(target)' must be a file name under /run/secrets/.")
        #expect(diagnostic.fix == "Use a plain file name such as 'db_password'.")
        #expect(diagnostic.location == here(line))
    }

    @Test func absoluteTargetsAndPlainSecretFileNames() {
        let stack = Stack("shop") {
            Volume("data")
            Secret.generated("db_password")
            Config("conf", .file("conf/app.conf"))
            base.volume("data", at: "/data").mount(.bind("./site"), at: "/srv", readOnly: true)
                .secret("db_password", target: "password.txt").config("conf", at: "/etc/app.conf")
        }
        #expect(stack.validate(for: .prod) == [])
    }
}
