/// The place in the user's Swift code where an element of a stack was written.
///
/// Every DSL initialiser and modifier captures `#fileID` and `#line` as default arguments, so a
/// ``Diagnostic`` can point at the line the user has to change.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file, as `#fileID` spells it (`Module/File.swift`).
    public var fileID: String
    /// The one-based line number.
    public var line: Int

    /// Creates a location from a file identifier and a line.
    public init(fileID: String, line: Int) {
        self.fileID = fileID
        self.line = line
    }

    public var description: String { "\(fileID):\(line)" }
}
