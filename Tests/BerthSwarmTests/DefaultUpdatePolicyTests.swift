import BerthCore
import BerthSwarm
import BerthYAML
import Testing

/// Berth's update and rollback policy for services that set none.
@Suite("Default update policy")
struct DefaultUpdatePolicyTests {
    static let check = HealthCheck(
        .command(["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]), interval: .seconds(10),
        timeout: .seconds(5), retries: 3)
    static let web = Service("web", image: "ghcr.io/acme/web:1.0").healthCheck(check)

    @Test("a stateless service with a health check updates start-first and rolls back on failure")
    func statelessWithHealthCheck() {
        let policy = DeployPolicy.defaultUpdate(for: Self.web)
        #expect(policy.order == .startFirst)
        #expect(policy.failureAction == .rollback)
        #expect(policy.parallelism == 1)
        #expect(policy.maxFailureRatio == 0)
        #expect(policy.delay == .zero)
        // (interval + timeout) × retries, at least interval × retries.
        #expect(policy.monitor == .seconds(45))
        #expect(policy.monitor >= Self.check.interval * Self.check.retries)
        #expect(policy.location == Self.web.location)
    }

    @Test(
        "state or a host-mode port makes it stop-first",
        arguments: [
            ("a writable named volume", DefaultUpdatePolicyTests.web.volume("data", at: "/data")),
            ("a writable host path", DefaultUpdatePolicyTests.web.mount(.bind("/srv/web"), at: "/data")),
            ("a host-mode published port", DefaultUpdatePolicyTests.web.publish(8080, public: true, mode: .host)),
        ])
    func stopFirst(_ reason: String, _ service: Service) {
        #expect(DeployPolicy.defaultUpdate(for: service).order == .stopFirst, "\(reason)")
        #expect(DeployPolicy.defaultUpdate(for: service).failureAction == .rollback, "\(reason)")
    }

    @Test(
        "read-only mounts, tmpfs and ingress ports keep it start-first",
        arguments: [
            ("a read-only volume", DefaultUpdatePolicyTests.web.volume("assets", at: "/assets", readOnly: true)),
            (
                "a read-only host path",
                DefaultUpdatePolicyTests.web.mount(.bind("static"), at: "/static", readOnly: true)
            ),
            ("a tmpfs", DefaultUpdatePolicyTests.web.mount(.tmpfs(sizeBytes: 1_048_576), at: "/tmp")),
            ("an ingress port", DefaultUpdatePolicyTests.web.publish(8080, public: true)),
        ])
    func startFirst(_ reason: String, _ service: Service) {
        #expect(DeployPolicy.defaultUpdate(for: service).order == .startFirst, "\(reason)")
    }

    @Test("without a health check: stop-first, rollback, Swarm's 5 s monitor")
    func withoutHealthCheck() {
        let policy = DeployPolicy.defaultUpdate(for: Service("worker", image: "ghcr.io/acme/worker:1.0"))
        #expect(policy.order == .stopFirst)
        #expect(policy.failureAction == .rollback)
        #expect(policy.monitor == .seconds(5))
    }

    @Test("the monitor period follows the health check's timing")
    func monitorFollowsHealthCheck() {
        let slow = Self.web.healthCheck(
            HealthCheck(
                .shell("true"), interval: .seconds(30), timeout: .seconds(10), retries: 5, startPeriod: .seconds(60)))
        #expect(DeployPolicy.defaultUpdate(for: slow).monitor == .seconds(200))
    }

    @Test("the default rollback goes in the same order and pauses when it fails")
    func rollback() {
        for service in [Self.web, Self.web.volume("data", at: "/data")] {
            let update = DeployPolicy.defaultUpdate(for: service)
            let rollback = DeployPolicy.defaultRollback(for: service)
            #expect(rollback.order == update.order)
            #expect(rollback.monitor == update.monitor)
            #expect(rollback.parallelism == 1)
            #expect(rollback.failureAction == .pause)
        }
    }

    @Test("the renderer writes the defaults for services that set none, and explicit policies as given")
    func rendered() async throws {
        let explicit = UpdatePolicy(
            parallelism: 2, delay: .seconds(10), failureAction: .pause, monitor: .seconds(60), maxFailureRatio: 0.5,
            order: .startFirst)
        let stack = Stack("updates") {
            Volume("data")
            Self.web
            Service("db", image: "postgres:16.4").volume("data", at: "/var/lib/postgresql/data").healthCheck(Self.check)
            Service("api", image: "ghcr.io/acme/api:1.0").healthCheck(Self.check).updatePolicy(explicit)
        }
        let document = try await renderChecked(stack)
        func config(_ service: String, _ key: String) -> YAMLNode? { document.root["services", service, "deploy", key] }
        #expect(
            config("web", "update_config")
                == [
                    "parallelism": 1, "delay": "0s", "failure_action": "rollback", "monitor": "45s",
                    "max_failure_ratio": 0.0, "order": "start-first",
                ])
        #expect(config("web", "rollback_config")?["failure_action"] == "pause")
        #expect(config("db", "update_config")?["order"] == "stop-first")
        #expect(config("db", "rollback_config")?["order"] == "stop-first")
        #expect(
            config("api", "update_config")
                == [
                    "parallelism": 2, "delay": "10s", "failure_action": "pause", "monitor": "1m",
                    "max_failure_ratio": 0.5, "order": "start-first",
                ])
        // An explicit update policy leaves the rollback policy to the default.
        #expect(config("api", "rollback_config")?["order"] == "start-first")
        #expect(config("api", "rollback_config")?["failure_action"] == "pause")
    }
}
