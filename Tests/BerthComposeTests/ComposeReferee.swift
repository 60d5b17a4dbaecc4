import BerthTesting
import Foundation
import Testing

/// The JSON model `docker compose config --format json` prints.
typealias JSON = RefereeJSON

/// Runs the real Docker Compose v2 (`docker compose config --format json`) on rendered files:
/// the outside referee that says whether Compose accepts a file and what it reads from it.
///
/// The running, probing and required-or-skip policy live in `BerthTesting`'s ``Referee``; this
/// adds what only these tests need: writing a file into a package layout, and the verdict.
enum ComposeReferee {
    /// Whether `docker compose` works; a loud warning is printed once when it does not.
    static let availability = Referee.Availability.check(
        "the real `docker compose` (v2 plugin)", suite: "BerthComposeTests",
        hint: "See /work/shared/ENGINE.md to install the real Compose v2 plugin (not the `docker-compose` wrapper)."
    ) { Referee.composeUnavailableReason() }

    /// The condition of every referee test: run when Compose is there, and also when it is
    /// required but missing, so the test fails with the reason.
    static var shouldRun: Bool { availability.shouldRun }

    static let skipComment = Comment(rawValue: availability.skipReason)

    /// What Compose read from a file, and where the file was.
    struct Verdict: Sendable {
        /// The normalised model.
        var model: JSON
        /// The absolute path relative package paths resolve under.
        var packageDirectory: String
        /// The absolute path of the compose file's directory.
        var fileDirectory: String
        /// The environment Compose ran with, which interpolation read.
        var variables: [String: String]
    }

    /// Writes `yaml` as `<temp>/pkg/<relativePath>` and runs `docker compose -f FILE config
    /// --format json` on it, in that file's directory. Relative paths in the file resolve under
    /// `<temp>/pkg`, which is returned as `packageDirectory`.
    ///
    /// Every rendered file and golden file in these tests must get exit status 0 here.
    ///
    /// - Parameter environment: Variables added to the referee's environment (for interpolation);
    ///   `COMPOSE_*` variables and `BERTH_TEST_VAR` of the test process are never passed on.
    static func config(
        _ yaml: String,
        relativePath: String = ".berth/stack/env/compose.yaml",
        environment extra: [String: String] = [:]
    ) async throws -> Verdict {
        try availability.requireAvailable()
        let root = try Referee.temporaryDirectory(prefix: "berth-compose-tests")
        defer { try? FileManager.default.removeItem(at: root) }
        let package = root.appending(path: "pkg")
        let file = package.appending(path: relativePath)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(yaml.utf8).write(to: file)

        let variables = Referee.composeEnvironment(removing: ["BERTH_TEST_VAR"], adding: extra)
        let output = try await Referee.composeConfig(file: file, environment: variables)
        guard output.status == 0 else {
            throw Referee.Failure(
                "`docker compose config` rejected the file (exit \(output.status)):\n\(output.stderr)\n--- file ---\n\(yaml)"
            )
        }
        do {
            let model = try JSON.parse(output.stdout)
            // Compose resolves symbolic links in the temporary directory's path (/tmp → /private/tmp).
            let resolved = package.resolvingSymlinksInPath().path
            let directory = (resolved + "/" + relativePath).split(separator: "/").dropLast().joined(
                separator: "/")
            return Verdict(
                model: model, packageDirectory: resolved, fileDirectory: "/" + directory, variables: variables
            )
        } catch {
            throw Referee.Failure(
                "`docker compose config` printed JSON that does not parse: \(error)\n\(output.stdout)")
        }
    }
}

/// A string compared scalar by scalar: Swift's `==` treats canonically equivalent strings
/// (`é` and `e` + U+0301) as equal, which would hide a normalisation on the way.
struct Exact: Equatable, CustomStringConvertible {
    var text: String?

    init(_ text: String?) { self.text = text }

    static func == (lhs: Exact, rhs: Exact) -> Bool {
        switch (lhs.text, rhs.text) {
        case (nil, nil): return true
        case (let a?, let b?): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        default: return false
        }
    }

    var description: String {
        guard let text else { return "nil" }
        return "\""
            + text.unicodeScalars.map { scalar -> String in
                switch scalar {
                case "\n": return "\\n"
                case "\t": return "\\t"
                case "\r": return "\\r"
                case "\"": return "\\\""
                case "\\": return "\\\\"
                case _ where scalar.value < 0x20 || (scalar.value >= 0x7F && !scalar.properties.isAlphabetic):
                    return "\\u{\(String(scalar.value, radix: 16))}"
                default: return String(scalar)
                }
            }.joined() + "\""
    }
}

/// How `docker compose config --format json` prints a string the user wrote literally: every
/// `$` re-escaped as `$$`.
func composeJSON(literal text: String) -> String {
    // Scalar by scalar, as Go does it: `String.replacing` would compare grapheme clusters and
    // miss the `$` in `$` + U+0301.
    var escaped = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        if scalar == "$" { escaped.append(scalar) }
        escaped.append(scalar)
    }
    return String(escaped)
}

/// Parses a Go duration (`1m30s`, `1.5s`, `250ms`) into nanoseconds.
func goDurationNanoseconds(_ text: String) -> Int64? {
    if text == "0" { return 0 }
    let units: [(String, Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]
    var rest = Substring(text)
    var total: Double = 0
    guard !rest.isEmpty else { return nil }
    while !rest.isEmpty {
        let number = rest.prefix { $0.isNumber || $0 == "." }
        guard !number.isEmpty, let value = Double(number) else { return nil }
        rest = rest.dropFirst(number.count)
        // Longest unit first, so `ms` is not read as `m`.
        guard let unit = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { rest.hasPrefix($0.0) })
        else {
            return nil
        }
        total += value * unit.1
        rest = rest.dropFirst(unit.0.count)
    }
    return Int64(total.rounded())
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
