import BerthTesting
import Foundation
import Testing

/// The real Docker tools' reading of the rendered Traefik documents: `docker compose config`
/// for Compose files, `docker stack config` (read back with PyYAML) for stack files.
///
/// Both run offline. When a tool is missing the tests that need it are skipped after a loud
/// warning, or fail when `BERTH_ENGINE_REQUIRED` is set (see `Referee.Availability`).
enum TraefikReferee {
    static let compose = Referee.Availability.check(
        "the real `docker compose` (v2 plugin)", suite: "BerthGatewayTests",
        hint: "See /work/shared/ENGINE.md to install the real Compose v2 plugin."
    ) { Referee.composeUnavailableReason() }

    static let stack = Referee.Availability.check(
        "`docker stack config` and python3 with PyYAML", suite: "BerthGatewayTests",
        hint: "It needs the docker CLI on PATH and python3 with PyYAML (see /work/shared/ENGINE.md)."
    ) { Referee.stackUnavailableReason() ?? Referee.pyYAMLUnavailableReason() }

    /// What `docker compose config --format json` read from `yaml`.
    static func composeModel(_ yaml: String) async throws -> RefereeJSON {
        try compose.requireAvailable()
        let directory = try Referee.temporaryDirectory(prefix: "berth-traefik-compose")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appending(path: "compose.yaml")
        try Data(yaml.utf8).write(to: file)
        let output = try await Referee.composeConfig(file: file)
        guard output.status == 0 else {
            throw Referee.Failure("`docker compose config` rejected the file:\n\(output.stderr)\n--- file ---\n\(yaml)")
        }
        return try RefereeJSON.parse(output.stdout)
    }

    /// What `docker stack config` read from `yaml`, every scalar a string.
    static func stackModel(_ yaml: String) async throws -> RefereeJSON {
        try stack.requireAvailable()
        let directory = try Referee.temporaryDirectory(prefix: "berth-traefik-stack")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appending(path: "stack.yaml")
        try Data(yaml.utf8).write(to: file)
        let output = try await Referee.stackConfig(file: file)
        guard output.status == 0 else {
            throw Referee.Failure("`docker stack config` rejected the file:\n\(output.stderr)\n--- file ---\n\(yaml)")
        }
        let printed = directory.appending(path: "printed.yaml")
        try Data(output.stdout.utf8).write(to: printed)
        let json = try await Referee.python!.run(
            ["-c", "import sys, json, yaml; json.dump(yaml.load(sys.stdin, Loader=yaml.BaseLoader), sys.stdout)"],
            in: directory, environment: Referee.stackEnvironment(), standardInput: printed)
        guard json.status == 0 else {
            throw Referee.Failure("PyYAML could not read what `docker stack config` printed:\n\(json.stderr)")
        }
        return try RefereeJSON.parse(json.stdout)
    }
}
