import BerthCore
import BerthDiagram
import Foundation

/// A package's topology diagrams as golden files in Berth's `docs/diagrams/`, which the
/// documentation shows, and the real Graphviz as the referee of their DOT form.
///
/// Each example's tests compare both forms of its diagram, per environment, with
/// `<name>-<environment>.mmd` and `.dot` there (`BERTH_RECORD_GOLDEN=1` re-records them), and
/// have `dot -Tsvg` draw the DOT one.
public struct DiagramGoldens: Sendable {
    /// The golden files.
    public let golden: GoldenFile
    /// Whether Graphviz's `dot` runs here; it is required where the engine tests are.
    public let graphviz: Referee.Availability

    /// Goldens in `directory` (Berth's `docs/diagrams/`) for the test suite `suite`.
    public init(directory: URL, suite: String) {
        golden = GoldenFile(sourceDirectory: directory.standardized, bundledDirectory: nil)
        graphviz = Referee.Availability.check(
            "Graphviz `dot`", suite: suite, hint: "Install Graphviz (`apt-get install graphviz`)."
        ) { Referee.graphvizUnavailableReason() }
    }

    /// Compares (or records) the Mermaid and DOT diagrams of `stacks` in `environment` with
    /// `<name>-<environment>.<extension>`.
    /// - Returns: What does not match, one message per file; recording notes are printed.
    public func mismatches(_ stacks: [Stack], in environment: Environment, name: String) throws -> [String] {
        let diagram = Diagram(stacks: stacks, environment: environment)
        var found: [String] = []
        for format in DiagramFormat.allCases {
            let text = format.renderer.render(diagram)
            switch try golden.check(text, named: "\(name)-\(environment.name).\(format.fileExtension)") {
            case .matches: break
            case .recorded(let note): print(note)
            case .mismatch(let message): found.append(message)
            }
        }
        return found
    }

    /// What `dot -Tsvg` says about the DOT diagram of `stacks` in `environment`: `nil` when it
    /// draws it without a word.
    public func graphvizComplaint(_ stacks: [Stack], in environment: Environment) async throws -> String? {
        try graphviz.requireAvailable()
        let output = try await Referee.graphvizSVG(
            DOTRenderer().render(Diagram(stacks: stacks, environment: environment)))
        return output.status == 0 && output.stderr.isEmpty
            ? nil : "`dot -Tsvg` exited \(output.status): \(output.stderr)"
    }
}
