/// The services of a stack and what each one depends on, for ordering and cycle checks.
public struct DependencyGraph: Sendable {
    /// For each service, the services it depends on, in the order written.
    public let edges: [String: [String]]
    private let order: [String]

    /// Builds the graph of a stack.
    public init(stack: Stack) {
        var edges: [String: [String]] = [:]
        for service in stack.services where edges[service.name] == nil {
            edges[service.name] = service.dependencies.map(\.service)
        }
        self.edges = edges
        self.order = stack.services.map(\.name)
    }

    /// Every elementary cycle found by a depth-first search, each listed from the service
    /// written first, reported once.
    public func cycles() -> [[String]] {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var path: [String] = []
        var found: [[String]] = []
        var seen: Set<[String]> = []

        func visit(_ node: String) {
            marks[node] = .visiting
            path.append(node)
            for next in edges[node] ?? [] where edges[next] != nil {
                switch marks[next] {
                case .visiting:
                    let start = path.lastIndex(of: next)!
                    let cycle = Array(path[start...])
                    let rotated = rotate(cycle)
                    if seen.insert(rotated).inserted { found.append(rotated) }
                case .done:
                    break
                case nil:
                    visit(next)
                }
            }
            path.removeLast()
            marks[node] = .done
        }

        for node in order where marks[node] == nil {
            visit(node)
        }
        return found
    }

    private func rotate(_ cycle: [String]) -> [String] {
        let position = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let start = cycle.indices.min { position[cycle[$0], default: .max] < position[cycle[$1], default: .max] }!
        return Array(cycle[start...] + cycle[..<start])
    }

    /// The services in groups that can start together: each group after every group holding a
    /// service it depends on, the services of a group in the order written. A dependency on an
    /// undeclared service is ignored; a cycle (a validation error) does not loop.
    public func levels() -> [[String]] {
        var depth: [String: Int] = [:]
        func visit(_ name: String, _ path: Set<String>) -> Int {
            if let known = depth[name] { return known }
            let needed = (edges[name] ?? []).filter { edges[$0] != nil && !path.contains($0) }
            let value = needed.map { visit($0, path.union([name])) + 1 }.max() ?? 0
            depth[name] = value
            return value
        }
        for name in order { _ = visit(name, []) }
        let count = (depth.values.max() ?? -1) + 1
        return (0..<count).map { level in order.filter { depth[$0] == level } }
    }

    /// The services a service needs, directly or through others.
    public func transitiveDependencies(of service: String) -> Set<String> {
        var result: Set<String> = []
        var queue = edges[service] ?? []
        while let next = queue.popLast() {
            if result.insert(next).inserted { queue.append(contentsOf: edges[next] ?? []) }
        }
        return result
    }
}
