import BerthCore
import BerthMonitoring
import Foundation
import Testing

@testable import BerthDeploy

/// The monitoring Berth writes, run by the real Prometheus (Debian's, `berth-test/prometheus:2`)
/// on a real engine: it scrapes both replicas of a service that declares metrics, loads the
/// rules, and fires the alert whose expression holds. The service's logs rotate as described.
@Suite(
    "End to end: Prometheus as Berth configures it",
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(4)))
struct MonitoringEndToEndTests {
    static let metrics = """
        # TYPE http_requests_total counter
        http_requests_total{status="200"} 10
        http_requests_total{status="500"} 1
        # TYPE process_cpu_seconds_total counter
        process_cpu_seconds_total 1

        """

    static func stack(_ name: String) -> Stack {
        let monitoring = Monitoring(
            prometheus: "berth-test/prometheus:2", scrapeInterval: .seconds(2),
            rules: [
                AlertRule(
                    "ApiScraped", expression: "up{service=\"api\"} == 1", for: .zero, severity: .info,
                    summary: "{{ $labels.instance }} is scraped"),
                .serviceDown(), .highErrorRate(above: 0.5),
            ])
        let stack = Stack(name) {
            Network("backend")
            Service("api", image: "berth-test/busybox:1")
                .command([
                    "sh", "-c",
                    "mkdir -p /www && printf '%s' \"$METRICS\" > /www/metrics; trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait",
                ])
                .environment("METRICS", metrics)
                .networks("backend")
                .replicas(2)
                .metrics(port: 8080)
                .logging(.rotated(maxSize: "1m", files: 2))
                .healthCheck(.http(port: 8080, path: "/metrics", interval: .seconds(1), timeout: .seconds(10)))
        }
        return monitoring.apply(to: stack, for: .dev)
    }

    @Test("both replicas are scraped, the rules load, and the alert that holds fires")
    func prometheusRuns() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let name = RealEngine.uniqueName("monitor")
        let tmp = try TemporaryDirectory("berth-monitoring")
        defer { tmp.remove() }
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        try await EndToEndTests.withStack(name, deployer) {
            try await deployer.up(deployer.prepare(Self.stack(name), for: .dev), timeout: .seconds(120))
            let prometheus = try #require(try await RealEngine.containerIDs(engine, stack: name)["prometheus"]?.first)
            func api(_ path: String) async throws -> [String: Any] {
                let text = try await engine.output(
                    ["exec", prometheus, "wget", "-q", "-O-", "http://127.0.0.1:9090/api/v1/\(path)"])
                let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
                return json?["data"] as? [String: Any] ?? [:]
            }
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(90)
            var up: [[String: Any]] = []
            var firing: [String] = []
            var rules: [String] = []
            while clock.now < deadline {
                let targets = try await api("targets")["activeTargets"] as? [[String: Any]] ?? []
                up = targets.filter {
                    ($0["labels"] as? [String: String])?["service"] == "api" && $0["health"] as? String == "up"
                }
                let alerts = try await api("alerts")["alerts"] as? [[String: Any]] ?? []
                firing = alerts.filter { $0["state"] as? String == "firing" }.compactMap {
                    ($0["labels"] as? [String: String])?["alertname"]
                }
                let groups = try await api("rules")["groups"] as? [[String: Any]] ?? []
                rules = groups.flatMap { ($0["rules"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } }
                if up.count == 2 && firing.contains("ApiScraped") { break }
                try await Task.sleep(for: .seconds(2))
            }
            #expect(up.count == 2, "both replicas scraped: \(up)")
            #expect(Set(rules) == ["ApiScraped", "ServiceDown", "HighErrorRate"], "\(rules)")
            #expect(firing.contains("ApiScraped"), "\(firing)")
            #expect(!firing.contains("ServiceDown"), "\(firing)")
            // The engine rotates the service's logs as described.
            for id in try await RealEngine.containerIDs(engine, stack: name)["api"] ?? [] {
                let logging = try await engine.output(["inspect", "--format", "{{json .HostConfig.LogConfig}}", id])
                #expect(logging.trimmed == #"{"Type":"local","Config":{"max-file":"2","max-size":"1m"}}"#)
            }
        }
    }
}
