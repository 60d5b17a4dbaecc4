import BerthCore
import BerthGateway
import BerthRendering
import Foundation

/// Brings a file-configured gateway's routes (nginx, Caddy) up to date with the stacks it
/// serves.
///
/// After each `up` and `down` of a stack behind such a gateway (and of the gateway's own
/// stack), Berth reads every route recorded on the engine for the gateway's network, renders
/// the gateway's files from them (``GatewayRouteFiles``), and hands them to each running
/// gateway container: staged, tested by the gateway's own check in the container (where the
/// upstream names resolve), and only then made active and reloaded. A file the gateway refuses
/// never replaces the running one. A gateway that reads routes itself (Traefik, from labels)
/// needs none of this.
public struct GatewaySync: Sendable {
    /// The engine.
    public var engine: DockerEngine
    /// Where progress goes.
    public var console: Console

    /// Creates a sync.
    public init(engine: DockerEngine, console: Console = Console()) {
        self.engine = engine
        self.console = console
    }

    /// Renders the routes of every stack and reloads every running container of the gateway.
    ///
    /// A gateway that is not running yet is not an error: its own deploy syncs it.
    /// - Throws: ``GatewayReloadFailure`` when the gateway refuses the new routes (the running
    ///   ones stay), ``ValidationFailure`` when the routes cannot be rendered for it.
    /// - Parameter excluded: IDs of containers to take out of the routes: the old containers of
    ///   a service being updated, which then finish the requests they have and get no new ones.
    public func sync(_ gateway: Gateway, excluding excluded: Set<String> = []) async throws {
        guard let files = gateway.adapter.routeFiles else { return }
        // A gateway container can stop halfway through a sync: Swarm replaces a task whose
        // health check failed, a restart policy restarts a crashed one. That is no refusal of
        // the routes; the containers running now get them, the replacement included, which
        // would otherwise start with the routes of the sync before.
        var attempt = 1
        while true {
            do {
                try await syncOnce(gateway, files: files, excluding: excluded, awaitingReplacement: attempt > 1)
                return
            } catch let stopped as GatewayContainerStopped where attempt < Self.attempts {
                attempt += 1
                console.progress(
                    "Gateway \(gateway.owner)/\(gateway.service): container \(stopped.container) stopped during the reload; syncing the running containers again (attempt \(attempt) of \(Self.attempts))…"
                )
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// How many times a sync starts over when a gateway container stops under it.
    static let attempts = 4
    /// How long a sync that lost a container waits for the engine to start its replacement.
    static let replacementWait: Duration = .seconds(60)

    private func syncOnce(
        _ gateway: Gateway, files: any GatewayRouteFiles, excluding excluded: Set<String>, awaitingReplacement: Bool
    ) async throws {
        var containers = try await gatewayContainers(gateway)
        if containers.isEmpty && awaitingReplacement {
            let clock = ContinuousClock()
            let deadline = clock.now + Self.replacementWait
            while containers.isEmpty && clock.now < deadline {
                try await Task.sleep(for: .seconds(1))
                containers = try await gatewayContainers(gateway)
            }
        }
        guard !containers.isEmpty else {
            console.progress(
                "Gateway \(gateway.owner)/\(gateway.service) is not running; its routes are rendered when it is deployed."
            )
            return
        }
        // When each container started: one that failed a step and started again since (a crash
        // its restart policy answered) did not refuse the routes either.
        let started = try await startTimes(of: containers)
        // Two deploys behind one gateway sync it at once (each app has its own deploy lock). The
        // routes are read and rendered only once this sync holds every container's sync lock, so
        // the last to activate never serves an older picture of the engine than the other, and
        // their staged files never mix.
        var locked: [String] = []
        let routes: [LiveRoute]
        let reloaded: Int
        do {
            for container in containers.sorted() {
                try await step(
                    container, Self.lockScript(files), gateway: gateway, started: started,
                    what: "take the gateway's sync lock")
                locked.append(container)
            }
            (routes, reloaded) = try await render(
                files, into: containers, gateway: gateway, started: started, excluding: excluded)
        } catch {
            for container in locked {
                _ = try? await engine.run(["exec", container, "sh", "-c", Self.unlockScript(files)])
            }
            throw error
        }
        for container in locked {
            try await step(
                container, Self.unlockScript(files), gateway: gateway, started: started,
                what: "release the gateway's sync lock")
        }
        guard reloaded > 0 else { return }
        let served = routes.filter { !$0.servers.isEmpty }.count
        console.progress(
            "Gateway \(gateway.owner)/\(gateway.service) reloaded: \(served) route(s) served, \(routes.count - served) without a running upstream."
        )
    }

    /// Reads the routes on the engine, renders them and hands them to each container that does
    /// not serve them yet; returns the routes and how many containers were reloaded.
    private func render(
        _ files: any GatewayRouteFiles, into containers: [String], gateway: Gateway, started: [String: String],
        excluding excluded: Set<String>
    ) async throws -> (routes: [LiveRoute], reloaded: Int) {
        let routes = try await engine.liveRoutes(servedOn: gateway.network.engineName, excluding: excluded)
        let configuration = files.configuration(routes.map(\.gatewayRoute))
        if configuration.diagnostics.containsErrors {
            throw ValidationFailure(diagnostics: configuration.diagnostics)
        }
        var reloaded = 0
        // Taking containers out always changes the routes; otherwise they may already be served.
        for container in containers {
            if excluded.isEmpty, try await serves(configuration, container, files: files) { continue }
            try await reload(container, with: configuration, files: files, gateway: gateway, started: started)
            reloaded += 1
        }
        return (routes, reloaded)
    }

    /// Brings the routes of a stack's file-configured gateway up to date; stacks behind a
    /// gateway that reads routes itself, or none, need nothing.
    public func sync(routesOf stack: Stack) async throws {
        guard let gateway = stack.gateway else { return }
        try await sync(gateway)
    }

    /// The folder, in the gateway's routes volume, whose existence is the sync lock: `mkdir` is
    /// atomic in every image.
    /// In the container's own `/dev/shm`, which Docker empties whenever the container starts:
    /// a gateway that crashed mid-sync, or a task Swarm replaced, comes back unlocked. (In the
    /// routes volume the lock outlived them and held the next syncs off for two minutes.)
    static func lockDirectory(_ files: any GatewayRouteFiles) -> String {
        "/dev/shm/berth-sync-lock"
    }

    /// Takes the sync lock, waiting up to 60 s; a lock older than two minutes was left by a
    /// deployer that died mid-sync and is taken over.
    static func lockScript(_ files: any GatewayRouteFiles) -> String {
        let lock = lockDirectory(files)
        return """
            i=0
            while ! mkdir \(lock) 2>/dev/null; do
                if [ -n "$(find \(lock) -maxdepth 0 -mmin +2 2>/dev/null)" ]; then rm -rf \(lock); continue; fi
                i=$((i + 1))
                if [ "$i" -ge 600 ]; then echo "another deploy has held \(lock) for 60 s" >&2; exit 1; fi
                sleep 0.1
            done
            """
    }

    static func unlockScript(_ files: any GatewayRouteFiles) -> String {
        "rm -rf \(lockDirectory(files))"
    }

    /// The running containers of the gateway's service in its owner's stack, whatever the
    /// environment.
    func gatewayContainers(_ gateway: Gateway) async throws -> [String] {
        try await engine.output([
            "ps", "--quiet", "--filter", "label=\(OwnershipLabel.stack)=\(gateway.owner)",
            "--filter", "label=\(OwnershipLabel.service)=\(gateway.service)", "--filter", "status=running",
        ])
        .split(whereSeparator: \.isNewline).map(String.init)
    }

    /// Whether the container already serves exactly these routes: one `docker exec` instead of
    /// the three of a reload, and no reload when nothing changed.
    private func serves(
        _ configuration: GatewayFiles, _ container: String, files: any GatewayRouteFiles
    ) async throws -> Bool {
        let script =
            "cd \(files.activeDirectory) 2>/dev/null || exit 0; for f in *; do [ -f \"$f\" ] || continue; printf '== %s\\n' \"$f\"; cat \"$f\"; done"
        let result = try await engine.run(["exec", container, "sh", "-c", script])
        guard result.succeeded else { return false }
        let expected = configuration.files.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
            .map { "== \($0.name)\n\($0.content)" }.joined()
        return result.standardOutput == expected
    }

    private func reload(
        _ container: String, with configuration: GatewayFiles, files: any GatewayRouteFiles, gateway: Gateway,
        started: [String: String]
    ) async throws {
        try await step(
            container, files.prepareStagingScript, gateway: gateway, started: started,
            what: "prepare the staged routes")
        for file in configuration.files {
            try await step(
                container, files.writeStagedFileScript(named: file.name), input: Array(file.content.utf8),
                gateway: gateway, started: started, what: "write \(file.name)")
        }
        try await step(
            container, files.activationScript, gateway: gateway, started: started, what: "activate the new routes")
    }

    /// What Docker answers an exec into a container that stopped or is restarting.
    static let containerGoneMessages = [
        "is not running", "is restarting", "cannot exec in a stopped container", "No such container",
    ]

    /// When each container started, by the ID it was listed with.
    private func startTimes(of containers: [String]) async throws -> [String: String] {
        let listing = try await engine.run(
            ["container", "inspect", "--format", "{{.State.StartedAt}}"] + containers)
        let times = listing.standardOutput.split(whereSeparator: \.isNewline).map(String.init)
        // A container gone since it was listed has no line; the step that reaches it finds out.
        guard times.count == containers.count else { return [:] }
        return Dictionary(zip(containers, times), uniquingKeysWith: { first, _ in first })
    }

    private func step(
        _ container: String, _ script: String, input: [UInt8]? = nil, gateway: Gateway, started: [String: String],
        what: String
    ) async throws {
        let arguments = ["exec"] + (input == nil ? [] : ["-i"]) + [container, "sh", "-c", script]
        let result = try await engine.run(arguments, input: input)
        guard result.succeeded else {
            // Stopped, restarting, or started again since the sync began: the container went
            // away under the sync, which starts over with what runs then. Docker's own words
            // say so at once; the engine's state may say so only a moment later, once it has
            // seen the process end.
            let output = result.standardError + result.standardOutput
            let gone = Self.containerGoneMessages.contains { output.localizedCaseInsensitiveContains($0) }
            if !gone { try await Task.sleep(for: .milliseconds(500)) }
            let state = try await engine.run(
                ["container", "inspect", "--format", "{{.State.Status}} {{.State.StartedAt}}", container])
            let fields = state.standardOutput.trimmed.split(separator: " ").map(String.init)
            if gone || fields.first != "running" || (started[container].map { fields.last != $0 } ?? false) {
                throw GatewayContainerStopped(container: String(container.prefix(12)))
            }
            throw GatewayReloadFailure(
                gateway: "\(gateway.owner)/\(gateway.service)", container: String(container.prefix(12)), step: what,
                output: (result.standardError + result.standardOutput).trimmed)
        }
    }
}

/// A gateway container stopped while a sync was handing it routes; the sync starts over with the
/// containers running then.
struct GatewayContainerStopped: Error, CustomStringConvertible {
    var container: String

    var description: String {
        "The gateway's container \(container) stopped during every attempt to hand it the routes; check why with `docker logs \(container)` and deploy again."
    }
}

/// The gateway refused the routes rendered for it, or its container could not take them.
/// The routes it served before are still served.
public struct GatewayReloadFailure: Error, CustomStringConvertible, Sendable {
    /// The gateway, as `owner/service`.
    public var gateway: String
    /// The container that refused.
    public var container: String
    /// The step that failed.
    public var step: String
    /// What the gateway (or the shell) said.
    public var output: String

    public var description: String {
        """
        The gateway \(gateway) (container \(container)) could not \(step); it keeps serving the routes it had.
        \(output.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        Fix the routes it names, or redeploy the gateway's stack if its container lacks the routes volume.
        """
    }
}
