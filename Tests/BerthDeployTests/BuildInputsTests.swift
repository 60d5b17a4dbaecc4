import BerthCompose
import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

@Suite("Built images: input hash, .dockerignore, preflight and rendering")
struct BuildInputsTests {
    /// A package with an `app` context holding a Dockerfile, a script and a nested file.
    static func package() throws -> TemporaryDirectory {
        let package = try TemporaryDirectory("berth-build-inputs")
        try write("FROM scratch\nCOPY . /app\n", to: "app/Dockerfile", in: package)
        try write("#!/bin/sh\necho hello\n", to: "app/run.sh", in: package)
        try write("body\n", to: "app/www/index.html", in: package)
        return package
    }

    static func write(_ text: String, to path: String, in package: TemporaryDirectory) throws {
        let url = package.url.appendingPathComponent(path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    static func tag(_ package: TemporaryDirectory, _ build: Build = Build(context: "app", location: here)) throws
        -> String
    {
        try BuildInputs(build: build, packageDirectory: package.url).tag()
    }

    static let here = BerthCore.SourceLocation(fileID: "Deploy/Stack.swift", line: 12)

    @Test func theTagIsStableAndShort() throws {
        let package = try Self.package()
        defer { package.remove() }
        let tag = try Self.tag(package)
        #expect(tag.count == 16)
        #expect(tag.allSatisfy { $0.isHexDigit })
        #expect(try Self.tag(package) == tag)
    }

    @Test func changingAFileChangesTheTag() throws {
        let package = try Self.package()
        defer { package.remove() }
        let before = try Self.tag(package)
        try Self.write("body, changed\n", to: "app/www/index.html", in: package)
        #expect(try Self.tag(package) != before)
    }

    @Test func addingRemovingAndRenamingFilesChangeTheTag() throws {
        let package = try Self.package()
        defer { package.remove() }
        let before = try Self.tag(package)
        try Self.write("", to: "app/empty", in: package)
        let added = try Self.tag(package)
        #expect(added != before)
        try FileManager.default.moveItem(
            at: package.url.appendingPathComponent("app/empty"), to: package.url.appendingPathComponent("app/other"))
        #expect(try Self.tag(package) != added)
        try FileManager.default.removeItem(at: package.url.appendingPathComponent("app/other"))
        #expect(try Self.tag(package) == before)
    }

    @Test func touchingAFileOrChangingItsOwnerBitsDoesNot() throws {
        let package = try Self.package()
        defer { package.remove() }
        let before = try Self.tag(package)
        let file = package.url.appendingPathComponent("app/www/index.html").path
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: 1_000_000)], ofItemAtPath: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        #expect(try Self.tag(package) == before)
    }

    @Test func theExecutableBitChangesTheTag() throws {
        let package = try Self.package()
        defer { package.remove() }
        let before = try Self.tag(package)
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: package.url.appendingPathComponent("app/run.sh").path)
        #expect(try Self.tag(package) != before)
    }

    @Test func dockerfileTargetAndArgumentsChangeTheTag() throws {
        let package = try Self.package()
        defer { package.remove() }
        let plain = try Self.tag(package)
        #expect(try Self.tag(package, Build(context: "app", target: "run", location: Self.here)) != plain)
        let one = try Self.tag(package, Build(context: "app", arguments: ["A": "1"], location: Self.here))
        #expect(one != plain)
        #expect(try Self.tag(package, Build(context: "app", arguments: ["A": "2"], location: Self.here)) != one)
        // A Dockerfile outside the context is an input all the same.
        try Self.write("FROM scratch\n", to: "Dockerfile.app", in: package)
        let outside = Build(context: "app", dockerfile: "../Dockerfile.app", location: Self.here)
        let before = try Self.tag(package, outside)
        try Self.write("FROM scratch\nCOPY run.sh /\n", to: "Dockerfile.app", in: package)
        #expect(try Self.tag(package, outside) != before)
    }

    @Test func ignoredFilesAndBerthsOwnFoldersDoNotChangeTheTag() throws {
        let package = try Self.package()
        defer { package.remove() }
        try Self.write("**/*.log\nnode_modules\n/tmp/**\n!tmp/keep.txt\n", to: "app/.dockerignore", in: package)
        let before = try Self.tag(package)
        try Self.write("noise", to: "app/debug.log", in: package)
        try Self.write("noise", to: "app/www/trace.log", in: package)
        try Self.write("noise", to: "app/node_modules/x/index.js", in: package)
        try Self.write("noise", to: "app/tmp/a/b.txt", in: package)
        try Self.write("noise", to: "app/.git/HEAD", in: package)
        try Self.write("noise", to: "app/.build/debug/app", in: package)
        try Self.write("noise", to: "app/.berth/shop/dev/compose.yaml", in: package)
        #expect(try Self.tag(package) == before)
        // An exception brings a file back.
        try Self.write("kept", to: "app/tmp/keep.txt", in: package)
        #expect(try Self.tag(package) != before)
    }

    @Test(arguments: [
        ("*.log", "a.log", true), ("*.log", "dir/a.log", false), ("**/*.log", "dir/sub/a.log", true),
        ("**/*.log", "a.log", true), ("build", "build/x/y", true), ("/build", "build", true),
        ("doc?", "docs", true), ("doc?", "doc", false), ("[a-c]at", "bat", true), ("[^a-c]at", "bat", false),
        ("a/**/z", "a/z", true), ("a/**/z", "a/b/c/z", true), ("\\*", "*", true), ("\\*", "x", false),
    ])
    func dockerIgnorePatterns(_ pattern: String, _ path: String, _ excluded: Bool) {
        let ignore = DockerIgnore(pattern)
        #expect(ignore.excludes(path.split(separator: "/")) == excluded, "\(pattern) on \(path)")
    }

    @Test func dockerIgnoreLastMatchWins() {
        let ignore = DockerIgnore("# comment\n\n*.md\n!README.md\nREADME.md\n")
        #expect(ignore.excludes(["README.md"]))
        #expect(!DockerIgnore("*.md\n!README.md").excludes(["README.md"]))
        #expect(DockerIgnore("*.md\n!README.md").excludes(["CHANGES.md"]))
    }

    // MARK: Preflight

    @Test func aMissingContextOrDockerfileIsAnErrorAtTheBuildLine() throws {
        let package = try Self.package()
        defer { package.remove() }
        let (missingContext, contextLine) = (Service("web").build(context: "web"), #line)
        let (missingDockerfile, dockerfileLine) = (
            Service("api").build(context: "app", dockerfile: "api.Dockerfile"), #line
        )
        let stack = Stack("shop") {
            missingContext
            missingDockerfile
            Service("ok").build(context: "app")
        }
        let found = Preflight.fileDiagnostics(of: stack, packageDirectory: package.url)
        #expect(found.count == 2, "\(found)")
        let context = try #require(found.first { $0.element == "service 'web'" })
        #expect(context.code == .missingFile)
        #expect(
            context.message.contains("build context \(package.url.appendingPathComponent("web").path) does not exist"))
        #expect(context.location == BerthCore.SourceLocation(fileID: #fileID, line: contextLine))
        let dockerfile = try #require(found.first { $0.element == "service 'api'" })
        #expect(dockerfile.message.contains("app/api.Dockerfile does not exist"))
        #expect(dockerfile.location == BerthCore.SourceLocation(fileID: #fileID, line: dockerfileLine))
        // prepare stops there, before any engine is involved.
        let deployer = ComposeDeployer(engine: DockerEngine(), workspace: Workspace(root: package.url))
        #expect(throws: ValidationFailure.self) { try deployer.prepare(stack, for: .dev) }
    }

    @Test func prepareRendersTheTaggedImageAndASourceChangeUpdatesTheService() throws {
        let package = try Self.package()
        defer { package.remove() }
        let stack = Stack("shop") {
            Service("web").build(context: "app")
            Service("api", image: "ghcr.io/acme/api").build(context: "app", args: ["MODE": "api"])
            Service("cache", image: "berth-test/busybox:1")
        }
        let deployer = ComposeDeployer(engine: DockerEngine(), workspace: Workspace(root: package.url))
        let prepared = try deployer.prepare(stack, for: .dev)
        let tag = try Self.tag(package)
        #expect(prepared.stack.services[0].image.reference == "berth-build/shop-web:\(tag)")
        #expect(prepared.stack.services[1].image.repository == "ghcr.io/acme/api")
        #expect(prepared.stack.services[1].image.tag != tag)
        #expect(prepared.stack.services[2].image.reference == "berth-test/busybox:1")
        #expect(prepared.document.yaml.contains("image: \"berth-build/shop-web:\(tag)\""))
        // Compose never builds: Berth has, before Compose runs.
        #expect(!prepared.document.yaml.contains("build:"))
        #expect(try BuiltImage.of(prepared.stack).map(\.services) == [["web"], ["api"]])

        try Self.write("changed\n", to: "app/www/index.html", in: package)
        let changed = try deployer.prepare(stack, for: .dev)
        let before = prepared.document.serviceHashes
        #expect(changed.document.serviceHashes["web"] != before["web"])
        #expect(changed.document.serviceHashes["api"] != before["api"])
        #expect(changed.document.serviceHashes["cache"] == before["cache"])
        let plan = Plan(
            stack: changed.stack, environment: .dev, document: changed.document,
            live: PlanTests.deployed(prepared.stack))
        #expect(PlanTests.change(plan, "web")?.action == .update)
        #expect(PlanTests.change(plan, "web")?.changedFields == ["image"])
        #expect(PlanTests.change(plan, "cache")?.action == .unchanged)
    }

    @Test func aDigestPinnedImageRendersAndPlans() throws {
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let stack = Stack("shop") {
            Service("web", image: Image("registry:5000/team/web:1.4@\(digest)"))
            Service("api", image: Image(repository: "ghcr.io/acme/api", digest: digest))
        }
        #expect(stack.validate(for: .prod).isEmpty)
        let document = ComposeRenderer().render(stack, for: .prod)
        #expect(document.yaml.contains("image: \"registry:5000/team/web:1.4@\(digest)\""))
        #expect(document.yaml.contains("image: \"ghcr.io/acme/api@\(digest)\""))
        let fresh = PlanTests.plan(stack, live: LiveState(containers: [], networks: [], volumes: []))
        #expect(PlanTests.change(fresh, "web")?.action == .create)
        let running = PlanTests.plan(stack, live: PlanTests.deployed(stack))
        #expect(running.services.allSatisfy { $0.action == .unchanged })
        // Another digest is another image: the service is updated, and only its image changed.
        let moved = Stack("shop") {
            Service("web", image: Image("registry:5000/team/web:1.4@sha256:\(String(repeating: "cd", count: 32))"))
            Service("api", image: Image(repository: "ghcr.io/acme/api", digest: digest))
        }
        let update = PlanTests.plan(moved, live: PlanTests.deployed(stack))
        #expect(PlanTests.change(update, "web")?.action == .update)
        #expect(PlanTests.change(update, "web")?.changedFields == ["image"])
        #expect(PlanTests.change(update, "api")?.action == .unchanged)
    }
}
