import BerthCompose
import BerthCore
import BerthRendering
import BerthYAML
import Testing

/// Equal stacks render equal files; configuration hashes follow exactly the fields that changed;
/// everything Berth creates carries its ownership labels.
@Suite("Determinism, hashes and ownership labels")
struct DeterminismTests {
    let renderer = ComposeRenderer()

    /// Replaces one service of a stack.
    static func changing(_ name: String, in stack: Stack, _ change: (inout Service) -> Void) -> Stack {
        var copy = stack
        let index = copy.services.firstIndex { $0.name == name }!
        change(&copy.services[index])
        return copy
    }

    @Test("rendering twice gives identical text", arguments: Fixtures.goldens)
    func renderingIsDeterministic(_ golden: Fixtures.Golden) {
        let first = renderer.render(golden.stack, for: golden.environment)
        let second = renderer.render(golden.stack, for: golden.environment)
        #expect(first.yaml == second.yaml)
        #expect(first.serviceHashes == second.serviceHashes)
    }

    @Test("a stack built again from the same description renders the same text and hashes")
    func rebuiltStackIsIdentical() {
        // Two separately built values, with different source locations for every element.
        let first = renderer.render(Fixtures.catalog(.prod), for: .prod)
        let again = Fixtures.catalog(.prod)
        let rebuilt = Stack("catalog") {
            again.services
            again.networks.map(StackElement.network)
            again.volumes.map(StackElement.volume)
        }
        let second = renderer.render(rebuilt, for: .prod)
        #expect(rebuilt.location != again.location)
        #expect(first.yaml == second.yaml)
        #expect(first.serviceHashes == second.serviceHashes)
    }

    @Test("source locations do not take part in the hash")
    func locationsAreNotHashed() {
        let one = Stack("s") { Service("a", image: "busybox:1.36").environment("K", "v") }
        let two = Stack("s") {
            Service("a", image: "busybox:1.36")
                .environment("K", "v")
        }
        #expect(one.services[0].location != two.services[0].location)
        #expect(
            renderer.render(one, for: .dev).serviceHashes == renderer.render(two, for: .dev).serviceHashes)
    }

    struct Change: Sendable, CustomTestStringConvertible {
        var name: String
        var service: String
        var fields: [String]
        var change: @Sendable (inout Service) -> Void

        var testDescription: String { name }
    }

    static let changes: [Change] = [
        Change(name: "one environment value", service: "api", fields: ["environment"]) {
            $0.environment[0].value = .literal("debug")
        },
        Change(
            name: "an environment value from literal to interpolated", service: "api", fields: ["environment"]
        ) {
            $0.environment[0].value = .interpolated("${LOG_LEVEL:-info}")
        },
        Change(name: "the image tag", service: "api", fields: ["image"]) {
            $0.image = "ghcr.io/acme/shop-api:2.3.2"
        },
        Change(name: "a user label", service: "api", fields: ["labels"]) { $0.labels[0].value = "checkout" },
        Change(name: "the command", service: "api", fields: ["command"]) { $0.command?.append("--verbose") },
        Change(name: "the entrypoint", service: "api", fields: ["entrypoint"]) {
            $0.entrypoint = ["/bin/sh"]
        },
        Change(name: "the replica count", service: "api", fields: ["deploy"]) { $0.replicas = 4 },
        Change(name: "a memory limit", service: "api", fields: ["deploy"]) {
            $0.resources.memoryLimit = "2g"
        },
        Change(name: "the health check interval", service: "api", fields: ["healthcheck"]) {
            $0.healthCheck?.interval = .seconds(30)
        },
        Change(name: "the restart policy", service: "api", fields: ["restart"]) { $0.restart = .always },
        Change(name: "a network", service: "api", fields: ["networks"]) { $0.networks.removeLast() },
        Change(name: "a dependency condition", service: "api", fields: ["depends_on"]) {
            $0.dependencies[0].condition = .started
        },
        Change(name: "the user", service: "api", fields: ["user"]) { $0.user = "1001:1001" },
        Change(name: "the read-only root", service: "api", fields: ["read_only"]) {
            $0.readOnlyRootFilesystem = false
        },
        Change(name: "a secret's path variable", service: "api", fields: ["environment"]) {
            $0.secrets[1].pathVariable = "SESSION_FILE"
        },
        Change(name: "a secret target", service: "api", fields: ["secrets"]) {
            $0.secrets[0].target = "token"
        },
        Change(name: "a config target", service: "api", fields: ["configs"]) {
            $0.configs[0].target = "/etc/issue"
        },
        Change(name: "a published port", service: "web", fields: ["ports"]) { $0.ports[0].published = 8081 },
        Change(name: "a port becomes exposed only", service: "web", fields: ["expose", "ports"]) {
            $0.ports[3].published = nil
            $0.ports[3].hostIP = nil
        },
        Change(name: "a bind mount", service: "web", fields: ["volumes"]) { $0.mounts[0].isReadOnly = false },
        Change(name: "a capability given back", service: "web", fields: ["cap_add"]) {
            $0.addedCapabilities.append("NET_ADMIN")
        },
        Change(
            name: "the engine's default privileges", service: "web", fields: ["cap_add", "cap_drop", "security_opt"]
        ) {
            $0.keepsEngineDefaultPrivileges = true
            $0.droppedCapabilities = []
        },
        Change(
            name: "a working directory and an environment value", service: "api",
            fields: ["environment", "working_dir"]
        ) {
            $0.workingDirectory = "/srv"
            $0.environment[1].value = .literal("Hi")
        },
    ]

    @Test("the config hash changes with exactly the changed fields", arguments: changes)
    func hashFollowsFields(_ change: Change) {
        let stack = Fixtures.everything
        let before = renderer.render(stack, for: .dev)
        let after = renderer.render(Self.changing(change.service, in: stack, change.change), for: .dev)
        let old = before.serviceHashes[change.service]!
        let new = after.serviceHashes[change.service]!
        #expect(old.configuration != new.configuration)
        #expect(new.changedFields(since: old.fields) == change.fields)
        // Reading the previous hashes back from the label gives the same answer.
        #expect(new.changedFields(since: ServiceHash.fields(fromLabel: old.fieldsLabel)) == change.fields)
        for service in stack.services where service.name != change.service {
            #expect(
                before.serviceHashes[service.name] == after.serviceHashes[service.name],
                "\(service.name) changed too")
        }
    }

    @Test("no change, no hash change")
    func unchangedHashes() {
        let stack = Fixtures.everything
        let before = renderer.render(stack, for: .dev)
        // A no-op modification still builds a new value.
        let after = renderer.render(
            Self.changing("api", in: stack) { $0.environment = $0.environment }, for: .dev)
        for (name, hash) in before.serviceHashes {
            #expect(after.serviceHashes[name] == hash)
            #expect(hash.changedFields(since: hash.fields) == [])
        }
    }

    @Test("the environment's name takes part in the hash through the labels")
    func environmentChangesLabelsOnly() {
        let dev = renderer.render(Fixtures.minimal, for: .dev).serviceHashes["web"]!
        let stg = renderer.render(Fixtures.minimal, for: .stg).serviceHashes["web"]!
        #expect(stg.changedFields(since: dev.fields) == ["labels"])
    }

    @Test("the field-hash label reads back into the fields it was written from")
    func fieldsLabelRoundTrip() {
        for (_, hash) in renderer.render(Fixtures.everything, for: .dev).serviceHashes {
            #expect(ServiceHash.fields(fromLabel: hash.fieldsLabel) == hash.fields)
            #expect(hash.fields.values.allSatisfy { $0.count == 12 && $0.allSatisfy(\.isHexDigit) })
            #expect(hash.configuration.count == 64)
        }
    }

    // MARK: Ownership labels

    static func mapping(_ node: YAMLNode?) -> YAMLMapping? {
        if case .mapping(let mapping)? = node { return mapping }
        return nil
    }

    static func strings(_ mapping: YAMLMapping?) -> [String: String]? {
        guard let mapping else { return nil }
        var result: [String: String] = [:]
        for (key, value) in mapping.entries {
            guard case .string(let text) = value else { return nil }
            result[key] = text
        }
        return result
    }

    @Test("every service carries the ownership labels", arguments: Fixtures.goldens)
    func serviceOwnershipLabels(_ golden: Fixtures.Golden) {
        let document = renderer.render(golden.stack, for: golden.environment)
        let services = Self.mapping(Self.mapping(document.root)?["services"])
        for service in golden.stack.services {
            let labels = Self.strings(Self.mapping(Self.mapping(services?[service.name])?["labels"]))
            let hash = document.serviceHashes[service.name]
            #expect(labels?[OwnershipLabel.stack] == golden.stack.name)
            #expect(labels?[OwnershipLabel.environment] == golden.environment.name)
            #expect(labels?[OwnershipLabel.service] == service.name)
            #expect(labels?[OwnershipLabel.configHash] == hash?.configuration)
            #expect(labels?[OwnershipLabel.fieldHashes] == hash?.fieldsLabel)
            for label in service.labels {
                #expect(labels?[label.key] == composeJSON(literal: label.value))
            }
        }
    }

    @Test(
        "created networks and volumes carry the stack's labels, external ones none",
        arguments: Fixtures.goldens)
    func resourceOwnershipLabels(_ golden: Fixtures.Golden) {
        let root = Self.mapping(renderer.render(golden.stack, for: golden.environment).root)
        let expected = [
            OwnershipLabel.stack: golden.stack.name, OwnershipLabel.environment: golden.environment.name,
        ]
        for network in golden.stack.networks {
            let node = Self.mapping(Self.mapping(root?["networks"])?[network.name])
            #expect(node != nil)
            if network.isExternal {
                #expect(node?["labels"] == nil, "external network '\(network.name)'")
                #expect(node?["external"] == .boolean(true))
            } else {
                #expect(Self.strings(Self.mapping(node?["labels"])) == expected, "network '\(network.name)'")
            }
        }
        for volume in golden.stack.volumes {
            let node = Self.mapping(Self.mapping(root?["volumes"])?[volume.name])
            #expect(node != nil)
            if volume.externalName != nil {
                #expect(node?["labels"] == nil, "external volume '\(volume.name)'")
                #expect(node?["external"] == .boolean(true))
            } else {
                #expect(Self.strings(Self.mapping(node?["labels"])) == expected, "volume '\(volume.name)'")
            }
        }
    }

    @Test(
        "changed stacks still pass `docker compose config`",
        .enabled(if: ComposeReferee.shouldRun, ComposeReferee.skipComment))
    func changedStacksPassCompose() async throws {
        // One file holding every changed variant of the api service, as separate services.
        var stack = Fixtures.everything
        for (index, change) in Self.changes.enumerated() where change.service == "api" {
            var service = stack.service(named: "api")!
            change.change(&service)
            service.name = "api-\(index)"
            stack.services.append(service)
        }
        let document = renderer.render(stack, for: .dev)
        let verdict = try await ComposeReferee.config(
            document.yaml, relativePath: ".berth/shop/dev/compose.yaml")
        ModelExpectations(verdict, document: document, stack: stack, environment: .dev).verify()
    }
}
