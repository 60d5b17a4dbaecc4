import BerthCloudflare
import BerthCore
import BerthRendering
import Foundation

/// Something the import could not carry over as it was, or carried over differently.
public struct ImportNote: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What happened to the element.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Berth has no equivalent: kept as a comment in the generated source.
        case unsupported
        /// Expressed another way (a literal credential became a secret, a random host port a
        /// fixed one).
        case changed
    }

    /// What happened.
    public var kind: Kind
    /// The service, or `nil` for a top-level element.
    public var service: String?
    /// The Compose key, as a path: `container_name`, `environment.DB_PASSWORD`, `volumes.data`.
    public var key: String
    /// What the user should know, and do.
    public var message: String
    /// The Compose file and line the element is written on, when the importer found it.
    public var file: String?
    /// The line.
    public var line: Int?

    public var description: String {
        let place = file.map { "\($0)\(line.map { ":\($0)" } ?? ""): " } ?? ""
        let owner = service.map { "service '\($0)', " } ?? ""
        return "\(place)\(kind == .unsupported ? "not imported" : "changed"): \(owner)\(key): \(message)"
    }
}

/// The outcome of an import: the Swift source of the stack, and what did not come over as it
/// was.
public struct ComposeImport: Sendable {
    /// The Compose project's name, which becomes the stack's.
    public var projectName: String
    /// The type that holds the stack in the generated source (`WordpressMysql`).
    public var typeName: String
    /// The generated Swift file.
    public var source: String
    /// Every element not carried over as it was, in the order met.
    public var notes: [ImportNote]
    /// Config files to copy into the package: absolute source path → path in the package.
    public var copiedFiles: [String: String]
    /// The environment variables the deployer must export: the literal credentials, now secrets.
    public var deployerVariables: [String]
    /// The secrets made from literal credentials.
    public var credentialSecrets: [String]
}

/// Writes Berth's DSL for a Compose project, from what `docker compose config --format json`
/// printed for it.
///
/// Every key of every service is either carried over or named in a note (and kept in the source
/// as a comment); nothing is dropped silently. Literal credentials in environment variables
/// become secrets read from the deployer's environment, given to the service as a `*_FILE`
/// variable (the convention official images follow), so the generated package passes Berth's
/// validation and no value is written into it.
public struct ComposeImporter: Sendable {
    /// The folder the package is written to: relative paths in the source (bind mounts, secret
    /// files, build contexts) are written from there.
    public var packageDirectory: String

    /// Creates an importer.
    public init(packageDirectory: String) {
        self.packageDirectory = packageDirectory
    }

    /// The keys of a service the importer carries over; every other one is a note.
    static let handledServiceKeys: Set<String> = [
        "image", "build", "command", "entrypoint", "environment", "ports", "expose", "networks", "volumes", "secrets",
        "configs", "healthcheck", "depends_on", "restart", "labels", "user", "working_dir", "read_only", "cap_drop",
        "cap_add", "tmpfs", "security_opt",
        "deploy", "stop_grace_period", "logging",
    ]

    /// Imports a project.
    /// - Parameter sourceMap: The original files. A file Berth rendered keeps its order (which
    ///   a render of the import then repeats), read from them.
    public func run(_ project: ComposeJSON, sourceMap: ComposeSourceMap? = nil) -> ComposeImport {
        var state = State(packageDirectory: packageDirectory)
        // The name `docker compose config` gave the project, which it prefixes to the names of
        // networks and volumes that have none of their own.
        let composeName = project["name"]?.text ?? "imported"
        var name = composeName
        let rendered = BerthRenderedFile.detect(project, files: sourceMap?.firstPath.map { [$0] } ?? [])
        if let rendered {
            // Berth names the Compose project and the Swarm stack `<stack>-<environment>`; a
            // Swarm stack file has no `name:`, so Compose would take the folder's.
            name = "\(rendered.stack)-\(rendered.environment)"
            state.rendered = rendered
            state.order = sourceMap
            state.project = name
        }
        let typeName = SwiftSource.typeName(name)
        var body: [String] = []

        // Networks, volumes, secrets, configs first, as a reader expects them.
        let gateway = state.renderedGateway(project)
        for (key, value) in state.ordered(project["networks"]?.object ?? [:], at: ["networks"])
        where key != "default" && key != state.gatewayNetwork {
            body.append(state.network(key, value, project: composeName))
        }
        if let gateway { body.append(gateway) }
        if let network = project["networks"]?["default"], network["external"]?.bool == true || network["driver"] != nil
        {
            state.note(
                .unsupported, nil, "networks.default",
                "Berth gives each stack its own default network; the project's default network settings are not imported."
            )
        }
        for (key, value) in state.ordered(project["volumes"]?.object ?? [:], at: ["volumes"]) {
            body.append(state.volume(key, value, project: composeName))
        }
        for (key, value) in state.ordered(project["secrets"]?.object ?? [:], at: ["secrets"]) {
            body.append(state.secret(key, value))
        }
        for (key, value) in state.ordered(project["configs"]?.object ?? [:], at: ["configs"]) {
            body.append(state.config(key, value))
        }
        var services: [String] = []
        state.services = project["services"]?.object ?? [:]
        if state.rendered == nil {
            state.note(
                .changed, nil, "services",
                "Berth runs every service without capabilities, apart from those its image is known to need (PostgreSQL, MySQL, Redis, nginx…) and those the Compose file added, and with no-new-privileges. A service that needs more says so with .capabilities([…]), or keeps Docker's defaults with .engineDefaultPrivileges()."
            )
        }
        for (key, value) in state.ordered(project["services"]?.object ?? [:], at: ["services"]) {
            services.append(state.service(key, value, project: name))
        }
        // Secrets made from literal credentials, declared before the services that read them.
        body += state.credentialSecrets.map(\.declaration)
        body += services

        let heading =
            state.rendered.map { rendered in
                """
                /// The `\(rendered.stack)` stack as Berth rendered it for \(rendered.environment) (the Compose project
                /// `\(name)`), imported by `berth import`. IMPORT-REPORT.md lists what was not carried over
                /// as it was; each such place is also a comment below.
                """
            }
                ?? """
                /// The `\(name)` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
                /// was not carried over as it was; each such place is also a comment below.
                """
        let environments = state.rendered.map { "[\($0.environmentSource)]" } ?? "[.dev, .prod]"
        let stackName = state.rendered?.stack ?? name
        let source = """
            import Berth

            \(heading)
            public enum \(typeName) {
                /// The environments `--env` accepts.
                public static let environments: [Environment] = \(environments)

                /// The deployment the `Deploy` program runs.
                public static let deployment = Deployment(environments: environments) { environment in
                    stack(for: environment)
                }

                /// The stack, the same in every environment (as the Compose file was).
                public static func stack(for environment: Environment) -> Stack {
                    Stack(\(SwiftSource.string(stackName))) {
            \(body.map { indent($0, by: 12) }.joined(separator: "\n"))
                    }
                }
            }

            """
        return ComposeImport(
            projectName: name, typeName: typeName, source: source, notes: state.notes,
            copiedFiles: state.copiedFiles, deployerVariables: state.credentialSecrets.map(\.variable),
            credentialSecrets: state.credentialSecrets.map(\.name))
    }

    private func indent(_ text: String, by spaces: Int) -> String {
        let pad = String(repeating: " ", count: spaces)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }
            .joined(separator: "\n")
    }
}

/// What an import builds up as it goes.
private struct State {
    var packageDirectory: String
    var notes: [ImportNote] = []
    var copiedFiles: [String: String] = [:]
    var credentialSecrets: [CredentialSecret] = []
    /// Every service of the project, for what one says of another.
    var services: [String: ComposeJSON] = [:]
    /// The file Berth rendered, when it is one.
    var rendered: BerthRenderedFile?
    /// The original files, whose order a rendered file keeps.
    var order: ComposeSourceMap?
    /// The Compose project's name.
    var project = ""
    /// The services of a rendered file that have routes: their gateway labels came from them.
    var routed: Set<String> = []

    /// A mapping's entries: in the original files' order for a file Berth rendered (a render of
    /// the import repeats it), else by key.
    func ordered(_ entries: [String: ComposeJSON], at path: [String]) -> [(key: String, value: ComposeJSON)] {
        let sorted = entries.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
        guard rendered != nil, let keys = order?.keys(at: path) else { return sorted }
        let known = keys.filter { entries[$0] != nil }
        return known.map { (key: $0, value: entries[$0]!) } + sorted.filter { !known.contains($0.key) }
    }

    /// The engine name a rendered network declares, for the gateway that serves it.
    func sharedNetwork(_ key: String, engineName: String) -> String {
        "SharedNetwork(\(SwiftSource.string(key)), engineName: \(SwiftSource.string(engineName)), owner: \(SwiftSource.string(rendered?.stack ?? "")))"
    }

    /// The gateway a rendered file's routes go through: Traefik on the network its routed
    /// services' `traefik.docker.network` names; else a gateway that reads routes from files
    /// (nginx, Caddy) on the one shared network they join, which another stack runs.
    mutating func renderedGateway(_ project: ComposeJSON) -> String? {
        guard rendered != nil else { return nil }
        let networks = project["networks"]?.object ?? [:]
        let routed = (project["services"]?.object ?? [:]).filter { $0.value["labels"]?[OwnershipLabel.routes] != nil }
        guard !routed.isEmpty else { return nil }
        let traefik = Set(
            routed.values.compactMap {
                $0["labels"]?["traefik.docker.network"]?.text ?? $0["labels"]?["traefik.swarm.network"]?.text
                    ?? $0["deploy"]?["labels"]?["traefik.swarm.network"]?.text
            })
        if traefik.count == 1, let engineName = traefik.first,
            let (key, _) = networks.first(where: { ($0.value["name"]?.text ?? "") == engineName })
        {
            return "Gateway.traefik(network: \(sharedNetwork(key, engineName: engineName)))"
        }
        let shared = Set(
            routed.values.flatMap { ($0["networks"]?.object ?? [:]).keys }.filter {
                networks[$0]?["external"]?.bool == true
            })
        guard traefik.isEmpty, shared.count == 1, let key = shared.first else { return nil }
        let engineName = networks[key]?["name"]?.text ?? key
        gatewayNetwork = key
        note(
            .changed, nil, "networks.\(key)",
            "The routes go through the gateway of the stack that owns \(engineName), which the file does not name: the import declares an nginx gateway 'nginx' of a stack 'shared-infrastructure' on it. Use the handle that stack publishes (its Gateway) instead."
        )
        return
            "// The gateway the routes go through, and the stack that runs it, are not in the file: use that stack's handle.\nGateway.nginx(service: \"nginx\", network: SharedNetwork(\(SwiftSource.string(key)), engineName: \(SwiftSource.string(engineName)), owner: \"shared-infrastructure\"))"
    }

    /// The network a file gateway's handle declares, which the import then does not.
    var gatewayNetwork: String?

    struct CredentialSecret {
        var name: String
        var variable: String
        var value: String
        var declaration: String {
            "// A literal credential in the Compose file: export \(variable) where you deploy.\nSecret(\(SwiftSource.string(name)), .environment(\(SwiftSource.string(variable))))"
        }
    }

    mutating func note(_ kind: ImportNote.Kind, _ service: String?, _ key: String, _ message: String) {
        notes.append(ImportNote(kind: kind, service: service, key: key, message: message))
    }

    /// A path as the package writes it: relative to the package when it is below the same root.
    func path(_ absolute: String) -> String {
        guard absolute.hasPrefix("/") else { return absolute }
        let from = URL(fileURLWithPath: packageDirectory).standardizedFileURL.pathComponents
        let to = URL(fileURLWithPath: absolute).standardizedFileURL.pathComponents
        var common = 0
        while common < min(from.count, to.count) && from[common] == to[common] { common += 1 }
        guard common > 1 else { return absolute }
        let ups = Array(repeating: "..", count: from.count - common)
        let rest = Array(to[common...])
        let joined = (ups + rest).joined(separator: "/")
        return joined.isEmpty ? "." : joined
    }

    // MARK: Top level

    mutating func network(_ key: String, _ value: ComposeJSON, project: String) -> String {
        if rendered != nil, value["external"]?.bool != true, let name = value["name"]?.text, name != "\(project)_\(key)"
        {
            // A network of the stack with a name of its own: shared with other stacks.
            return sharedNetwork(key, engineName: name)
        }
        var extra: [String] = []
        if value["external"]?.bool == true {
            let real = value["name"]?.text ?? key
            return
                "Network.external(\(SwiftSource.string(key))\(real == key ? "" : ", realName: \(SwiftSource.string(real))"))"
        }
        var arguments = [SwiftSource.string(key)]
        if value["internal"]?.bool == true { arguments.append("internal: true") }
        if let driver = value["driver"]?.text, driver != "bridge", !(rendered?.swarm == true && driver == "overlay") {
            arguments.append("driver: \(SwiftSource.string(driver))")
        }
        for (field, content) in (value.object ?? [:]).sorted(by: { $0.key < $1.key }) {
            switch field {
            case "name", "internal", "driver", "external": continue
            case "attachable" where rendered?.swarm == true: continue
            case "ipam" where content.object?.isEmpty ?? true: continue
            case "labels" where rendered != nil && (content.object ?? [:]).keys.allSatisfy(BerthRenderedFile.isBerths):
                continue
            default:
                note(.unsupported, nil, "networks.\(key).\(field)", "Berth does not set a network's \(field).")
                extra.append("// compose: networks.\(key).\(field) is not imported")
            }
        }
        if let name = value["name"]?.text, name != "\(project)_\(key)" {
            note(
                .changed, nil, "networks.\(key).name",
                "Berth names the network \(project)_\(key)-style itself, not \(name).")
        }
        return (extra + ["Network(\(arguments.joined(separator: ", ")))"]).joined(separator: "\n")
    }

    mutating func volume(_ key: String, _ value: ComposeJSON, project: String) -> String {
        if value["external"]?.bool == true {
            let real = value["name"]?.text ?? key
            return
                "Volume.external(\(SwiftSource.string(key))\(real == key ? "" : ", realName: \(SwiftSource.string(real))"))"
        }
        var extra: [String] = []
        for (field, content) in (value.object ?? [:]).sorted(by: { $0.key < $1.key })
        where !["name", "external"].contains(field) {
            if rendered != nil, field == "labels", (content.object ?? [:]).keys.allSatisfy(BerthRenderedFile.isBerths) {
                continue
            }
            note(
                .unsupported, nil, "volumes.\(key).\(field)",
                "Berth creates volumes with the local driver and its own labels; \(field) is not set.")
            extra.append("// compose: volumes.\(key).\(field) is not imported")
        }
        if let name = value["name"]?.text, name != "\(project)_\(key)" {
            note(
                .changed, nil, "volumes.\(key).name",
                "Berth names the volume <stack>-<environment>_\(key), not \(name); point it at the existing one with Volume.external if it holds data."
            )
        }
        return (extra + ["Volume(\(SwiftSource.string(key)))"]).joined(separator: "\n")
    }

    mutating func secret(_ key: String, _ value: ComposeJSON) -> String {
        if let file = value["file"]?.text {
            note(
                .changed, nil, "secrets.\(key)",
                "Read from \(path(file)) as before; keep that file out of version control.")
            return "Secret(\(SwiftSource.string(key)), .file(\(SwiftSource.string(path(file)))))"
        }
        if let variable = value["environment"]?.text {
            if rendered != nil {
                note(
                    .changed, nil, "secrets.\(key)",
                    "Berth renders every secret from a variable it sets when it deploys, whatever the description said the value comes from (a file, generated, the environment): it is now read from \(variable); declare its real source."
                )
            }
            return "Secret(\(SwiftSource.string(key)), .environment(\(SwiftSource.string(variable))))"
        }
        if value["external"]?.bool == true {
            if let rendered, rendered.swarm, value["name"]?.text == "\(project)_\(key)" {
                // Berth creates a Swarm stack's secrets itself and names them in the file.
                note(
                    .changed, nil, "secrets.\(key)",
                    "Berth creates a Swarm stack's secrets when it deploys, from the sources the description names: where this one's value comes from is not in the file; it is now read from BERTH_SECRET_\(key); declare its real source."
                )
                return "Secret(\(SwiftSource.string(key)), .environment(\(SwiftSource.string("BERTH_SECRET_\(key)"))))"
            }
            return "Secret(\(SwiftSource.string(key)), .external(\(SwiftSource.string(value["name"]?.text ?? key))))"
        }
        note(
            .unsupported, nil, "secrets.\(key)",
            "A secret with neither a file, an environment variable nor external: declared generated instead.")
        return "// compose: the source of secret \(key) is not imported\nSecret.generated(\(SwiftSource.string(key)))"
    }

    mutating func config(_ key: String, _ value: ComposeJSON) -> String {
        if let file = value["file"]?.text {
            var copy = "config/" + URL(fileURLWithPath: file).lastPathComponent
            // Where the rendering package kept it, so a render of the import names the same path.
            if let root = rendered?.packageRoot, file.hasPrefix(root + "/") {
                copy = String(file.dropFirst(root.count + 1))
            }
            copiedFiles[file] = copy
            return "Config(\(SwiftSource.string(key)), .file(\(SwiftSource.string(copy))))"
        }
        if let content = value["content"]?.text {
            return "Config(\(SwiftSource.string(key)), .content(\(SwiftSource.string(content))))"
        }
        if let rendered, rendered.swarm, value["external"]?.bool == true {
            // Berth's Swarm stack files say where a config's content comes from, in extension
            // keys `docker compose config` leaves out: read from the file, `$$` as written.
            func written(_ field: String) -> String? {
                order?.scalar(at: ["configs", key, field]).map { $0.replacingOccurrences(of: "$$", with: "$") }
            }
            if let path = written("x-berth-file") {
                if let root = rendered.packageRoot {
                    copiedFiles[root + "/" + path] = path
                }
                return "Config(\(SwiftSource.string(key)), .file(\(SwiftSource.string(path))))"
            }
            if let content = written("x-berth-content") {
                return "Config(\(SwiftSource.string(key)), .content(\(SwiftSource.string(content))))"
            }
        }
        if let rendered, rendered.swarm, value["external"]?.bool == true, value["name"]?.text == "\(project)_\(key)" {
            note(
                .unsupported, nil, "configs.\(key)",
                "Berth creates a Swarm stack's configs when it deploys, from the description: the content is not in the file, so the config is declared empty. Put its content (or its file) back before deploying."
            )
            return
                "// The content of config \(key) is not in a Swarm stack file: put it back before deploying.\nConfig(\(SwiftSource.string(key)), .content(\"\"))"
        }
        note(
            .unsupported, nil, "configs.\(key)",
            "Only configs from a file or with content are imported; declared empty.")
        return
            "// compose: the source of config \(key) is not imported\nConfig(\(SwiftSource.string(key)), .content(\"\"))"
    }

    // MARK: Services

    mutating func service(_ name: String, _ value: ComposeJSON, project: String) -> String {
        let s = SwiftSource.string
        var lines: [String] = []
        var image = value["image"]?.text
        if image == nil, value["build"] != nil {
            image = ""
            note(
                .changed, name, "image",
                "Compose names the built image \(project)-\(name); Berth tags it berth-build/<stack>-\(name):<content hash>."
            )
        } else if let named = image, value["build"] != nil, let colon = named.lastIndex(of: ":"),
            !named[colon...].contains("/")
        {
            image = String(named[..<colon])
            note(
                .changed, name, "image",
                "Berth tags the image it builds with the hash of its build inputs, not \(named[named.index(after: colon)...]); the repository \(image!) is kept."
            )
        }
        lines.append("Service(\(s(name)), image: \(s(image ?? "")))")
        func add(_ call: String) { lines.append("    ." + call) }
        func comment(_ text: String) { lines.append("    // compose: " + SwiftSource.comment(text)) }

        if let build = value["build"] {
            var arguments = ["context: \(s(path(build["context"]?.text ?? ".")))"]
            if let dockerfile = build["dockerfile"]?.text, dockerfile != "Dockerfile" {
                arguments.append("dockerfile: \(s(dockerfile))")
            }
            if let target = build["target"]?.text { arguments.append("target: \(s(target))") }
            if let args = build["args"]?.object, !args.isEmpty {
                let pairs = args.sorted { $0.key < $1.key }.compactMap { key, value in
                    value.text.map { "\(s(key)): \(s($0))" }
                }
                arguments.append("args: [\(pairs.joined(separator: ", "))]")
            }
            add("build(\(arguments.joined(separator: ", ")))")
            for field in (build.object ?? [:]).keys.sorted()
            where !["context", "dockerfile", "target", "args"].contains(field) {
                note(
                    .unsupported, name, "build.\(field)",
                    "Berth builds with context, Dockerfile, target and arguments only.")
                comment("build.\(field) is not imported")
            }
        }
        if let entrypoint = value["entrypoint"]?.strings { add("entrypoint(\(SwiftSource.strings(entrypoint)))") }
        if let command = value["command"]?.strings { add("command(\(SwiftSource.strings(command)))") }
        environment(name, value["environment"]?.object ?? [:], add: &lines)
        ports(name, value, add: &lines)
        networks(name, value["networks"]?.object ?? [:], add: &lines)
        volumes(name, value["volumes"]?.array ?? [], add: &lines)
        for secret in value["secrets"]?.array ?? [] {
            guard let source = secret["source"]?.text else { continue }
            var target = secret["target"]?.text ?? source
            if target.hasPrefix("/run/secrets/") { target.removeFirst("/run/secrets/".count) }
            add(target == source ? "secret(\(s(source)))" : "secret(\(s(source)), target: \(s(target)))")
            for field in ["uid", "gid", "mode"] where secret[field] != nil {
                note(
                    .unsupported, name, "secrets.\(source).\(field)",
                    "Berth mounts secrets read-only for the container's user; \(field) is not set.")
                comment("secrets.\(source).\(field) is not imported")
            }
        }
        for config in value["configs"]?.array ?? [] {
            guard let source = config["source"]?.text else { continue }
            add("config(\(s(source)), at: \(s(config["target"]?.text ?? "/\(source)")))")
            for field in ["uid", "gid", "mode"] where config[field] != nil {
                note(
                    .unsupported, name, "configs.\(source).\(field)",
                    "Berth mounts configs read-only; \(field) is not set.")
                comment("configs.\(source).\(field) is not imported")
            }
        }
        healthCheck(name, value["healthcheck"], add: &lines)
        for (dependency, detail) in (value["depends_on"]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
            var condition =
                switch detail["condition"]?.text {
                case "service_healthy": ".healthy"
                case "service_completed_successfully": ".completed"
                default: ".started"
                }
            let check = services[dependency]?["healthcheck"]
            if condition == ".healthy",
                check == nil || check?["disable"]?.bool == true || check?["test"]?.strings?.first == "NONE"
            {
                condition = ".started"
                note(
                    .changed, name, "depends_on.\(dependency)",
                    "It waited for '\(dependency)' to be healthy by the image's own health check, which Berth does not read: it now waits for it to start. Declare the check on '\(dependency)' with .healthCheck(…) and depend with condition: .healthy."
                )
            }
            add("dependsOn(\(s(dependency)), condition: \(condition))")
            if detail["restart"]?.bool == true || detail["required"]?.bool == false {
                note(
                    .unsupported, name, "depends_on.\(dependency)",
                    "restart and required: false are not imported; Berth starts the dependency first.")
            }
        }
        if rendered?.swarm != true { restart(name, value["restart"]?.text, add: &lines) }
        let routes =
            rendered == nil
            ? []
            : (value["labels"]?[OwnershipLabel.routes]?.text.flatMap {
                try? JSONDecoder().decode([Route].self, from: Data($0.utf8))
            } ?? [])
        for (key, label) in ordered(value["labels"]?.object ?? [:], at: ["services", name, "labels"]) {
            // A rendered file's own labels, and the gateway labels its routes became.
            if rendered != nil
                && (BerthRenderedFile.isBerths(key) || (!routes.isEmpty && key.lowercased().hasPrefix("traefik.")))
            {
                continue
            }
            add("label(\(s(key)), \(s(label.text ?? "")))")
        }
        for route in RouteSource.calls(routes) { add(route) }
        if !routes.isEmpty { routed.insert(name) }
        // The tunnel a rendered cloudflared service runs, in the file as Berth wrote it.
        if rendered != nil,
            let json = order?.scalar(at: ["services", name, Service.tunnelExtension])?.replacingOccurrences(
                of: "$$", with: "$"),
            let tunnel = try? JSONDecoder().decode(Tunnel.self, from: Data(json.utf8))
        {
            let (call, dropped) = TunnelSource.call(tunnel)
            add(call.replacingOccurrences(of: "\n", with: "\n    "))
            if !dropped.isEmpty {
                note(
                    .unsupported, name, Service.tunnelExtension,
                    "Not imported: \(dropped.joined(separator: ", ")); set them on the Tunnel again.")
            }
        }
        if let user = value["user"]?.text { add("user(\(s(user)))") }
        if let directory = value["working_dir"]?.text { add("workingDirectory(\(s(directory)))") }
        // Scratch space in memory: with a read-only root, the paths the service writes to.
        // `/tmp:size=16m,mode=1777`: the path, and the size Berth can carry.
        let scratch = (value["tmpfs"]?.strings ?? value["tmpfs"]?.text.map { [$0] } ?? []).map { entry in
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            let options = parts.count > 1 ? parts[1].split(separator: ",").map(String.init) : []
            let size = options.first { $0.hasPrefix("size=") }.flatMap {
                ComposeImporter.bytes(String($0.dropFirst(5)))
            }
            return (
                path: parts.first ?? "", size: size, dropped: options.filter { !$0.hasPrefix("size=") || size == nil }
            )
        }
        let dropped = scratch.flatMap { entry in entry.dropped.map { "\(entry.path): \($0)" } }
        if !dropped.isEmpty {
            note(
                .changed, name, "tmpfs",
                "tmpfs options other than the size are not imported (\(dropped.joined(separator: ", "))): the engine's defaults apply."
            )
            lines.append(
                "    // compose: "
                    + SwiftSource.comment("tmpfs options \(dropped.joined(separator: ", ")) (not imported)"))
        }
        if value["read_only"]?.bool == true, !scratch.isEmpty, scratch.allSatisfy({ $0.size == nil }) {
            add("writablePaths(\(SwiftSource.strings(scratch.map(\.path))))")
        } else {
            if value["read_only"]?.bool == true { add("readOnlyRootFilesystem()") }
            for entry in scratch {
                add("mount(.tmpfs(sizeBytes: \(entry.size.map(String.init) ?? "nil")), at: \(s(entry.path)))")
            }
        }
        // Berth sets no-new-privileges on every Compose service; other options it cannot carry.
        let securityOptions = (value["security_opt"]?.strings ?? []).filter {
            !["no-new-privileges", "no-new-privileges:true", "no-new-privileges=true"].contains($0)
        }
        if !securityOptions.isEmpty {
            note(
                .unsupported, name, "security_opt",
                "\(securityOptions.joined(separator: ", ")) not imported: Berth sets no-new-privileges on every Compose service and no other security option."
            )
            lines.insert(
                "    // compose: "
                    + SwiftSource.comment(
                        "security_opt: \(compact(.array(securityOptions.map(ComposeJSON.string)))) — not imported: Berth sets no-new-privileges, and no other option"
                    ), at: 1)
        }
        if let dropped = value["cap_drop"]?.strings, !dropped.isEmpty, !(rendered != nil && dropped == ["ALL"]) {
            add("dropCapabilities(\(SwiftSource.strings(dropped)))")
        } else if rendered != nil, value["cap_drop"] == nil {
            add("engineDefaultPrivileges()")
        }
        if let added = value["cap_add"]?.strings, !added.isEmpty {
            add("capabilities(\(SwiftSource.strings(added)))")
        }
        if let period = value["stop_grace_period"]?.text {
            if let duration = ComposeDuration.swift(period) { add("stopGracePeriod(\(duration))") }
        }
        deploy(name, value["deploy"], add: &lines)
        logging(name, value["logging"], add: &lines)
        // What Berth has no equivalent of goes first, where a reader of the service sees it.
        var unsupported: [String] = []
        for (key, content) in (value.object ?? [:]).sorted(by: { $0.key < $1.key })
        where !ComposeImporter.handledServiceKeys.contains(key) && content != .null
            && !(rendered != nil && key.hasPrefix("x-berth-"))
        {
            note(.unsupported, name, key, Self.advice[key] ?? "Berth has no equivalent of `\(key)`.")
            unsupported.append(
                "    // compose: "
                    + SwiftSource.comment(
                        "\(key): \(compact(content)) — not imported: \(Self.advice[key] ?? "no equivalent in Berth")"))
        }
        lines.insert(contentsOf: unsupported, at: 1)
        return lines.joined(separator: "\n")
    }

    /// Why a key is not imported, and what to do instead, for the common ones.
    static let advice: [String: String] = [
        "container_name":
            "Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.",
        "hostname": "the service's name is its host name on its networks.",
        "profiles":
            "Berth deploys every service of the stack; put optional services in a stack of their own or an environment.",
        "privileged": "privileged containers are not supported; give the service the capabilities it needs.",
        "network_mode": "services attach to the stack's networks.",
        "extra_hosts": "reach other services by name on a shared network, or give the address in the environment.",
        "init": "use an image whose entrypoint reaps its children (tini, dumb-init).",
        "ulimits": "not supported yet.",
        "sysctls": "not supported yet.",
        "devices": "devices are not supported.",
        "shm_size": "mount a tmpfs at /dev/shm instead: .mount(.tmpfs(sizeBytes: …), at: \"/dev/shm\").",
        "tty": "Berth runs services without a terminal; `shell SERVICE` opens one.",
        "stdin_open": "Berth runs services without an open standard input; `exec -- …` passes one.",
        "platform": "the engine's platform is used.",
        "pull_policy": "Berth pulls images the engine does not have, and builds what it builds.",
        "env_file": "its variables are imported one by one.",
    ]

    private func compact(_ value: ComposeJSON) -> String {
        switch value {
        case .string(let text): return SwiftSource.string(text)
        case .array(let items): return "[" + items.map(compact).joined(separator: ", ") + "]"
        case .object(let object):
            return "{"
                + object.sorted { $0.key < $1.key }.map { "\($0.key): \(compact($0.value))" }.joined(separator: ", ")
                + "}"
        default: return value.text ?? "null"
        }
    }

    private mutating func environment(_ service: String, _ variables: [String: ComposeJSON], add lines: inout [String])
    {
        let s = SwiftSource.string
        for (key, value) in ordered(variables, at: ["services", service, "environment"]) {
            guard let text = value.text else {
                note(
                    .unsupported, service, "environment.\(key)",
                    "It takes its value from the shell that runs Compose; Berth writes values into the description. Declare it with a value, or as a Secret read from the environment."
                )
                lines.append("    // compose: environment.\(key) passed through from the shell (not imported)")
                continue
            }
            let credential =
                (Naming.looksSecret(key) && !text.isEmpty) || CredentialScan.hasURLPassword(text)
                || key.uppercased().hasSuffix("_DSN") && CredentialScan.hasURLUser(text)
            guard credential else {
                lines.append("    .environment(\(s(key)), \(s(text)))")
                continue
            }
            if rendered != nil {
                // Berth rendered it as it is, so its description declared it not secret.
                note(
                    .changed, service, "environment.\(key)",
                    "It looks like a credential, but Berth rendered it as it is, so the description declared it not secret: kept so, with .notSecret. Make it a secret if it is one."
                )
                lines.append("    .environment(\(s(key)), .notSecret(\(s(text))))")
                continue
            }
            let secret: CredentialSecret
            if let shared = credentialSecrets.first(where: { $0.value == text }) {
                secret = shared
            } else {
                var name = key.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.map(String.init).joined()
                if credentialSecrets.contains(where: { $0.name == name }) { name = "\(service)_\(name)" }
                secret = CredentialSecret(name: name, variable: name.uppercased(), value: text)
                credentialSecrets.append(secret)
            }
            note(
                .changed, service, "environment.\(key)",
                "It held a literal credential: it is now the secret '\(secret.name)', read from the deployer's environment variable \(secret.variable) and given to the service as the file \(key)_FILE names (official images of PostgreSQL, MySQL, MariaDB and others read *_FILE). For an application that reads only \(key), compose it instead: .environment(\"\(key)\", .composed(\"\\(secret: \"\(secret.name)\")\"))."
            )
            lines.append("    // \(key) was a literal credential: the service reads \(key)_FILE.")
            lines.append("    .secret(\(s(secret.name)), pathVariable: \(s(key + "_FILE")))")
        }
    }

    private mutating func ports(_ service: String, _ value: ComposeJSON, add lines: inout [String]) {
        let s = SwiftSource.string
        for port in value["expose"]?.strings ?? [] {
            let parts = port.split(separator: "/")
            guard let number = Int(parts.first ?? "") else {
                note(.unsupported, service, "expose", "The range \(port) is not imported; expose each port.")
                continue
            }
            lines.append("    .expose(\(number)\(parts.count > 1 && parts[1] == "udp" ? ", transport: .udp" : ""))")
        }
        for port in value["ports"]?.array ?? [] {
            guard let target = port["target"]?.int else { continue }
            var arguments = [String(target)]
            let published = port["published"]?.text
            if let published {
                guard let number = Int(published) else {
                    note(
                        .unsupported, service, "ports",
                        "The host port range \(published) is not imported; publish each port.")
                    lines.append("    // compose: ports \(published):\(target) (a range, not imported)")
                    continue
                }
                if number != target { arguments.append("on: \(number)") }
            } else {
                note(
                    .changed, service, "ports",
                    "Port \(target) was published on a random host port; Berth publishes it on \(target).")
            }
            switch port["host_ip"]?.text {
            case nil, "0.0.0.0", "::": arguments.append("public: true")
            case "127.0.0.1": break
            case let address?: arguments.append("hostIP: \(s(address))")
            }
            if port["protocol"]?.text == "udp" { arguments.append("transport: .udp") }
            if port["mode"]?.text == "host" { arguments.append("mode: .host") }
            lines.append("    .publish(\(arguments.joined(separator: ", ")))")
        }
    }

    private mutating func networks(_ service: String, _ networks: [String: ComposeJSON], add lines: inout [String]) {
        let names = ordered(networks, at: ["services", service, "networks"]).map(\.key)
        let custom = names.filter { $0 != "default" }
        if !custom.isEmpty {
            lines.append("    .networks(\(custom.map(SwiftSource.string).joined(separator: ", ")))")
            if names.contains("default") {
                note(
                    .changed, service, "networks.default",
                    "It was on the default network too; in Berth a service on named networks is only on those. Add it to a named network its peers share."
                )
            }
        }
        for (network, detail) in networks.sorted(by: { $0.key < $1.key }) where detail.object?.isEmpty == false {
            note(
                .unsupported, service, "networks.\(network)",
                "Aliases, fixed addresses and priorities are not imported: reach the service by its name.")
            lines.append("    // compose: networks.\(network) settings (not imported)")
        }
    }

    private mutating func volumes(_ service: String, _ mounts: [ComposeJSON], add lines: inout [String]) {
        let s = SwiftSource.string
        for mount in mounts {
            guard let target = mount["target"]?.text else { continue }
            let readOnly = mount["read_only"]?.bool == true ? ", readOnly: true" : ""
            switch mount["type"]?.text {
            case "volume":
                if let source = mount["source"]?.text {
                    lines.append("    .volume(\(s(source)), at: \(s(target))\(readOnly))")
                } else {
                    note(
                        .changed, service, "volumes",
                        "The anonymous volume at \(target) is not imported: name it (Volume(…)) so its data survives a replacement."
                    )
                    lines.append("    // compose: an anonymous volume at \(target) (not imported)")
                }
            case "bind":
                lines.append("    .mount(.bind(\(s(path(mount["source"]?.text ?? "")))), at: \(s(target))\(readOnly))")
            case "tmpfs":
                let size = mount["tmpfs"]?["size"]?.int.map(String.init) ?? "nil"
                lines.append("    .mount(.tmpfs(sizeBytes: \(size)), at: \(s(target)))")
            default:
                note(
                    .unsupported, service, "volumes",
                    "The \(mount["type"]?.text ?? "unknown") mount at \(target) is not imported.")
                lines.append("    // compose: a \(mount["type"]?.text ?? "") mount at \(target) (not imported)")
            }
        }
    }

    private mutating func healthCheck(_ service: String, _ check: ComposeJSON?, add lines: inout [String]) {
        guard let check else { return }
        if check["disable"]?.bool == true {
            note(.unsupported, service, "healthcheck.disable", "Berth cannot switch off the image's own health check.")
            lines.append("    // compose: healthcheck disabled (not imported)")
            return
        }
        guard let test = check["test"]?.strings, let kind = test.first else { return }
        let probe: String
        switch kind {
        case "CMD": probe = ".command(\(SwiftSource.strings(Array(test.dropFirst()))))"
        case "CMD-SHELL": probe = ".shell(\(SwiftSource.string(test.dropFirst().joined(separator: " "))))"
        default:
            note(
                .unsupported, service, "healthcheck.test",
                "Berth cannot switch off the image's own health check (NONE).")
            lines.append("    // compose: healthcheck NONE (not imported)")
            return
        }
        // Compose's defaults, written out: Berth's own differ.
        let interval = ComposeDuration.swift(check["interval"]?.text ?? "30s") ?? ".seconds(30)"
        let timeout = ComposeDuration.swift(check["timeout"]?.text ?? "30s") ?? ".seconds(30)"
        let start = ComposeDuration.swift(check["start_period"]?.text ?? "0s") ?? ".seconds(0)"
        let retries = check["retries"]?.int ?? 3
        lines.append(
            "    .healthCheck(HealthCheck(\(probe), interval: \(interval), timeout: \(timeout), retries: \(retries), startPeriod: \(start)))"
        )
        if check["start_interval"] != nil {
            note(
                .unsupported, service, "healthcheck.start_interval",
                "Not imported; the interval applies from the start.")
        }
    }

    private mutating func restart(_ service: String, _ policy: String?, add lines: inout [String]) {
        switch policy ?? "no" {
        case "no": lines.append("    .restart(.never)")
        case "always": lines.append("    .restart(.always)")
        case "unless-stopped": break  // Berth's default
        case let other where other.hasPrefix("on-failure"):
            let attempts = other.split(separator: ":").dropFirst().first.flatMap { Int($0) }
            lines.append("    .restart(.onFailure(maxAttempts: \(attempts.map(String.init) ?? "nil")))")
        case let other:
            note(.unsupported, service, "restart", "The policy \(other) is not one Compose documents.")
        }
    }

    private mutating func deploy(_ service: String, _ deploy: ComposeJSON?, add lines: inout [String]) {
        guard let deploy else { return }
        if let replicas = deploy["replicas"]?.int, replicas != 1 { lines.append("    .replicas(\(replicas))") }
        if rendered?.swarm == true { swarmDeploy(service, deploy, add: &lines) }
        var resources: [String] = []
        for (group, prefix) in [("limits", "Limit"), ("reservations", "Reservation")] {
            guard let values = deploy["resources"]?[group] else { continue }
            if let cpus = values["cpus"]?.text { resources.append("cpu\(prefix): \(cpus)") }
            if let memory = values["memory"]?.text {
                // Compose prints bytes; a file Berth rendered has the size as the description wrote it.
                let written =
                    rendered == nil
                    ? nil : order?.scalar(at: ["services", service, "deploy", "resources", group, "memory"])
                resources.append("memory\(prefix): \(SwiftSource.string(written ?? memoryText(memory)))")
            }
            for field in (values.object ?? [:]).keys.sorted() where !["cpus", "memory"].contains(field) {
                note(
                    .unsupported, service, "deploy.resources.\(group).\(field)",
                    "Not imported: Berth sets CPU and memory only.")
            }
        }
        if !resources.isEmpty { lines.append("    .resources(Resources(\(resources.joined(separator: ", "))))") }
        let handled =
            rendered?.swarm == true
            ? [
                "replicas", "resources", "mode", "endpoint_mode", "placement", "restart_policy", "update_config",
                "rollback_config", "labels",
            ] : ["replicas", "resources"]
        for (field, value) in (deploy.object ?? [:]).sorted(by: { $0.key < $1.key })
        where !handled.contains(field) && !(value.object?.isEmpty ?? false) {
            note(
                .unsupported, service, "deploy.\(field)",
                "Not imported: Berth's .update(…), .restart(…) and deploy policy cover updates and restarts for Swarm; set them there."
            )
            lines.append("    // compose: deploy.\(field) (not imported)")
        }
    }

    /// The `deploy` keys of a Swarm stack file Berth rendered, which it writes in full: the
    /// import says them all, so a render of it writes them again.
    private mutating func swarmDeploy(_ service: String, _ deploy: ComposeJSON, add lines: inout [String]) {
        let s = SwiftSource.string
        if let mode = deploy["mode"]?.text, mode != "replicated" {
            let cases = ["global": ".global", "replicated-job": ".replicatedJob", "global-job": ".globalJob"]
            lines.append("    .deployMode(\(cases[mode] ?? ".replicated"))")
        }
        if deploy["endpoint_mode"]?.text == "dnsrr" { lines.append("    .endpointMode(.dnsrr)") }
        for constraint in deploy["placement"]?["constraints"]?.strings ?? [] {
            lines.append("    .constraint(\(s(constraint)))")
        }
        for preference in deploy["placement"]?["preferences"]?.array ?? [] {
            if let label = preference["spread"]?.text { lines.append("    .spread(over: \(s(label)))") }
        }
        if let limit = deploy["placement"]?["max_replicas_per_node"]?.int {
            lines.append("    .maxReplicasPerNode(\(limit))")
        }
        if let restart = deploy["restart_policy"] {
            var arguments: [String] = []
            switch restart["condition"]?.text {
            case "none": arguments.append(".never")
            case "on-failure":
                arguments.append(".onFailure(maxAttempts: \(restart["max_attempts"]?.int.map(String.init) ?? "nil"))")
            default: arguments.append(".unlessStopped")
            }
            if let delay = restart["delay"]?.text.flatMap(ComposeDuration.swift) { arguments.append("delay: \(delay)") }
            if let window = restart["window"]?.text.flatMap(ComposeDuration.swift) {
                arguments.append("window: \(window)")
            }
            if arguments != [".unlessStopped"] { lines.append("    .restart(\(arguments.joined(separator: ", ")))") }
        }
        for (key, modifier) in [("update_config", "updatePolicy"), ("rollback_config", "rollbackPolicy")] {
            guard let policy = deploy[key] else { continue }
            let actions = ["continue": ".continue", "rollback": ".rollback", "pause": ".pause"]
            let arguments = [
                "parallelism: \(policy["parallelism"]?.int ?? 1)",
                "delay: \(policy["delay"]?.text.flatMap(ComposeDuration.swift) ?? ".zero")",
                "failureAction: \(actions[policy["failure_action"]?.text ?? ""] ?? ".pause")",
                "monitor: \(policy["monitor"]?.text.flatMap(ComposeDuration.swift) ?? ".seconds(5)")",
                "maxFailureRatio: \(policy["max_failure_ratio"]?.text ?? "0")",
                "order: \(policy["order"]?.text == "start-first" ? ".startFirst" : ".stopFirst")",
            ]
            lines.append("    .\(modifier)(UpdatePolicy(\(arguments.joined(separator: ", "))))")
        }
        for (key, label) in ordered(deploy["labels"]?.object ?? [:], at: ["services", service, "deploy", "labels"]) {
            if BerthRenderedFile.isBerths(key) || (routed.contains(service) && key.lowercased().hasPrefix("traefik.")) {
                continue
            }
            lines.append("    .serviceLabel(\(s(key)), \(s(label.text ?? "")))")
        }
    }

    /// Compose prints memory in bytes; Berth reads sizes with a unit.
    private func memoryText(_ text: String) -> String {
        guard let bytes = Int(text) else { return text }
        for (unit, size) in [("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)] where bytes % size == 0 {
            return "\(bytes / size)\(unit)"
        }
        return "\(bytes)b"
    }

    private mutating func logging(_ service: String, _ logging: ComposeJSON?, add lines: inout [String]) {
        guard let logging, let driver = logging["driver"]?.text else { return }
        let options = logging["options"]?.object ?? [:]
        switch driver {
        case "json-file", "local":
            let size = options["max-size"]?.text ?? "20m"
            let files = options["max-file"]?.int ?? (driver == "local" ? 5 : 1)
            lines.append(
                "    .logging(.\(driver == "local" ? "local" : "jsonFile")(maxSize: \(SwiftSource.string(size)), files: \(files)))"
            )
            for key in options.keys.sorted() where !["max-size", "max-file"].contains(key) {
                note(
                    .unsupported, service, "logging.options.\(key)",
                    "Not imported: Berth sets the size and number of files.")
            }
        case "none": lines.append("    .logging(.none)")
        default:
            note(
                .unsupported, service, "logging",
                "The \(driver) log driver is not imported; Berth writes json-file, local, Loki or none.")
            lines.append("    // compose: logging driver \(driver) (not imported)")
        }
    }
}

extension ComposeImporter {
    /// A size as `mount -t tmpfs` reads it (`16m`, `64k`, `1g`, `4096`), in bytes.
    static func bytes(_ text: String) -> Int? {
        let units: [Character: Int] = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30]
        if let last = text.last?.lowercased().first, let unit = units[last] {
            return Int(text.dropLast()).map { $0 * unit }
        }
        return Int(text)
    }
}
