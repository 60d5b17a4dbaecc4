import Foundation
import Yams

/// Where each element of the original Compose files is written, so a report can name the file
/// and line of what the import did not carry over as it was.
///
/// The import reads what `docker compose config` resolved; this reads the files themselves with
/// a YAML parser, keeping marks. An element that comes from elsewhere (a merge key, `extends`,
/// an included file the command line does not name) is placed at the nearest element found: its
/// service, or the file.
public struct ComposeSourceMap: Sendable {
    struct File: @unchecked Sendable {
        var path: String
        var root: Node?
    }

    var files: [File]

    /// Reads the files, and the files their `include:` and `extends:` name; one that cannot be
    /// parsed is kept without lines.
    public init(files paths: [String]) {
        var files: [File] = []
        var pending = paths
        var seen: Set<String> = []
        while !pending.isEmpty {
            let path = pending.removeFirst()
            guard seen.insert(URL(fileURLWithPath: path).standardizedFileURL.path).inserted else { continue }
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let root = try? Yams.compose(yaml: text)
            files.append(File(path: path, root: root))
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            pending += Self.referencedFiles(in: root).map { folder.appendingPathComponent($0).path }
        }
        self.files = files
    }

    /// The files a Compose file pulls in: `include:` entries (`path` as text or a list) and
    /// `extends.file` of its services.
    static func referencedFiles(in root: Node?) -> [String] {
        guard let root else { return [] }
        var found: [String] = []
        for entry in child(of: root, named: "include")?.value.sequence ?? [] {
            if let path = entry.string {
                found.append(path)
            } else if let path = child(of: entry, named: "path")?.value {
                found += path.string.map { [$0] } ?? path.sequence?.compactMap(\.string) ?? []
            }
        }
        for (_, service) in child(of: root, named: "services")?.value.mapping ?? [:] {
            if let file = child(of: service, named: "extends").flatMap({ child(of: $0.value, named: "file") })?.value
                .string
            {
                found.append(file)
            }
        }
        return found
    }

    /// The file and line of a note's element.
    public func locate(_ note: ImportNote) -> (file: String, line: Int?)? {
        var best: (file: String, line: Int?, depth: Int)?
        for file in files {
            guard let root = file.root else { continue }
            let path = (note.service.map { ["services", $0] } ?? []) + note.key.split(separator: ".").map(String.init)
            var node = root
            var depth = 0
            var line: Int?
            for component in path {
                guard let next = Self.child(of: node, named: component) else { break }
                node = next.value
                line = next.line
                depth += 1
            }
            // The service itself found counts: the element is in its part of the file.
            if depth >= (note.service == nil ? 1 : 2) {
                if best == nil || depth > best!.depth { best = (file.path, line, depth) }
            }
        }
        if let best { return (best.file, best.line) }
        return files.first.map { ($0.path, nil) }
    }

    /// The keys of the mapping at `path` (`["services"]`, `["services", "web", "labels"]`), or
    /// the items of the list there, in the order the first file that has it writes them; `nil`
    /// when none has it.
    func keys(at path: [String]) -> [String]? {
        guard let node = node(at: path) else { return nil }
        return node.mapping.map { $0.keys.compactMap(\.string) } ?? node.sequence?.compactMap(\.string)
    }

    /// The text of the scalar at `path` as the first file that has it writes it.
    func scalar(at path: [String]) -> String? {
        node(at: path)?.scalar?.string
    }

    /// The element at `path` in the first file that has it.
    private func node(at path: [String]) -> Node? {
        files.lazy.compactMap { file -> Node? in
            guard var node = file.root else { return nil }
            for component in path {
                guard let next = Self.child(of: node, named: component) else { return nil }
                node = next.value
            }
            return node
        }.first
    }

    /// The first file's path.
    var firstPath: String? { files.first?.path }

    /// A mapping's value by key (with the key's line), or a list item `KEY=…` / `KEY` by name.
    static func child(of node: Node, named name: String) -> (value: Node, line: Int?)? {
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping where key.string == name {
                return (value, key.mark.map { $0.line })
            }
        case .sequence(let sequence):
            for item in sequence {
                if let text = item.string, text == name || text.hasPrefix(name + "=") {
                    return (item, item.mark.map { $0.line })
                }
            }
        default:
            break
        }
        return nil
    }
}
