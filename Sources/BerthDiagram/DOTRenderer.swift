/// Writes a ``Diagram`` as a Graphviz `digraph`, for `dot -Tsvg`.
///
/// Clusters become `subgraph "cluster_…"` blocks (Graphviz draws a box only around subgraphs
/// whose name starts with `cluster`), each node's kind a shape and each edge's kind a line
/// style; network edges have no arrow. Services a plan changes are filled with their action's
/// colour.
///
/// Every identifier and label is a double-quoted string in which `\` and `"` are escaped, so a
/// name can neither end the string nor become one of Graphviz's label escapes (`\N`, `\G`).
public struct DOTRenderer: DiagramRenderer {
    /// Creates a renderer.
    public init() {}

    public func render(_ diagram: Diagram) -> String {
        var lines = [
            "digraph \(Self.quote(diagram.root.id)) {",
            "    graph [label=\(Self.quote(diagram.title)), labelloc=\"t\", rankdir=\"LR\", fontname=\"Helvetica\"];",
            "    node [fontname=\"Helvetica\", fontsize=\"11\"];",
            "    edge [fontname=\"Helvetica\", fontsize=\"9\"];",
        ]
        for node in diagram.root.nodes {
            lines.append("    " + statement(of: node))
        }
        for cluster in diagram.root.clusters {
            write(cluster, depth: 1, into: &lines)
        }
        for edge in diagram.edges {
            lines.append("    " + statement(of: edge))
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private func write(_ cluster: Diagram.Cluster, depth: Int, into lines: inout [String]) {
        let indent = String(repeating: "    ", count: depth)
        let style = cluster.kind == .host ? "\"rounded,bold\"" : "\"rounded\""
        lines.append("\(indent)subgraph \(Self.quote("cluster_" + cluster.id)) {")
        lines.append("\(indent)    graph [label=\(Self.quote(cluster.label)), style=\(style)];")
        for node in cluster.nodes {
            lines.append(indent + "    " + statement(of: node))
        }
        for inner in cluster.clusters {
            write(inner, depth: depth + 1, into: &lines)
        }
        lines.append("\(indent)}")
    }

    private func statement(of node: Diagram.Node) -> String {
        var attributes: [(String, String)] = [
            ("label", node.lines.map(\.withoutControlCharacters).joined(separator: "\n"))
        ]
        var styles: [String]
        switch node.kind {
        case .service:
            attributes.append(("shape", "box"))
            styles = ["rounded"]
        case .gateway:
            attributes.append(("shape", "hexagon"))
            styles = []
        case .network:
            attributes.append(("shape", "ellipse"))
            styles = []
        case .secret:
            attributes.append(("shape", "note"))
            styles = []
        case .port:
            attributes.append(("shape", "cds"))
            styles = []
        case .external:
            attributes.append(("shape", "box"))
            styles = ["rounded", "dashed"]
        }
        if let action = node.change?.action {
            styles.append("filled")
            if action == .remove { styles.append("dashed") }
            attributes += [("fillcolor", action.colors.fill), ("color", action.colors.stroke)]
        }
        if !styles.isEmpty { attributes.append(("style", styles.joined(separator: ","))) }
        return "\(Self.quote(node.id)) [\(Self.list(attributes))];"
    }

    private func statement(of edge: Diagram.Edge) -> String {
        var attributes: [(String, String)] = []
        if !edge.lines.isEmpty {
            attributes.append(("label", edge.lines.map(\.withoutControlCharacters).joined(separator: "\n")))
        }
        switch edge.kind {
        case .network: attributes += [("dir", "none"), ("style", "dotted")]
        case .port: break
        case .route: attributes.append(("style", "bold"))
        case .secret: attributes.append(("style", "dashed"))
        case .dependency: attributes += [("style", "dashed"), ("arrowhead", "empty")]
        case .address: attributes += [("style", "bold"), ("color", "#1971c2")]
        }
        let head = "\(Self.quote(edge.from)) -> \(Self.quote(edge.to))"
        return attributes.isEmpty ? head + ";" : "\(head) [\(Self.list(attributes))];"
    }

    private static func list(_ attributes: [(String, String)]) -> String {
        attributes.map { "\($0.0)=\(quote($0.1))" }.joined(separator: ", ")
    }

    /// A DOT double-quoted string; a newline in `text` becomes a line break of the label.
    static func quote(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": quoted += "\\\\"
            case "\"": quoted += "\\\""
            case "\n": quoted += "\\n"
            default:
                quoted.unicodeScalars.append(scalar.properties.generalCategory == .control ? " " : scalar)
            }
        }
        return quoted + "\""
    }
}
