/// Writes a ``Diagram`` in one diagram language.
///
/// ## Implementation guidance
/// Write identifiers as the diagram has them: they are already safe in every language Berth
/// writes. Escape every label for the language, since labels hold names from the description,
/// which validation has not necessarily accepted. Keep the diagram's order, so the same diagram
/// always gives the same text.
public protocol DiagramRenderer: Sendable {
    /// The diagram's text, ending with a newline.
    func render(_ diagram: Diagram) -> String
}

/// The languages Berth writes diagrams in, as `--format` names them.
public enum DiagramFormat: String, Sendable, Hashable, CaseIterable {
    /// Mermaid's `flowchart`, which GitHub and many wikis draw from a code block.
    case mermaid
    /// Graphviz DOT, for `dot -Tsvg`.
    case dot

    /// The renderer that writes the language.
    public var renderer: any DiagramRenderer {
        switch self {
        case .mermaid: MermaidRenderer()
        case .dot: DOTRenderer()
        }
    }

    /// The file extension diagrams in the language usually have: `mmd`, `dot`.
    public var fileExtension: String {
        switch self {
        case .mermaid: "mmd"
        case .dot: "dot"
        }
    }
}

extension Diagram.Change.Action {
    /// The fill and stroke colours a highlighted node gets, the same in every language.
    var colors: (fill: String, stroke: String) {
        switch self {
        case .create: ("#d3f9d8", "#2b8a3e")
        case .update: ("#fff3bf", "#e67700")
        case .repair: ("#d0ebff", "#1864ab")
        case .remove: ("#ffe3e3", "#c92a2a")
        }
    }
}

extension String {
    /// The text with control characters (a newline in a name) as spaces: every label stays on
    /// its line of the diagram's source.
    var withoutControlCharacters: String {
        String(
            String.UnicodeScalarView(
                unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }
}
