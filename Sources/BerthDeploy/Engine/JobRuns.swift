import BerthCore
import Foundation

/// What a job's log says about its runs: the lines its ``JobScheduler`` marks them with.
struct JobRuns: Sendable, Equatable {
    /// One run: the minute it was due (`2026-12-04T03:00`) and how it ended, `nil` while it runs.
    struct Run: Sendable, Equatable {
        var time: String
        var exitStatus: Int32?
    }

    /// Every run the log tells of, oldest first.
    var runs: [Run] = []

    /// Reads the scheduler's lines out of `log`; the job's own output between them is skipped.
    init(log: String) {
        let started = "\(JobScheduler.marker) run "
        for line in log.split(separator: "\n") {
            guard let range = line.range(of: started) else { continue }
            let rest = line[range.upperBound...].split(separator: " ")
            guard let time = rest.first.map(String.init) else { continue }
            if rest.dropFirst().first == "started" {
                runs.append(Run(time: time, exitStatus: nil))
            } else if rest.count >= 5, rest[1] == "exited", let status = Int32(rest[4]) {
                if let index = runs.lastIndex(where: { $0.time == time && $0.exitStatus == nil }) {
                    runs[index].exitStatus = status
                } else {
                    runs.append(Run(time: time, exitStatus: status))
                }
            }
        }
    }

    /// The runs as `status` prints them: the last one that ended and one in progress.
    var summary: String {
        var parts: [String] = []
        if let finished = runs.last(where: { $0.exitStatus != nil }), let status = finished.exitStatus {
            parts.append("last run \(finished.time) exited with status \(status)\(status == 0 ? "" : " (failed)")")
        }
        if let running = runs.last, running.exitStatus == nil {
            parts.append("running since \(running.time)")
        }
        return parts.isEmpty ? "no run yet" : parts.joined(separator: "; ")
    }

    /// The `status` lines of a stack's jobs, or `nil` when it has none.
    /// - Parameter log: The recent log of a job's container or service, `nil` when it has none.
    static func section(of stack: Stack, now: Date = Date(), log: (Service) async throws -> String?) async rethrows
        -> String?
    {
        let jobs = stack.services.filter { $0.schedule != nil }
        guard !jobs.isEmpty else { return nil }
        var rows: [[String]] = []
        for job in jobs {
            guard let schedule = job.schedule, case .success(let fields) = schedule.fields else { continue }
            let zone = timeZone(of: job)
            let next = fields.next(after: now, in: zone).map { Self.format($0, in: zone) } ?? "never"
            let runs = try await log(job).map { JobRuns(log: $0).summary } ?? "not deployed"
            rows.append([job.name, "\"\(schedule.expression)\"", "\(runs); next \(next)"])
        }
        let widths = [0, 1].map { column in rows.map { $0[column].count }.max() ?? 0 }
        let lines = rows.map { row in
            "  " + row[0].padding(toLength: widths[0], withPad: " ", startingAt: 0) + "  "
                + row[1].padding(toLength: widths[1], withPad: " ", startingAt: 0) + "  " + row[2]
        }
        return (["Jobs:"] + lines).joined(separator: "\n")
    }

    /// The zone a job's container reads the clock in: its `TZ` when the service sets one this
    /// machine knows, else UTC.
    static func timeZone(of service: Service) -> TimeZone {
        let utc = TimeZone(identifier: "UTC")!
        guard let variable = service.effectiveEnvironment.last(where: { $0.key == "TZ" }),
            case .literal(let name) = variable.value
        else { return utc }
        return TimeZone(identifier: name) ?? utc
    }

    static func format(_ date: Date, in zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        let name =
            zone.secondsFromGMT() == 0 && ["UTC", "GMT", "Etc/UTC"].contains(zone.identifier) ? "UTC" : zone.identifier
        return formatter.string(from: date) + " " + name
    }
}

extension CronFields {
    /// The first minute after `date` the schedule runs at, in `zone`; `nil` when none comes in
    /// the next eight years (29 February on a weekday, say).
    public func next(after date: Date, in zone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let start = calendar.startOfDay(for: date)
        for offset in 0..<(366 * 8) {
            guard let day = calendar.date(byAdding: .day, value: offset, to: start) else { return nil }
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            guard let month = parts.month, let dayOfMonth = parts.day, let weekday = parts.weekday,
                let firstMinute = minutes.min(), let firstHour = hours.min(),
                matches(minute: firstMinute, hour: firstHour, day: dayOfMonth, month: month, weekday: weekday - 1)
            else { continue }
            for hour in hours.sorted() {
                for minute in minutes.sorted()
                where matches(minute: minute, hour: hour, day: dayOfMonth, month: month, weekday: weekday - 1) {
                    var components = parts
                    components.hour = hour
                    components.minute = minute
                    components.weekday = nil
                    if let candidate = calendar.date(from: components), candidate > date { return candidate }
                }
            }
        }
        return nil
    }
}
