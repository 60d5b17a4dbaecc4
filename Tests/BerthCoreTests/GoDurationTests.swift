import Testing

@testable import BerthCore

@Suite("GoDuration.format")
struct GoDurationTests {
    @Test(arguments: [
        (Duration.zero, "0s"),
        (.seconds(10), "10s"),
        (.seconds(59), "59s"),
        (.seconds(60), "1m"),
        (.seconds(90), "1m30s"),
        (.seconds(3600), "1h"),
        (.seconds(3661), "1h1m1s"),
        (.seconds(7200 + 5), "2h5s"),
        (.seconds(36 * 3600), "36h"),
        (.milliseconds(1500), "1s500ms"),
        (.milliseconds(500), "500ms"),
        (.milliseconds(1), "1ms"),
        (.milliseconds(60_250), "1m250ms"),
        (.nanoseconds(1500), "1500ns"),
        (.seconds(1) + .nanoseconds(5), "1s5ns"),
        (.seconds(-10), "-10s"),
        (.seconds(-90), "-1m30s"),
        (.milliseconds(-1500), "-1s500ms"),
        (.milliseconds(-500), "-500ms"),
    ])
    func formats(_ duration: Duration, _ expected: String) {
        #expect(GoDuration.format(duration) == expected)
    }
}
