import ArgumentParser
import BerthCore
import Foundation

/// What a command knows about the person in front of it: which streams are terminals, whether
/// colour is wanted, and how to ask a question.
///
/// Commands read ``current``, a task-local value, so tests run a command against a fake terminal
/// and environment without touching the process's own streams.
public struct Terminal: Sendable {
    /// Whether standard input is a terminal, so a question can be answered.
    public var inputIsTerminal: Bool
    /// Whether standard output is a terminal.
    public var outputIsTerminal: Bool
    /// Whether standard error is a terminal.
    public var errorIsTerminal: Bool
    /// The process's environment variables (`NO_COLOR`).
    public var environment: [String: String]
    /// Reads one line of the answer to a question; `nil` at the end of input.
    public var readLine: @Sendable () -> String?
    /// Writes a question or a note to standard error.
    public var writeError: @Sendable (String) -> Void
    /// How diagnostics name their files.
    public var sourcePaths = SourcePaths()

    /// Creates a terminal.
    public init(
        inputIsTerminal: Bool, outputIsTerminal: Bool, errorIsTerminal: Bool, environment: [String: String],
        readLine: @escaping @Sendable () -> String? = { Swift.readLine() },
        writeError: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) {
        self.inputIsTerminal = inputIsTerminal
        self.outputIsTerminal = outputIsTerminal
        self.errorIsTerminal = errorIsTerminal
        self.environment = environment
        self.readLine = readLine
        self.writeError = writeError
    }

    /// This process's streams and environment.
    public static var process: Terminal {
        Terminal(
            inputIsTerminal: isatty(STDIN_FILENO) != 0, outputIsTerminal: isatty(STDOUT_FILENO) != 0,
            errorIsTerminal: isatty(STDERR_FILENO) != 0, environment: ProcessInfo.processInfo.environment)
    }

    /// The terminal the running command talks to.
    @TaskLocal public static var current: Terminal = .process

    /// Whether text written to `stream` may carry colour: only to a terminal, and never when
    /// `NO_COLOR` is set to anything but the empty string (https://no-color.org).
    public func usesColour(on stream: Console.Stream) -> Bool {
        guard environment["NO_COLOR", default: ""].isEmpty else { return false }
        return stream == .output ? outputIsTerminal : errorIsTerminal
    }

    /// The severity's word (`error`), coloured when `stream` takes colour. Only the word is
    /// coloured, so `file:line: error:` stays what editors and CI annotators parse.
    public func severity(_ severity: Diagnostic.Severity, on stream: Console.Stream) -> String {
        guard usesColour(on: stream) else { return severity.rawValue }
        let colour =
            switch severity {
            case .error: "1;31"
            case .warning: "1;33"
            case .note: "1;36"
            }
        return "\u{1B}[\(colour)m\(severity.rawValue)\u{1B}[0m"
    }

    /// A diagnostic as written to `stream`: its description with the severity coloured there.
    public func format(_ diagnostic: Diagnostic, on stream: Console.Stream) -> String {
        diagnostic.formatted(severity: { severity($0, on: stream) }, place: sourcePaths.describe)
    }

    /// Asks before a command deletes data.
    ///
    /// - Parameters:
    ///   - question: What is about to be deleted, as a yes/no question.
    ///   - assumeYes: The command's `--yes`: the answer is yes without asking.
    ///   - command: The command as the user would retype it, for the refusal's message.
    /// - Returns: Whether the user agreed.
    /// - Throws: A usage error (exit 64) when there is no terminal to ask on and no `--yes`:
    ///   a script or CI job must say that it means to delete data.
    public func confirm(
        _ question: String, assumeYes: Bool, command: String,
        consequence: String = "deletes the data in the volumes"
    ) throws -> Bool {
        if assumeYes { return true }
        guard inputIsTerminal else {
            throw ValidationError(
                "`\(command)` \(consequence), and there is no terminal to confirm on; pass --yes to go ahead without asking."
            )
        }
        writeError("\(question) [y/N] ")
        let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        guard answer == "y" || answer == "yes" else {
            writeError("Nothing was changed.\n")
            return false
        }
        return true
    }
}
