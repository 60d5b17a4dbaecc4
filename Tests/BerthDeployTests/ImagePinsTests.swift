import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

@Suite("Image pins: image-pins.json")
struct ImagePinsTests {
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    @Test("pinned tags of pulled images render with their digests; built images and written digests stay as they are")
    func applied() throws {
        var pins = ImagePins()
        pins.pins = ["postgres:16": Self.digest, "berth-build/app:1": Self.digest]
        let written = "redis@sha256:" + String(repeating: "cd", count: 32)
        let stack = Stack("shop") {
            Service("db", image: "postgres:16")
            Service("cache", image: Image(written))
            Service("app", image: "berth-build/app:1").build(context: ".")
            Service("web", image: "nginx:1.27")
        }
        let images = Dictionary(
            uniqueKeysWithValues: pins.applied(to: stack).services.map { ($0.name, $0.image.reference) })
        #expect(images["db"] == "postgres:16@\(Self.digest)")
        #expect(images["cache"] == written)
        #expect(images["app"] == "berth-build/app:1")
        #expect(images["web"] == "nginx:1.27")
        #expect(ImagePins.pinnable(in: stack) == ["postgres:16", "nginx:1.27"])
    }

    @Test("the file round-trips sorted; a missing file is no pins; a damaged one is named with the fix")
    func file() throws {
        let tmp = try TemporaryDirectory("berth-pins-file")
        defer { tmp.remove() }
        #expect(try ImagePins.load(from: tmp.url) == ImagePins())
        var pins = ImagePins()
        pins.pins = ["postgres:16": Self.digest, "nginx:1.27": Self.digest]
        try pins.save(to: tmp.url)
        #expect(try ImagePins.load(from: tmp.url) == pins)
        let text = try String(contentsOf: tmp.url.appendingPathComponent(ImagePins.fileName), encoding: .utf8)
        #expect(text.range(of: "nginx")!.lowerBound < text.range(of: "postgres")!.lowerBound)

        try #"{"version": 1, "pins": {"postgres:16": "latest"}}"#.write(
            to: tmp.url.appendingPathComponent(ImagePins.fileName), atomically: true, encoding: .utf8)
        #expect {
            try ImagePins.load(from: tmp.url)
        } throws: { error in
            let text = "\(error)"
            return text.contains(ImagePins.fileName) && text.contains("not a digest") && text.contains("--pin-digests")
        }
    }

    @Test("references as docker image ls lists them")
    func listedNames() {
        #expect(DockerEngine.listedName(of: "postgres") == "postgres:latest")
        #expect(DockerEngine.listedName(of: "docker.io/library/postgres:16") == "postgres:16")
        #expect(DockerEngine.listedName(of: "127.0.0.1:5000/team/app:1@" + Self.digest) == "127.0.0.1:5000/team/app:1")
        #expect(DockerEngine.hubName("docker.io/grafana/loki:3") == "grafana/loki")
    }
}
