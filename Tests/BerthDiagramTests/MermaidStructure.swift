import Foundation

/// What a Mermaid flowchart declares, read line by line the way the writer lays it out: enough
/// to check the structure without a Mermaid parser on the machine.
struct MermaidStructure {
    /// Identifiers of nodes and subgraphs, in order.
    var nodes: [String] = []
    var subgraphs: [String] = []
    /// Each edge's two ends.
    var edges: [(from: String, to: String)] = []
    /// What is wrong, one message per problem.
    var problems: [String] = []

    init(_ text: String) {
        var depth = 0
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count > 1, lines[1] == "flowchart LR" else {
            problems.append("the second line is not `flowchart LR`")
            return
        }
        let identifier = "[A-Za-z0-9_]+"
        for (number, line) in lines.enumerated().dropFirst(2) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            // Every label is one quoted string: an odd number of quotes means one leaked out.
            if trimmed.filter({ $0 == "\"" }).count % 2 != 0 {
                problems.append("line \(number + 1) has an unbalanced quote: \(trimmed)")
            }
            // Markup and syntax in labels are written as entity codes (`#60;`); only the
            // writer's line breaks remain.
            let labels = trimmed.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 1 }.map { String($0.element) }
            for label in labels {
                let bare = label.replacingOccurrences(of: "<br/>", with: "").replacing(try! Regex("#[0-9]+;"), with: "")
                if bare.contains(where: { "<>|`#".contains($0) }) {
                    problems.append("line \(number + 1) has syntax in a label: \(label)")
                }
            }
            if trimmed == "end" {
                depth -= 1
                if depth < 0 { problems.append("line \(number + 1): `end` without a subgraph") }
            } else if let match = trimmed.wholeMatch(of: try! Regex("subgraph (\(identifier))\\[\".*\"\\]")) {
                depth += 1
                subgraphs.append(String(match.output[1].substring!))
            } else if let match = trimmed.wholeMatch(
                of: try! Regex("(\(identifier)) (---|-->|==>|-\\.->)(\\|\"[^\"]*\"\\|)? (\(identifier))"))
            {
                edges.append((String(match.output[1].substring!), String(match.output[4].substring!)))
            } else if let match = trimmed.wholeMatch(
                of: try! Regex(
                    "(\(identifier))(\\[\"|\\{\\{\"|\\(\\[\"|\\[/\"|>\")[^\"]*(\"\\]|\"\\}\\}|\"\\]\\)|\"/\\])"))
            {
                nodes.append(String(match.output[1].substring!))
            } else if trimmed.hasPrefix("classDef ") || trimmed.hasPrefix("class ") {
                continue
            } else {
                problems.append("line \(number + 1) is not a statement the writer makes: \(trimmed)")
            }
        }
        if depth != 0 { problems.append("\(depth) subgraph(s) never end") }
        let declared = Set(nodes)
        if declared.count != nodes.count { problems.append("a node is declared twice") }
        for edge in edges {
            for end in [edge.from, edge.to] where !declared.contains(end) {
                problems.append("edge \(edge.from) → \(edge.to) names the undeclared node \(end)")
            }
        }
        if !Set(subgraphs).isDisjoint(with: declared) { problems.append("a subgraph shares a node's identifier") }
    }
}
