import Testing

@testable import BerthCore

@Suite("Stack result builder")
struct StackBuilderTests {
    @Test func mixesEveryKindOfElementInWrittenOrder() {
        let stack = Stack("shop") {
            Network("backend", internal: true)
            Service("db", image: "postgres:17")
            Volume("data")
            Secret.generated("db_password")
            Service("web", image: "nginx:1.27")
            Config("nginx_conf", .content("server {}"))
            Network.external("proxy")
            Volume.external("backups", realName: "shared-backups")
            Secret("tls_key", .file("certs/key.pem"))
            Config("app_yaml", .file("config/app.yaml"))
        }
        #expect(stack.name == "shop")
        #expect(stack.services.map(\.name) == ["db", "web"])
        #expect(stack.networks.map(\.name) == ["backend", "proxy"])
        #expect(stack.networks.map(\.isInternal) == [true, false])
        #expect(stack.networks.map(\.isExternal) == [false, true])
        #expect(stack.volumes.map(\.name) == ["data", "backups"])
        #expect(stack.volumes.map(\.externalName) == [nil, "shared-backups"])
        #expect(stack.secrets.map(\.name) == ["db_password", "tls_key"])
        #expect(
            stack.secrets.map(\.source) == [
                .generated(length: 32, alphabet: .alphanumeric), .file("certs/key.pem"),
            ])
        #expect(stack.configs.map(\.name) == ["nginx_conf", "app_yaml"])
        #expect(stack.configs.map(\.source) == [.content("server {}"), .file("config/app.yaml")])
    }

    @Test func emptyStack() {
        let stack = Stack("empty") {}
        #expect(stack.services.isEmpty)
        #expect(stack.networks.isEmpty)
        #expect(stack.volumes.isEmpty)
        #expect(stack.secrets.isEmpty)
        #expect(stack.configs.isEmpty)
    }

    @Test(arguments: [true, false])
    func ifWithoutElse(_ includeWorker: Bool) {
        let stack = Stack("shop") {
            Service("web", image: "nginx:1.27")
            if includeWorker {
                Service("worker", image: "acme/worker:1")
                Volume("queue")
            }
        }
        #expect(stack.services.map(\.name) == (includeWorker ? ["web", "worker"] : ["web"]))
        #expect(stack.volumes.map(\.name) == (includeWorker ? ["queue"] : []))
    }

    @Test(arguments: [Environment.dev, .stg, .prod])
    func ifElse(_ environment: Environment) {
        let stack = Stack("shop") {
            if environment.isProduction {
                Service("web", image: "nginx:1.27").replicas(3)
                Network.external("proxy")
            } else if environment == .stg {
                Service("web", image: "nginx:1.27").replicas(2)
            } else {
                Service("web", image: "nginx:1.27")
                Service("mailpit", image: "axllent/mailpit:v1.21")
            }
        }
        switch environment.name {
        case "prod":
            #expect(stack.services.map(\.name) == ["web"])
            #expect(stack.services.map(\.replicas) == [3])
            #expect(stack.networks.map(\.name) == ["proxy"])
        case "stg":
            #expect(stack.services.map(\.replicas) == [2])
            #expect(stack.networks.isEmpty)
        default:
            #expect(stack.services.map(\.name) == ["web", "mailpit"])
            #expect(stack.networks.isEmpty)
        }
    }

    @Test func forLoop() {
        let queues = ["mail", "billing", "search"]
        let stack = Stack("shop") {
            Network("jobs")
            for queue in queues {
                Service("worker-\(queue)", image: "acme/worker:1").networks("jobs")
                Volume("\(queue)-spool")
            }
        }
        #expect(stack.services.map(\.name) == ["worker-mail", "worker-billing", "worker-search"])
        #expect(stack.volumes.map(\.name) == ["mail-spool", "billing-spool", "search-spool"])
        #expect(stack.networks.map(\.name) == ["jobs"])
    }

    @Test func arraysOfServicesAndElements() {
        let workers = (1...3).map { Service("worker\($0)", image: "acme/worker:1") }
        let extra: [StackElement] = [.network(Network("extra")), .volume(Volume("cache"))]
        let stack = Stack("shop") {
            Service("web", image: "nginx:1.27")
            workers
            extra
        }
        #expect(stack.services.map(\.name) == ["web", "worker1", "worker2", "worker3"])
        #expect(stack.networks.map(\.name) == ["extra"])
        #expect(stack.volumes.map(\.name) == ["cache"])
    }

    @Test func availabilityCheck() {
        let stack = Stack("shop") {
            if #available(macOS 15, *) {
                Service("web", image: "nginx:1.27")
            }
        }
        #expect(stack.services.map(\.name) == ["web"])
    }

    // A group of elements defined apart from the stack, as the docs recommend.
    var monitoring: StackPart {
        StackPart {
            Network("metrics", internal: true)
            Service("prometheus", image: "prom/prometheus:v3.0.0").networks("metrics")
            Volume("prometheus-data")
        }
    }

    func database(password: String) -> StackPart {
        StackPart {
            Secret.generated(password)
            Service("db", image: "postgres:17").secret(password, pathVariable: "POSTGRES_PASSWORD_FILE")
        }
    }

    @Test(arguments: [true, false])
    func stackPartsFromComputedPropertiesAndFunctions(_ withMonitoring: Bool) {
        let stack = Stack("shop") {
            Service("web", image: "nginx:1.27")
            database(password: "db_password")
            if withMonitoring {
                monitoring
            }
            Config("app", .content("x"))
        }
        #expect(
            stack.services.map(\.name) == (withMonitoring ? ["web", "db", "prometheus"] : ["web", "db"]))
        #expect(stack.networks.map(\.name) == (withMonitoring ? ["metrics"] : []))
        #expect(stack.volumes.map(\.name) == (withMonitoring ? ["prometheus-data"] : []))
        #expect(stack.secrets.map(\.name) == ["db_password"])
        #expect(stack.configs.map(\.name) == ["app"])
        #expect(stack.validate(for: .prod) == [])
    }

    @Test func nestedStackParts() {
        let inner = StackPart { Volume("inner") }
        let outer = StackPart {
            Volume("before")
            inner
            Volume("after")
        }
        #expect(outer.elements.count == 3)
        let stack = Stack("shop") { outer }
        #expect(stack.volumes.map(\.name) == ["before", "inner", "after"])
    }

    @Test func serviceLookupByName() {
        let stack = Stack("shop") {
            Service("web", image: "nginx:1.27")
            Service("db", image: "postgres:17")
        }
        #expect(stack.service(named: "db")?.image == "postgres:17")
        #expect(stack.service(named: "cache") == nil)
    }

    @Test func deploymentDescribesPerEnvironment() {
        let deployment = Deployment(environments: [.dev, .prod]) { environment in
            Stack("shop") {
                Service("web", image: "nginx:1.27").replicas(environment.isProduction ? 3 : 1)
            }
        }
        #expect(deployment.environments == [.dev, .prod])
        #expect(deployment.environment(named: "prod") == .prod)
        #expect(deployment.environment(named: "stg") == nil)
        #expect(deployment.describe(.prod).services.first?.replicas == 3)
        #expect(deployment.describe(.dev).services.first?.replicas == 1)
    }
}
