import Foundation
import Testing

@testable import BerthDeploy

@Suite("Workspace")
struct WorkspaceTests {
    @Test("prepare creates the folders and a .gitignore that ignores everything")
    func prepare() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let workspace = Workspace(root: tmp.url)
        try workspace.prepare(stack: "shop", environment: "prod")

        let ignore = workspace.berthDirectory.appendingPathComponent(".gitignore")
        let lines = try String(contentsOf: ignore, encoding: .utf8).split(separator: "\n")
        #expect(lines.contains("*"))
        var isDirectory: ObjCBool = false
        #expect(
            FileManager.default.fileExists(
                atPath: workspace.directory(stack: "shop", environment: "prod").path,
                isDirectory: &isDirectory))
        #expect(isDirectory.boolValue)
        #expect(
            workspace.composeFile(stack: "shop", environment: "prod").path == tmp.path
                + "/.berth/shop/prod/compose.yaml")
        #expect(
            workspace.secretsDirectory(stack: "shop", environment: "prod").path == tmp.path
                + "/.berth/shop/prod/secrets")

        // A .gitignore the user edited is left alone.
        try Data("*\n!README\n".utf8).write(to: ignore)
        try workspace.prepare(stack: "shop", environment: "dev")
        #expect(try String(contentsOf: ignore, encoding: .utf8) == "*\n!README\n")
    }

    @Test("write replaces existing content atomically and leaves no temporary file")
    func atomicWrite() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let workspace = Workspace(root: tmp.url)
        try workspace.prepare(stack: "shop", environment: "dev")
        let file = workspace.composeFile(stack: "shop", environment: "dev")

        try workspace.write(String(repeating: "long old content\n", count: 100), to: file)
        try workspace.write("new: true\n", to: file)
        #expect(try String(contentsOf: file, encoding: .utf8) == "new: true\n")
        #expect(try permissions(of: file) == 0o644)
        let names = try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path)
        #expect(names == ["compose.yaml"])

        // The permissions asked for apply to the replacement, too.
        try Workspace.writeAtomically(Data("secret".utf8), to: file, permissions: 0o600)
        #expect(try permissions(of: file) == 0o600)
        #expect(try String(contentsOf: file, encoding: .utf8) == "secret")
    }

    @Test("a write into a missing folder fails with the path and leaves nothing behind")
    func writeIntoMissingFolder() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let file = tmp.url.appendingPathComponent("absent/compose.yaml")
        let error = try #require(throws: EngineError.self) {
            try Workspace(root: tmp.url).write("x", to: file)
        }
        #expect(error.description.contains(file.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
    }
}
