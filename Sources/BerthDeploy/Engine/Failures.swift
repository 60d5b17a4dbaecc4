import BerthCore

/// A stack that did not pass validation; nothing was touched.
public struct ValidationFailure: Error, CustomStringConvertible, Sendable {
    /// Every diagnostic, errors first.
    public var diagnostics: [Diagnostic]

    public var description: String { formatted { $0.description } }

    /// The ``description`` with each diagnostic written by `format` (a terminal colours the
    /// severities).
    public func formatted(_ format: (Diagnostic) -> String) -> String {
        let errors = diagnostics.errors.count
        return diagnostics.map(format).joined(separator: "\n")
            + "\n\(errors) error(s); nothing was deployed. Fix them and run the command again."
    }
}

/// A deploy that did not reach a healthy state.
public struct DeployFailure: Error, CustomStringConvertible, Sendable {
    /// The service that failed, when one did.
    public var service: String?
    /// What went wrong.
    public var reason: String
    /// The output of the service's last health check.
    public var healthOutput: String?
    /// The last lines of the service's logs.
    public var logTail: String?
    /// Services that are ready and still serving.
    public var stillServing: [String]
    /// What the user should know about the state the deploy left, when there is more to say.
    public var note: String?

    /// Creates a failure.
    public init(
        service: String?, reason: String, healthOutput: String?, logTail: String?, stillServing: [String],
        note: String? = nil
    ) {
        self.service = service
        self.reason = reason
        self.healthOutput = healthOutput
        self.logTail = logTail
        self.stillServing = stillServing
        self.note = note
    }

    public var description: String {
        var lines = ["Deploy failed: " + (service.map { "service '\($0)' failed: " } ?? "") + reason]
        if let healthOutput, !healthOutput.isEmpty {
            lines.append("Last health check output:\n" + indent(healthOutput))
        }
        if let logTail, !logTail.isEmpty {
            lines.append("Last log lines:\n" + indent(logTail))
        }
        if let note { lines.append(note) }
        lines.append(
            stillServing.isEmpty
                ? "No service of the stack is ready."
                : "Still serving: \(stillServing.joined(separator: ", ")).")
        return lines.joined(separator: "\n")
    }

    private func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
    }
}
