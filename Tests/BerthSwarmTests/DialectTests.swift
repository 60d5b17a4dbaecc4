import BerthCore
import BerthSwarm
import BerthYAML
import Testing

/// The dialect `docker stack deploy` accepts, rule by rule, each checked against the real stack
/// loader.
@Suite("Swarm dialect")
struct DialectTests {
    @Test("the file starts with a quoted version 3.8 and has no top-level name")
    func versionAndNoName() async throws {
        let document = try await renderChecked(Fixtures.minimal)
        #expect(document.yaml.hasPrefix("version: \"3.8\"\nservices:\n"))
        #expect(document.root.mappingKeys == ["version", "services"])
        #expect(document.stackName == "minimal-dev")
    }

    @Test(
        "the stack loader refuses what the renderer never writes",
        .enabled(if: SwarmReferee.shouldRun, SwarmReferee.skipComment))
    func loaderRefusals() async throws {
        let service = "version: \"3.8\"\nservices:\n  a:\n    image: \"busybox:1\"\n"
        let refused = [
            ("a top-level name", "name: \"x\"\n" + service),
            ("a published port as a string", service + "    ports:\n      - target: 80\n        published: \"80\"\n"),
            (
                "a host address",
                service + "    ports:\n      - target: 80\n        published: 80\n        host_ip: \"127.0.0.1\"\n"
            ),
            (
                "a number of CPUs as a number",
                service + "    deploy:\n      resources:\n        limits:\n          cpus: 0.5\n"
            ),
            ("a label that is a boolean", service + "    labels:\n      a: true\n"),
            ("depends_on in map form", service + "    depends_on:\n      b:\n        condition: service_healthy\n"),
        ]
        for (what, yaml) in refused {
            let error = try await SwarmReferee.rejection(of: yaml)
            #expect(!error.isEmpty, "\(what): \(error)")
        }
    }

    @Test("depends_on and restart are not written; each service with dependencies gets one warning")
    func dependenciesAreDroppedWithAWarning() async throws {
        let stack = Stack("deps") {
            Service("db", image: "postgres:16.4").healthCheck(HealthCheck(.command(["pg_isready"])))
            Service("cache", image: "redis:7.4.1")
            Service("api", image: "ghcr.io/acme/api:1.0")
                .dependsOn("db", condition: .healthy)
                .dependsOn("cache")
        }
        let document = try await renderChecked(stack)
        #expect(!document.yaml.contains("depends_on"))
        #expect(!document.yaml.contains("\n    restart:"))
        #expect(document.diagnostics.count == 1)
        let warning = try #require(document.diagnostics.first)
        #expect(warning.severity == .warning)
        #expect(warning.code == .lossyRendering)
        #expect(warning.element == "service 'api'")
        #expect(warning.message.contains("depends_on"))
        #expect(warning.message.contains("'db' (healthy)"))
        #expect(warning.message.contains("'cache' (started)"))
        #expect(warning.location == stack.services[2].dependencies[0].location)
    }

    @Test("published ports use the long syntax with an integer port and a publish mode")
    func ports() async throws {
        let stack = oneService(
            Service("gateway", image: "traefik:3.2.1")
                .publish(80, on: 8080, public: true)
                .publish(443, public: true, mode: .host)
                .publish(53, on: 5353, public: true, transport: .udp)
                .expose(9000))
        let document = try await renderChecked(stack)
        let ports = try #require(document.root["services", "gateway", "ports"])
        #expect(
            ports
                == [
                    ["target": 80, "published": 8080, "protocol": "tcp", "mode": "ingress"],
                    ["target": 443, "published": 443, "protocol": "tcp", "mode": "host"],
                    ["target": 53, "published": 5353, "protocol": "udp", "mode": "ingress"],
                ])
        #expect(document.root["services", "gateway", "expose"] == nil)
        #expect(document.diagnostics.isEmpty)
    }

    @Test("a port published on one address only is an error: Swarm binds every address")
    func privatePortIsAnError() async throws {
        let stack = oneService(
            Service("db", image: "postgres:16.4")
                .publish(5432, on: 15432)
                .publish(5433, hostIP: "10.0.0.5"))
        let document = try await renderChecked(stack)
        #expect(document.diagnostics.map(\.code) == [.lossyRendering, .lossyRendering])
        #expect(document.diagnostics.allSatisfy { $0.severity == .error })
        #expect(document.diagnostics[0].message.contains("127.0.0.1"))
        #expect(document.diagnostics[0].fix.contains("public: true"))
        #expect(document.diagnostics[0].location == stack.services[0].ports[0].location)
    }

    @Test("CPU counts and memory sizes are strings")
    func resources() async throws {
        let stack = oneService(
            Service("api", image: "ghcr.io/acme/api:1.0")
                .resources(Resources(cpuLimit: 2, memoryLimit: "1.5g", cpuReservation: 0.25, memoryReservation: "512M"))
        )
        let document = try await renderChecked(stack)
        #expect(
            document.root["services", "api", "deploy", "resources"]
                == ["limits": ["cpus": "2", "memory": "1.5g"], "reservations": ["cpus": "0.25", "memory": "512M"]])
    }

    @Test("every literal $ is doubled; only an interpolation keeps a single one")
    func dollars() async throws {
        let stack = oneService(
            Service("api", image: "ghcr.io/acme/api:1.0")
                .command(["sh", "-c", "echo $HOME"])
                .environment("PRICE", "$5")
                .environment("TAG", .interpolated("${TAG:-1.0}"))
                .label("note", "costs $1")
                .serviceLabel("traefik.http.middlewares.auth.basicauth.users", "admin:$apr1$x$y")
                .constraint("node.labels.cost == $cheap"))
        let document = try await renderChecked(stack)
        let api = try #require(document.root["services", "api"])
        #expect(api["command", 2] == "echo $$HOME")
        #expect(api["environment", "PRICE"] == "$$5")
        #expect(api["environment", "TAG"] == "${TAG:-1.0}")
        #expect(api["labels", "note"] == "costs $$1")
        #expect(api["deploy", "labels", "traefik.http.middlewares.auth.basicauth.users"] == "admin:$$apr1$$x$$y")
        #expect(api["deploy", "placement", "constraints", 0] == "node.labels.cost == $$cheap")
    }

    @Test("restart policies become deploy.restart_policy")
    func restartPolicies() async throws {
        let stack = Stack("restarts") {
            Service("never", image: "busybox:1.36").restart(.never)
            Service("always", image: "busybox:1.36").restart(.always)
            Service("unless", image: "busybox:1.36")
            Service("failure", image: "busybox:1.36").restart(.onFailure(maxAttempts: nil))
            Service("limited", image: "busybox:1.36")
                .restart(.onFailure(maxAttempts: 3), delay: .seconds(5), window: .seconds(90))
        }
        let document = try await renderChecked(stack)
        func policy(_ name: String) -> YAMLNode? { document.root["services", name, "deploy", "restart_policy"] }
        #expect(policy("never") == ["condition": "none"])
        #expect(policy("always") == ["condition": "any"])
        #expect(policy("unless") == ["condition": "any"])
        #expect(policy("failure") == ["condition": "on-failure"])
        #expect(policy("limited") == ["condition": "on-failure", "delay": "5s", "max_attempts": 3, "window": "1m30s"])
    }

    @Test("global services have no replicas; replicated ones always say how many")
    func modes() async throws {
        let stack = Stack("modes") {
            Service("agent", image: "busybox:1.36").deployMode(.global)
            Service("worker", image: "busybox:1.36").replicas(4)
        }
        let document = try await renderChecked(stack)
        #expect(document.root["services", "agent", "deploy", "mode"] == "global")
        #expect(document.root["services", "agent", "deploy", "replicas"] == nil)
        #expect(document.root["services", "worker", "deploy", "mode"] == "replicated")
        #expect(document.root["services", "worker", "deploy", "replicas"] == 4)
    }

    @Test("placement, endpoint mode and service labels go under deploy")
    func deploySettings() async throws {
        let stack = oneService(
            Service("dns", image: "coredns/coredns:1.11.3")
                .constraint("node.role == worker")
                .spread(over: "node.labels.zone")
                .maxReplicasPerNode(2)
                .replicas(4)
                .endpointMode(.dnsrr)
                .publish(53, on: 1053, public: true, transport: .udp, mode: .host)
                .serviceLabel("com.acme.team", "infra")
                .label("com.acme.container", "yes"))
        let document = try await renderChecked(stack)
        let deploy = try #require(document.root["services", "dns", "deploy"])
        #expect(deploy.mappingKeys?.prefix(4) == ["mode", "replicas", "endpoint_mode", "placement"])
        #expect(deploy["endpoint_mode"] == "dnsrr")
        #expect(
            deploy["placement"]
                == [
                    "constraints": ["node.role == worker"], "preferences": [["spread": "node.labels.zone"]],
                    "max_replicas_per_node": 2,
                ])
        #expect(deploy["labels", "com.acme.team"] == "infra")
        #expect(deploy["labels", "com.acme.container"] == nil)
        #expect(document.root["services", "dns", "labels", "com.acme.container"] == "yes")
        #expect(document.root["services", "dns", "labels", "com.acme.team"] == nil)
    }

    @Test("both label sets carry Berth's ownership labels and the same hashes")
    func ownershipLabels() async throws {
        let document = try await renderChecked(Fixtures.minimal)
        let service = try #require(document.root["services", "web"])
        let hash = try #require(document.serviceHashes["web"])
        for labels in [service["labels"], service["deploy", "labels"]] {
            #expect(labels?["berth.stack"] == "minimal")
            #expect(labels?["berth.environment"] == "dev")
            #expect(labels?["berth.service"] == "web")
            #expect(labels?["berth.config-hash"] == .string(hash.configuration))
            #expect(labels?["berth.field-hashes"] == .string(hash.fieldsLabel))
        }
        #expect(Set(hash.fields.keys) == ["image", "labels", "deploy", "cap_drop", "cap_add"])
    }

    @Test("a reserved label key is an error and is not written")
    func reservedLabels() async throws {
        let stack = oneService(
            Service("api", image: "ghcr.io/acme/api:1.0")
                .label("berth.stack", "other")
                .serviceLabel("berth.service", "other"))
        let document = try await renderChecked(stack)
        #expect(document.diagnostics.map(\.code) == [.invalidName, .invalidName])
        #expect(document.diagnostics.allSatisfy { $0.severity == .error })
        #expect(document.root["services", "api", "labels", "berth.stack"] == "probe")
        #expect(document.root["services", "api", "deploy", "labels", "berth.service"] == "api")
    }

    @Test("networks are attachable overlays; external ones keep their real name and are listed")
    func networks() async throws {
        let stack = Stack("nets") {
            Network("front")
            Network("back", internal: true, attachable: false)
            Network("custom", driver: "weave")
            Network.external("public", realName: "traefik-public")
            Service("api", image: "ghcr.io/acme/api:1.0").networks("front", "back", "public")
        }
        let document = SwarmRenderer().render(stack, for: .dev)
        #expect(
            document.root["networks", "front"]
                == [
                    "driver": "overlay", "attachable": true,
                    "labels": ["berth.stack": "nets", "berth.environment": "dev"],
                ])
        #expect(
            document.root["networks", "back"]
                == [
                    "driver": "overlay", "internal": true,
                    "labels": ["berth.stack": "nets", "berth.environment": "dev"],
                ])
        #expect(document.root["networks", "custom", "driver"] == "weave")
        #expect(document.root["networks", "public"] == ["name": "traefik-public", "external": true])
        #expect(document.externalNetworks == ["traefik-public"])
        // The loader cannot know the `weave` driver is missing; check the rest of the stack.
        var checkable = stack
        checkable.networks.remove(at: 2)
        try await renderChecked(checkable)
    }
}
