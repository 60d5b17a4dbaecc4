/// Writes a ``Diagram`` as a Mermaid `flowchart LR`.
///
/// Clusters become `subgraph … end` blocks, each node's kind a shape (a gateway a hexagon, a
/// network a stadium, a secret a parallelogram, a published port a flag) and each edge's kind a
/// line style. Services a plan changes get a class per action (`create`, `update`, `repair`,
/// `remove`) with its colours.
///
/// Every label is quoted, and the characters Mermaid would read as syntax or markup (`"`, `#`,
/// `&`, `<`, `>`, `|`, `` ` ``) are written as Mermaid's entity codes (`#34;`), so a hostile name
/// neither breaks the diagram nor injects HTML.
public struct MermaidRenderer: DiagramRenderer {
    /// Creates a renderer.
    public init() {}

    public func render(_ diagram: Diagram) -> String {
        var lines = ["%% \(diagram.title.withoutControlCharacters)", "flowchart LR"]
        for node in diagram.root.nodes {
            lines.append("    " + declaration(of: node))
        }
        for cluster in diagram.root.clusters {
            write(cluster, depth: 1, into: &lines)
        }
        for edge in diagram.edges {
            lines.append("    " + line(of: edge))
        }
        let nodes = diagram.root.allNodes
        let external = nodes.filter { $0.kind == .external }.map(\.id)
        if !external.isEmpty {
            lines.append("    classDef external stroke-dasharray:5 5")
            lines.append("    class \(external.joined(separator: ",")) external")
        }
        for action in Diagram.Change.Action.allCases {
            let changed = nodes.filter { $0.change?.action == action }.map(\.id)
            guard !changed.isEmpty else { continue }
            let colors = action.colors
            let dash = action == .remove ? ",stroke-dasharray:4 3" : ""
            lines.append("    classDef \(action.rawValue) fill:\(colors.fill),stroke:\(colors.stroke)\(dash)")
            lines.append("    class \(changed.joined(separator: ",")) \(action.rawValue)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func write(_ cluster: Diagram.Cluster, depth: Int, into lines: inout [String]) {
        let indent = String(repeating: "    ", count: depth)
        lines.append("\(indent)subgraph \(cluster.id)[\"\(Self.escape(cluster.label))\"]")
        for node in cluster.nodes {
            lines.append(indent + "    " + declaration(of: node))
        }
        for inner in cluster.clusters {
            write(inner, depth: depth + 1, into: &lines)
        }
        lines.append("\(indent)end")
    }

    private func declaration(of node: Diagram.Node) -> String {
        let text = "\"" + node.lines.map(Self.escape).joined(separator: "<br/>") + "\""
        switch node.kind {
        case .service, .external: return "\(node.id)[\(text)]"
        case .gateway: return "\(node.id){{\(text)}}"
        case .network: return "\(node.id)([\(text)])"
        case .secret: return "\(node.id)[/\(text)/]"
        case .port: return "\(node.id)>\(text)]"
        }
    }

    private func line(of edge: Diagram.Edge) -> String {
        let arrow =
            switch edge.kind {
            case .network: "---"
            case .port, .address: "-->"
            case .route: "==>"
            case .secret, .dependency: "-.->"
            }
        guard !edge.lines.isEmpty else { return "\(edge.from) \(arrow) \(edge.to)" }
        let text = edge.lines.map(Self.escape).joined(separator: "<br/>")
        return "\(edge.from) \(arrow)|\"\(text)\"| \(edge.to)"
    }

    /// A label's text inside Mermaid's double quotes.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.withoutControlCharacters.unicodeScalars {
            switch scalar {
            case "\"", "#", "&", "<", ">", "|", "`": escaped += "#\(scalar.value);"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
