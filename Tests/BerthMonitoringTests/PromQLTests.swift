import BerthMonitoring
import BerthTesting
import Foundation
import Testing

/// promtool: required on CI and with `BERTH_ENGINE_REQUIRED`, skipped loudly elsewhere.
let promtool = Referee.promtoolAvailability(suite: "BerthMonitoringTests")

/// A rules file holding one alert per expression.
func rulesFile(_ expressions: [String]) -> String {
    var text = "groups:\n  - name: check\n    rules:\n"
    for (index, expression) in expressions.enumerated() {
        let quoted = expression.replacingOccurrences(of: "'", with: "''")
        text += "      - alert: Check\(index)\n        expr: '\(quoted)'\n"
    }
    return text
}

@Suite("PromQL: the check of alert expressions, agreeing with promtool both ways")
struct PromQLTests {
    static let valid = [
        "up == 0",
        "up{job=\"api\"} == 0",
        "sum by (service) (rate(process_cpu_seconds_total[5m])) > 0.9",
        "sum(rate(http_requests_total[5m])) by (service)",
        "histogram_quantile(0.95, sum by (le, service) (rate(http_request_duration_seconds_bucket[5m]))) > 0.8",
        "rate(http_requests_total{status=~\"5..\"}[5m]) / ignoring(status) group_left rate(http_requests_total[5m])",
        "a / on (service) group_right (instance) b",
        "count_values(\"version\", build_info)",
        "topk(3, sum by (service) (rate(x[1m])))",
        "quantile(0.9, x)",
        "avg_over_time(x[10m:1m])",
        "max_over_time(rate(x[1m])[10m:])",
        "x offset 5m",
        "rate(x[5m] offset 1h)",
        "x @ 1609746000",
        "x @ start()",
        "-x",
        "1 - x / y",
        "2 ^ 3 ^ 2 > bool 1",
        "x > bool 2",
        "absent(up{job=\"api\"})",
        "label_replace(up, \"host\", \"$1\", \"instance\", \"(.*):.*\")",
        "predict_linear(node_filesystem_avail_bytes[6h], 4 * 3600) < 0",
        "time() - process_start_time_seconds > 86400",
        "probe_ssl_earliest_cert_expiry - time() < 14 * 86400",
        "x and y or z unless w",
        "(x + y) * 2",
        "{__name__=~\"http_.*\", job=\"api\"}",
        "x{a=\"1\",}",
        "round(x, 0.5)",
        "clamp_max(x, 1)",
        "sum without (instance) (x)",
        "count(up) by ()",
        "vector(1)",
        "scalar(x) * y",
        "increase(x[1h30m])",
        "x # a comment",
        "redis_memory_used_bytes / (redis_memory_max_bytes > 0) > 0.8",
        "job:http_requests:rate5m > 10",
        "deriv(x[5m]) < -1e-3",
        "0x1F < x",
        "day_of_week() == 0",
    ]

    static let invalid: [(String, String)] = [
        ("rate(x)", "argument 1 of rate must be a range vector, not a instant vector"),
        ("rates(x[5m])", "unknown function 'rates'; did you mean 'rate'?"),
        ("sum(x[5m])", "sum aggregates an instant vector, not a range vector"),
        ("x[5m] > 1", "'>' takes scalars or instant vectors, not a range vector"),
        ("(x)[5m]", "a range [d] follows a metric selector only"),
        ("x > ", "expected a value, found the end of the expression"),
        ("sum by (service (x)", "expected ')' to close the list of labels"),
        ("x{job=api}", "the value of label job must be a quoted string"),
        ("x{job=\"api\"", "expected '}' to close label matchers"),
        ("x{job~\"api\"}", "has no meaning in PromQL"),
        ("{job=\"\"}", "a selector needs a metric name or a label matcher that does not match the empty string"),
        ("rate(x[5])", "a range needs a duration such as 5m"),
        ("1 > 2", "a comparison of two scalars needs 'bool'"),
        ("histogram_quantile(x, 0.9)", "argument 1 of histogram_quantile must be a scalar"),
        ("topk(x, y)", "topk takes a scalar first, not a instant vector"),
        ("x and 1", "'and' takes two instant vectors"),
        ("\"text\" + 1", "'+' takes scalars or instant vectors, not a string"),
        ("x offset", "'offset' needs a duration such as 5m"),
        ("clamp(x, 1)", "clamp takes 3 argument(s), and is given 2"),
        ("x{a=~\"(\"}", "leaves a (group) open"),
        ("up == 0 up", "unexpected 'up' after a complete expression"),
        ("x + on (a) 1", "vector matching (on, ignoring) needs vectors on both sides"),
        ("1 +", "expected a value, found the end of the expression"),
        ("x[5m][10m:1m]", "a subquery needs an instant vector"),
        ("'unclosed", "a string is not closed"),
        ("5x", "'5x' is neither a number nor a duration"),
    ]

    @Test("valid expressions pass, with their type")
    func valid() throws {
        for expression in Self.valid {
            #expect(throws: Never.self, "\(expression)") { try PromQL.check(expression) }
        }
        #expect(try PromQL.check("1 + 2") == .scalar)
        #expect(try PromQL.check("rate(x[5m])") == .instantVector)
        #expect(try PromQL.check("x[5m]") == .rangeVector)
        #expect(try PromQL.check("\"s\"") == .string)
    }

    @Test("invalid expressions fail, saying what is wrong and where")
    func invalid() {
        for (expression, message) in Self.invalid {
            do {
                try PromQL.check(expression)
                Issue.record("accepted: \(expression)")
            } catch {
                #expect(error.message.contains(message), "\(expression): \(error)")
            }
        }
        do {
            try PromQL.check("sum(rate(x[5m])) by (a) > rates(y[1m])")
        } catch {
            #expect(error.offset == 26, "\(error)")
        }
    }

    @Test(
        "promtool accepts every expression the check accepts, and refuses each one it refuses",
        .enabled(if: promtool.shouldRun, Comment(rawValue: promtool.skipReason)))
    func promtoolAgrees() async throws {
        try promtool.requireAvailable()
        let accepted = try await Referee.promtoolCheckRules(rulesFile(Self.valid.filter { !$0.contains("@") }))
        #expect(accepted.status == 0, "\(accepted.stdout)\(accepted.stderr)")
        for (expression, _) in Self.invalid {
            let refused = try await Referee.promtoolCheckRules(rulesFile([expression]))
            #expect(refused.status != 0, "promtool accepted what the check refuses: \(expression)")
        }
    }
}
