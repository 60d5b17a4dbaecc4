import BerthCore
import BerthProcess
import Foundation
import Testing

@testable import BerthDeploy

@Suite("Jobs: the runs a log tells of, the next time, and the scheduler on this machine's /bin/sh")
struct JobRunsTests {
    @Test("the scheduler's lines are read out of a log with the job's own output between them")
    func parsed() {
        let log = """
            berth-job: cleanup runs on the schedule "* * * * *" (UTC clock); runs never overlap
            berth-job: run 2026-12-04T03:00 started
            removed 3 files
            berth-job: run 2026-12-04T03:00 exited with status 0
            berth-job: run 2026-12-04T03:01 started
            berth-job: run 2026-12-04T03:01 exited with status 2
            berth-job: run 2026-12-04T03:01 lasted into 2026-12-04T03:02; a time due while it ran is skipped
            berth-job: run 2026-12-04T03:03 started
            """
        let runs = JobRuns(log: log)
        #expect(
            runs.runs == [
                .init(time: "2026-12-04T03:00", exitStatus: 0), .init(time: "2026-12-04T03:01", exitStatus: 2),
                .init(time: "2026-12-04T03:03", exitStatus: nil),
            ])
        #expect(
            runs.summary
                == "last run 2026-12-04T03:01 exited with status 2 (failed); running since 2026-12-04T03:03")
        #expect(JobRuns(log: "hello\n").summary == "no run yet")
    }

    @Test("the next time due, in the job's TZ or UTC")
    func next() throws {
        let utc = TimeZone(identifier: "UTC")!
        let now = try Date("2026-12-04T03:10:30Z", strategy: .iso8601)
        func next(_ expression: String, zone: TimeZone = utc) throws -> String? {
            try CronFields.parse(expression).get().next(after: now, in: zone).map { JobRuns.format($0, in: zone) }
        }
        #expect(try next("* * * * *") == "2026-12-04 03:11 UTC")
        #expect(try next("0 3 * * *") == "2026-12-05 03:00 UTC")
        #expect(try next("15 3 * * *") == "2026-12-04 03:15 UTC")
        #expect(try next("0 0 1 1 *") == "2027-01-01 00:00 UTC")
        #expect(try next("0 9 * * mon") == "2026-12-07 09:00 UTC")
        #expect(try next("0 0 29 2 *") == "2028-02-29 00:00 UTC")
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        #expect(try next("0 5 * * *", zone: berlin) == "2026-12-04 05:00 Europe/Berlin")
        let job = Service("job", image: "acme/job:1").environment("TZ", "Europe/Berlin")
        #expect(JobRuns.timeZone(of: job) == berlin)
        #expect(JobRuns.timeZone(of: job.environment("TZ", "Nowhere/Else")) == utc)
    }

    @Test("status lists each job with its schedule, last run and next time")
    func section() async throws {
        let stack = Stack("shop") {
            Service("api", image: "acme/api:1")
            Service("cleanup", image: "acme/api:1").entrypoint([]).command(["bin/cleanup"]).schedule("0 3 * * *")
            Service("report", image: "acme/api:1").entrypoint([]).command(["bin/report"]).schedule("@hourly")
        }
        let now = try Date("2026-12-04T03:10:30Z", strategy: .iso8601)
        let section = await JobRuns.section(of: stack, now: now) { job in
            job.name == "cleanup" ? "berth-job: run 2026-12-04T03:00 exited with status 0\n" : nil
        }
        #expect(
            section == """
                Jobs:
                  cleanup  "0 3 * * *"  last run 2026-12-04T03:00 exited with status 0; next 2026-12-05 03:00 UTC
                  report   "@hourly"    not deployed; next 2026-12-04 04:00 UTC
                """)
        #expect(await JobRuns.section(of: Stack("shop") { Service("api", image: "acme/api:1") }) { _ in nil } == nil)
    }

    /// Starts the scheduler of a `* * * * *` job running `command` under this machine's /bin/sh.
    func scheduler(_ command: String, log: URL) async throws -> RunningProgram {
        let job = Service("job", image: "acme/job:1").entrypoint([]).command(["/bin/sh", "-c", command])
            .schedule("* * * * *")
        let scheduler = try #require(JobScheduler(of: job))
        return try await RunningProgram.start(["/bin/sh", "-c", scheduler.script, "job"] + scheduler.program, log: log)
    }

    @Test("the scheduler first says its schedule and does not run in the minute it starts in")
    func startsQuietly() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("berth-job-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let scheduler = try await scheduler("echo ran", log: log)
        try await Task.sleep(for: .milliseconds(500))
        let text = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
        // The scheduler and its `sleep`; how it stops on SIGTERM is checked in a container, as
        // it runs.
        scheduler.send(SIGKILL, toProcessGroup: true)
        await scheduler.wait(timeout: .seconds(10))
        #expect(text.hasPrefix("berth-job: job runs on the schedule \"* * * * *\""), "\(text)")
        // The minute it started in is not run: the replaced container may have run it.
        #expect(!text.contains("started"), "\(text)")
    }
}
