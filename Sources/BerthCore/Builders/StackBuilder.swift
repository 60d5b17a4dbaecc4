/// Collects the elements of a ``Stack``.
///
/// It has one element type, ``StackElement``, and a `buildExpression` for each kind of element,
/// which keeps type checking fast and error messages short.
@resultBuilder
public enum StackBuilder {
    public static func buildExpression(_ service: Service) -> [StackElement] { [.service(service)] }
    public static func buildExpression(_ network: Network) -> [StackElement] { [.network(network)] }
    public static func buildExpression(_ volume: Volume) -> [StackElement] { [.volume(volume)] }
    public static func buildExpression(_ secret: Secret) -> [StackElement] { [.secret(secret)] }
    public static func buildExpression(_ config: Config) -> [StackElement] { [.config(config)] }
    public static func buildExpression(
        _ network: SharedNetwork, fileID: String = #fileID, line: Int = #line
    ) -> [StackElement] {
        [.sharedNetwork(network, SourceLocation(fileID: fileID, line: line))]
    }
    public static func buildExpression(
        _ secret: SharedSecret, fileID: String = #fileID, line: Int = #line
    ) -> [StackElement] {
        [.sharedSecret(secret, SourceLocation(fileID: fileID, line: line))]
    }
    public static func buildExpression(
        _ gateway: Gateway, fileID: String = #fileID, line: Int = #line
    ) -> [StackElement] {
        [.gateway(gateway, SourceLocation(fileID: fileID, line: line))]
    }
    public static func buildExpression(_ elements: [StackElement]) -> [StackElement] { elements }
    public static func buildExpression(_ services: [Service]) -> [StackElement] { services.map { .service($0) } }

    public static func buildBlock(_ components: [StackElement]...) -> [StackElement] { components.flatMap { $0 } }
    public static func buildOptional(_ component: [StackElement]?) -> [StackElement] { component ?? [] }
    public static func buildEither(first component: [StackElement]) -> [StackElement] { component }
    public static func buildEither(second component: [StackElement]) -> [StackElement] { component }
    public static func buildArray(_ components: [[StackElement]]) -> [StackElement] { components.flatMap { $0 } }
    public static func buildLimitedAvailability(_ component: [StackElement]) -> [StackElement] { component }
}

/// A group of stack elements defined apart from the stack, in a computed property or a
/// function, so big stacks can be split by area.
///
/// ```swift
/// var monitoring: StackPart {
///     StackPart {
///         Network("metrics", internal: true)
///         Service("prometheus", image: "prom/prometheus:v3.0.0")
///     }
/// }
/// ```
public struct StackPart: Sendable {
    /// The elements.
    public var elements: [StackElement]

    /// Creates a group of elements.
    public init(@StackBuilder content: () -> [StackElement]) {
        self.elements = content()
    }
}

extension StackBuilder {
    public static func buildExpression(_ part: StackPart) -> [StackElement] { [.group(part.elements)] }
}
