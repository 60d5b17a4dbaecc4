import BerthCompose
import BerthCore
import BerthTesting
import Foundation
import Testing

@Suite("Jobs rendered for Compose and Swarm")
struct JobRenderingTests {
    static let cleanup = Service("cleanup", image: "acme/api:1")
        .entrypoint(["docker-entrypoint.sh"])
        .command(["bin/cleanup", "--older-than", "$30d"])
        .secret("db_password")
        .environment("DATABASE_URL", .composed("postgresql://app:\(secret: "db_password")@db:5432/app"))
        .schedule("*/15 2-4 * * mon-fri")

    static let stack = Stack("shop") {
        Secret.generated("db_password")
        Self.cleanup
    }

    @Test(
        "the scheduler is the entrypoint, then the composing shim, then the job's program; Compose reads it back whole")
    func compose() async throws {
        #expect(Self.stack.validate(for: .dev).isEmpty)
        let yaml = ComposeRenderer().render(Self.stack, for: .dev).yaml
        switch try GoldenTests.golden.check(yaml, named: "job.yaml") {
        case .matches: break
        case .recorded(let note): print(note)
        case .mismatch(let message): Issue.record(Comment(rawValue: message))
        }
        guard ComposeReferee.shouldRun else { return }
        let verdict = try await ComposeReferee.config(yaml)
        let service = try #require(verdict.model["services"]?["cleanup"])
        let scheduler = try #require(JobScheduler(of: Self.cleanup))
        let composed = try #require(ComposedEnvironment(of: Self.cleanup))
        #expect(
            service["entrypoint"]?.strings
                == scheduler.entrypoint(name: "cleanup").map { $0.replacingOccurrences(of: "$", with: "$$") })
        #expect(
            service["command"]?.strings
                == (composed.entrypoint(name: "cleanup") + [
                    "docker-entrypoint.sh", "bin/cleanup", "--older-than", "$30d",
                ])
                .map { $0.replacingOccurrences(of: "$", with: "$$") })
        #expect(scheduler.script.contains(#"case " 02 03 04 " in *" $2 "*) ;; *) return 1 ;; esac"#))
        #expect(scheduler.script.contains(#"case " 1 2 3 4 5 " in *" $5 "*) ;; *) return 1 ;; esac"#))
    }
}
