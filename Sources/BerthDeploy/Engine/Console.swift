import Foundation

/// Where the engine reports progress: a line per change, and on a terminal a live status line
/// that is redrawn in place.
public struct Console: Sendable {
    /// Whether standard error is a terminal, which enables the live line.
    public var isTerminal: Bool

    /// Creates a console for this process.
    public init(isTerminal: Bool = isatty(STDERR_FILENO) != 0) {
        self.isTerminal = isTerminal
    }

    /// Prints a result on standard output.
    public func output(_ text: String) {
        // Unbuffered, so results and progress lines on standard error appear in order.
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Prints progress on standard error, so standard output stays machine-readable.
    public func progress(_ text: String) {
        clearLive()
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Redraws the live status line (terminals only).
    public func live(_ text: String) {
        guard isTerminal else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
    }

    /// Removes the live status line.
    public func clearLive() {
        guard isTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
