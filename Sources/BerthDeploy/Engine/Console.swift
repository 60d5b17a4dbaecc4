import Foundation

/// Where the engine reports progress: a line per change, and on a terminal a live status line
/// that is redrawn in place.
public struct Console: Sendable {
    /// The stream a piece of text is meant for.
    public enum Stream: Sendable, Hashable {
        /// Results: standard output.
        case output
        /// Progress: standard error.
        case error
    }

    /// Whether standard error is a terminal, which enables the live line.
    public var isTerminal: Bool
    /// Receives the text instead of the process's streams, when set (tests and tools that
    /// capture what a deploy prints).
    public var sink: (@Sendable (Stream, String) -> Void)?

    /// Creates a console for this process.
    public init(
        isTerminal: Bool = isatty(STDERR_FILENO) != 0,
        sink: (@Sendable (Stream, String) -> Void)? = nil
    ) {
        self.isTerminal = isTerminal
        self.sink = sink
    }

    /// Prints a result on standard output.
    public func output(_ text: String) {
        // Unbuffered, so results and progress lines on standard error appear in order.
        write(text + "\n", to: .output)
    }

    /// Prints progress on standard error, so standard output stays machine-readable.
    public func progress(_ text: String) {
        clearLive()
        write(text + "\n", to: .error)
    }

    /// Redraws the live status line (terminals only).
    public func live(_ text: String) {
        guard isTerminal else { return }
        write("\r\u{1B}[2K" + text, to: .error)
    }

    /// Removes the live status line.
    public func clearLive() {
        guard isTerminal else { return }
        write("\r\u{1B}[2K", to: .error)
    }

    private func write(_ text: String, to stream: Stream) {
        if let sink {
            sink(stream, text)
            return
        }
        let handle = stream == .output ? FileHandle.standardOutput : FileHandle.standardError
        handle.write(Data(text.utf8))
    }
}
