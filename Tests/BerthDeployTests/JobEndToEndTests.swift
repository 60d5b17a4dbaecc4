import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// Jobs on a real engine, on Compose and on Swarm: a job on a one-minute schedule runs at least
/// twice within three minutes, `status` shows its last run's exit status and the next time, its
/// log has each run's output; a run longer than a minute is never overlapped by the next; and
/// the scheduler, PID 1 of its container, stops at once on SIGTERM between runs, and passes it on
/// to a run in progress.
@Suite(
    "End to end: jobs run on their schedule",
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(8)))
struct JobEndToEndTests {
    /// `tick` prints the minute and fails with status 3; `long` runs 75 s, past the next time.
    static func stack(_ name: String) -> Stack {
        Stack(name) {
            Service("tick", image: "berth-test/busybox:1")
                .entrypoint([])
                .command(["sh", "-c", "echo \"tick at $(date +%H:%M:%S)\"; exit 3"])
                .schedule("* * * * *")
            Service("long", image: "berth-test/busybox:1")
                .entrypoint([])
                .command(["sh", "-c", "echo long run; sleep 75"])
                .schedule("*/1 * * * *")
        }
    }

    /// Polls (bounded: 4 minutes) until `tick` has ended twice and `long` once, reading each
    /// job's log with `log`; returns the two logs.
    static func waitForRuns(_ log: (String) async throws -> String) async throws -> (tick: String, long: String) {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(240)
        var logs = ("", "")
        while clock.now < deadline {
            logs = (try await log("tick"), try await log("long"))
            let ticks = JobRuns(log: logs.0).runs.filter { $0.exitStatus != nil }
            let longs = JobRuns(log: logs.1).runs.filter { $0.exitStatus != nil }
            if ticks.count >= 2 && !longs.isEmpty { return logs }
            try await Task.sleep(for: .seconds(5))
        }
        return logs
    }

    /// What both orchestrators must show once the jobs have run.
    static func check(tick: String, long: String, status: String, started: ContinuousClock.Instant) {
        let ticks = JobRuns(log: tick).runs.filter { $0.exitStatus != nil }
        #expect(ticks.count >= 2, "tick ran \(ticks.count) time(s) in \(ContinuousClock().now - started):\n\(tick)")
        #expect(ticks.allSatisfy { $0.exitStatus == 3 }, "\(ticks)")
        #expect(Set(ticks.map(\.time)).count == ticks.count, "a minute ran twice: \(ticks)")
        #expect(tick.components(separatedBy: "tick at ").count - 1 >= 2, "the runs' output is in the log:\n\(tick)")
        // Runs of `long` never overlap: each start is followed by its end before the next start.
        let markers = long.split(separator: "\n").filter { $0.contains("\(JobScheduler.marker) run ") }
        var open = 0
        for line in markers {
            if line.hasSuffix("started") { open += 1 }
            if line.contains("exited with status") { open -= 1 }
            #expect(open <= 1, "two runs at once:\n\(long)")
        }
        #expect(long.contains("a time due while it ran is skipped"), "\(long)")
        #expect(
            status.contains("last run \(ticks.last?.time ?? "?") exited with status 3 (failed)")
                || status.contains("exited with status 3 (failed)"), "\(status)")
        #expect(
            status.contains("\"* * * * *\"") && status.contains("; next 20") && status.contains(" UTC"), "\(status)")
    }

    @Test("on Compose: a one-minute job runs twice within three minutes, status and logs show it, runs never overlap")
    func compose() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let name = RealEngine.uniqueName("job")
        let tmp = try TemporaryDirectory("berth-job")
        defer { tmp.remove() }
        let deployer = RealEngine.deployer(root: tmp.url, label: name)
        try await EndToEndTests.withStack(name, deployer) {
            let started = ContinuousClock().now
            let plan = try await deployer.up(deployer.prepare(Self.stack(name), for: .dev), timeout: .seconds(90))
            #expect(plan.summary.contains("+ tick: create (a job, \"* * * * *\")"), "\(plan.summary)")
            func container(_ job: String) async throws -> String {
                try #require(try await RealEngine.containerIDs(engine, stack: name)[job]?.first)
            }
            let (tick, long) = try await Self.waitForRuns { job in
                try await engine.output(["logs", try await container(job)])
            }
            let status = try await deployer.status(of: Self.stack(name), in: .dev).table
            Self.check(tick: tick, long: long, status: status, started: started)

            // Between runs the scheduler ends at once on SIGTERM, with status 0.
            let id = try await container("tick")
            let clock = ContinuousClock()
            let stopping = clock.now
            _ = try await engine.run(["stop", "--time", "30", id])
            let stopped = clock.now - stopping
            #expect(stopped < .seconds(10), "stopping the scheduler took \(stopped)")
            let exit = try await engine.output(["inspect", "--format", "{{.State.ExitCode}}", id]).trimmed
            #expect(exit == "0")

            // During a run SIGTERM is passed on to the run, and the scheduler ends with it: `long`
            // is stopped while it sleeps through a run (bounded wait for one to start).
            let longID = try await container("long")
            let clock2 = ContinuousClock()
            let waitUntil = clock2.now + .seconds(90)
            while clock2.now < waitUntil {
                if JobRuns(log: try await engine.output(["logs", longID])).runs.last?.exitStatus == nil { break }
                try await Task.sleep(for: .seconds(1))
            }
            let runs = JobRuns(log: try await engine.output(["logs", longID])).runs
            #expect(runs.last?.exitStatus == nil && !runs.isEmpty, "no run in progress: \(runs)")
            let stoppingLong = clock2.now
            _ = try await engine.run(["stop", "--time", "30", longID])
            let stoppedLong = clock2.now - stoppingLong
            #expect(stoppedLong < .seconds(10), "stopping a job during a run took \(stoppedLong)")
        }
    }

    @Test("on Swarm: the same jobs, one task each, status and service logs show the runs")
    func swarm() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let name = RealEngine.uniqueName("job-sw")
        let tmp = try TemporaryDirectory("berth-job-swarm")
        defer { tmp.remove() }
        let deployer = SwarmEndToEndTests.deployer(root: tmp.url, label: name)
        let environment = SwarmEndToEndTests.swarmDev
        try await SwarmEndToEndTests.withStack(name, deployer) {
            let started = ContinuousClock().now
            try await deployer.up(deployer.prepare(Self.stack(name), for: environment), timeout: .seconds(120))
            let stackName = "\(name)-dev"
            let (tick, long) = try await Self.waitForRuns { job in
                try await engine.output(["service", "logs", "--raw", "\(stackName)_\(job)"])
            }
            let status = try await deployer.status(of: Self.stack(name), in: environment).table
            Self.check(tick: tick, long: long, status: status, started: started)
            let replicas = try await engine.output(
                [
                    "service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}} {{.Spec.UpdateConfig.Order}}",
                    "\(stackName)_tick",
                ]).trimmed
            #expect(replicas == "1 stop-first")
        }
    }
}
