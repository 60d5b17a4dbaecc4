import Testing

@testable import BerthCore

@Suite("Validation: dependencies")
struct ValidationDependencyTests {
    @Test func twoServiceCycleIsReportedOnce() throws {
        let api = Service("api", image: "acme/api:1")
        let (apiDependsOnDB, line) = (api.dependsOn("db"), #line)
        let db = Service("db", image: "postgres:17").dependsOn("api")
        let stack = Stack("shop") {
            apiDependsOnDB
            db
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .dependencyCycle)
        #expect(diagnostic.element == "service 'api'")
        #expect(
            diagnostic.message
                == "The services depend on each other in a cycle: api -> db -> api; none of them can start."
        )
        #expect(diagnostic.fix == "Remove one of these dependencies.")
        #expect(diagnostic.location == here(line))
    }

    @Test func threeServiceCycleStartsAtTheServiceWrittenFirst() throws {
        // The search starts at `db`, but `web` is written first, so the cycle is printed from it.
        let web = Service("web", image: "nginx:1.27")
        let (webDependsOnAPI, line) = (web.dependsOn("api"), #line)
        let stack = Stack("shop") {
            webDependsOnAPI
            Service("api", image: "acme/api:1").dependsOn("db")
            Service("db", image: "postgres:17").dependsOn("web")
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.code == .dependencyCycle)
        #expect(diagnostic.element == "service 'web'")
        #expect(
            diagnostic.message
                == "The services depend on each other in a cycle: web -> api -> db -> web; none of them can start."
        )
        #expect(diagnostic.location == here(line))
    }

    @Test func threeServiceCycleWrittenInAnotherOrder() throws {
        let db = Service("db", image: "postgres:17")
        let (dbDependsOnWeb, line) = (db.dependsOn("web"), #line)
        let stack = Stack("shop") {
            dbDependsOnWeb
            Service("web", image: "nginx:1.27").dependsOn("api")
            Service("api", image: "acme/api:1").dependsOn("db")
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.element == "service 'db'")
        #expect(diagnostic.message.contains("cycle: db -> web -> api -> db;"))
        #expect(diagnostic.location == here(line))
    }

    @Test func selfDependency() throws {
        let web = Service("web", image: "nginx:1.27")
        let (changed, line) = (web.dependsOn("web"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { changed })
        #expect(diagnostic.code == .dependencyCycle)
        #expect(diagnostic.element == "service 'web'")
        #expect(diagnostic.message.contains("cycle: web -> web;"))
        #expect(diagnostic.location == here(line))
    }

    @Test func cyclePointsAtTheDependencyThatStartsIt() {
        // b depends on d (first) and c; c → d → b. Two cycles: b -> d -> b and b -> c -> d -> b.
        // Each must point at the line of b's dependency on the cycle's second service.
        let b = Service("b", image: "acme/b:1")
        let (bOnD, dLine) = (b.dependsOn("d"), #line)
        let (bOnDAndC, cLine) = (bOnD.dependsOn("c"), #line)
        let stack = Stack("shop") {
            Service("a", image: "acme/a:1").dependsOn("d")
            bOnDAndC
            Service("c", image: "acme/c:1").dependsOn("d")
            Service("d", image: "acme/d:1").dependsOn("b")
        }
        let found = diagnostics(of: stack, code: .dependencyCycle)
        #expect(found.count == 2)
        #expect(found.count == stack.validate(for: .dev).count)
        let byCycle = Dictionary(
            found.map { ($0.message, $0.location) }, uniquingKeysWith: { first, _ in first })
        #expect(
            byCycle == [
                "The services depend on each other in a cycle: b -> d -> b; none of them can start.": here(
                    dLine),
                "The services depend on each other in a cycle: b -> c -> d -> b; none of them can start.":
                    here(cLine),
            ])
    }

    @Test func acyclicGraphsHaveNoCycle() {
        let stack = Stack("shop") {
            Service("web", image: "nginx:1.27").dependsOn("api").dependsOn("cache")
            Service("api", image: "acme/api:1").dependsOn("db").dependsOn("cache")
            Service("cache", image: "redis:7")
            Service("db", image: "postgres:17")
        }
        #expect(stack.validate(for: .prod) == [])
    }

    @Test func healthyDependencyWithoutHealthCheck() throws {
        let web = Service("web", image: "nginx:1.27")
        let (changed, line) = (web.dependsOn("db", condition: .healthy), #line)
        let stack = Stack("shop") {
            changed
            Service("db", image: "postgres:17")
        }
        let diagnostic = try onlyDiagnostic(of: stack)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .healthyDependencyWithoutCheck)
        #expect(diagnostic.element == "service 'web'")
        #expect(
            diagnostic.message
                == "It waits for 'db' to be healthy, but 'db' has no health check, so it never will be."
        )
        #expect(diagnostic.fix == "Add .healthCheck(…) to 'db', or depend on it with condition: .started.")
        #expect(diagnostic.location == here(line))
    }

    @Test func healthyDependencyWithHealthCheck() {
        let stack = Stack("shop") {
            Service("web", image: "nginx:1.27").dependsOn("db", condition: .healthy)
            Service("db", image: "postgres:17").healthCheck(HealthCheck(.command(["pg_isready"])))
        }
        #expect(stack.validate(for: .prod) == [])
    }

    @Test(arguments: [DependencyCondition.started, .completed])
    func otherConditionsNeedNoHealthCheck(_ condition: DependencyCondition) {
        let stack = Stack("shop") {
            Service("web", image: "nginx:1.27").dependsOn("migrate", condition: condition)
            Service("migrate", image: "acme/migrate:1").restart(.never)
        }
        #expect(stack.validate(for: .prod) == [])
    }
}

@Suite("DependencyGraph")
struct DependencyGraphTests {
    let stack = Stack("shop") {
        Service("web", image: "nginx:1.27").dependsOn("api").dependsOn("cdn")
        Service("api", image: "acme/api:1").dependsOn("db").dependsOn("cache")
        Service("worker", image: "acme/worker:1").dependsOn("db").dependsOn("queue")
        Service("cache", image: "redis:7").dependsOn("db")
        Service("db", image: "postgres:17")
        Service("queue", image: "rabbitmq:4")
    }

    @Test func edgesInWrittenOrder() {
        let graph = DependencyGraph(stack: stack)
        #expect(
            graph.edges == [
                "web": ["api", "cdn"], "api": ["db", "cache"], "worker": ["db", "queue"], "cache": ["db"],
                "db": [],
                "queue": [],
            ])
    }

    @Test(arguments: [
        ("web", ["api", "cdn", "db", "cache"]),
        ("api", ["db", "cache"]),
        ("worker", ["db", "queue"]),
        ("cache", ["db"]),
        ("db", []),
        ("unknown", []),
    ])
    func transitiveDependencies(_ service: String, _ expected: [String]) {
        #expect(DependencyGraph(stack: stack).transitiveDependencies(of: service) == Set(expected))
    }

    @Test func transitiveDependenciesThroughACycleTerminateAndIncludeTheServiceItself() {
        let graph = DependencyGraph(
            stack: Stack("loop") {
                Service("a", image: "x:1").dependsOn("b")
                Service("b", image: "x:1").dependsOn("c")
                Service("c", image: "x:1").dependsOn("a").dependsOn("d")
                Service("d", image: "x:1")
            })
        #expect(graph.transitiveDependencies(of: "a") == ["a", "b", "c", "d"])
        #expect(graph.transitiveDependencies(of: "d") == [])
        #expect(graph.cycles() == [["a", "b", "c"]])
    }

    @Test func cycles() {
        #expect(DependencyGraph(stack: stack).cycles() == [])
        let graph = DependencyGraph(
            stack: Stack("loops") {
                Service("a", image: "x:1").dependsOn("b")
                Service("b", image: "x:1").dependsOn("a")
                Service("c", image: "x:1").dependsOn("c")
                Service("d", image: "x:1").dependsOn("missing")
            })
        #expect(graph.cycles() == [["a", "b"], ["c"]])
    }

    @Test func duplicateServiceNamesKeepTheFirstEdges() {
        let graph = DependencyGraph(
            stack: Stack("dup") {
                Service("a", image: "x:1").dependsOn("b")
                Service("a", image: "x:1").dependsOn("c")
                Service("b", image: "x:1")
            })
        #expect(graph.edges["a"] == ["b"])
    }
}

@Suite("Dependency graph levels")
struct DependencyLevelTests {
    @Test("each group comes after every group holding a service it depends on, in the order written")
    func levels() {
        let stack = Stack("shop") {
            Service("web", image: "nginx:1.27").dependsOn("api")
            Service("db", image: "postgres:16.4")
            Service("api", image: "ghcr.io/acme/api:1.0").dependsOn("db").dependsOn("cache")
            Service("cache", image: "redis:7.4")
            Service("worker", image: "ghcr.io/acme/api:1.0").dependsOn("db")
            Service("ghost", image: "ghcr.io/acme/api:1.0").dependsOn("nowhere")
        }
        #expect(DependencyGraph(stack: stack).levels() == [["db", "cache", "ghost"], ["api", "worker"], ["web"]])
    }

    @Test("a cycle, refused by validation, still ends")
    func cycle() {
        let stack = Stack("loop") {
            Service("a", image: "nginx:1.27").dependsOn("b")
            Service("b", image: "nginx:1.27").dependsOn("a")
        }
        #expect(DependencyGraph(stack: stack).levels().flatMap { $0 }.sorted() == ["a", "b"])
    }
}
