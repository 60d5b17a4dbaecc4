import BerthTesting
import Testing

/// A JSON value, to compare what a referee read with what a test expects, written as literals.
typealias JSON = RefereeJSON

/// The outside referees these tests consult: PyYAML, a YAML 1.1 parser other than Berth's
/// emitter, and the real Docker Compose v2 (`docker compose config` needs no daemon).
///
/// The running, probing and required-or-skip policy live in `BerthTesting`'s ``Referee``; this
/// holds the two availabilities and their skip comments, which need Swift Testing.
enum ExternalTools {
    /// Whether `python3` can `import yaml`; a loud warning is printed once when it cannot.
    static let pyYAML = Referee.Availability.check("python3 with PyYAML", suite: "BerthCloudflareTests") {
        Referee.pyYAMLUnavailableReason()
    }

    /// Whether `docker compose` is the real Compose v2; a loud warning is printed once when not.
    static let compose = Referee.Availability.check(
        "the real `docker compose` (v2 plugin)", suite: "BerthCloudflareTests"
    ) { Referee.composeUnavailableReason() }

    static let pyYAMLSkip = Comment(rawValue: pyYAML.skipReason)
    static let composeSkip = Comment(rawValue: compose.skipReason)
}
