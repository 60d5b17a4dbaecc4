/// A deployment's topology as a graph: nodes grouped into clusters (hosts, stacks) and the
/// edges between them, ready for a ``DiagramRenderer`` to write as Mermaid or Graphviz DOT.
///
/// Build one from the stacks of an environment with ``init(stacks:environment:changes:)``;
/// every identifier is already safe for both formats, and every label is the plain text a
/// renderer escapes for its own syntax:
/// ```swift
/// let diagram = Diagram(stacks: deployment.stacks(.prod), environment: .prod)
/// print(MermaidRenderer().render(diagram))
/// ```
/// The order of everything is the order the stacks were written in, and sorted names for what
/// several stacks share, so the same description always gives the same text.
public struct Diagram: Sendable, Hashable {
    /// The diagram's title: the environment it shows.
    public var title: String
    /// The top level: host and stack clusters, and the nodes outside every cluster (networks
    /// several stacks share, services and gateways of stacks not in the diagram).
    public var root: Cluster
    /// The edges, in the order they were found.
    public var edges: [Edge]

    /// Creates a diagram from its parts.
    public init(title: String, root: Cluster, edges: [Edge]) {
        self.title = title
        self.root = root
        self.edges = edges
    }

    /// A group of nodes drawn in one box: a host, or a stack.
    public struct Cluster: Sendable, Hashable {
        /// What the cluster stands for.
        public enum Kind: String, Sendable, Hashable {
            /// The whole diagram.
            case diagram
            /// A server the deployment places stacks on.
            case host
            /// A stack.
            case stack
        }

        /// The identifier; letters, digits and `_` only.
        public var id: String
        /// The title, as plain text.
        public var label: String
        /// What the cluster stands for.
        public var kind: Kind
        /// The nodes directly in it, in order.
        public var nodes: [Node]
        /// The clusters in it, in order.
        public var clusters: [Cluster]

        /// Creates a cluster.
        public init(id: String, label: String, kind: Kind, nodes: [Node] = [], clusters: [Cluster] = []) {
            self.id = id
            self.label = label
            self.kind = kind
            self.nodes = nodes
            self.clusters = clusters
        }

        /// Every node in it and in the clusters it holds, depth first.
        public var allNodes: [Node] {
            nodes + clusters.flatMap(\.allNodes)
        }
    }

    /// One thing in the topology.
    public struct Node: Sendable, Hashable {
        /// What the node stands for, which decides its shape.
        public enum Kind: String, Sendable, Hashable {
            /// A service of a stack in the diagram.
            case service
            /// The gateway's own service, which routes requests to other services.
            case gateway
            /// A network.
            case network
            /// A secret, by name; its value is never part of a diagram.
            case secret
            /// A port published on the host.
            case port
            /// A service or gateway of a stack that is not in the diagram, which a stack in it uses.
            case external
        }

        /// The identifier; letters, digits and `_` only.
        public var id: String
        /// The text, one entry per line, as plain text.
        public var lines: [String]
        /// What the node stands for.
        public var kind: Kind
        /// What a plan would do to it, for a service; `nil` when nothing would change.
        public var change: Change?

        /// Creates a node.
        public init(id: String, lines: [String], kind: Kind, change: Change? = nil) {
            self.id = id
            self.lines = lines
            self.kind = kind
            self.change = change
        }
    }

    /// A relation between two nodes.
    public struct Edge: Sendable, Hashable {
        /// What the relation is, which decides how it is drawn.
        public enum Kind: String, Sendable, Hashable {
            /// A service attached to a network (drawn without a direction).
            case network
            /// A published host port to the service behind it.
            case port
            /// The gateway to a service it routes requests to.
            case route
            /// A secret to a service that reads it.
            case secret
            /// A service to a service it waits for before it starts.
            case dependency
            /// A service to a service of another stack whose published address it holds.
            case address
        }

        /// The node it starts at.
        public var from: String
        /// The node it ends at.
        public var to: String
        /// The text, one entry per line; empty for none.
        public var lines: [String]
        /// What the relation is.
        public var kind: Kind

        /// Creates an edge.
        public init(from: String, to: String, lines: [String] = [], kind: Kind) {
            self.from = from
            self.to = to
            self.lines = lines
            self.kind = kind
        }
    }

    /// What a plan would do to a service, for highlighting it.
    public struct Change: Sendable, Hashable {
        /// The action.
        public enum Action: String, Sendable, Hashable, CaseIterable {
            /// The service is new.
            case create
            /// Its configuration changed.
            case update
            /// Its containers are not what the configuration asks for.
            case repair
            /// It runs but is no longer described.
            case remove
        }

        /// The action.
        public var action: Action
        /// For an update, the fields that changed (`image`, `environment`).
        public var fields: [String]

        /// Creates a change.
        public init(_ action: Action, fields: [String] = []) {
            self.action = action
            self.fields = fields
        }

        /// The line a node shows for it: `update: image, environment`.
        public var line: String {
            fields.isEmpty ? action.rawValue : "\(action.rawValue): \(fields.joined(separator: ", "))"
        }
    }
}
