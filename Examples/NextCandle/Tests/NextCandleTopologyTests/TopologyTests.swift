import Berth
import BerthTesting
import Foundation
import NextCandleTopology
import Testing

@Suite("NextCandle topology")
struct TopologyTests {
    static let dev = NextCandle.environments[0]
    static let stg = NextCandle.environments[1]
    static let prod = NextCandle.environments[2]

    /// What `up` would check before touching an engine: validation and the Swarm renderer.
    static func swarmDiagnostics(_ rendition: Rendition) throws -> [Diagnostic] {
        let deployer = SwarmDeployer(
            engine: DockerEngine(), workspace: Workspace(root: packageDirectory))
        return try deployer.prepare(rendition.stack, for: rendition.environment).diagnostics
    }

    @Test("the three environments run on Swarm")
    func environments() {
        #expect(NextCandle.environments.map(\.name) == ["dev", "stg", "prod"])
        #expect(NextCandle.environments.allSatisfy { $0.orchestrator == .swarm })
        #expect(NextCandle.environments.map(\.isProduction) == [false, false, true])
        #expect(nextcandle.environments == NextCandle.environments)
        #expect(nextcandleShared.environments == NextCandle.environments)
    }

    @Test("every stack validates in every environment, without a warning", arguments: Rendition.all)
    func validates(_ rendition: Rendition) throws {
        let topology = Topology(rendition.stack, environment: rendition.environment)
        #expect(topology.validationErrors == [])
        let diagnostics = try Self.swarmDiagnostics(rendition)
        #expect(diagnostics.map(\.description) == [])
    }

    @Test("no service publishes a host port, in any environment", arguments: Rendition.all)
    func noPublishedPorts(_ rendition: Rendition) {
        let topology = Topology(rendition.stack, environment: rendition.environment)
        #expect(topology.publishedPorts.isEmpty, "\(topology.publishedPorts)")
        let tunnel = NextCandle.tunnel(for: rendition.environment)
        #expect(tunnel.publishedPortDiagnostics(in: rendition.stack).isEmpty)
    }

    @Test("the tunnel validates in its stack", arguments: NextCandle.environments)
    func tunnelValidates(_ environment: Environment) {
        let stack = nextcandle.describe(environment)
        let tunnel = NextCandle.tunnel(for: environment)
        let diagnostics = tunnel.validate(in: stack)
        #expect(diagnostics.errors.map(\.description) == [])
        #expect(diagnostics.map(\.description) == [])
        // Remotely managed: the container reads only its token, from the deployer's environment.
        #expect(tunnel.management == .remote(tokenSecret: "tunnel_token"))
        #expect(
            stack.secrets.first { $0.name == "tunnel_token" }?.source
                == .environment(NextCandle.tunnelTokenVariable(environment)))
        #expect(Topology(stack, environment: environment).readers(of: "tunnel_token") == ["cloudflared"])
    }

    /// The hostnames Traefik routes, read from the `Host(…)` rules of every service label.
    static func traefikHostnames(in stacks: [Stack]) -> [String] {
        stacks.flatMap(\.services).flatMap(\.deploy.labels).filter {
            $0.key.hasPrefix("traefik.http.routers.") && $0.key.hasSuffix(".rule")
        }
        .flatMap { label in
            label.value.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        }
    }

    @Test("every hostname of the tunnel has a route at the gateway", arguments: NextCandle.environments)
    func everyHostnameIsRouted(_ environment: Environment) {
        let served =
            Self.traefikHostnames(in: [nextcandle.describe(environment), nextcandleShared.describe(environment)])
            + NextCandle.applicationHostnames.map { NextCandle.hostname($0, in: environment) }
        let tunnel = NextCandle.tunnel(for: environment)
        #expect(tunnel.gatewayRouteDiagnostics(gateway: "traefik", servedHostnames: served).isEmpty)
        #expect(Set(served) == Set(tunnel.ingress.compactMap(\.hostname)))
    }

    @Test("only the environment's own Traefik routes its services")
    func traefikSeesItsEnvironmentOnly() throws {
        for environment in NextCandle.environments {
            let traefik = try #require(nextcandle.describe(environment).service(named: "traefik"))
            let network = NextCandle.networkName("traefik-public", in: environment)
            #expect(traefik.command?.contains("--providers.swarm.network=\(network)") == true)
            #expect(
                traefik.command?.contains(
                    "--providers.swarm.constraints=Label(`\(NextCandle.environmentLabel)`,`\(environment.name)`)")
                    == true)
            let routed = [nextcandle.describe(environment), nextcandleShared.describe(environment)].flatMap(\.services)
                .filter { $0.deploy.labels.contains { $0.key == "traefik.enable" } }
            #expect(routed.map(\.name).sorted() == ["grafana", "minio", "n8n", "traefik"])
            for service in routed {
                let labels = Dictionary(service.deploy.labels.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
                #expect(labels[NextCandle.environmentLabel] == environment.name)
                #expect(labels["traefik.swarm.network"] == network)
                #expect(service.networks.contains("traefik-public"))
            }
        }
    }

    @Test("the shared stack joins the environment stack's networks by their engine names")
    func sharedNetworks() {
        for environment in NextCandle.environments {
            let owned = nextcandle.describe(environment).networks.filter { !$0.isExternal }
            let joined = nextcandleShared.describe(environment).networks.filter(\.isExternal)
            #expect(
                joined.map { "\($0.name)=\($0.externalName!)" }
                    == owned.map {
                        "\($0.name)=\(SwarmRenderer.stackName(stack: "nextcandle", environment: environment.name))_\($0.name)"
                    })
        }
    }

    @Test("the databases are only reachable over the internal network, which has no way out")
    func databasesAreInternal() {
        let topology = Topology(nextcandle.describe(Self.prod), environment: Self.prod)
        for database in ["postgres", "redis"] {
            #expect(!topology.hasOutboundAccess(database))
            #expect(!topology.canReach(from: "cloudflared", to: database))
            #expect(!topology.canReach(from: "traefik", to: database))
            #expect(topology.networks(of: database) == ["internal"])
        }
        #expect(topology.canReach(from: "cloudflared", to: "traefik"))
        #expect(topology.hasOutboundAccess("cloudflared"))
    }

    @Test("secrets are generated and read through *_FILE, each by its service only")
    func secrets() throws {
        let stack = nextcandle.describe(Self.dev)
        let topology = Topology(stack, environment: Self.dev)
        #expect(
            stack.secrets.map(\.name) == ["postgres_password", "redis_password", "tunnel_token"])
        #expect(
            stack.secrets.filter {
                if case .generated = $0.source { return true }
                return false
            }
            .map(\.name) == ["postgres_password", "redis_password"])
        #expect(topology.readers(of: "postgres_password") == ["postgres"])
        #expect(topology.readers(of: "redis_password") == ["redis"])
        let postgres = try #require(stack.service(named: "postgres"))
        #expect(postgres.secrets.map(\.pathVariable) == ["POSTGRES_PASSWORD_FILE"])

        let shared = nextcandleShared.describe(Self.dev)
        let sharedTopology = Topology(shared, environment: Self.dev)
        #expect(
            shared.secrets.allSatisfy {
                if case .generated = $0.source { return true }
                return false
            })
        #expect(sharedTopology.readers(of: "minio_root_password") == ["minio"])
        #expect(sharedTopology.readers(of: "grafana_admin_password") == ["grafana"])
        #expect(sharedTopology.readers(of: "n8n_encryption_key") == ["n8n"])
        #expect(
            shared.services.flatMap(\.secrets).compactMap(\.pathVariable).sorted() == [
                "GF_SECURITY_ADMIN_PASSWORD__FILE", "MINIO_ROOT_PASSWORD_FILE", "N8N_ENCRYPTION_KEY_FILE",
            ])
    }

    @Test("PostgreSQL reads its environment's configuration file, shipped in the package")
    func postgresConfiguration() throws {
        for environment in NextCandle.environments {
            let stack = nextcandle.describe(environment)
            let config = try #require(stack.configs.first { $0.name == "postgresql" })
            let file = environment.isProduction ? "postgresql-prod.conf" : "postgresql.conf"
            #expect(config.source == .file("configs/postgres/\(file)"))
            #expect(
                stack.service(named: "postgres")?.configs.map(\.target) == ["/etc/postgresql/postgresql.conf"])
            #expect(
                stack.service(named: "postgres")?.command == [
                    "postgres", "-c", "config_file=/etc/postgresql/postgresql.conf",
                ])
        }
    }

    @Test("every configuration file a stack reads is in the package", arguments: Rendition.all)
    func configFilesExist(_ rendition: Rendition) {
        for config in rendition.stack.configs {
            guard case .file(let path) = config.source else { continue }
            #expect(
                FileManager.default.fileExists(atPath: packageDirectory.appending(path: path).path),
                "\(config.name): \(path)")
        }
    }

    @Test("production has exactly twice development's resources; staging has development's")
    func productionDoublesResources() throws {
        for deployment in [nextcandle, nextcandleShared] {
            let dev = deployment.describe(Self.dev)
            let stg = deployment.describe(Self.stg)
            let prod = deployment.describe(Self.prod)
            #expect(dev.services.map(\.name) == prod.services.map(\.name))
            for service in dev.services {
                let inProd = try #require(prod.service(named: service.name))
                #expect(!service.resources.isEmpty, "\(service.name) has no resources")
                #expect(inProd.resources == service.resources.scaled(by: 2), "\(service.name)")
                #expect(stg.service(named: service.name)?.resources == service.resources, "\(service.name)")
            }
        }
        // The seed's figures for the databases: 0.10–0.50 CPU and 256M–512M, 0.20–1.00 and 512M–1G.
        let postgres = try #require(nextcandle.describe(Self.prod).service(named: "postgres"))
        #expect(
            postgres.resources
                == Resources(cpuLimit: 1, memoryLimit: "1024M", cpuReservation: 0.2, memoryReservation: "512M"))
        #expect(nextcandle.describe(Self.dev).service(named: "postgres")?.resources == ResourceClass.database.resources)
    }

    @Test("production restarts a failed task 5 times, the other environments 3 times")
    func restartAttempts() {
        for (environment, attempts) in zip(NextCandle.environments, [3, 3, 5]) {
            for stack in [nextcandle.describe(environment), nextcandleShared.describe(environment)] {
                for service in stack.services {
                    #expect(service.restart == .onFailure(maxAttempts: attempts), "\(service.name)")
                    #expect(service.deploy.restartDelay == .seconds(5))
                }
            }
        }
    }

    @Test("Redis syncs its append-only file every second in production, by default elsewhere")
    func redisPersistence() throws {
        for environment in NextCandle.environments {
            let redis = try #require(nextcandle.describe(environment).service(named: "redis"))
            let script = try #require(redis.command?.last)
            #expect(script.contains("--appendfsync everysec") == environment.isProduction)
            #expect(script.contains("--appendonly yes"))
            // The password reaches Redis on standard input, not on its command line.
            #expect(script.contains("requirepass $(cat /run/secrets/redis_password)"))
            #expect(!script.contains("--requirepass"))
        }
    }

    @Test("services that own a volume are updated stop-first, the others start-first", arguments: Rendition.all)
    func updatePolicies(_ rendition: Rendition) throws {
        for service in rendition.stack.services {
            let update = try #require(service.deploy.update, "\(service.name) has no update policy")
            #expect(
                update.order == (DeployPolicy.ownsState(service) ? .stopFirst : .startFirst), "\(service.name)")
            #expect(update.failureAction == .rollback)
            #expect(update.parallelism == 1)
        }
        let stateful = rendition.stack.services.filter { $0.deploy.update?.order == .stopFirst }.map(\.name)
        #expect(
            stateful
                == (rendition.stack.name == "nextcandle"
                    ? ["postgres", "redis"] : ["minio", "prometheus", "grafana", "loki", "n8n"]))
    }

    @Test("the node agents run in global mode; everything else is one replica")
    func deployModes() {
        let shared = nextcandleShared.describe(Self.dev)
        #expect(
            shared.services.filter { $0.deploy.mode == .global }.map(\.name) == [
                "promtail", "node-exporter", "cadvisor",
            ])
        for stack in [shared, nextcandle.describe(Self.prod)] {
            #expect(stack.services.allSatisfy { $0.replicas == 1 })
        }
    }

    @Test("every service has a health check and a pinned image", arguments: Rendition.all)
    func healthChecksAndPinnedImages(_ rendition: Rendition) {
        let topology = Topology(rendition.stack, environment: rendition.environment)
        #expect(topology.servicesWithoutHealthCheck.isEmpty)
        for service in rendition.stack.services {
            #expect(service.image.isPinned, "\(service.name): \(service.image)")
        }
    }
}
