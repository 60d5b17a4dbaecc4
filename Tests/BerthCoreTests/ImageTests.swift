import Testing

@testable import BerthCore

@Suite("Image references")
struct ImageTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var reference: String
        var repository: String
        var tag: String?
        var digest: String?
        var isPinned: Bool
        var testDescription: String { reference }
    }

    static let cases: [Case] = [
        Case(reference: "nginx", repository: "nginx", tag: nil, digest: nil, isPinned: false),
        Case(reference: "nginx:1.27", repository: "nginx", tag: "1.27", digest: nil, isPinned: true),
        Case(reference: "nginx:latest", repository: "nginx", tag: "latest", digest: nil, isPinned: false),
        Case(
            reference: "registry:5000/team/app:1.2", repository: "registry:5000/team/app", tag: "1.2",
            digest: nil,
            isPinned: true),
        Case(
            reference: "registry:5000/app", repository: "registry:5000/app", tag: nil, digest: nil,
            isPinned: false),
        Case(reference: "app@sha256:abc", repository: "app", tag: nil, digest: "sha256:abc", isPinned: true),
        Case(
            reference: "app:1@sha256:abc", repository: "app", tag: "1", digest: "sha256:abc", isPinned: true),
        Case(
            reference: "app:latest@sha256:abc", repository: "app", tag: "latest", digest: "sha256:abc",
            isPinned: true),
        Case(
            reference: "ghcr.io/acme/shop:2024.1", repository: "ghcr.io/acme/shop", tag: "2024.1",
            digest: nil,
            isPinned: true),
        Case(
            reference: "localhost:5000/app:dev", repository: "localhost:5000/app", tag: "dev", digest: nil,
            isPinned: true),
    ]

    @Test("parses", arguments: cases)
    func parses(_ expected: Case) {
        let image = Image(expected.reference)
        #expect(image.repository == expected.repository)
        #expect(image.tag == expected.tag)
        #expect(image.digest == expected.digest)
        #expect(image.isPinned == expected.isPinned)
    }

    @Test("round-trips through reference and description", arguments: cases.map(\.reference))
    func roundTrips(_ reference: String) {
        let image = Image(reference)
        #expect(image.reference == reference)
        #expect(image.description == reference)
        #expect(Image(image.reference) == image)
    }

    @Test func stringLiteralParsesLikeInitialiser() {
        let image: Image = "registry:5000/team/app:1.2@sha256:abc"
        #expect(image == Image(repository: "registry:5000/team/app", tag: "1.2", digest: "sha256:abc"))
    }

    @Test func referenceFromParts() {
        #expect(Image(repository: "nginx").reference == "nginx")
        #expect(Image(repository: "nginx", tag: "1").reference == "nginx:1")
        #expect(Image(repository: "nginx", digest: "sha256:ff").reference == "nginx@sha256:ff")
        #expect(Image(repository: "nginx", tag: "1", digest: "sha256:ff").reference == "nginx:1@sha256:ff")
    }
}
