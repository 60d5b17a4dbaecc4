/// The scheduler a job's container runs as its entrypoint: a `/bin/sh` loop that wakes at each
/// minute and runs the job's program when the minute matches its ``Schedule``.
///
/// A shell, because it is the one program nearly every image has and a job needs nothing
/// beside its own image; it only compares the minute `date` prints with the values Berth
/// expanded from the expression, so no cron parsing happens in the container. Each run is
/// marked in the log with ``marker`` (read back by `status`), a run is never started while
/// another runs, and SIGTERM ends the loop at once between runs and is passed on to a run in
/// progress, whose end the loop waits for.
public struct JobScheduler: Sendable, Hashable {
    /// What each run executes: the service's entrypoint and command.
    public var program: [String]
    let expression: String
    let fields: CronFields

    /// How every line the scheduler writes begins.
    public static let marker = "berth-job:"

    /// The scheduler of `service`, or `nil` when it has no valid schedule.
    public init?(of service: Service) {
        guard let schedule = service.schedule, case .success(let fields) = schedule.fields else { return nil }
        self.expression = schedule.expression
        self.fields = fields
        self.program = (service.entrypoint ?? []) + (service.command ?? [])
    }

    /// The container's entrypoint: `/bin/sh -c SCRIPT NAME`, the program following as the
    /// command (the script's `"$@"`).
    public func entrypoint(name: String) -> [String] {
        ["/bin/sh", "-c", script, name]
    }

    /// The shell function `berth_due MINUTE HOUR DAY MONTH WEEKDAY`, as `date '+%M %H %d %m %w'`
    /// prints them: status 0 when the schedule runs at that minute.
    public var dueFunction: String {
        func list(_ values: Set<Int>, width: Int) -> String {
            values.sorted().map { value in
                let digits = String(value)
                return String(repeating: "0", count: max(0, width - digits.count)) + digits
            }.joined(separator: " ")
        }
        func test(_ values: Set<Int>, width: Int, _ argument: String) -> String {
            "case \" \(list(values, width: width)) \" in *\" $\(argument) \"*) ;; *) return 1 ;; esac"
        }
        var lines = [
            "berth_due() {",
            "  " + test(fields.minutes, width: 2, "1"),
            "  " + test(fields.hours, width: 2, "2"),
            "  " + test(fields.months, width: 2, "4"),
        ]
        if !fields.everyDayOfMonth && !fields.everyDayOfWeek {
            // cron: with both day fields restricted, a day matching either runs.
            lines.append("  case \" \(list(fields.daysOfMonth, width: 2)) \" in *\" $3 \"*) return 0 ;; esac")
            lines.append("  case \" \(list(fields.daysOfWeek, width: 1)) \" in *\" $5 \"*) return 0 ;; esac")
            lines.append("  return 1")
        } else {
            if !fields.everyDayOfMonth { lines.append("  " + test(fields.daysOfMonth, width: 2, "3")) }
            if !fields.everyDayOfWeek { lines.append("  " + test(fields.daysOfWeek, width: 1, "5")) }
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    /// The whole loop. `$0` is the service's name, `"$@"` the program. The minute the
    /// container starts in counts as done: the container it replaces may have run it.
    public var script: String {
        let quoted = ComposedEnvironment.doubleQuotedText(expression)
        return """
            \(dueFunction)
            berth_child=
            berth_stop() {
              if [ -n "$berth_child" ]; then kill -TERM "$berth_child" 2>/dev/null; wait "$berth_child"; fi
              exit 0
            }
            trap berth_stop TERM INT
            echo "\(Self.marker) $0 runs on the schedule \\"\(quoted)\\" ($(date '+%Z') clock); runs never overlap"
            berth_last=$(date '+%Y-%m-%dT%H:%M')
            while :; do
              read -r berth_m berth_h berth_d berth_mo berth_w berth_now <<EOF
            $(date '+%M %H %d %m %w %Y-%m-%dT%H:%M')
            EOF
              if [ "$berth_now" != "$berth_last" ] && berth_due "$berth_m" "$berth_h" "$berth_d" "$berth_mo" "$berth_w"; then
                berth_last=$berth_now
                echo "\(Self.marker) run $berth_now started"
                "$@" &
                berth_child=$!
                wait "$berth_child"
                berth_status=$?
                berth_child=
                echo "\(Self.marker) run $berth_now exited with status $berth_status"
                berth_end=$(date '+%Y-%m-%dT%H:%M')
                if [ "$berth_end" != "$berth_now" ]; then
                  echo "\(Self.marker) run $berth_now lasted into $berth_end; a time due while it ran is skipped"
                  berth_last=$berth_end
                fi
              fi
              berth_s=$(date '+%S')
              sleep $((60 - ${berth_s#0})) &
              wait $!
            done
            """
    }
}
