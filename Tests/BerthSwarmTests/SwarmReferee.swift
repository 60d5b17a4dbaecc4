import BerthTesting
import Foundation
import Testing

/// What `docker stack config` printed, read with every scalar a string.
typealias JSON = RefereeJSON

/// Runs the real Docker CLI's stack loader (`docker stack config -c FILE`) on rendered files:
/// the outside referee that says whether `docker stack deploy` would accept a file and what it
/// reads from it.
///
/// `docker stack config` prints YAML, which PyYAML's `BaseLoader` turns into JSON with every
/// scalar a string, so no YAML 1.1 rule (`1000:1000` as a number in base 60) changes what the
/// loader printed. The running, probing and required-or-skip policy live in `BerthTesting`'s
/// ``Referee``; this adds the PyYAML step and the verdict.
enum SwarmReferee {
    /// Whether `docker stack config` and PyYAML work; a loud warning is printed once when not.
    static let availability = Referee.Availability.check(
        "`docker stack config` and python3 with PyYAML", suite: "BerthSwarmTests",
        hint: "It needs the docker CLI on PATH and python3 with PyYAML (see /work/shared/ENGINE.md)."
    ) { Referee.stackUnavailableReason() ?? Referee.pyYAMLUnavailableReason() }

    /// The condition of every referee test: run when the referee is there, and also when it is
    /// required but missing, so the test fails with the reason.
    static var shouldRun: Bool { availability.shouldRun }

    static let skipComment = Comment(rawValue: availability.skipReason)

    /// Turns YAML on stdin into JSON on stdout, every scalar a string.
    private static let toJSON =
        "import sys, json, yaml; json.dump(yaml.load(sys.stdin, Loader=yaml.BaseLoader), sys.stdout)"

    /// What the stack loader read from a file.
    struct Verdict: Sendable {
        /// The loaded stack, as `docker stack config` printed it; every scalar a string.
        var model: JSON
        /// The directory of the stack file, which relative bind mounts resolve from.
        var fileDirectory: URL
    }

    /// Writes `yaml` as `<temp>/pkg/<relativePath>` and runs `docker stack config -c FILE` on
    /// it. Every rendered file in these tests must get exit status 0 here.
    static func config(_ yaml: String, relativePath: String = ".berth/stack/env/stack.yaml") async throws -> Verdict {
        try availability.requireAvailable()
        let root = try Referee.temporaryDirectory(prefix: "berth-swarm-tests")
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appending(path: "pkg").appending(path: relativePath)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(yaml.utf8).write(to: file)

        let output = try await Referee.stackConfig(file: file)
        guard output.status == 0 else {
            throw Referee.Failure(
                "`docker stack config` rejected the file (exit \(output.status)):\n\(output.stderr)\n--- file ---\n\(yaml)"
            )
        }
        let printed = root.appending(path: "printed.yaml")
        try Data(output.stdout.utf8).write(to: printed)
        let json = try await Referee.python!.run(
            ["-c", toJSON], in: root, environment: Referee.stackEnvironment(), standardInput: printed)
        guard json.status == 0 else {
            throw Referee.Failure("PyYAML could not read what `docker stack config` printed:\n\(json.stderr)")
        }
        do {
            let model = try JSON.parse(json.stdout)
            return Verdict(model: model, fileDirectory: file.deletingLastPathComponent().resolvingSymlinksInPath())
        } catch {
            throw Referee.Failure("The printed stack does not parse as JSON: \(error)\n\(json.stdout)")
        }
    }

    /// Runs `docker stack config` on a file that must be refused, and returns its error output.
    static func rejection(of yaml: String) async throws -> String {
        try availability.requireAvailable()
        let root = try Referee.temporaryDirectory(prefix: "berth-swarm-tests")
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appending(path: "stack.yaml")
        try Data(yaml.utf8).write(to: file)
        let output = try await Referee.stackConfig(file: file)
        guard output.status != 0 else {
            throw Referee.Failure("`docker stack config` accepted a file it should refuse:\n\(yaml)")
        }
        return output.stderr
    }
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
        else { return nil }
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
