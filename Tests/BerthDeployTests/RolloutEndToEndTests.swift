import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// The second deploy, as production sees it: processes that ignore SIGTERM, load during the
/// change, bad releases, two deployers at once, deployers killed halfway, drift.
///
/// Every test runs the `RolloutFixture` executable as a process, as users run their `Deploy`,
/// against the real engine. Counts are over many repetitions (`BERTH_ROLLOUT_REPEATS` scales
/// them, default 1 = the counts the tests name). Loopback ports 18400-18499.
@Suite(
    "End to end: rollouts on a real engine",
    .serialized,
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(15)))
struct RolloutEndToEndTests {
    static let scale: Double = Double(ProcessInfo.processInfo.environment["BERTH_ROLLOUT_REPEATS"] ?? "") ?? 1

    static func repeats(_ count: Int) -> Int { max(1, Int((Double(count) * scale).rounded())) }

    /// A fixture in a fresh folder, torn down (with its lock) whatever happens.
    static func withFixture(
        _ prefix: String, port: Int, settings: [String: String] = [:], _ body: (FixtureDeploy) async throws -> Void
    ) async throws {
        try RealEngine.require()
        let tmp = try TemporaryDirectory("berth-rollout")
        defer { tmp.remove() }
        let fixture = FixtureDeploy(
            directory: tmp.url, stack: RealEngine.uniqueName(prefix), port: port, settings: settings)
        var failure: (any Error)?
        do { try await body(fixture) } catch { failure = error }
        await fixture.tearDown()
        if let failure { throw failure }
    }

    /// What a loopback request through the gateway returns for a host.
    static func served(port: Int, host: String) async -> String? {
        let response = await LoopbackHTTP.poll(port: port, host: host, path: "/index.html", attempts: 10) {
            $0.status == 200
        }
        return response?.body.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(
        "30 env-only updates of a service whose PID 1 ignores SIGTERM and of one that stops at once: every up exits 0, every plan after it 0"
    )
    func consecutiveUpdates() async throws {
        try await Self.withFixture("roll-env", port: 18410, settings: ["FIXTURE_ONLY": "web,stubborn"]) { fixture in
            let first = try await fixture.run(["up"], version: "v0")
            try #require(first.status == 0, "\(first.output)")
            let count = Self.repeats(30)
            var upFailures: [String] = []
            var planFailures: [String] = []
            let clock = ContinuousClock()
            let start = clock.now
            for round in 1...count {
                let up = try await fixture.run(["up"], version: "v\(round)")
                if up.status != 0 {
                    upFailures.append("round \(round): exit \(String(describing: up.status))\n\(up.output)")
                }
                let plan = try await fixture.run(["plan"], version: "v\(round)")
                if plan.status != 0 {
                    planFailures.append("round \(round): exit \(String(describing: plan.status))\n\(plan.output)")
                }
            }
            print("\(count) rollouts of web (exits on SIGTERM) and stubborn (ignores it) in \(clock.now - start)")
            #expect(
                upFailures.isEmpty, "\(upFailures.count) of \(count) ups failed:\n\(upFailures.joined(separator: "\n"))"
            )
            #expect(
                planFailures.isEmpty,
                "\(planFailures.count) of \(count) plans were not clean:\n\(planFailures.joined(separator: "\n"))")
            // No container of an older configuration, and none under a temporary name, is left.
            let live = try await DockerEngine().liveState(stack: fixture.stack, environment: "dev")
            #expect(live.containers.count == 2, "\(live.containers.map(\.name))")
            #expect(!live.containers.contains { $0.isLeftover })
        }
    }

    @Test("3 rollouts under 200 requests/s through nginx: 0 failed requests; plain docker compose up -d fails some")
    func zeroDowntime() async throws {
        try await Self.withFixture("roll-load", port: 18420) { fixture in
            let first = try await fixture.run(["up"], version: "v0")
            try #require(first.status == 0, "\(first.output)")
            #expect(await Self.served(port: fixture.port, host: fixture.webHost) == "v0")

            // Berth: three rollouts of the routed service while the load runs.
            let load = try await Load.start(port: fixture.port, host: fixture.webHost, seconds: 30)
            try await Task.sleep(for: .seconds(2))
            for round in 1...3 {
                let up = try await fixture.run(["up"], version: "v\(round)")
                #expect(up.status == 0, "\(up.output)")
            }
            let berth = try await load.finish()
            print("Berth, 3 rollouts under load: \(berth)")
            #expect(await Self.served(port: fixture.port, host: fixture.webHost) == "v3")
            #expect(berth.total >= 5000, "\(berth)")
            #expect(berth.failed == 0, "\(berth)")

            // The same rendered file applied with plain `docker compose up -d`, and the gateway
            // reloaded after each, as a deploy script would.
            let file = fixture.directory.appendingPathComponent(".berth/\(fixture.stack)/dev/compose.yaml").path
            let gateway = try await DockerEngine().liveState(stack: fixture.stack, environment: "dev")
                .containers(of: "gateway").first!.id
            let composeLoad = try await Load.start(port: fixture.port, host: fixture.webHost, seconds: 30)
            try await Task.sleep(for: .seconds(2))
            for round in 4...6 {
                let rendered = try await fixture.run(["render"], version: "v\(round)")
                try #require(rendered.status == 0, "\(rendered.output)")
                let up = try await ProcessRunner().run(
                    ["docker", "compose", "--project-name", fixture.project, "--file", file, "up", "--detach", "web"],
                    input: nil)
                #expect(up.succeeded, "\(up.standardError)")
                _ = try await ProcessRunner().run(["docker", "exec", gateway, "nginx", "-s", "reload"], input: nil)
                try await Task.sleep(for: .seconds(3))
            }
            let compose = try await composeLoad.finish()
            print("docker compose up -d, 3 recreates under load: \(compose)")
            #expect(compose.failed > 0, "plain Compose is expected to drop requests: \(compose)")
        }
    }

    @Test(
        "3 bad releases under load: each up exits 1 naming the health check, 0 failed requests, the old version serves")
    func badRelease() async throws {
        try await Self.withFixture("roll-bad", port: 18430) { fixture in
            let first = try await fixture.run(["up"], version: "good")
            try #require(first.status == 0, "\(first.output)")
            // Each round also updates `stubborn` (routed, start-first, it comes up) and `pinned`
            // beside the failing `web`: the gateway is switched while web's new container is
            // still there.
            let rounds = 3
            let load = try await Load.start(port: fixture.port, host: fixture.webHost, seconds: 15 * rounds)
            // Beside the load, which counts statuses only: which version answers. The bad one
            // must never get a request, not even one it would answer with 200.
            let answers = Locked<[String: Int]>([:])
            let done = Locked(false)
            let (port, host) = (fixture.port, fixture.webHost)
            let watcher = Task.detached {
                for _ in 0..<20_000 where !done.value {
                    let body =
                        LoopbackHTTP.get(port: port, host: host, path: "/index.html")
                        .map {
                            $0.status == 200
                                ? $0.body.trimmingCharacters(in: .whitespacesAndNewlines)
                                : "\($0.status) \($0.body.prefix(80))"
                        }
                        ?? "no answer"
                    answers.mutate { $0[body, default: 0] += 1 }
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
            try await Task.sleep(for: .seconds(2))
            var bad: [(status: Int32?, output: String)] = []
            for round in 1...rounds {
                bad.append(
                    try await fixture.run(["up", "--timeout", "20"], version: "bad\(round)", ["FIXTURE_BROKEN": "1"]))
            }
            done.mutate { $0 = true }
            await watcher.value
            let result = try await load.finish()
            print("\(rounds) bad releases under load: \(result); versions that answered: \(answers.value)")
            #expect(answers.value.keys.sorted() == ["good"], "\(answers.value)")
            for bad in bad {
                #expect(bad.status == 1, "\(bad.output)")
                #expect(bad.output.contains("service 'web' failed"), "\(bad.output)")
                #expect(bad.output.contains("health check"), "\(bad.output)")
                #expect(bad.output.contains("previous version of web keeps serving"), "\(bad.output)")
            }
            #expect(result.total >= 4000, "\(result)")
            #expect(result.failed == 0, "\(result)")
            #expect(await Self.served(port: fixture.port, host: fixture.webHost) == "good")
            // The failed containers are gone; the old one is the only one of web.
            let web = try await DockerEngine().liveState(stack: fixture.stack, environment: "dev").containers(of: "web")
            #expect(web.count == 1)
            // The description still differs from what runs: plan says so.
            let plan = try await fixture.run(["plan"], version: "bad\(rounds)", ["FIXTURE_BROKEN": "1"])
            #expect(plan.status == 2, "\(plan.output)")
        }
    }

    @Test(
        "3 releases that crash-loop, under load: each up exits 1 naming the restarts, 0 failed requests, the old version serves"
    )
    func crashLoopingRelease() async throws {
        try await Self.withFixture("roll-crash", port: 18435, settings: ["FIXTURE_ONLY": "gateway,web"]) { fixture in
            let first = try await fixture.run(["up"], version: "good")
            try #require(first.status == 0, "\(first.output)")
            let load = try await Load.start(port: fixture.port, host: fixture.webHost, seconds: 40)
            try await Task.sleep(for: .seconds(2))
            var problems: [String] = []
            for round in 1...3 {
                let crash = try await fixture.run(
                    ["up", "--timeout", "60"], version: "crash\(round)", ["FIXTURE_CRASH": "1"])
                if crash.status != 1 || !crash.output.contains("restarted")
                    || !crash.output.contains("cannot start version crash\(round)")
                    || !crash.output.contains("previous version of web keeps serving")
                {
                    problems.append("round \(round): exit \(String(describing: crash.status))\n\(crash.output)")
                }
            }
            let result = try await load.finish()
            print("3 crash-looping releases under load: \(result)")
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
            #expect(result.total >= 5000, "\(result)")
            #expect(result.failed == 0, "\(result)")
            #expect(await Self.served(port: fixture.port, host: fixture.webHost) == "good")
            let web = try await DockerEngine().liveState(stack: fixture.stack, environment: "dev").containers(of: "web")
            #expect(web.count == 1, "\(web.map(\.name))")
        }
    }

    @Test(
        "20 races of two ups of a new stack: one waits or refuses with exit 3, the stack is right, no duplicate network"
    )
    func concurrentDeployers() async throws {
        let count = Self.repeats(20)
        var problems: [String] = []
        var refused = 0
        for round in 1...count {
            // Half the races refuse at once, half wait for the lock.
            let wait = round % 2 == 0 ? ["--lock-wait", "120"] : []
            try await Self.withFixture("roll-race", port: 18440, settings: ["FIXTURE_ONLY": "web,stubborn"]) {
                fixture in
                let one = try await fixture.start(["up"] + wait, version: "v1")
                let two = try await fixture.start(["up"] + wait, version: "v1")
                let statuses = [try await one.wait(), try await two.wait()]
                let outputs = [one.output, two.output]
                let sorted = statuses.compactMap { $0 }.sorted()
                if wait.isEmpty {
                    if sorted != [0, 3] {
                        problems.append(
                            "round \(round) (no wait): exits \(statuses)\n\(outputs.joined(separator: "\n"))")
                    } else {
                        refused += 1
                        let loser = outputs[statuses.firstIndex(of: 3)!]
                        if !loser.contains("lock is held by") { problems.append("round \(round): \(loser)") }
                    }
                } else if sorted != [0, 0] {
                    problems.append("round \(round) (waiting): exits \(statuses)\n\(outputs.joined(separator: "\n"))")
                }
                // The project's default network: Compose names it, and racing Composes made two.
                let networks = try await ProcessRunner().run(
                    ["docker", "network", "ls", "--format", "{{.Name}}"], input: nil
                ).standardOutput.split(separator: "\n").filter { $0.hasPrefix("\(fixture.project)_") }
                if networks.count != Set(networks).count || networks.count != 1 {
                    problems.append("round \(round): networks \(networks)")
                }
                let plan = try await fixture.run(["plan"], version: "v1")
                if plan.status != 0 {
                    problems.append("round \(round): plan exit \(String(describing: plan.status))\n\(plan.output)")
                }
            }
        }
        print("\(count) races of two deployers: \(refused) refused with exit 3, \(count - refused) waited")
        #expect(
            problems.isEmpty, "\(problems.count) of \(count) races went wrong:\n\(problems.joined(separator: "\n"))")
    }

    @Test("10 SIGKILLs of up at random points: the next up converges the first time, and plan is clean")
    func killedDeployer() async throws {
        try await Self.withFixture("roll-kill", port: 18450, settings: ["FIXTURE_ONLY": "web,stubborn,pinned"]) {
            fixture in
            let first = try await fixture.run(["up"], version: "v0")
            try #require(first.status == 0, "\(first.output)")
            let count = Self.repeats(10)
            var problems: [String] = []
            var generator = SystemRandomNumberGenerator()
            for round in 1...count {
                let running = try await fixture.start(["up"], version: "v\(round)")
                let delay = Int.random(in: 300...4500, using: &generator)
                try await Task.sleep(for: .milliseconds(delay))
                running.signal(SIGKILL)
                _ = try await running.wait()
                let next = try await fixture.run(["up"], version: "v\(round)")
                if next.status != 0 {
                    problems.append(
                        "round \(round) (killed after \(delay) ms): next up exit \(String(describing: next.status))\n\(next.output)"
                    )
                    continue
                }
                let plan = try await fixture.run(["plan"], version: "v\(round)")
                if plan.status != 0 {
                    problems.append("round \(round): plan exit \(String(describing: plan.status))\n\(plan.output)")
                }
            }
            #expect(problems.isEmpty, "\(problems.count) of \(count) went wrong:\n\(problems.joined(separator: "\n"))")
            let live = try await DockerEngine().liveState(stack: fixture.stack, environment: "dev")
            #expect(!live.containers.contains { $0.isLeftover }, "\(live.containers.map(\.name))")
        }
    }

    @Test(
        "3 deployers killed during a release task: plan still shows the change, the next up runs the task again and converges, no one-off container is left"
    )
    func killedDuringReleaseTask() async throws {
        try await Self.withFixture("roll-task", port: 18480, settings: ["FIXTURE_ONLY": "web"]) { fixture in
            let first = try await fixture.run(["up"], version: "v0", ["FIXTURE_RELEASE": "true"])
            try #require(first.status == 0, "\(first.output)")
            let engine = DockerEngine()
            func oneOffs() async throws -> [String] {
                try await engine.output([
                    "ps", "--all", "--quiet", "--filter", "label=com.docker.compose.project=\(fixture.project)",
                    "--filter", "label=com.docker.compose.oneoff=True",
                ]).split(whereSeparator: \.isNewline).map(String.init)
            }
            let count = Self.repeats(3)
            var problems: [String] = []
            for round in 1...count {
                let version = "v\(round)"
                // The task runs for 30 s; the deployer dies while it does.
                let running = try await fixture.start(["up"], version: version, ["FIXTURE_RELEASE": "sleep 30"])
                var started = false
                for _ in 1...120 where !started {
                    started = try await !oneOffs().isEmpty
                    if !started { try await Task.sleep(for: .milliseconds(250)) }
                }
                running.signal(SIGKILL)
                _ = try await running.wait()
                guard started else {
                    problems.append("round \(round): the release task never started")
                    continue
                }
                let pending = try await fixture.run(["plan"], version: version, ["FIXTURE_RELEASE": "true"])
                if pending.status != 2 {
                    problems.append(
                        "round \(round): plan after the kill exit \(String(describing: pending.status))\n\(pending.output)"
                    )
                }
                let next = try await fixture.run(["up"], version: version, ["FIXTURE_RELEASE": "true"])
                let plan = try await fixture.run(["plan"], version: version, ["FIXTURE_RELEASE": "true"])
                let left = try await oneOffs()
                if next.status != 0 || plan.status != 0 || !left.isEmpty {
                    problems.append(
                        "round \(round): next up exit \(String(describing: next.status)), plan exit \(String(describing: plan.status)), one-off containers left: \(left)\n\(next.output)\n\(plan.output)"
                    )
                }
            }
            #expect(problems.isEmpty, "\(problems.count) of \(count) went wrong:\n\(problems.joined(separator: "\n"))")
        }
    }

    @Test(
        "deployers SIGKILLed at random points of a restore: the database is never half restored, no helper is left, the next restore succeeds and plan is clean"
    )
    func killedDuringRestore() async throws {
        try await Self.withFixture("roll-restore", port: 18485, settings: ["FIXTURE_ONLY": "db"]) { fixture in
            let first = try await fixture.run(["up"], version: "v0")
            try #require(first.status == 0, "\(first.output)")
            let engine = DockerEngine()
            let db = try #require(try await RealEngine.containerIDs(engine, stack: fixture.stack)["db"]?.first)
            func sql(_ statement: String) async throws -> String {
                try await engine.output(["exec", db, "psql", "-U", "app", "-d", "app", "-tAc", statement]).trimmed
            }
            func helpers(running: Bool = false) async throws -> [String] {
                // This stack's only: other suites back up and restore stacks of their own meanwhile.
                try await engine.output(
                    [
                        "ps", "--all", "--quiet", "--filter", "label=\(BackupStore.helperLabel)=backup",
                        "--filter", "label=\(BackupStore.helperProjectLabel)=\(fixture.project)",
                    ] + (running ? ["--filter", "status=running"] : [])
                ).split(whereSeparator: \.isNewline).map(String.init)
            }
            func describe(_ containers: [String]) async -> String {
                let what = try? await engine.output(
                    ["inspect", "--format", "{{.State.Status}} since {{.Created}}: {{.Path}} {{.Args}}"] + containers)
                return "\(containers) \(what ?? "")"
            }
            // Enough rows that pg_restore takes a moment to load them.
            _ = try await engine.output(["exec", db, "pgbench", "-i", "-q", "-s", "3", "-U", "app", "app"])
            let backup = try await fixture.run(["backup", "db", "--now"], version: "v0")
            try #require(backup.status == 0, "\(backup.output)")
            let id = try #require(
                backup.output.split(separator: " ").first { $0.hasPrefix("db-postgres-") }.map(String.init),
                "\(backup.output)")
            // What a deployer killed between `docker run`'s create and start leaves, made on
            // purpose since random kills rarely land there: a stale one the next restore removes,
            // and one as fresh as a helper another deployer is starting, which it leaves alone.
            func createdHelper(mounting volumes: [String] = []) async throws -> String {
                try await engine.output(
                    [
                        "create", "--label", "\(BackupStore.helperLabel)=backup",
                        "--label", "\(BackupStore.helperProjectLabel)=\(fixture.project)",
                    ] + volumes.flatMap { ["--volume", "\($0):/data/\($0)"] } + ["berth-test/busybox:1", "true"]
                ).trimmed
            }
            let stale = try await createdHelper()
            try await Task.sleep(for: .seconds(BackupStore.strandedHelperAge + 1))
            let fresh = try await createdHelper()
            let cleaning = try await fixture.run(["restore", "db", id, "--yes"], version: "v0")
            #expect(cleaning.status == 0, "\(cleaning.output)")
            let kept = try await helpers()
            let keptDescription = await describe(kept)
            #expect(kept == [String(fresh.prefix(12))], "\(keptDescription)")
            #expect(
                cleaning.output.contains(
                    "Removed 1 helper container(s) of \(fixture.project) a stopped deployer left: \(stale.prefix(12))"),
                "\(cleaning.output)")
            _ = try await engine.output(["rm", fresh])

            let accounts = "300000"
            let count = Self.repeats(4)
            var problems: [String] = []
            var strandedRounds = 0
            for round in 1...count {
                // A change since the backup, which a whole restore undoes and a failed one keeps.
                _ = try await sql("UPDATE pgbench_branches SET bbalance = \(round)")
                let running = try await fixture.start(["restore", "db", id, "--yes"], version: "v0")
                try await Task.sleep(for: .milliseconds(Int.random(in: 200...2500)))
                running.signal(SIGKILL)
                _ = try await running.wait()
                // Never half: all of the old data or all of the archive's.
                let rows = try await sql("SELECT count(*) FROM pgbench_accounts")
                let balance = try await sql("SELECT max(bbalance) FROM pgbench_branches")
                if rows != accounts || !["0", "\(round)"].contains(balance) {
                    problems.append("round \(round): after the kill \(rows) accounts, branch balance \(balance)")
                }
                // The helpers that run end with their streams. One the kill caught between
                // `docker run`'s create and start never runs; the next restore removes it once it
                // is older than a start can take.
                var left = try await helpers(running: true)
                for _ in 1...60 where !left.isEmpty {
                    try await Task.sleep(for: .milliseconds(500))
                    left = try await helpers(running: true)
                }
                if !left.isEmpty { problems.append("round \(round): helpers still running: \(await describe(left))") }
                let stranded = try await helpers()
                if !stranded.isEmpty {
                    strandedRounds += 1
                    try await Task.sleep(for: .seconds(BackupStore.strandedHelperAge + 1))
                }
                let next = try await fixture.run(["restore", "db", id, "--yes"], version: "v0")
                let after = try await sql("SELECT max(bbalance) FROM pgbench_branches")
                let plan = try await fixture.run(["plan"], version: "v0")
                let remaining = try await helpers()
                if !remaining.isEmpty { problems.append("round \(round): helpers left: \(await describe(remaining))") }
                if !stranded.isEmpty && !next.output.contains("Removed \(stranded.count) helper container(s)") {
                    problems.append(
                        "round \(round): the next restore did not say it removed \(stranded)\n\(next.output)")
                }
                if next.status != 0 || after != "0" || plan.status != 0 {
                    problems.append(
                        "round \(round): next restore exit \(String(describing: next.status)), balance \(after), plan exit \(String(describing: plan.status))\n\(next.output)\n\(plan.output)"
                    )
                }
            }
            print("restore kills: \(strandedRounds) of \(count) rounds stranded a helper that never started")
            #expect(problems.isEmpty, "\(problems.count) of \(count) went wrong:\n\(problems.joined(separator: "\n"))")

            // A stranded helper holds the volumes it mounts: `down --volumes` removes it first,
            // or the volumes could not go.
            let volumes = ["\(fixture.project)_pgdata", "\(fixture.project)_backups"]
            _ = try await createdHelper(mounting: volumes)
            try await Task.sleep(for: .seconds(BackupStore.strandedHelperAge + 1))
            let down = try await fixture.run(["down", "--volumes", "--yes"], version: "v0")
            #expect(down.status == 0, "\(down.output)")
            #expect(down.output.contains("Removed 1 helper container(s)"), "\(down.output)")
            let volumesLeft = try await engine.output(["volume", "ls", "--quiet"]).split(whereSeparator: \.isNewline)
                .map(String.init).filter(volumes.contains)
            #expect(volumesLeft.isEmpty, "volumes left after down --volumes: \(volumesLeft)")
            #expect(try await helpers().isEmpty)
        }
    }

    @Test("SIGTERM stops up cleanly: exit 143, the lock is free, and the next up converges")
    func terminatedDeployer() async throws {
        try await Self.withFixture("roll-term", port: 18460, settings: ["FIXTURE_ONLY": "web,pinned"]) { fixture in
            let first = try await fixture.run(["up"], version: "v0")
            try #require(first.status == 0, "\(first.output)")
            let running = try await fixture.start(["up"], version: "v1")
            try await Task.sleep(for: .milliseconds(1500))
            running.signal(SIGTERM)
            let status = try await running.wait(timeout: .seconds(60))
            #expect(status == 143, "\(running.output)")
            #expect(running.output.contains("Interrupted by SIGTERM"), "\(running.output)")
            let lock = try await fixture.run(["lock", "status"], version: "v1")
            #expect(lock.status == 0, "\(lock.output)")
            let next = try await fixture.run(["up"], version: "v1")
            #expect(next.status == 0, "\(next.output)")
            let plan = try await fixture.run(["plan"], version: "v1")
            #expect(plan.status == 0, "\(plan.output)")
        }
    }

    @Test("a lock held by a live deployer is named; lock status and lock release")
    func lockCommands() async throws {
        try await Self.withFixture("roll-lock", port: 18465, settings: ["FIXTURE_ONLY": "web"]) { fixture in
            // A holder on another machine: taken as alive, never taken over.
            let engine = DockerEngine()
            let lock = DeployLock(engine: engine, project: fixture.project)
            var holder = DeployLock.current(command: "up")
            holder.host = "ci-runner-7"
            _ = try await engine.output(
                ["container", "create", "--name", lock.name] + DeployLock.labels(of: holder, project: fixture.project)
                    + [DeployLock.image, "lock"])
            let refused = try await fixture.run(["up"], version: "v1")
            #expect(refused.status == 3, "\(refused.output)")
            #expect(refused.output.contains("ci-runner-7"), "\(refused.output)")
            let status = try await fixture.run(["lock", "status"], version: "v1")
            #expect(status.status == 3 && status.output.contains("ci-runner-7"), "\(status.output)")
            let released = try await fixture.run(["lock", "release"], version: "v1")
            #expect(released.status == 0 && released.output.contains("ci-runner-7"), "\(released.output)")
            let up = try await fixture.run(["up"], version: "v1")
            #expect(up.status == 0, "\(up.output)")
        }
    }

    @Test("a config change recreates exactly its readers; a stopped service is drift that plan shows and up repairs")
    func configAndDrift() async throws {
        try await Self.withFixture("roll-drift", port: 18470, settings: ["FIXTURE_ONLY": "web,stubborn,pinned"]) {
            fixture in
            let first = try await fixture.run(["up"], version: "v0", ["FIXTURE_CONFIG": "hello"])
            try #require(first.status == 0, "\(first.output)")
            let engine = DockerEngine()
            let before = try await RealEngine.containerIDs(engine, stack: fixture.stack)

            let plan = try await fixture.run(["plan"], version: "v0", ["FIXTURE_CONFIG": "hello again"])
            #expect(plan.status == 2, "\(plan.output)")
            #expect(plan.output.contains("~ web: update (configs)"), "\(plan.output)")
            #expect(plan.output.contains("stubborn: unchanged") && plan.output.contains("pinned: unchanged"))
            // The same plan as a diagram, read from the engine: only `web` is marked as updated.
            let drawn = try await fixture.run(["plan", "--diagram"], version: "v0", ["FIXTURE_CONFIG": "hello again"])
            #expect(drawn.status == 2, "\(drawn.output)")
            let marked = drawn.output.split(separator: "\n").filter {
                $0.hasPrefix("    class ") && $0.hasSuffix(" update")
            }
            #expect(
                marked.count == 1 && marked[0].contains("web") && !marked[0].contains("stubborn"), "\(drawn.output)")
            let up = try await fixture.run(["up"], version: "v0", ["FIXTURE_CONFIG": "hello again"])
            #expect(up.status == 0, "\(up.output)")
            let after = try await RealEngine.containerIDs(engine, stack: fixture.stack)
            #expect(after["web"] != before["web"])
            #expect(after["stubborn"] == before["stubborn"] && after["pinned"] == before["pinned"])
            let web = try #require(after["web"]?.first)
            let motd = try await engine.output(["exec", web, "cat", "/etc/motd"])
            #expect(motd == "hello again\n")

            // Drift: a container stopped behind Berth's back.
            _ = try await engine.output(["stop", "--time", "1", try #require(after["pinned"]?.first)])
            let drifted = try await fixture.run(["plan"], version: "v0", ["FIXTURE_CONFIG": "hello again"])
            #expect(drifted.status == 2, "\(drifted.output)")
            #expect(drifted.output.contains("! pinned: repair"), "\(drifted.output)")
            #expect(drifted.output.contains("exited"), "\(drifted.output)")
            let repaired = try await fixture.run(["up"], version: "v0", ["FIXTURE_CONFIG": "hello again"])
            #expect(repaired.status == 0, "\(repaired.output)")
            let clean = try await fixture.run(["plan"], version: "v0", ["FIXTURE_CONFIG": "hello again"])
            #expect(clean.status == 0, "\(clean.output)")
        }
    }

    @Test("rotate-secret on Compose replaces exactly the readers; a damaged secret stops up with the way to restore it")
    func secretRotationAndDamage() async throws {
        try await Self.withFixture("roll-secret", port: 18475, settings: ["FIXTURE_ONLY": "web,stubborn,pinned"]) {
            fixture in
            let first = try await fixture.run(["up"], version: "v0")
            try #require(first.status == 0, "\(first.output)")
            let engine = DockerEngine()
            func token() async throws -> String {
                let reader = try #require(
                    try await RealEngine.containerIDs(engine, stack: fixture.stack)["stubborn"]?.first)
                return try await engine.output(["exec", reader, "cat", "/run/secrets/token"])
            }
            let before = try await RealEngine.containerIDs(engine, stack: fixture.stack)
            let oldToken = try await token()

            let rotated = try await fixture.run(["rotate-secret", "token"], version: "v0")
            #expect(rotated.status == 0, "\(rotated.output)")
            let after = try await RealEngine.containerIDs(engine, stack: fixture.stack)
            #expect(after["stubborn"] != before["stubborn"])
            #expect(after["web"] == before["web"] && after["pinned"] == before["pinned"])
            let newToken = try await token()
            #expect(newToken != oldToken && newToken.count == oldToken.count)
            #expect(!rotated.output.contains(newToken) && !rotated.output.contains(oldToken))
            let plan = try await fixture.run(["plan"], version: "v0")
            #expect(plan.status == 0, "\(plan.output)")

            // An emptied secret file is never taken for a new value.
            let file = fixture.directory.appendingPathComponent(".berth/\(fixture.stack)/dev/secrets/token")
            let kept = try Data(contentsOf: file)
            try Data().write(to: file)
            let refused = try await fixture.run(["up"], version: "v1")
            #expect(refused.status == 1, "\(refused.output)")
            #expect(refused.output.contains("'token'") && refused.output.contains("rotate-secret"), "\(refused.output)")
            #expect(try await RealEngine.containerIDs(engine, stack: fixture.stack) == after, "nothing changed")
            try kept.write(to: file)
            let restored = try await fixture.run(["up"], version: "v1")
            #expect(restored.status == 0, "\(restored.output)")
            #expect(try await token() == newToken)
        }
    }
}
