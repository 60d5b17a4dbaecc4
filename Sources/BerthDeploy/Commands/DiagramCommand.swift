import ArgumentParser
import BerthCore
import BerthDiagram
import Foundation

struct DiagramCommand: DeploymentCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagram",
        abstract: "Print the topology of the stacks as a Mermaid or Graphviz DOT diagram.",
        discussion: """
            Validates the stacks first, as `render` does, and never touches an engine. Shows services \
            grouped by stack (and host), networks, published ports, the gateway's routes, the secrets \
            each service reads (names only), dependencies and addresses taken across stacks. \
            Exit status: 0, 1 invalid.
            """)

    @OptionGroup var options: CommonOptions
    @Option(help: "The diagram language: mermaid (default) or dot.", transform: DiagramCommand.format)
    var format: DiagramFormat = .mermaid
    @Option(help: ArgumentHelp("Write the diagram to this file instead of standard output.", valueName: "path"))
    var output: String?

    func run(_ deployment: Deployment) async throws -> Int32 {
        let (environment, stacks) = try options.placements(deployment)
        try Self.validate(stacks, for: environment, options: options)
        let text = format.renderer.render(Diagram(stacks: stacks, environment: environment))
        if let output {
            let url = URL(filePath: output)
            try Data(text.utf8).write(to: url, options: .atomic)
            print(url.path)
        } else {
            print(text, terminator: "")
        }
        return 0
    }

    /// Parses `--format`.
    static func format(_ text: String) throws -> DiagramFormat {
        guard let format = DiagramFormat(rawValue: text.lowercased()) else {
            throw ValidationError(
                "Unknown diagram format '\(text)'. Use one of: \(DiagramFormat.allCases.map(\.rawValue).joined(separator: ", "))."
            )
        }
        return format
    }

    /// The checks `render` makes, without rendering a file: a diagram of a description `up`
    /// would refuse would show a topology that can never run.
    /// - Throws: ``ValidationFailure`` with every diagnostic when one is an error; otherwise the
    ///   warnings go to standard error.
    static func validate(_ stacks: [Stack], for environment: Environment, options: CommonOptions) throws {
        let directory = URL(
            fileURLWithPath: options.directory ?? FileManager.default.currentDirectoryPath, isDirectory: true)
        let diagnostics = stacks.flatMap { stack in
            Preflight.fileDiagnostics(of: stack, packageDirectory: directory)
                + Preflight.diagnostics(of: stack, for: environment)
        }
        if diagnostics.containsErrors { throw ValidationFailure(diagnostics: diagnostics) }
        printWarnings(diagnostics)
    }
}

extension Plan {
    /// What the plan does to each service, as a diagram highlights it; unchanged services are
    /// left out.
    public var diagramChanges: [String: Diagram.Change] {
        var changes: [String: Diagram.Change] = [:]
        for change in services {
            let action: Diagram.Change.Action
            switch change.action {
            case .create: action = .create
            case .update: action = .update
            case .repair: action = .repair
            case .remove: action = .remove
            case .unchanged: continue
            }
            changes[change.service] = Diagram.Change(action, fields: change.changedFields)
        }
        return changes
    }
}

extension Diagram {
    /// The topology of the stacks with what their plans would change highlighted: the services
    /// each plan creates, updates, repairs or removes.
    /// - Parameters:
    ///   - stacks: The stacks the plans were made for.
    ///   - environment: Their environment.
    ///   - plans: One plan per stack, matched by stack name.
    public init(stacks: [Stack], environment: Environment, plans: [Plan]) {
        var changes: [String: [String: Change]] = [:]
        for plan in plans { changes[plan.stack] = plan.diagramChanges }
        self.init(stacks: stacks, environment: environment, changes: changes)
    }
}
