import Berth
import BerthTesting
import Foundation
import SNSTopology
import Testing

/// The dev environment deployed for real with `ComposeDeployer` on the test machine's engine,
/// then removed. Nothing can be pulled there: the product's services are busybox stand-ins,
/// PostgreSQL, nginx and Prometheus are Debian's (`berth-test/postgres:15`, `berth-test/nginx:1`,
/// `berth-test/prometheus:2`, built by `scripts/engine.sh`). Everything else is the real description: networks, secrets, the
/// composed `DATABASE_URL`, the migration run before the backend starts, routes and their rate
/// limit through nginx, the nightly dump as a job, Prometheus with the runbook's alerts.
@Suite("End to end: the dev environment on a real engine", .timeLimit(.minutes(10)))
struct EndToEndTests {
    static let engine = Referee.Availability.check(
        "a Docker engine", suite: "SNSTopologyTests",
        hint: "Start one with `eval \"$(../../scripts/engine.sh up)\"`."
    ) { Referee.composeUnavailableReason() ?? engineUnavailableReason() }

    static func engineUnavailableReason() -> String? {
        guard let docker = Referee.docker else { return "no `docker` on PATH" }
        let output = try? docker.runBlocking(["info", "--format", "{{.ServerVersion}}"])
        return output?.status == 0 ? nil : "no engine answers `docker info`: \(output?.stderr ?? "")"
    }

    /// One request through the gateway, to 127.0.0.1 with the host in the `Host` header: the
    /// status and body, or `nil` without an answer.
    static func get(_ path: String) async throws -> (status: Int, body: String)? {
        guard let curl = ExternalTool.find("curl") else { throw Referee.Failure("no `curl` on PATH") }
        let output = try await curl.run([
            "--silent", "--max-time", "10", "--noproxy", "*", "--header", "Host: \(SNS.host(.dev))",
            "--write-out", "\n%{http_code}", "http://127.0.0.1:\(SNS.httpPort(.dev))\(path)",
        ])
        guard output.status == 0, let split = output.stdout.lastIndex(of: "\n"),
            let status = Int(output.stdout[output.stdout.index(after: split)...])
        else { return nil }
        return (status, String(output.stdout[..<split]))
    }

    @Test(
        "deploys, serves through the rate-limited gateway, runs the migration, scrapes the backend, lists the job",
        .enabled(if: engine.shouldRun, Comment(rawValue: engine.skipReason)))
    func devEnvironment() async throws {
        try Self.engine.requireAvailable()
        let root = try Referee.temporaryDirectory(prefix: "sns-e2e")
        defer { try? FileManager.default.removeItem(at: root) }
        let captured = Captured()
        let console = Console(isTerminal: false) { _, text in
            captured.append(text)
            FileHandle.standardError.write(Data(text.utf8))
        }
        var deployer = ComposeDeployer(engine: DockerEngine(), workspace: Workspace(root: root), console: console)
        deployer.pollInterval = .milliseconds(500)
        let stack = SNS.stack(for: .dev)
        var failure: (any Error)?
        do {
            try await deployer.up(deployer.prepare(stack, for: .dev), timeout: .seconds(240))
            #expect(captured.text.contains("backend: release task done"), "the migration ran before the backend")

            // The front at `/`, the backend under `/api`, through nginx.
            #expect(try await Self.get("/")?.body.contains("sns-frontend") == true)
            #expect(try await Self.get("/api/index.html")?.body.contains("sns-backend") == true)
            // 60 a minute with a burst of 20: 40 requests at once are partly refused with 429.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<40 { group.addTask { try await Self.get("/api/index.html")?.status ?? 0 } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.contains(200) && statuses.contains(429), "\(statuses)")

            // Prometheus scrapes the backend and has loaded the runbook's rules.
            let prometheus = try #require(
                try await DockerEngine().liveState(stack: "sns", environment: "dev").containers(of: "prometheus").first)
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(60)
            var targets = ""
            while clock.now < deadline {
                targets = try await DockerEngine().output(
                    ["exec", prometheus.id, "wget", "-q", "-O-", "http://127.0.0.1:9090/api/v1/targets"])
                if targets.contains("\"service\":\"backend\"") && targets.contains("\"health\":\"up\"") { break }
                try await Task.sleep(for: .seconds(2))
            }
            #expect(targets.contains("\"service\":\"backend\"") && targets.contains("\"health\":\"up\""), "\(targets)")
            let rules = try await DockerEngine().output(
                ["exec", prometheus.id, "wget", "-q", "-O-", "http://127.0.0.1:9090/api/v1/rules"])
            for alert in SNS.alerts.map(\.name) { #expect(rules.contains("\"name\":\"\(alert)\""), "\(alert)") }

            // The nightly dump is a job, waiting for 03:00.
            let status = try await deployer.status(of: stack, in: .dev).table
            #expect(status.contains("postgres-backup") && status.contains("\"0 3 * * *\""), "\(status)")
            #expect(status.contains("no run yet; next "), "\(status)")

            // The dump taken now, as `backup postgres --now` does: encrypted, listed.
            let backups = BackupStore(
                engine: DockerEngine(), stack: stack, environment: .dev,
                secrets: SecretStore(
                    directory: Workspace(root: root).secretsDirectory(stack: "sns", environment: "dev"),
                    environment: [:], packageDirectory: root))
            let taken = try await backups.take(service: "postgres")
            #expect(taken.first?.status == .ok && taken.first?.encryptionKey == "backup_key", "\(taken)")
            #expect(try await backups.list(service: "postgres").map(\.id) == taken.map(\.id))
            // And the hourly Redis snapshot, now: Redis saves, its files are archived.
            let snapshot = try await backups.take(service: "redis")
            #expect(snapshot.first?.status == .ok && snapshot.first?.policy == "redis", "\(snapshot)")
        } catch {
            failure = error
        }
        do {
            try await deployer.down(stack: "sns", environment: "dev", removeVolumes: true)
        } catch {
            if failure == nil { failure = error }
        }
        if let failure { throw failure }
    }
}

final class Captured: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""
    var text: String { lock.withLock { buffer } }
    func append(_ text: String) { lock.withLock { buffer += text } }
}
