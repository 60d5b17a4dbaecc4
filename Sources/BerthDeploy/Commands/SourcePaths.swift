import BerthCore
import Foundation

/// How diagnostics name the Swift file they point at: as a path an editor opens, from the
/// package directory (or absolute), rather than the `Module/File.swift` that `#fileID` gives.
///
/// SwiftPM keeps a target's sources under `Sources/<target>` (tests under `Tests/<target>`), so
/// `App/Deploy.swift` is the one `Deploy.swift` below `Sources/App`. A file that cannot be found
/// there exactly once (a target with a custom `path:`, a file of a dependency) keeps its
/// `#fileID`, which is still unambiguous.
public struct SourcePaths: Sendable {
    /// The package directory the paths start from.
    public var root: URL
    /// Whether paths are absolute instead of relative to ``root``.
    public var absolute: Bool

    /// Paths from `root` (default: the current directory), or absolute ones.
    public init(
        root: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true),
        absolute: Bool = false
    ) {
        self.root = root.standardizedFileURL
        self.absolute = absolute
    }

    /// The file of `location` as this names it.
    public func path(of location: SourceLocation) -> String {
        let parts = location.fileID.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return location.fileID }
        let (module, file) = (parts[0], parts[1])
        var found: [String] = []
        for folder in ["Sources", "Tests"] {
            let top = root.appendingPathComponent(folder).appendingPathComponent(module, isDirectory: true)
            guard let walk = FileManager.default.enumerator(atPath: top.path) else { continue }
            while let relative = walk.nextObject() as? String {
                if (relative as NSString).lastPathComponent == file { found.append("\(folder)/\(module)/\(relative)") }
            }
        }
        guard found.count == 1 else { return location.fileID }
        return absolute ? root.appendingPathComponent(found[0]).path : found[0]
    }

    /// `path:line`, the form editors and CI annotators parse.
    public func describe(_ location: SourceLocation) -> String {
        "\(path(of: location)):\(location.line)"
    }
}
