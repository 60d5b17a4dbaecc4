import BerthCore
import BerthSwarm
import BerthYAML
import Testing

/// Renders a stack and has `docker stack config` read it back, so every stack these tests render
/// is one the real stack loader accepts and reads as described.
///
/// When the referee is unavailable and not required, only the rendering is returned (the
/// referee has already printed a loud warning); when it is required, its absence fails the test
/// (see `Referee.Availability.shouldRun` in BerthTesting).
@discardableResult
func renderChecked(
    _ stack: Stack,
    for environment: Environment = .dev,
    secretVersions: [String: String] = [:],
    configVersions: [String: String] = [:],
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) async throws -> SwarmDocument {
    let document = SwarmRenderer().render(
        stack, for: environment, secretVersions: secretVersions, configVersions: configVersions)
    if SwarmReferee.shouldRun {
        let verdict = try await SwarmReferee.config(
            document.yaml, relativePath: ".berth/\(stack.name)/\(environment.name)/stack.yaml")
        StackFileExpectations(
            verdict, document: document, stack: stack, environment: environment, secretVersions: secretVersions,
            sourceLocation: sourceLocation
        )
        .verify()
    }
    return document
}

extension YAMLNode {
    /// The value at a path of mapping keys and sequence indices, for looking into documents.
    subscript(_ path: Any...) -> YAMLNode? {
        var node: YAMLNode? = self
        for step in path {
            switch (node, step) {
            case (.mapping(let mapping)?, let key as String): node = mapping[key]
            case (.sequence(let items)?, let index as Int): node = items.indices.contains(index) ? items[index] : nil
            default: return nil
            }
        }
        return node
    }

    var mappingKeys: [String]? {
        if case .mapping(let mapping) = self { return mapping.keys }
        return nil
    }
}

/// A one-service stack, for tests that look at one setting.
func oneService(_ service: Service, name: String = "probe") -> Stack {
    Stack(name) { service }
}
