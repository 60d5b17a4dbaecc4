import Testing

@testable import BerthCore

/// The location a DSL element records when written on `line` of the calling test file.
func here(_ line: Int, fileID: String = #fileID) -> BerthCore.SourceLocation {
    BerthCore.SourceLocation(fileID: fileID, line: line)
}

/// A service that passes validation on its own.
func validService(_ name: String = "web", fileID: String = #fileID, line: Int = #line) -> Service {
    Service(name, image: "nginx:1.27", fileID: fileID, line: line)
}

/// Validates a stack that should contain exactly one mistake and returns its diagnostic.
func onlyDiagnostic(
    of stack: Stack,
    for environment: Environment = .dev,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws -> Diagnostic {
    let diagnostics = stack.validate(for: environment)
    #expect(
        diagnostics.count == 1, "expected one diagnostic, got \(diagnostics)", sourceLocation: sourceLocation)
    return try #require(diagnostics.first, sourceLocation: sourceLocation)
}

/// The diagnostics with one code.
func diagnostics(
    of stack: Stack,
    for environment: Environment = .dev,
    code: Diagnostic.Code
) -> [Diagnostic] {
    stack.validate(for: environment).filter { $0.code == code }
}

/// The kinds of named resources a stack declares besides services.
enum ResourceKind: String, CaseIterable, Sendable {
    case network, volume, secret, config

    /// Declares a resource of this kind, recording the caller's file and line, as a wrapper
    /// around the DSL would.
    func declare(_ name: String, fileID: String = #fileID, line: Int = #line) -> StackElement {
        switch self {
        case .network: .network(Network(name, fileID: fileID, line: line))
        case .volume: .volume(Volume(name, fileID: fileID, line: line))
        case .secret: .secret(Secret.generated(name, fileID: fileID, line: line))
        case .config: .config(Config(name, .content("x"), fileID: fileID, line: line))
        }
    }
}
