import Foundation

/// Rendered output compared byte for byte with a reviewed golden file, or recorded into the
/// source tree when `BERTH_RECORD_GOLDEN=1`, so expected text is never edited by hand.
///
/// ```swift
/// static let golden = GoldenFile(
///     sourceDirectory: URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Golden"),
///     bundledDirectory: Bundle.module.resourceURL?.appending(path: "Golden"))
///
/// switch try Self.golden.check(rendered.yaml, named: "prod.yaml") {
/// case .matches: break
/// case .recorded(let note): print(note)
/// case .mismatch(let message): Issue.record(Comment(rawValue: message))
/// }
/// ```
public struct GoldenFile: Sendable {
    /// Where recording writes: the golden folder in the source tree.
    public var sourceDirectory: URL
    /// The golden folder copied into the test bundle, read first when present.
    public var bundledDirectory: URL?

    /// Creates a golden folder.
    public init(sourceDirectory: URL, bundledDirectory: URL?) {
        self.sourceDirectory = sourceDirectory
        self.bundledDirectory = bundledDirectory
    }

    /// Whether this run records golden files instead of comparing (`BERTH_RECORD_GOLDEN=1`).
    public static var isRecording: Bool { ProcessInfo.processInfo.environment["BERTH_RECORD_GOLDEN"] == "1" }

    /// What a check found.
    public enum Outcome: Sendable, Hashable {
        /// The text equals the golden file.
        case matches
        /// The golden file was (re)written; the note says where, for review.
        case recorded(String)
        /// The golden file is missing or differs; the message names the first differing line.
        case mismatch(String)
    }

    /// The golden file's text, from the test bundle or else the source tree; `nil` when missing.
    public func text(named name: String) throws -> String? {
        let candidates = [bundledDirectory?.appending(path: name), sourceDirectory.appending(path: name)]
        guard
            let url = candidates.compactMap(\.self).first(where: { FileManager.default.fileExists(atPath: $0.path) })
        else { return nil }
        return String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }

    /// Compares `text` with the golden file `name`, or records it.
    public func check(_ text: String, named name: String) throws -> Outcome {
        if Self.isRecording {
            let url = sourceDirectory.appending(path: name)
            try FileManager.default.createDirectory(at: sourceDirectory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            return .recorded(
                "BERTH_RECORD_GOLDEN=1: recorded \(url.path) (\(text.utf8.count) bytes); review it before committing.")
        }
        guard let expected = try self.text(named: name) else {
            return .mismatch("Golden/\(name) is missing; run the tests with BERTH_RECORD_GOLDEN=1 to record it.")
        }
        if Array(text.utf8) == Array(expected.utf8) { return .matches }
        let actualLines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line =
            zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(actualLines.count, expectedLines.count)
        return .mismatch(
            """
            Golden/\(name) differs from the rendered text at line \(line + 1):
              rendered: \(line < actualLines.count ? String(actualLines[line]) : "<end of file>")
              golden:   \(line < expectedLines.count ? String(expectedLines[line]) : "<end of file>")
            Run with BERTH_RECORD_GOLDEN=1 to re-record if the change is intended.
            """)
    }
}
