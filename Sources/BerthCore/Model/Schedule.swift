/// When a scheduled service — a job — runs its command: a cron expression of five fields,
/// `minute hour day-of-month month day-of-week`, read in the container's clock (UTC unless the
/// service sets `TZ` and its image has the zone).
///
/// ```swift
/// Service("cleanup", image: "ghcr.io/acme/api:1.5")
///     .command(["bin/cleanup", "--older-than", "30d"])
///     .schedule("0 3 * * *")
/// ```
///
/// **Where it runs.** A job is one container of its own, on Compose and on Swarm alike, whose
/// entrypoint is a small `/bin/sh` scheduler that wakes at each minute, runs the service's
/// entrypoint and command when the minute matches, and sleeps again; the first run is at the
/// first time due after the container starts. So a job needs nothing
/// beside its own image (no host crontab, no Docker socket, no scheduler service), runs with the
/// service's image, environment, secrets, networks and volumes, and moves with the rest of the
/// stack. Its runs never overlap: a time that comes while the previous run still runs is
/// skipped, and the log says so. Each run is marked in the container's log
/// (`berth-job: run 2026-12-04T03:00 started`, `… exited with status 0`), which is what `status`
/// reads for the last run and `logs` shows with the run's own output. Stopping the container
/// stops a run with SIGTERM and waits for it, within the stop grace period.
///
/// The fields accept `*`, numbers, ranges `1-5`, lists `1,15`, steps `*/10` and `8-18/2`, the
/// names `jan`–`dec` and `sun`–`sat`, `7` for Sunday, and the shorthands `@hourly`, `@daily`
/// (`@midnight`), `@weekly`, `@monthly` and `@yearly` (`@annually`). As in cron, when both the
/// day of the month and the day of the week are restricted, a day matching either runs.
public struct Schedule: Sendable, Hashable, Codable {
    /// The expression as the user wrote it.
    public var expression: String
    /// Where the user declared it.
    public var location: SourceLocation

    /// Creates a schedule; ``fields`` checks it.
    public init(_ expression: String, location: SourceLocation) {
        self.expression = expression
        self.location = location
    }

    /// The values each field allows, or why the expression is not one.
    public var fields: Result<CronFields, CronError> { CronFields.parse(expression) }
}

/// Why a cron expression is not valid, in words a diagnostic can print.
public struct CronError: Error, Sendable, Hashable {
    /// What is wrong: "field 2 (hour) has 24, beyond 0-23".
    public var message: String
}

/// The values each of the five fields of a cron expression allows.
public struct CronFields: Sendable, Hashable {
    /// One field of the expression.
    public enum Field: Int, Sendable, CaseIterable {
        case minute, hour, dayOfMonth, month, dayOfWeek

        var name: String {
            switch self {
            case .minute: "minute"
            case .hour: "hour"
            case .dayOfMonth: "day of month"
            case .month: "month"
            case .dayOfWeek: "day of week"
            }
        }

        /// The values a field can hold; day of week also accepts 7, read as 0 (Sunday).
        var range: ClosedRange<Int> {
            switch self {
            case .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...7
            }
        }

        var names: [String] {
            switch self {
            case .month: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            case .dayOfWeek: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
            default: []
            }
        }
    }

    public var minutes: Set<Int>
    public var hours: Set<Int>
    public var daysOfMonth: Set<Int>
    public var months: Set<Int>
    /// 0 is Sunday.
    public var daysOfWeek: Set<Int>
    /// Whether the day of the month is `*`; with the day of the week also restricted, cron runs
    /// on a day matching either.
    public var everyDayOfMonth: Bool
    /// Whether the day of the week is `*`.
    public var everyDayOfWeek: Bool

    static let shorthands = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    /// Parses `expression`.
    public static func parse(_ expression: String) -> Result<CronFields, CronError> {
        let trimmed = expression.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed.hasPrefix("@") {
            guard let expanded = shorthands[trimmed] else {
                let known = shorthands.keys.sorted().joined(separator: ", ")
                return .failure(
                    CronError(
                        message: trimmed == "@reboot"
                            ? "@reboot is not a schedule: a job runs at times of the clock; what runs at start is a service's command"
                            : "\(trimmed) is not a shorthand cron knows (\(known))"))
            }
            return parse(expanded)
        }
        let parts = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard parts.count == 5 else {
            return .failure(
                CronError(
                    message:
                        "it has \(parts.count) field(s), and a schedule has five: minute hour day-of-month month day-of-week"
                        + (parts.count == 6 ? " (a sixth field, for seconds or years, is not cron's)" : "")))
        }
        var sets: [Set<Int>] = []
        for field in Field.allCases {
            switch values(of: parts[field.rawValue], field: field) {
            case .success(let values): sets.append(values)
            case .failure(let error): return .failure(error)
            }
        }
        var weekdays = sets[4]
        if weekdays.remove(7) != nil { weekdays.insert(0) }
        let fields = CronFields(
            minutes: sets[0], hours: sets[1], daysOfMonth: sets[2], months: sets[3], daysOfWeek: weekdays,
            everyDayOfMonth: parts[2] == "*", everyDayOfWeek: parts[4] == "*")
        // A day of the month that no chosen month has never comes (30 February).
        if fields.everyDayOfWeek && !fields.everyDayOfMonth {
            let longest = fields.months.map { [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][$0 - 1] }.max() ?? 0
            if let first = fields.daysOfMonth.min(), first > longest {
                return .failure(CronError(message: "it never runs: no month it names has a day \(first)"))
            }
        }
        return .success(fields)
    }

    /// The values one field allows.
    static func values(of text: String, field: Field) -> Result<Set<Int>, CronError> {
        let range = field.range
        func fail(_ what: String) -> Result<Set<Int>, CronError> {
            .failure(CronError(message: "field \(field.rawValue + 1) (\(field.name)) \(what)"))
        }
        func number(_ text: String) -> Int? {
            if let index = field.names.firstIndex(of: text) { return index + (field == .month ? 1 : 0) }
            guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit) else { return nil }
            return Int(text)
        }
        var result = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard !item.isEmpty else { return fail("has an empty item in '\(text)'") }
            let pieces = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard pieces.count <= 2 else { return fail("has '\(item)', with more than one step") }
            var step = 1
            if pieces.count == 2 {
                guard let value = Int(pieces[1]), pieces[1].allSatisfy(\.isASCIIDigit), value > 0 else {
                    return fail("has '\(item)', whose step is not a positive number")
                }
                step = value
            }
            var lower: Int
            var upper: Int
            let base = pieces[0]
            if base == "*" {
                (lower, upper) = (range.lowerBound, field == .dayOfWeek ? 6 : range.upperBound)
            } else if base == "?" {
                return fail("has '?', which is Quartz's, not cron's: write '*'")
            } else if let dash = base.firstIndex(of: "-") {
                guard let from = number(String(base[..<dash])),
                    let to = number(String(base[base.index(after: dash)...]))
                else { return fail("has '\(item)', which is not a range of numbers") }
                guard from <= to else { return fail("has the range '\(base)', which runs backwards") }
                (lower, upper) = (from, to)
            } else {
                guard let value = number(base) else {
                    let names = field.names.isEmpty ? "" : " or a name (\(field.names.first!)…\(field.names.last!))"
                    return fail("has '\(item)', which is not a number\(names)")
                }
                // `5/15` is `5-59/15`, as most crons read it.
                (lower, upper) = (value, pieces.count == 2 ? range.upperBound : value)
            }
            for value in [lower, upper] where !range.contains(value) {
                return fail("has \(value), beyond \(range.lowerBound)-\(range.upperBound)")
            }
            result.formUnion(stride(from: lower, through: upper, by: step))
        }
        return .success(result)
    }

    /// Whether the schedule runs at the minute these calendar values name.
    /// - Parameter weekday: 0 for Sunday.
    public func matches(minute: Int, hour: Int, day: Int, month: Int, weekday: Int) -> Bool {
        guard minutes.contains(minute), hours.contains(hour), months.contains(month) else { return false }
        let dayMatches = daysOfMonth.contains(day)
        let weekdayMatches = daysOfWeek.contains(weekday)
        if !everyDayOfMonth && !everyDayOfWeek { return dayMatches || weekdayMatches }
        return dayMatches && weekdayMatches
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Service {
    /// Runs the service's command on `expression`'s schedule instead of keeping it running;
    /// see ``Schedule``.
    /// - Parameter expression: Five cron fields, `"0 3 * * *"` for 03:00 every day.
    public func schedule(_ expression: String, fileID: String = #fileID, line: Int = #line) -> Service {
        var copy = self
        copy.schedule = Schedule(expression, location: SourceLocation(fileID: fileID, line: line))
        return copy
    }
}
