import Foundation

/// The real tools, consulted as outside referees on what Berth renders: Docker's, PyYAML and
/// Graphviz.
///
/// A referee answers the question a renderer's own tests cannot: does the real tool accept this
/// file, and what does it read from it? The referees here are offline; Docker's need the
/// `docker` CLI but no daemon.
///
/// A missing referee must not pass silently. Tests ask ``Availability/shouldRun`` whether to run,
/// and call ``Availability/requireAvailable()`` first thing, so that:
/// - when the referee is there, the test runs;
/// - when it is missing and `BERTH_ENGINE_REQUIRED` is set (CI), the test runs and fails with
///   the reason;
/// - otherwise the test is skipped, after a loud warning on standard error.
///
/// ```swift
/// let compose = Referee.Availability.check("`docker compose`", suite: "MyAppTests") {
///     Referee.composeUnavailableReason()
/// }
///
/// @Test(.enabled(if: compose.shouldRun, Comment(rawValue: compose.skipReason)))
/// func composeAccepts() async throws {
///     try compose.requireAvailable()
///     let output = try await Referee.composeConfig(file: file)
///     #expect(output.status == 0, "\(output.stderr)")
/// }
/// ```
public enum Referee {
    /// The environment variable that makes a missing referee a failure instead of a skip.
    public static let requiredVariable = "BERTH_ENGINE_REQUIRED"

    /// Whether `environment` demands the referees: ``requiredVariable`` is set, non-empty and
    /// not `0`.
    public static func isRequired(in environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        let value = environment[requiredVariable] ?? ""
        return !value.isEmpty && value != "0"
    }

    /// A referee's failure, with a message that says what happened and what it was given.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The message, shown as it is when a test fails.
        public var description: String

        /// A failure with this message.
        public init(_ description: String) {
            self.description = description
        }
    }

    /// The `docker` executable on `PATH`, if any.
    public static let docker = ExternalTool.find("docker")

    /// The `python3` executable on `PATH`, if any.
    public static let python = ExternalTool.find("python3")

    // MARK: Availability

    /// Whether one referee can be consulted, and what a test should do about it.
    public struct Availability: Sendable {
        /// The referee's name, as messages show it.
        public var referee: String
        /// `nil` when the referee works, otherwise why it does not.
        public var unavailableReason: String?
        /// Whether its absence fails tests rather than skipping them.
        public var isRequired: Bool

        /// Records what a probe found; ``check(_:suite:hint:isRequired:probe:)`` also probes and
        /// warns.
        public init(referee: String, unavailableReason: String?, isRequired: Bool = Referee.isRequired()) {
            self.referee = referee
            self.unavailableReason = unavailableReason
            self.isRequired = isRequired
        }

        /// Whether the referee works.
        public var isAvailable: Bool { unavailableReason == nil }

        /// Whether a test that needs the referee runs: it is there, or it is required, so the
        /// test runs to fail with ``requireAvailable()``'s message rather than being skipped.
        public var shouldRun: Bool { isAvailable || isRequired }

        /// Why a test that needs the referee was skipped, for the test's skip comment.
        public var skipReason: String {
            "Needs \(referee); skipped because it is unavailable. Set \(Referee.requiredVariable)=1 to fail instead."
        }

        /// Throws ``Referee/Failure`` with the reason when the referee is unavailable.
        public func requireAvailable() throws {
            if let unavailableReason {
                throw Failure(
                    "\(referee) is required (\(Referee.requiredVariable) is set) but unavailable: \(unavailableReason)")
            }
        }

        /// Probes a referee once and, when it is unavailable, says so loudly on standard error.
        ///
        /// The warning is the only trace a skipped referee leaves in a local run, so it says what
        /// is missing, what happens to the tests, and how to make it a failure.
        ///
        /// - Parameters:
        ///   - referee: The referee's name, as messages show it.
        ///   - suite: The test target or suite, so the warning says whose tests are affected.
        ///   - hint: A line on how to install the referee.
        ///   - probe: Returns `nil` when the referee works, otherwise why not; a thrown error
        ///     counts as the reason.
        public static func check(
            _ referee: String,
            suite: String,
            hint: String? = nil,
            isRequired: Bool = Referee.isRequired(),
            probe: () throws -> String?
        ) -> Availability {
            let reason: String?
            do { reason = try probe() } catch { reason = "\(error)" }
            let availability = Availability(referee: referee, unavailableReason: reason, isRequired: isRequired)
            if let reason {
                let consequence =
                    isRequired
                    ? "\(Referee.requiredVariable) is set, so every test that needs it FAILS."
                    : "Tests that need it are SKIPPED; set \(Referee.requiredVariable)=1 to make this a failure."
                var lines = ["⚠️⚠️⚠️ \(suite): \(referee) is unavailable: \(reason)", "⚠️⚠️⚠️ \(consequence)"]
                if let hint { lines.append("⚠️⚠️⚠️ \(hint)") }
                FileHandle.standardError.write(Data(("\n" + lines.joined(separator: "\n") + "\n\n\n").utf8))
            }
            return availability
        }
    }

    // MARK: Docker Compose

    /// `nil` when `docker compose` is the real Compose v2 (or later) CLI plugin, otherwise why not.
    ///
    /// The check runs `docker compose version` rather than looking for `docker-compose`: the pip
    /// `docker-compose` wrapper exits 0 whatever it is given, so it would accept every file and
    /// referee nothing.
    public static func composeUnavailableReason() -> String? {
        guard let docker else { return "no `docker` executable on PATH" }
        do {
            let output = try docker.runBlocking(["compose", "version"], environment: composeEnvironment())
            guard output.status == 0 else {
                return "`docker compose version` exited \(output.status): \(output.stderr)"
            }
            guard let major = composeMajorVersion(output.stdout), major >= 2 else {
                return "`docker compose version` printed an unexpected version: \(output.stdout)"
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// The major version in `Docker Compose version v2.40.3`; `nil` for anything else.
    private static func composeMajorVersion(_ text: String) -> Int? {
        guard let range = text.range(of: "Docker Compose version v") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    /// The test process's environment without `COMPOSE_*` variables, less `removing`, plus
    /// `adding`.
    ///
    /// `COMPOSE_FILE`, `COMPOSE_PROFILES`, `COMPOSE_PROJECT_NAME` and the like from a developer's
    /// shell would change what Compose reads, so a test would pass on one machine only.
    public static func composeEnvironment(
        removing: Set<String> = [],
        adding: [String: String] = [:]
    ) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("COMPOSE_") && !removing.contains(key)
        }
        environment.merge(adding) { _, new in new }
        return environment
    }

    /// Runs `docker compose -f FILE config --format json` in the file's directory: the real
    /// Compose v2's verdict on a file and the normalised model it read, as JSON on `stdout`.
    ///
    /// It uses the `docker compose` CLI plugin, never the pip `docker-compose` wrapper, which
    /// exits 0 whatever it is given. A non-zero ``ExternalTool/Output/status`` means Compose
    /// rejects the file; `stderr` says why.
    ///
    /// - Parameters:
    ///   - file: The Compose file. Relative paths in it resolve from its directory.
    ///   - environment: Compose's whole environment, which interpolation reads;
    ///     ``composeEnvironment(removing:adding:)`` by default.
    /// - Throws: ``Failure`` when `docker` is missing or the run times out.
    public static func composeConfig(
        file: URL,
        environment: [String: String] = composeEnvironment(),
        timeout: Duration = .seconds(60)
    ) async throws -> ExternalTool.Output {
        guard let docker else { throw Failure("`docker compose config` needs `docker`, and none is on PATH.") }
        return try await docker.run(
            ["compose", "-f", file.path, "config", "--format", "json"],
            in: file.deletingLastPathComponent(), environment: environment, timeout: timeout)
    }

    // MARK: Docker stack

    /// `nil` when `docker stack config` loads a minimal stack file, otherwise why not.
    public static func stackUnavailableReason() -> String? {
        guard let docker else { return "no `docker` executable on PATH" }
        do {
            let directory = try temporaryDirectory(prefix: "berth-stack-probe")
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appending(path: "probe.yaml")
            try Data("version: \"3.8\"\nservices:\n  probe:\n    image: \"busybox:1\"\n".utf8).write(to: file)
            let output = try docker.runBlocking(
                ["stack", "config", "-c", file.path], in: directory, environment: stackEnvironment())
            return output.status == 0 ? nil : "`docker stack config` exited \(output.status): \(output.stderr)"
        } catch {
            return "\(error)"
        }
    }

    /// The few variables `docker stack config` needs to run, taken from the test process.
    ///
    /// `docker stack config` interpolates `${VAR}` from its environment; none of the test
    /// process's other variables may leak into what it prints.
    public static func stackEnvironment() -> [String: String] {
        ProcessInfo.processInfo.environment.filter { key, _ in
            ["PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "DOCKER_CONFIG"].contains(key)
        }
    }

    /// Runs `docker stack config -c FILE` in the file's directory: the Docker CLI's stack
    /// loader's verdict on a file, and the stack it read, as YAML on `stdout`.
    ///
    /// This is what `docker stack deploy` loads before it talks to the swarm. A non-zero
    /// ``ExternalTool/Output/status`` means the loader rejects the file; `stderr` says why.
    ///
    /// - Parameter file: The stack file. Relative bind mounts resolve from its directory.
    /// - Throws: ``Failure`` when `docker` is missing or the run times out.
    public static func stackConfig(file: URL, timeout: Duration = .seconds(60)) async throws -> ExternalTool.Output {
        guard let docker else { throw Failure("`docker stack config` needs `docker`, and none is on PATH.") }
        return try await docker.run(
            ["stack", "config", "-c", file.path],
            in: file.deletingLastPathComponent(), environment: stackEnvironment(), timeout: timeout)
    }

    // MARK: PyYAML

    /// `nil` when `python3` can `import yaml` (PyYAML), a YAML parser other than Berth's own,
    /// otherwise why not.
    public static func pyYAMLUnavailableReason() -> String? {
        guard let python else { return "no `python3` executable on PATH" }
        do {
            let output = try python.runBlocking(["-c", "import yaml"])
            return output.status == 0 ? nil : "`python3 -c 'import yaml'` exited \(output.status): \(output.stderr)"
        } catch {
            return "\(error)"
        }
    }

    // MARK: Graphviz

    /// The `dot` executable of Graphviz on `PATH`, if any.
    public static let dot = ExternalTool.find("dot")

    /// `nil` when Graphviz's `dot -V` runs, otherwise why not.
    public static func graphvizUnavailableReason() -> String? {
        guard let dot else { return "no `dot` executable on PATH (Graphviz: `apt-get install graphviz`)" }
        do {
            let output = try dot.runBlocking(["-V"])
            return output.status == 0 ? nil : "`dot -V` exited \(output.status): \(output.stderr)"
        } catch {
            return "\(error)"
        }
    }

    /// Runs `dot -Tsvg` on a graph: Graphviz's verdict on DOT text, and the SVG it drew on
    /// `stdout`. A non-zero ``ExternalTool/Output/status``, or anything on `stderr` (Graphviz
    /// reports syntax errors and ignored attributes there), means it did not take the text as
    /// written.
    /// - Throws: ``Failure`` when `dot` is missing or the run times out.
    public static func graphvizSVG(_ text: String, timeout: Duration = .seconds(60)) async throws
        -> ExternalTool.Output
    {
        guard let dot else { throw Failure("`dot -Tsvg` needs Graphviz's `dot`, and none is on PATH.") }
        let directory = try temporaryDirectory(prefix: "berth-dot")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appending(path: "diagram.dot")
        try Data(text.utf8).write(to: file)
        return try await dot.run(["-Tsvg", file.path], in: directory, timeout: timeout)
    }

    // MARK: Prometheus

    /// Prometheus's `promtool` on `PATH`, if any.
    public static let promtool = ExternalTool.find("promtool")

    /// `nil` when `promtool --version` runs, otherwise why not.
    public static func promtoolUnavailableReason() -> String? {
        guard let promtool else { return "no `promtool` executable on PATH (Debian: `apt-get install prometheus`)" }
        do {
            let output = try promtool.runBlocking(["--version"])
            return output.status == 0 ? nil : "`promtool --version` exited \(output.status): \(output.stderr)"
        } catch {
            return "\(error)"
        }
    }

    /// Whether `promtool` can be consulted by the tests of `suite`: required on CI (`CI` set) and
    /// with ``requiredVariable``, skipped loudly elsewhere.
    public static func promtoolAvailability(suite: String) -> Availability {
        let onCI = !["", "0", "false", "no"].contains((ProcessInfo.processInfo.environment["CI"] ?? "").lowercased())
        return Availability.check(
            "Prometheus `promtool`", suite: suite,
            hint:
                "Install Prometheus (`apt-get install prometheus`; scripts/engine.sh installs it when it is missing).",
            isRequired: isRequired() || onCI
        ) { promtoolUnavailableReason() }
    }

    /// `promtool check rules` on a rules file's text.
    public static func promtoolCheckRules(_ rules: String, timeout: Duration = .seconds(60)) async throws
        -> ExternalTool.Output
    {
        guard let promtool else { throw Failure("`promtool check rules` needs `promtool`, and none is on PATH.") }
        let directory = try temporaryDirectory(prefix: "berth-promtool")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appending(path: "rules.yml")
        try Data(rules.utf8).write(to: file)
        return try await promtool.run(["check", "rules", file.path], in: directory, timeout: timeout)
    }

    /// `promtool check config` on a Prometheus configuration, with each file it names under
    /// `rule_files` replaced by the text given for that path (promtool checks them too).
    public static func promtoolCheckConfig(
        _ configuration: String, ruleFiles: [String: String] = [:], timeout: Duration = .seconds(60)
    ) async throws -> ExternalTool.Output {
        guard let promtool else { throw Failure("`promtool check config` needs `promtool`, and none is on PATH.") }
        let directory = try temporaryDirectory(prefix: "berth-promtool")
        defer { try? FileManager.default.removeItem(at: directory) }
        var text = configuration
        for (index, (path, rules)) in ruleFiles.sorted(by: { $0.key < $1.key }).enumerated() {
            let local = directory.appending(path: "rules-\(index).yml")
            try Data(rules.utf8).write(to: local)
            text = text.replacingOccurrences(of: path, with: local.path)
        }
        let file = directory.appending(path: "prometheus.yml")
        try Data(text.utf8).write(to: file)
        return try await promtool.run(["check", "config", file.path], in: directory, timeout: timeout)
    }

    // MARK: Files

    /// Creates a new, empty directory under the system's temporary directory.
    ///
    /// Each call gets its own directory, so tests running in parallel never share files.
    public static func temporaryDirectory(prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appending(path: "\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
