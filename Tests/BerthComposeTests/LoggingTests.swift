import BerthCompose
import BerthCore
import BerthTesting
import Foundation
import Testing

@Suite("Logging: rotation, Loki, none; rendered, read back by Compose, checked")
struct LoggingTests {
    static let stack = Stack("shop") {
        Service("api", image: "acme/api:1").logging(.rotated(maxSize: "20m", files: 3))
        Service("legacy", image: "acme/api:1").logging(.jsonFile(maxSize: "5m", files: 2))
        Service("worker", image: "acme/api:1").logging(.loki(url: "http://127.0.0.1:3100/loki/api/v1/push"))
        Service("noisy", image: "acme/api:1").logging(.none)
    }

    @Test("each driver renders with its options, and `docker compose config` reads them as written")
    func rendered() async throws {
        #expect(Self.stack.validate(for: .dev).isEmpty)
        let yaml = ComposeRenderer().render(Self.stack, for: .dev).yaml
        #expect(yaml.contains("driver: \"local\"\n      options:\n        max-size: \"20m\"\n        max-file: \"3\""))
        #expect(yaml.contains("mode: \"non-blocking\""))
        guard ComposeReferee.shouldRun else { return }
        let verdict = try await ComposeReferee.config(yaml)
        func logging(_ service: String) -> (String?, [String: String]?) {
            let node = verdict.model["services"]?[service]?["logging"]
            return (node?["driver"]?.string, node?["options"]?.stringMap)
        }
        #expect(logging("api").0 == "local" && logging("api").1 == ["max-size": "20m", "max-file": "3"])
        #expect(logging("legacy").0 == "json-file" && logging("legacy").1?["max-file"] == "2")
        #expect(logging("worker").0 == "loki")
        #expect(logging("worker").1?["loki-url"] == "http://127.0.0.1:3100/loki/api/v1/push")
        #expect(logging("worker").1?["loki-external-labels"] == "service=worker")
        #expect(logging("noisy").0 == "none")
    }

    @Test("a Loki URL naming a service, a size that is none, no files: errors at their lines")
    func mistakes() {
        let line = #line + 2
        let stack = Stack("shop") {
            Service("api", image: "acme/api:1").logging(.loki(url: "http://loki:3100/loki/api/v1/push"))
            Service("loki", image: "grafana/loki:3.0.0")
            Service("worker", image: "acme/api:1").logging(.rotated(maxSize: "lots", files: 0))
            Service("cron", image: "acme/api:1").logging(.loki(url: "loki:3100"))
        }
        let found = stack.validate(for: .dev).filter { $0.severity == .error }
        #expect(found.count == 4, "\(found)")
        let loki = found.first { $0.element == "service 'api'" }
        #expect(loki?.code == .invalidLogging && loki?.location?.line == line)
        #expect(loki?.message.contains("log drivers run in the Docker daemon") == true)
        #expect(found.contains { $0.element == "service 'worker'" && $0.code == .invalidMemorySize })
        #expect(found.contains { $0.element == "service 'worker'" && $0.code == .invalidCount })
        #expect(found.contains { $0.element == "service 'cron'" && $0.message.contains("not an http(s) URL") })
    }
}
