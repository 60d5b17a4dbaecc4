import Foundation
import Testing

@testable import BerthCore

@Suite("Validation: built services")
struct ValidationBuildTests {
    @Test func aBuiltServiceWithoutImageIsValidInProduction() {
        let stack = Stack("shop") {
            Service("web").build(context: "web", target: "runtime", args: ["SWIFT_VERSION": "6.1"])
            Service("api", image: "ghcr.io/acme/api").build(context: ".", dockerfile: "api/Dockerfile")
        }
        #expect(stack.validate(for: .prod).isEmpty)
    }

    @Test func buildModifierRecordsItsLineAndDefaults() throws {
        let (service, line) = (Service("web").build(context: "app"), #line)
        let build = try #require(service.build)
        #expect(build.context == "app")
        #expect(build.dockerfile == "Dockerfile")
        #expect(build.target == nil)
        #expect(build.arguments.isEmpty)
        #expect(build.location == here(line))
        #expect(service.image.repository.isEmpty)
    }

    @Test func buildRoundTripsThroughCodable() throws {
        let service = Service("web").build(context: "app", target: "run", args: ["A": "1"])
        let data = try JSONEncoder().encode(service)
        #expect(try JSONDecoder().decode(Service.self, from: data) == service)
        // Services encoded before builds existed still decode, without one.
        var object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["build"] = nil
        let old = try JSONSerialization.data(withJSONObject: object)
        #expect(try JSONDecoder().decode(Service.self, from: old).build == nil)
    }

    @Test(arguments: [
        ("/srv/app", "The build's context '/srv/app' is an absolute path"),
        ("../other-repo", "The build's context '../other-repo' climbs out of the package directory"),
        ("app/../../x", "The build's context 'app/../../x' climbs out of the package directory"),
    ])
    func contextMustStayInThePackage(_ context: String, _ message: String) throws {
        let (service, line) = (Service("web").build(context: context), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { service })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidBuild)
        #expect(diagnostic.element == "service 'web'")
        #expect(diagnostic.message.hasPrefix(message))
        #expect(diagnostic.location == here(line))
    }

    @Test func dockerfileMustStayInThePackage() throws {
        let (service, line) = (Service("web").build(context: "app", dockerfile: "../../Dockerfile"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { service })
        #expect(diagnostic.code == .invalidBuild)
        #expect(diagnostic.message.contains("'../../Dockerfile' climbs out of the package directory"))
        #expect(diagnostic.location == here(line))
        // One level up from a subfolder is still inside.
        #expect(
            Stack("shop") { Service("web").build(context: "app", dockerfile: "../Dockerfile") }.validate(for: .dev)
                .isEmpty)
    }

    @Test func argumentNamesAndTargetsAreChecked() {
        let line = #line + 2
        let stack = Stack("shop") {
            Service("web").build(
                context: "app", target: "1st stage", args: ["GOOD_ONE": "x", "BAD-NAME": "y", "": "z"])
        }
        let found = stack.validate(for: .dev)
        #expect(found.count == 3, "\(found)")
        #expect(found.allSatisfy { $0.code == .invalidBuild && $0.location == here(line) })
        #expect(found.contains { $0.message.contains("target '1st stage'") })
        #expect(found.contains { $0.message.contains("argument name 'BAD-NAME'") })
        #expect(found.contains { $0.message.contains("argument name ''") })
    }

    @Test func aBuiltImageTakesNoTagFromTheUser() throws {
        let (service, line) = (Service("web", image: "ghcr.io/acme/web:1.4").build(context: "web"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { service }, for: .prod)
        #expect(diagnostic.code == .invalidImage)
        #expect(diagnostic.message.contains("has a tag, but Berth builds this image"))
        #expect(diagnostic.fix.contains("image: \"ghcr.io/acme/web\""))
        #expect(diagnostic.location == here(line))
    }

    @Test func aServiceWithNeitherImageNorBuildIsAnError() throws {
        let (service, line) = (Service("web"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { service })
        #expect(diagnostic.code == .invalidImage)
        #expect(diagnostic.message == "The service has no image and no build, so the engine has nothing to run.")
        #expect(diagnostic.location == here(line))
    }

    @Test func nulBytesInABuildAreReported() throws {
        let stack = Stack("shop") { Service("web").build(context: "a\0b", args: ["K": "v\0"]) }
        #expect(diagnostics(of: stack, code: .nulByte).count == 2)
    }

    @Test func defaultRepositoryNamesStackAndService() {
        #expect(Build.defaultRepository(stack: "shop", service: "web") == "berth-build/shop-web")
    }
}
