import Testing

@testable import BerthCore

@Suite("Validation: release tasks")
struct ReleaseTaskValidationTests {
    @Test("a release task needs a command and a positive timeout, on Compose and Swarm; each problem names its line")
    func checked() {
        let line = #line + 1
        let empty = Service("api", image: "acme/api:1").beforeRelease([], timeout: .seconds(0))
        let found = Stack("shop") { empty }.validate(for: .dev)
        #expect(found.map(\.code) == [.invalidReleaseTask, .invalidReleaseTask])
        #expect(found.allSatisfy { $0.location?.line == line })

        let migrate = Service("api", image: "acme/api:1").beforeRelease(["bin/migrate"])
        #expect(Stack("shop") { migrate }.validate(for: .dev).isEmpty)
        #expect(migrate.releaseTask?.timeout == .seconds(600))
        #expect(Stack("shop") { migrate }.validate(for: Environment.prod.on(.swarm)).isEmpty)
        // The name the task's Swarm job takes must be free.
        let taken = Stack("shop") {
            migrate
            Service("api-release", image: "acme/notes:1")
        }
        #expect(taken.validate(for: .dev).isEmpty)
        let onSwarm = taken.validate(for: Environment.prod.on(.swarm))
        #expect(onSwarm.map(\.code) == [.invalidReleaseTask])
        #expect(onSwarm.first?.message.contains("'api-release'") == true)
        #expect(
            Stack("shop") { empty }.validate(for: Environment.prod.on(.swarm)).map(\.code) == [
                .invalidReleaseTask, .invalidReleaseTask,
            ])
    }
}
