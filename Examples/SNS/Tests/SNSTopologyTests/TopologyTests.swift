import Berth
import BerthTesting
import Foundation
import SNSTopology
import Testing

@Suite("The SNS topology")
struct TopologyTests {
    @Test("validates cleanly in every environment: no error, no warning", arguments: SNS.environments)
    func valid(environment: Environment) {
        let diagnostics = Preflight.modelDiagnostics(of: SNS.stack(for: environment), for: environment)
        #expect(diagnostics.map(\.description) == [])
    }

    @Test("only the gateway is published; the database is reachable from the backend, not from the front")
    func isolation() {
        let topology = Topology(SNS.stack(for: .prod), environment: .prod)
        #expect(topology.publishedServices == ["nginx"])
        #expect(topology.canReach(from: "backend", to: "postgres"))
        #expect(topology.canReach(from: "nginx", to: "backend"))
        #expect(!topology.canReach(from: "frontend", to: "postgres"))
        #expect(!topology.canReach(from: "nginx", to: "postgres"))
        #expect(!topology.hasOutboundAccess("postgres"))
        #expect(topology.canReach(from: "prometheus", to: "backend"))
    }

    @Test("the database password reaches its readers only, and never as a literal")
    func secrets() {
        let stack = SNS.stack(for: .prod)
        let topology = Topology(stack, environment: .prod)
        #expect(
            topology.readers(of: "db_password").sorted()
                == ["backend", "celery-beat", "celery-worker", "postgres", "postgres-backup", "postgres-exporter"])
        let rendered = ComposeRenderer().render(stack, for: .prod).yaml
        #expect(!rendered.contains("postgresql://sns:") || rendered.contains("${berth_secret_1}"))
    }

    @Test(
        "the runbook's backups and release task: a nightly encrypted dump kept 30 days, Redis hourly kept two days, migrations before each release"
    )
    func operations() throws {
        let stack = SNS.stack(for: .prod)
        let postgres = try #require(stack.services.first { $0.name == "postgres" })
        #expect(postgres.backups.map(\.keep) == [30] && postgres.backups.first?.encryptionKey == "backup_key")
        let dump = try #require(stack.services.first { $0.name == "postgres-backup" })
        #expect(dump.schedule?.expression == "0 3 * * *")
        #expect(dump.secrets.map(\.secret).sorted() == ["backup_key", "db_password"])
        let snapshot = try #require(stack.services.first { $0.name == "redis-backup" })
        #expect(snapshot.schedule?.expression == "0 * * * *")
        #expect(snapshot.mounts.map(\.target) == ["/data", "/backups"])
        #expect(stack.secrets.first { $0.name == "backup_key" }?.source == .environment("SNS_BACKUP_KEY"))
        let backend = try #require(stack.services.first { $0.name == "backend" })
        #expect(backend.releaseTask?.command == ["alembic", "upgrade", "head"])
        #expect(backend.routes.first?.middlewares == [.rateLimit(.perMinute(60, burst: 20))])
    }

    @Test("the eight alerts of the runbook, and Prometheus scraping the backend")
    func alerts() {
        #expect(SNS.alerts.count == 8)
        let monitoring = SNS.monitoring(.prod)
        let configuration = monitoring.prometheusConfiguration(for: SNS.stack(for: .prod), environment: .prod)
        #expect(configuration.contains("job_name: \"backend\""))
        #expect(configuration.contains("job_name: \"postgres-exporter\""))
    }
}

@Suite("What SNS ships, read by the real tools")
struct RefereeTests {
    static let compose = Referee.Availability.check(
        "the real `docker compose` (v2 plugin)", suite: "SNSTopologyTests",
        hint: "Install the Docker CLI with its Compose v2 plugin."
    ) { Referee.composeUnavailableReason() }

    static let promtool = Referee.promtoolAvailability(suite: "SNSTopologyTests")

    static let golden = GoldenFile(
        sourceDirectory: URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Golden"),
        bundledDirectory: Bundle.module.resourceURL?.appending(path: "Golden"))

    @Test(
        "the Compose file matches its golden copy and `docker compose config` reads it",
        .enabled(if: compose.shouldRun, Comment(rawValue: compose.skipReason)), arguments: SNS.environments)
    func composeFile(environment: Environment) async throws {
        try Self.compose.requireAvailable()
        let resolved = Preflight.resolved(SNS.stack(for: environment), for: environment)
        let document = ComposeRenderer().render(resolved, for: environment)
        #expect(document.diagnostics.map(\.description) == [])
        switch try Self.golden.check(document.yaml, named: "sns-\(environment.name).yaml") {
        case .matches: break
        case .recorded(let note): print(note)
        case .mismatch(let message): Issue.record(Comment(rawValue: message))
        }
        let root = try Referee.temporaryDirectory(prefix: "sns-golden")
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appending(path: ".berth/sns/\(environment.name)/compose.yaml")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(document.yaml.utf8).write(to: file)
        let output = try await Referee.composeConfig(file: file)
        #expect(output.status == 0, "\(output.stderr)")
    }

    @Test(
        "promtool accepts Prometheus's configuration and the eight alerts",
        .enabled(if: promtool.shouldRun, Comment(rawValue: promtool.skipReason)), arguments: SNS.environments)
    func prometheus(environment: Environment) async throws {
        try Self.promtool.requireAvailable()
        let stack = SNS.stack(for: environment)
        let monitoring = SNS.monitoring(environment)
        let rules = monitoring.rulesFile(for: stack, environment: environment)
        let checked = try await Referee.promtoolCheckRules(rules)
        #expect(checked.status == 0 && checked.stdout.contains("9 rules found"), "\(checked.stdout)\(checked.stderr)")
        let configuration = try await Referee.promtoolCheckConfig(
            monitoring.prometheusConfiguration(for: stack, environment: environment),
            ruleFiles: [Monitoring.rulesPath: rules])
        #expect(configuration.status == 0, "\(configuration.stdout)\(configuration.stderr)")
    }
}
