import BerthCompose
import BerthCore
import BerthDeploy
import BerthMonitoring
import BerthSwarm
import BerthTesting
import Foundation
import Testing

/// A stack shaped like seed 001's SNS product: a FastAPI API and a WebSocket server with
/// metrics, Celery workers with an exporter of their queues, PostgreSQL and Redis with theirs,
/// and its eight alerts.
enum SNS {
    static let alertsLine = #line + 2
    static let rules: [AlertRule] = [
        .highLatency(quantile: 0.95, above: .milliseconds(800), for: .seconds(300)),
        .queueLength(above: 200),
        AlertRule(
            "SlowQueries", expression: "pg_stat_activity_max_tx_duration{state=\"active\"} > 0.1",
            summary: "a PostgreSQL query of {{ $labels.service }} runs {{ $value | humanizeDuration }}"),
        .redisMemory(above: 0.8),
        .highErrorRate(above: 0.05),
        AlertRule(
            "WebSocketConnections", expression: "sum(websocket_connections) > 800",
            summary: "{{ $value }} WebSocket connections"),
        .diskFull(above: 0.8),
        .serviceDown(),
        .databaseConnections(above: 0.8),
        .highMemory(above: 0.8),
        .certificateExpiry(within: .seconds(14 * 86_400)),
    ]

    static let monitoring = Monitoring(
        prometheus: "prom/prometheus:v2.53.0", grafana: "grafana/grafana:11.1.0", rules: rules,
        exporters: [.postgres("db", user: "sns", database: "sns", passwordSecret: "db_password"), .redis("cache")])

    static var stack: Stack {
        Stack("sns") {
            Network("backend", internal: true)
            Network("frontend")
            Secret.generated("db_password")
            Volume("pgdata")
            Service("api", image: "ghcr.io/acme/sns-api:1.0")
                .networks("backend", "frontend")
                .metrics(port: 8000)
                .resources(Resources(memoryLimit: "512M"))
            Service("ws", image: "ghcr.io/acme/sns-api:1.0")
                .command(["uvicorn", "ws:app", "--port", "8001"])
                .networks("backend", "frontend")
                .metrics(port: 8001, path: "/internal/metrics")
            Service("worker", image: "ghcr.io/acme/sns-api:1.0")
                .command(["celery", "-A", "sns", "worker"])
                .networks("backend")
                .replicas(2)
            Service("celery-exporter", image: "danihodovic/celery-exporter:0.10.8")
                .environment("CE_BROKER_URL", "redis://cache:6379/0")
                .networks("backend")
                .metrics(port: 9808)
            Service("db", image: "postgres:15")
                .secret("db_password", pathVariable: "POSTGRES_PASSWORD_FILE")
                .volume("pgdata", at: "/var/lib/postgresql/data")
                .networks("backend")
            Service("cache", image: "redis:7").networks("backend")
        }
    }
}

@Suite("Monitoring: Prometheus, alert rules, exporters and Grafana from the description")
struct MonitoringTests {
    static let golden = GoldenFile(
        sourceDirectory: URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Golden"),
        bundledDirectory: Bundle.module.resourceURL?.appending(path: "Golden"))

    func check(_ text: String, named name: String) throws {
        switch try Self.golden.check(text, named: name) {
        case .matches: break
        case .recorded(let note): print(note)
        case .mismatch(let message): Issue.record(Comment(rawValue: message))
        }
    }

    @Test("the seed-001-shaped stack: every replica of each scraped service, exporters labelled with their database")
    func rendered() throws {
        let configuration = SNS.monitoring.prometheusConfiguration(for: SNS.stack, environment: .prod)
        try check(configuration, named: "sns-prometheus.yml")
        try check(SNS.monitoring.rulesFile(for: SNS.stack, environment: .prod), named: "sns-rules.yml")
        #expect(configuration.contains("\"api\""))
        #expect(configuration.contains("metrics_path: \"/internal/metrics\""))
        #expect(configuration.contains("job_name: \"db-exporter\""))
        let swarm = SNS.monitoring.prometheusConfiguration(
            for: SNS.stack, environment: Environment("prod", orchestrator: .swarm))
        #expect(swarm.contains("\"tasks.api\"") && !swarm.contains("- \"api\""))
        // The memory rule is written from the limits the services declare.
        let rules = SNS.monitoring.rulesFile(for: SNS.stack, environment: .prod)
        #expect(rules.contains("process_resident_memory_bytes{service=\\\"api\\\"} > 0.8 * 536870912"))
        #expect(SNS.monitoring.diagnostics(of: SNS.stack).isEmpty, "\(SNS.monitoring.diagnostics(of: SNS.stack))")
        for expression in SNS.monitoring.expressions(for: SNS.stack) {
            #expect(throws: Never.self) { try PromQL.check(expression) }
        }
    }

    @Test(
        "promtool accepts the configuration and the rules, on Compose and on Swarm",
        .enabled(if: promtool.shouldRun, Comment(rawValue: promtool.skipReason)))
    func promtoolAccepts() async throws {
        try promtool.requireAvailable()
        for environment in [Environment.prod, Environment("prod", orchestrator: .swarm)] {
            let rules = SNS.monitoring.rulesFile(for: SNS.stack, environment: environment)
            let checked = try await Referee.promtoolCheckRules(rules)
            #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
            #expect(checked.stdout.contains("SUCCESS: 11 rules found"), "\(checked.stdout)")
            let configuration = try await Referee.promtoolCheckConfig(
                SNS.monitoring.prometheusConfiguration(for: SNS.stack, environment: environment),
                ruleFiles: [Monitoring.rulesPath: rules])
            #expect(configuration.status == 0, "\(configuration.stdout)\(configuration.stderr)")
        }
        // The recommended rules on a stack that only declares metrics.
        let plain = Stack("shop") {
            Service("api", image: "acme/api:1").metrics(port: 8000).resources(Resources(memoryLimit: "1G"))
        }
        let recommended = Monitoring(prometheus: "prom/prometheus:v2.53.0")
        let checked = try await Referee.promtoolCheckRules(recommended.rulesFile(for: plain, environment: .dev))
        #expect(checked.status == 0 && checked.stdout.contains("5 rules found"), "\(checked.stdout)\(checked.stderr)")
    }

    @Test("applied, the stack gains Prometheus, Grafana and the exporters, validates, and Compose reads it")
    func applied() async throws {
        let stack = SNS.monitoring.apply(to: SNS.stack, for: .prod)
        let names = stack.services.map(\.name)
        #expect(names.suffix(4) == ["db-exporter", "cache-exporter", "prometheus", "grafana"])
        let prometheus = try #require(stack.services.first { $0.name == "prometheus" })
        #expect(prometheus.networks == ["backend", "frontend"])
        #expect(prometheus.configs.map(\.target) == ["/etc/prometheus/prometheus.yml", Monitoring.rulesPath])
        let exporter = try #require(stack.services.first { $0.name == "db-exporter" })
        #expect(exporter.secrets.map(\.pathVariable) == ["DATA_SOURCE_PASS_FILE"])
        // Every service monitoring adds has limits: its defaults unless given others.
        #expect(exporter.resources == Exporter.defaultResources)
        #expect(prometheus.resources == Resources(cpuLimit: 1, memoryLimit: "2g"))
        #expect(
            stack.services.first { $0.name == "grafana" }?.resources == Resources(cpuLimit: 0.5, memoryLimit: "512m"))
        let sized = Monitoring(
            prometheus: "prom/prometheus:v2.53.0",
            exporters: [.redis("cache", resources: Resources(memoryLimit: "64m"))],
            prometheusResources: Resources(cpuLimit: 2, memoryLimit: "8g")
        ).apply(to: SNS.stack, for: .prod)
        #expect(sized.services.first { $0.name == "prometheus" }?.resources.memoryLimit == "8g")
        #expect(sized.services.first { $0.name == "cache-exporter" }?.resources == Resources(memoryLimit: "64m"))
        let diagnostics = Preflight.modelDiagnostics(of: stack, for: .prod)
        #expect(!diagnostics.containsErrors, "\(diagnostics)")
        let yaml = ComposeRenderer().render(stack, for: .prod).yaml
        #expect(!yaml.contains("GF_SECURITY_ADMIN_PASSWORD:"), "the admin password is a file")
        let compose = Referee.Availability.check("`docker compose`", suite: "BerthMonitoringTests") {
            Referee.composeUnavailableReason()
        }
        guard compose.shouldRun else { return }
        try compose.requireAvailable()
        let directory = try Referee.temporaryDirectory(prefix: "berth-monitoring")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appending(path: "compose.yaml")
        try Data(yaml.utf8).write(to: file)
        let output = try await Referee.composeConfig(file: file)
        #expect(output.status == 0, "\(output.stderr)")
    }

    @Test("Grafana gets its data source, its dashboards folder and one dashboard whose queries are PromQL")
    func grafana() throws {
        let dashboard = SNS.monitoring.grafanaDashboard(for: SNS.stack, environment: .prod)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(dashboard.utf8)) as? [String: Any])
        #expect(json["title"] as? String == "sns (prod)")
        let panels = try #require(json["panels"] as? [[String: Any]])
        #expect(panels.count == 6)
        for panel in panels {
            let targets = try #require(panel["targets"] as? [[String: Any]])
            let expression = try #require(targets.first?["expr"] as? String)
            #expect(throws: Never.self) { try PromQL.check(expression) }
        }
        #expect(SNS.monitoring.grafanaDataSource.contains("url: \"http://prometheus:9090\""))
        #expect(SNS.monitoring.grafanaDashboardProvider.contains("path: \"\(Monitoring.dashboardsDirectory)\""))
    }

    @Test("a rule that is not PromQL, an exporter of nothing, an unreachable service: errors at their lines")
    func mistakes() async throws {
        let line = #line + 1
        let bad = AlertRule("Busy", expression: "rate(http_requests_total) > 100", summary: "busy")
        let monitoring = Monitoring(
            prometheus: "prom/prometheus:v2.53.0", rules: [bad], exporters: [.redis("redis")])
        let stack = Stack("shop") {
            Network("backend")
            Service("api", image: "acme/api:1").networks("backend").metrics(port: 8000)
            Service("admin", image: "acme/admin:1").metrics(port: 9000)
        }
        let found = Preflight.modelDiagnostics(of: monitoring.apply(to: stack, for: .dev), for: .dev)
            .filter { $0.severity == .error }
        let rule = try #require(found.first { $0.code == .invalidAlertRule })
        #expect(rule.location?.line == line)
        #expect(
            rule.message.contains("argument 1 of rate must be a range vector")
                && rule.message.contains("give it a range, as in rate(metric[5m])"), "\(rule.message)")
        #expect(found.contains { $0.code == .undeclaredService && $0.message.contains("'redis'") })
        #expect(found.contains { $0.code == .undeclaredNetwork && $0.element == "service 'admin'" })
        if promtool.shouldRun {
            let refused = try await Referee.promtoolCheckRules(monitoring.rulesFile(for: stack, environment: .dev))
            #expect(refused.status != 0, "promtool sees the same mistake")
        }
    }
}
