import BerthCore
import BerthTesting
import Foundation
import Testing

@testable import BerthDiagram

@Suite("Diagram")
struct DiagramTests {
    static let golden = GoldenFile(
        sourceDirectory: URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Golden"),
        bundledDirectory: Bundle.module.resourceURL?.appending(path: "Golden"))

    static let planChanges: [String: [String: Diagram.Change]] = [
        "shop-core": [
            "app": Diagram.Change(.update, fields: ["image", "environment"]), "legacy": Diagram.Change(.remove),
        ],
        "shop-edge": ["worker": Diagram.Change(.create)],
    ]

    static func text(_ format: DiagramFormat, _ stacks: [Stack], changes: [String: [String: Diagram.Change]] = [:])
        -> String
    {
        format.renderer.render(Diagram(stacks: stacks, environment: .prod, changes: changes))
    }

    static func check(_ text: String, named name: String) throws {
        switch try golden.check(text, named: name) {
        case .matches: break
        case .recorded(let note): print(note)
        case .mismatch(let message): Issue.record(Comment(rawValue: message))
        }
    }

    @Test("renders the golden diagrams byte for byte", arguments: DiagramFormat.allCases)
    func matchesGolden(format: DiagramFormat) throws {
        try Self.check(Self.text(format, Fixtures.stacks()), named: "shop-prod.\(format.fileExtension)")
        try Self.check(
            Self.text(format, Fixtures.stacks(), changes: Self.planChanges),
            named: "shop-prod-plan.\(format.fileExtension)")
        try Self.check(Self.text(format, [Fixtures.hostile]), named: "hostile-prod.\(format.fileExtension)")
    }

    @Test("the same description gives the same text, however often and in whatever order it is built")
    func isDeterministic() {
        for format in DiagramFormat.allCases {
            let first = Self.text(format, Fixtures.stacks(), changes: Self.planChanges)
            for _ in 0..<20 {
                #expect(Self.text(format, Fixtures.stacks(), changes: Self.planChanges) == first)
            }
        }
    }

    @Test("groups services by host and stack; shared networks and other stacks' gateways stand outside")
    func groupsByHostAndStack() {
        let diagram = Diagram(stacks: Fixtures.stacks(), environment: .prod)
        #expect(diagram.root.clusters.map(\.label) == ["host core (10.0.0.2)", "host edge (10.0.0.3)"])
        #expect(diagram.root.clusters.map { $0.clusters.map(\.label) } == [["stack shop-core"], ["stack shop-edge"]])
        #expect(diagram.root.nodes.map(\.lines) == [["network shop_edge", "shared, created by shop-core"]])
        let core = diagram.root.clusters[0].clusters[0]
        #expect(core.nodes.first { $0.lines[0] == "nginx" }?.kind == .gateway)

        let alone = Diagram(stacks: [Fixtures.hostile], environment: .dev)
        #expect(alone.root.clusters.map(\.kind) == [.stack])
        #expect(alone.root.nodes.map(\.kind).contains(.external))
    }

    @Test("draws routes with their addresses, published ports, secrets, dependencies and addresses")
    func edges() {
        let diagram = Diagram(stacks: Fixtures.stacks(), environment: .prod)
        let app = DiagramIdentifier.make("svc", "shop-core", "app")
        let edges = diagram.edges.map { "\($0.kind.rawValue): \($0.from) -> \($0.to) \($0.lines)" }
        #expect(
            edges.contains(
                "route: \(DiagramIdentifier.make("svc", "shop-core", "nginx")) -> \(app) "
                    + "[\"shop.example.com/api → :8000\", \"api.example.com → :8000\"]"))
        #expect(
            edges.contains(
                "port: \(DiagramIdentifier.make("port", "shop-core", "app", "10.0.0.2:8000/tcp")) -> \(app) [\":8000\"]"
            ))
        #expect(
            edges.contains(
                "dependency: \(app) -> \(DiagramIdentifier.make("svc", "shop-core", "db")) [\"after healthy\"]"))
        #expect(
            edges.contains(
                "address: \(DiagramIdentifier.make("svc", "shop-edge", "worker")) -> \(app) [\"UPSTREAM\", \":8000\"]"))
        #expect(
            edges.contains(
                "secret: \(DiagramIdentifier.make("sec", "shop-core", "api_token")) -> \(app) [\"/run/secrets/token\"]")
        )
        #expect(diagram.edges.filter { $0.kind == .network }.count == 5)
        // A network another stack of the diagram creates is drawn once, where it is created.
        #expect(
            edges.contains(
                "network: \(DiagramIdentifier.make("svc", "shop-edge", "worker")) -> "
                    + "\(DiagramIdentifier.make("net", "shop-core", "backend")) []"))
        // IPv6 addresses keep their port readable.
        #expect(diagram.root.allNodes.contains { $0.lines == ["[::1]:9090/tcp"] })
    }

    @Test("a plan's changes mark services, and a removed service is still drawn")
    func highlightsChanges() {
        let diagram = Diagram(stacks: Fixtures.stacks(), environment: .prod, changes: Self.planChanges)
        let changed = diagram.root.allNodes.filter { $0.change != nil }
        #expect(
            changed.map { "\($0.lines[0]) \($0.change!.line)" } == [
                "app update: image, environment", "legacy remove", "worker create",
            ])
        let mermaid = MermaidRenderer().render(diagram)
        #expect(mermaid.contains("class \(DiagramIdentifier.make("svc", "shop-core", "app")) update"))
        #expect(mermaid.contains("classDef remove fill:#ffe3e3,stroke:#c92a2a,stroke-dasharray:4 3"))
        let dot = DOTRenderer().render(diagram)
        #expect(dot.contains("fillcolor=\"#d3f9d8\""))
        #expect(!MermaidRenderer().render(Diagram(stacks: Fixtures.stacks(), environment: .prod)).contains("classDef"))
    }

    @Test("no secret value, secret source or environment value reaches a diagram, only secret names")
    func secretValuesNeverAppear() throws {
        let directory = try Referee.temporaryDirectory(prefix: "berth-diagram-secret")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appending(path: "api_token")
        try Data(Fixtures.secretValue.utf8).write(to: file)
        for format in DiagramFormat.allCases {
            let text = Self.text(format, Fixtures.stacks(secretFile: file.path), changes: Self.planChanges)
            #expect(!text.contains(Fixtures.secretValue))
            #expect(!text.contains(file.path))
            #expect(!text.contains("POSTGRES_PASSWORD_FILE"))
            #expect(text.contains("secret db_password") && text.contains("secret api_token"))
        }
    }

    @Test("identifiers are letters, digits and `_`, start with a kind, and never collide")
    func identifiers() {
        #expect(DiagramIdentifier.make("svc", "shop-core", "app") == "svc__shop_2dcore__app")
        #expect(DiagramIdentifier.make("svc", "a-b", "c") != DiagramIdentifier.make("svc", "a_b", "c"))
        #expect(DiagramIdentifier.make("svc", "a__b", "c") != DiagramIdentifier.make("svc", "a", "b__c"))
        #expect(DiagramIdentifier.make("net", "é") == "net___c3_a9")
        let diagram = Diagram(stacks: Fixtures.stacks() + [Fixtures.hostile], environment: .prod)
        let ids = diagram.root.allNodes.map(\.id)
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }, "\(id)")
            #expect(!id.hasPrefix("o") && !id.hasPrefix("x") && id.first?.isLetter == true, "\(id)")
        }
    }

    @Test("Mermaid: hostile names stay inside their labels, subgraphs end, every edge has both ends declared")
    func mermaidStructure() {
        for stacks in [Fixtures.stacks(), [Fixtures.hostile], Fixtures.stacks() + [Fixtures.hostile]] {
            let text = Self.text(.mermaid, stacks, changes: Self.planChanges)
            let structure = MermaidStructure(text)
            #expect(structure.problems == [], "\(text)")
            #expect(structure.subgraphs.count == stacks.count + Set(stacks.compactMap(\.host?.name)).count)
            #expect(!structure.edges.isEmpty)
        }
        let hostile = Self.text(.mermaid, [Fixtures.hostile])
        #expect(hostile.contains("end#34;]; evil[#34;#60;b#62;x#60;/b#62; #124; #96;y#96; #35;amp; \\N {z}"))
        #expect(!hostile.contains("<b>"))
    }

    @Test("DOT: quotes and backslashes are escaped, newlines in names are spaces")
    func dotEscaping() {
        let text = Self.text(.dot, [Fixtures.hostile])
        #expect(text.contains(#"end\"]; evil[\"<b>x</b> | `y` #amp; \\N {z}"#))
        #expect(text.split(separator: "\n").allSatisfy { $0.filter { $0 == "\"" }.count % 2 == 0 })
    }

    /// Graphviz: required on CI (`CI` set, as `scripts/test.sh` and CI services set it) and with
    /// `BERTH_ENGINE_REQUIRED`, skipped loudly elsewhere.
    static let graphviz = Referee.Availability.check(
        "Graphviz `dot`", suite: "BerthDiagramTests",
        hint: "Install Graphviz (`apt-get install graphviz`; scripts/engine.sh installs it when it is missing).",
        isRequired: Referee.isRequired() || isCI
    ) { Referee.graphvizUnavailableReason() }

    static var isCI: Bool {
        !["", "0", "false", "no"].contains((ProcessInfo.processInfo.environment["CI"] ?? "").lowercased())
    }

    @Test(
        "the real `dot -Tsvg` draws every diagram without a complaint",
        .enabled(if: graphviz.shouldRun, Comment(rawValue: graphviz.skipReason)))
    func graphvizAccepts() async throws {
        try Self.graphviz.requireAvailable()
        let cases: [(String, [Stack], [String: [String: Diagram.Change]])] = [
            ("shop", Fixtures.stacks(), [:]),
            ("shop with a plan", Fixtures.stacks(), Self.planChanges),
            ("hostile names", [Fixtures.hostile], [:]),
            ("everything", Fixtures.stacks() + [Fixtures.hostile], Self.planChanges),
        ]
        for (name, stacks, changes) in cases {
            let text = Self.text(.dot, stacks, changes: changes)
            let output = try await Referee.graphvizSVG(text)
            #expect(output.status == 0, "\(name): `dot -Tsvg` failed:\n\(output.stderr)\n\(text)")
            #expect(output.stderr.isEmpty, "\(name): `dot -Tsvg` complained:\n\(output.stderr)")
            #expect(output.stdout.contains("<svg"), "\(name)")
            // Every cluster is drawn as a box of its own.
            let clusters = text.components(separatedBy: "subgraph \"cluster_").count - 1
            #expect(output.stdout.components(separatedBy: "class=\"cluster\"").count - 1 == clusters, "\(name)")
        }
    }
}
