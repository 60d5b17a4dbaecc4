import BerthProcess
import Foundation
import Testing

@testable import BerthCore

@Suite("Jobs: cron schedules, their validation, and the scheduler's shell test of a minute")
struct ScheduleTests {
    func fields(_ expression: String) throws -> CronFields {
        try Schedule(expression, location: here(#line)).fields.get()
    }

    func error(_ expression: String) -> String? {
        if case .failure(let error) = CronFields.parse(expression) { return error.message }
        return nil
    }

    @Test("fields expand to the values cron runs at: lists, ranges, steps, names, 7 as Sunday, shorthands")
    func expansion() throws {
        let every15 = try fields("*/15 * * * *")
        #expect(every15.minutes == [0, 15, 30, 45])
        #expect(every15.hours == Set(0...23) && every15.everyDayOfMonth && every15.everyDayOfWeek)
        let office = try fields("0 8-18/2 * jan,JUL mon-fri")
        #expect(office.hours == [8, 10, 12, 14, 16, 18])
        #expect(office.months == [1, 7])
        #expect(office.daysOfWeek == [1, 2, 3, 4, 5] && !office.everyDayOfWeek && office.everyDayOfMonth)
        #expect(try fields("0 0 * * 7").daysOfWeek == [0])
        #expect(try fields("0 0 * * 5-7").daysOfWeek == [0, 5, 6])
        #expect(try fields("5/20 * * * *").minutes == [5, 25, 45])
        #expect(try fields("  1,2,3   4\t* * *  ").minutes == [1, 2, 3])
        #expect(try fields("@daily") == fields("0 0 * * *"))
        #expect(try fields("@hourly").minutes == [0])
        #expect(try fields("@weekly").daysOfWeek == [0])
        #expect(try fields("@yearly") == fields("@annually"))
    }

    @Test("a bad expression is refused with the field and the value at fault")
    func refused() {
        #expect(error("* * * *")?.contains("has 4 field(s)") == true)
        #expect(error("0 * * * * *")?.contains("seconds or years") == true)
        #expect(error("60 * * * *") == "field 1 (minute) has 60, beyond 0-59")
        #expect(error("0 24 * * *") == "field 2 (hour) has 24, beyond 0-23")
        #expect(error("0 0 0 * *") == "field 3 (day of month) has 0, beyond 1-31")
        #expect(error("0 0 * 13 *") == "field 4 (month) has 13, beyond 1-12")
        #expect(error("0 0 * * 8") == "field 5 (day of week) has 8, beyond 0-7")
        #expect(error("*/0 * * * *")?.contains("step is not a positive number") == true)
        #expect(error("5-1 * * * *")?.contains("runs backwards") == true)
        #expect(error("1,,2 * * * *")?.contains("empty item") == true)
        #expect(error("0 0 ? * *")?.contains("Quartz") == true)
        #expect(error("0 0 * foo *")?.contains("(jan…dec)") == true)
        #expect(error("-1 * * * *")?.contains("not a range") == true)
        #expect(error("@reboot")?.contains("not a schedule") == true)
        #expect(error("@often")?.contains("@daily") == true)
        #expect(error("0 0 30 2 *") == "it never runs: no month it names has a day 30")
        #expect(error("0 0 31 4,6 *") == "it never runs: no month it names has a day 31")
        // With a weekday too, cron runs on either: the weekday makes it run.
        #expect(error("0 0 30 2 mon") == nil)
        #expect(error("0 0 29 2 *") == nil)
    }

    @Test("a day runs when both day fields match, or either when both are restricted")
    func days() throws {
        let either = try fields("0 0 1 * mon")
        #expect(either.matches(minute: 0, hour: 0, day: 1, month: 5, weekday: 3))
        #expect(either.matches(minute: 0, hour: 0, day: 9, month: 5, weekday: 1))
        #expect(!either.matches(minute: 0, hour: 0, day: 9, month: 5, weekday: 2))
        let weekdayOnly = try fields("0 0 * * mon")
        #expect(!weekdayOnly.matches(minute: 0, hour: 0, day: 1, month: 5, weekday: 3))
        #expect(weekdayOnly.matches(minute: 0, hour: 0, day: 4, month: 5, weekday: 1))
    }

    @Test("the scheduler's berth_due, run by /bin/sh, agrees with the schedule on 400 minutes each")
    func shellAgrees() async throws {
        var generator = SystemRandomNumberGenerator()
        for expression in ["*/15 9-17 * * mon-fri", "0 0 1,15 * sun", "30 4 * jan,jul *", "* * * * *", "7 */6 13 * 5"] {
            let service = Service("job", image: "acme/job:1").command(["true"]).schedule(expression)
            let scheduler = try #require(JobScheduler(of: service))
            let fields = try self.fields(expression)
            var script = scheduler.dueFunction + "\n"
            var expected: [String] = []
            // Mostly values the field allows, so that matches are common enough to be tested.
            func pick(_ allowed: Set<Int>, _ range: ClosedRange<Int>) -> Int {
                Int.random(in: 0..<4, using: &generator) == 0
                    ? Int.random(in: range, using: &generator) : allowed.randomElement(using: &generator)!
            }
            for _ in 0..<400 {
                let (minute, hour) = (pick(fields.minutes, 0...59), pick(fields.hours, 0...23))
                let (day, month) = (pick(fields.daysOfMonth, 1...31), pick(fields.months, 1...12))
                let weekday = pick(fields.daysOfWeek, 0...6)
                let arguments = [minute, hour, day, month].map { String(format: "%02d", $0) } + [String(weekday)]
                script += "berth_due \(arguments.joined(separator: " ")) && echo 1 || echo 0\n"
                expected.append(
                    fields.matches(minute: minute, hour: hour, day: day, month: month, weekday: weekday) ? "1" : "0")
            }
            let answers = try await Command.run(["/bin/sh", "-c", script]).outputText.split(separator: "\n").map(
                String.init)
            #expect(answers == expected, "\(expression)")
            #expect(
                expected.contains("1") && (expected.contains("0") || expression == "* * * * *"),
                "\(expression): a sample that tests one answer only")
        }
    }

    @Test("a job needs a valid schedule, a command, one replica, no health check, no route; each names its line")
    func validation() throws {
        let line = #line + 1
        let bad = Service("job", image: "acme/job:1").schedule("0 25 * * *")
        let found = Stack("shop") { bad }.validate(for: .dev)
        #expect(found.map(\.code) == [.invalidSchedule, .invalidSchedule])
        #expect(found.allSatisfy { $0.location?.line == line })
        #expect(found[0].message.contains("\"0 25 * * *\" is not a cron expression: field 2 (hour) has 25"))
        #expect(found[1].message.contains("names none"))

        let good = Service("job", image: "acme/job:1").entrypoint([]).command(["bin/cleanup"]).schedule("@daily")
        #expect(Stack("shop") { good }.validate(for: .dev).isEmpty)
        #expect(Stack("shop") { good }.validate(for: Environment.prod.on(.swarm)).isEmpty)
        let warned = Stack("shop") { Service("job", image: "acme/job:1").command(["x"]).schedule("@daily") }
        #expect(warned.validate(for: .dev).map(\.severity) == [.warning])

        let crowded = Stack("shop") {
            good.replicas(2).healthCheck(.http(port: 80)).update(order: .startFirst).beforeRelease(["bin/migrate"])
        }
        let messages = crowded.validate(for: .dev).filter { $0.code == .invalidSchedule }.map(\.message)
        #expect(messages.count == 4, "\(messages)")
        #expect(messages.contains { $0.contains("release task") })
        #expect(messages.contains { $0.contains("2 replicas") })
        #expect(messages.contains { $0.contains("health check") })
        #expect(messages.contains { $0.contains("start-first") })
    }

    @Test("a job is updated stop-first on Compose and on Swarm")
    func stopFirst() {
        let job = Service("job", image: "acme/job:1").entrypoint([]).command(["x"]).schedule("@hourly")
        #expect(UpdateStrategy.compose(for: job).order == .stopFirst)
        #expect(DeployPolicy.defaultUpdate(for: job).order == .stopFirst)
    }
}
