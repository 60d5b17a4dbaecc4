import BerthCore
import Foundation
import Testing

@testable import BerthDeploy

/// The real Traefik v3 (`berth-test/traefik:3`, which `scripts/engine.sh up` imports from
/// upstream's binary) on the test engine, told to read only the containers of one test run.
///
/// Its Docker provider sees a container only when it carries ``runLabel`` with this run's value
/// (a provider constraint), so the other tests sharing the engine stay out of it and it stays out
/// of theirs. The API runs insecure on its own entrypoint, published on loopback only, because
/// `GET /api/rawdata` is where Traefik says what it made of each router: it has no `validate`
/// command, and a router it refuses is listed `disabled` with its `error`s, while a container
/// whose labels it cannot decode is left out altogether.
struct RealTraefik {
    static let image = "berth-test/traefik:3"
    /// The label that puts a container in a run; Traefik's constraint matches it.
    static let runLabel = "org.berth.traefik-test"

    /// The run's name: its network's and every container's prefix.
    let run: String
    /// Host ports on 127.0.0.1: the API (`traefik` entrypoint), `web` and `websecure`.
    private(set) var apiPort = 0
    private(set) var webPort = 0
    private(set) var websecurePort = 0

    var network: String { run }
    var container: String { "\(run)-traefik" }

    /// Whether the image is on the engine; `scripts/engine.sh up` builds it.
    static func imageIsAvailable() async -> Bool {
        (try? await ProcessRunner().run(["docker", "image", "inspect", image], input: nil).succeeded) ?? false
    }

    /// The engine's socket path, which the provider needs mounted: the tests' engine listens on a
    /// private socket, not on `/var/run/docker.sock`.
    static var engineSocket: String? {
        let host = ProcessInfo.processInfo.environment["DOCKER_HOST"] ?? "unix:///var/run/docker.sock"
        return host.hasPrefix("unix://") ? String(host.dropFirst("unix://".count)) : nil
    }

    @discardableResult
    static func docker(_ arguments: [String]) async throws -> String {
        let result = try await ProcessRunner().run(["docker"] + arguments, input: nil)
        guard result.succeeded else {
            throw EngineError("docker \(arguments.prefix(3).joined(separator: " ")) …: \(result.standardError)")
        }
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts Traefik on a network of its own, with the API on 127.0.0.1, and waits (bounded)
    /// until the API answers.
    /// - Parameters:
    ///   - run: A name no other run uses (``RealEngine/uniqueName(_:)``).
    ///   - arguments: More static configuration, such as a file provider.
    ///   - labels: Labels of the Traefik container itself (its dashboard router).
    ///   - volumes: `-v` values.
    static func start(
        run: String, arguments: [String] = [], labels: [(String, String)] = [], volumes: [String] = []
    ) async throws -> RealTraefik {
        let socket = try #require(engineSocket, "Traefik's Docker provider needs a unix:// DOCKER_HOST")
        var traefik = RealTraefik(run: run)
        try await docker(["network", "create", "--label", "\(runLabel)=\(run)", run])
        var command = [
            "run", "--detach", "--name", traefik.container, "--network", run, "--label", "\(runLabel)=\(run)",
            "--volume", "\(socket):/var/run/docker.sock:ro",
            "--publish", "127.0.0.1::8080", "--publish", "127.0.0.1::80", "--publish", "127.0.0.1::443",
        ]
        for volume in volumes { command += ["--volume", volume] }
        for (key, value) in labels { command += ["--label", "\(key)=\(value)"] }
        command +=
            [image] + [
                // Without these Traefik reaches out to the internet.
                "--global.checknewversion=false", "--global.sendanonymoususage=false",
                "--entrypoints.traefik.address=:8080", "--entrypoints.web.address=:80",
                "--entrypoints.websecure.address=:443", "--api.insecure=true", "--log.level=INFO",
                "--providers.docker=true", "--providers.docker.exposedbydefault=false",
                "--providers.docker.network=\(run)",
                "--providers.docker.constraints=Label(`\(runLabel)`,`\(run)`)",
            ] + arguments
        try await docker(command)
        traefik.apiPort = try await hostPort(traefik.container, 8080)
        traefik.webPort = try await hostPort(traefik.container, 80)
        traefik.websecurePort = try await hostPort(traefik.container, 443)
        for attempt in 1...40 {
            if await traefik.rawdata() != nil { return traefik }
            if attempt < 40 { try await Task.sleep(for: .milliseconds(250)) }
        }
        throw EngineError("Traefik's API did not answer on 127.0.0.1:\(traefik.apiPort): \(await traefik.logs())")
    }

    private static func hostPort(_ container: String, _ port: Int) async throws -> Int {
        let mapping = try await docker(["port", container, "\(port)/tcp"])
        let first = mapping.split(whereSeparator: \.isNewline).first { $0.hasPrefix("127.0.0.1:") } ?? ""
        return try #require(Int(first.split(separator: ":").last ?? ""), "no host port for \(port): \(mapping)")
    }

    /// Starts a container of the run with `labels`, plus `traefik.enable=true`. By default it idles
    /// (Traefik needs it running, not serving); it exposes 80 so that a service without a port
    /// label still has one.
    func container(_ name: String, labels: [(String, String)], command: [String]? = nil, options: [String] = [])
        async throws
    {
        var arguments = [
            "run", "--detach", "--name", "\(run)-\(name)", "--network", network, "--label", "\(Self.runLabel)=\(run)",
            "--label", "traefik.enable=true", "--expose", "80",
        ]
        for (key, value) in labels { arguments += ["--label", "\(key)=\(value)"] }
        arguments += options + ["berth-test/busybox:1"]
        arguments += command ?? ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
        try await Self.docker(arguments)
    }

    /// What Traefik made of the configuration, or `nil` when the API does not answer.
    func rawdata() async -> RawData? {
        // curl, not LoopbackHTTP: the answer is large and comes chunked.
        guard
            let result = try? await ProcessRunner().run(
                ["curl", "--silent", "--fail", "--max-time", "5", "http://127.0.0.1:\(apiPort)/api/rawdata"],
                input: nil),
            result.succeeded,
            let object = try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        else { return nil }
        return RawData(object)
    }

    /// Polls ``rawdata()`` (bounded: 60 tries, 15 s) until `done` holds; the last answer.
    func rawdata(until done: (RawData) -> Bool) async -> RawData? {
        var last: RawData?
        for attempt in 1...60 {
            last = await rawdata()
            if let last, done(last) { return last }
            if attempt < 60 { try? await Task.sleep(for: .milliseconds(250)) }
        }
        return last
    }

    /// The last `tail` lines of Traefik's log, or all of it.
    func logs(tail: Int? = 40) async -> String {
        let result = try? await ProcessRunner().run(
            ["docker", "logs"] + (tail.map { ["--tail", String($0)] } ?? []) + [container], input: nil)
        return (result?.standardOutput ?? "") + (result?.standardError ?? "")
    }

    /// Removes every container and the network of the run.
    func remove() async {
        let ids =
            (try? await Self.docker(["ps", "--all", "--quiet", "--filter", "label=\(Self.runLabel)=\(run)"])) ?? ""
        let list = ids.split(whereSeparator: \.isNewline).map(String.init)
        if !list.isEmpty { _ = try? await Self.docker(["rm", "--force", "--volumes"] + list) }
        _ = try? await Self.docker(["network", "rm", run])
    }

    /// Runs `body` with Traefik started, and removes the run afterwards, also when `body` throws.
    static func with<T>(
        run: String, arguments: [String] = [], labels: [(String, String)] = [], volumes: [String] = [],
        _ body: (RealTraefik) async throws -> T
    ) async throws -> T {
        let placeholder = RealTraefik(run: run)
        await placeholder.remove()
        do {
            let traefik = try await start(run: run, arguments: arguments, labels: labels, volumes: volumes)
            let result = try await body(traefik)
            await traefik.remove()
            return result
        } catch {
            print("[\(run)] Traefik's last log lines:\n\(await placeholder.logs())")
            await placeholder.remove()
            throw error
        }
    }
}

/// `GET /api/rawdata`: every HTTP router, service and middleware with its status and errors.
struct RawData: Sendable {
    struct Entry: Sendable {
        var status: String
        var errors: [String]
        var rule: String?
    }

    var routers: [String: Entry] = [:]
    var services: [String: Entry] = [:]
    var middlewares: [String: Entry] = [:]

    init(_ object: [String: Any]) {
        func entries(_ key: String) -> [String: Entry] {
            let section = object[key] as? [String: Any] ?? [:]
            return section.compactMapValues { value in
                guard let value = value as? [String: Any] else { return nil }
                return Entry(
                    status: value["status"] as? String ?? "", errors: value["error"] as? [String] ?? [],
                    rule: value["rule"] as? String)
            }
        }
        routers = entries("routers")
        services = entries("services")
        middlewares = entries("middlewares")
    }

    /// A router of the Docker provider, by the name the labels give it.
    func router(_ name: String) -> Entry? { routers["\(name)@docker"] }
}
