import BerthCore
import BerthDiagram
import BerthRendering
import BerthTesting
import Foundation
import Testing

@testable import BerthDeploy

/// Examples/Behindy on a real engine: the shared infrastructure (PostgreSQL and Redis
/// stand-ins, an nginx gateway built locally from Debian's nginx) and three app packages, each
/// deployed on its own with `swift package deploy up`, routed by host and path.
@Suite(
    "End to end: shared infrastructure and three app repositories behind an nginx gateway",
    .serialized,
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(20)))
struct SharedInfrastructureEndToEndTests {
    static let examples = PluginEndToEndTests.repository.appendingPathComponent("Examples/Behindy")
    static let gatewayPort = 18088
    static let host = "behindy.localhost"
    static let packages = ["behindy-ops", "behindy-front", "behindy-back", "behindy-story"]
    /// Claims a route behindy-back serves: refused.
    static let claimant = "behindy-admin"
    /// behindy-ops's gateway, as the apps' `BehindyOps.gateway` handle describes it.
    static let gateway = Gateway.nginx(
        service: "nginx", network: SharedNetwork("internal", engineName: "behindy_internal", owner: "behindy-ops"))

    static func deploy(_ package: String, _ arguments: [String]) async throws -> ProcessOutcome {
        let directory = examples.appendingPathComponent(package)
        let command =
            [
                "swift", "package", "--package-path", directory.path,
                "--allow-writing-to-package-directory", "--allow-network-connections", "docker",
                "deploy",
            ] + arguments
        // The first run of each package builds it (and Berth with it): allow a few minutes.
        let outcome = try await runProcess(command, in: directory, timeout: .seconds(480))
        print(
            "$ (\(package)) \(command.suffix(arguments.count + 1).joined(separator: " ")) -> \(outcome.status.map(String.init) ?? "timed out")"
        )
        return outcome
    }

    /// The body the gateway answers for a host and path, once it answers 200 (bounded retries).
    static func page(_ host: String, _ path: String, containing text: String) async -> String {
        let response = await LoopbackHTTP.poll(port: gatewayPort, host: host, path: path) {
            $0.status == 200 && $0.body.contains(text)
        }
        return response.map { "\($0.status) \($0.body.trimmingCharacters(in: .whitespacesAndNewlines))" }
            ?? "no answer"
    }

    static func refusedReloadKeepsTheRunningRoutes() async throws {
        let engine = DockerEngine()
        let gateway = Self.gateway
        let route = Route(
            host: "broken.\(host)", port: 8080,
            tls: .certificate(certificate: "/missing/cert.pem", key: "/missing/key.pem"),
            location: SourceLocation(fileID: "Hand/Run.swift", line: 1))
        let name = RealEngine.uniqueName("behindy-broken")
        let started = try await engine.run([
            "run", "--detach", "--name", name, "--network", "behindy_internal",
            "--label", "\(OwnershipLabel.stack)=behindy-broken", "--label", "\(OwnershipLabel.environment)=dev",
            "--label", "\(OwnershipLabel.service)=web", "--label",
            "\(OwnershipLabel.routes)=\(RouteLabel.encode([route]))",
            "berth-test/busybox:1", "httpd", "-f", "-p", "8080",
        ])
        try #require(started.succeeded, "\(started.standardError)")
        do {
            try await GatewaySync(engine: engine).sync(gateway)
            Issue.record("a routes file with a missing certificate was activated")
        } catch let refused as GatewayReloadFailure {
            #expect(refused.description.contains("/missing/cert.pem"), "\(refused)")
            #expect(refused.description.contains("keeps serving the routes it had"))
        }
        #expect(await page(host, "/api/", containing: "behindy-back").hasSuffix("behindy-back"))
        _ = try await engine.run(["rm", "--force", name])
        try await GatewaySync(engine: engine).sync(gateway)
        #expect(await page(host, "/", containing: "behindy-front").hasSuffix("behindy-front"))
    }

    @Test(
        "each repository deploys itself; requests reach the right app by host and path; a third claim is refused; down of one leaves the others routed"
    )
    func sharedInfrastructure() async throws {
        try RealEngine.require()
        var failure: (any Error)?
        do {
            // An app before the shared infrastructure: refused, naming what to deploy first.
            let early = try await Self.deploy("behindy-front", ["up", "--env", "dev"])
            #expect(early.status != 0)
            #expect(
                early.output.contains("Network behindy_internal was not found on")
                    && early.output.contains("deploy behindy-ops first."), "\(early.output)")
            #expect(try await RealEngine.labelled("behindy-front").containers.isEmpty)

            for package in Self.packages {
                let up = try await Self.deploy(package, ["up", "--env", "dev"])
                try #require(up.status == 0, "deploy up of \(package) failed:\n\(up.output)")
            }

            // By path on one host, and by host.
            #expect(await Self.page(Self.host, "/", containing: "behindy-front").hasSuffix("behindy-front"))
            #expect(await Self.page(Self.host, "/api/", containing: "behindy-back").hasSuffix("behindy-back"))
            #expect(await Self.page(Self.host, "/llm/", containing: "behindy-story").hasSuffix("behindy-story"))
            #expect(await Self.page("api.\(Self.host)", "/", containing: "behindy-back").hasSuffix("behindy-back"))
            // Production, with certbot's certificates and HTTPS only, validates in every package.
            for package in Self.packages {
                let validate = try await Self.deploy(package, ["validate", "--env", "prod"])
                #expect(validate.status == 0, "deploy validate --env prod of \(package):\n\(validate.output)")
            }

            // `berth routes` lists them, with their owners and upstreams.
            let berth = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appending(path: "berth")
            let listing = try await runProcess([berth.path, "routes"], timeout: .seconds(30))
            #expect(listing.status == 0, "\(listing.output)")
            for line in [
                "Gateway behindy-ops/nginx (dev), ",
                "  behindy.localhost -> behindy-front (dev) front:3000  [behindy-front-dev-front-1]",
                "behindy.localhost/api -> behindy-back (dev) api:8080  [behindy-back-dev-api-1]",
                "behindy.localhost/llm -> behindy-story (dev) llm:8000  [behindy-story-dev-llm-1]",
            ] {
                #expect(listing.output.contains(line), "\(listing.output)")
            }

            // A host no stack routes gets the gateway's own 404, and its health endpoint answers.
            #expect(LoopbackHTTP.get(port: Self.gatewayPort, host: "unknown.localhost", path: "/")?.status == 404)
            #expect(LoopbackHTTP.get(port: Self.gatewayPort, host: "localhost", path: "/healthz")?.status == 200)
            // Security headers come from the gateway on every routed response.
            let headers = LoopbackHTTP.get(port: Self.gatewayPort, host: Self.host, path: "/api/")
            #expect(headers?.status == 200)
            #expect(headers?.head.contains("X-Frame-Options: DENY") == true, "\(headers?.head ?? "no answer")")
            #expect(headers?.head.contains("X-Content-Type-Options: nosniff") == true)

            // A fourth repository claiming behindy.localhost/api is refused before anything
            // changes, by `plan` and by `up`, naming the stack that serves it.
            // What each Behindy stack claims; which upstreams pass their health checks at this
            // moment is no part of it, nor are the routes of tests running beside this one.
            func claims() async throws -> [String] {
                try await DockerEngine().liveRoutes().filter { $0.stack.hasPrefix("behindy") }.map {
                    "\($0.route.address) \($0.stack) (\($0.environment)) \($0.service)"
                }.sorted()
            }
            let before = try await claims()
            for command in ["plan", "up"] {
                let claim = try await Self.deploy(Self.claimant, [command, "--env", "dev"])
                #expect(claim.status != 0, "deploy \(command) of behindy-admin succeeded:\n\(claim.output)")
                #expect(claim.output.contains("[route-claimed-by-another-stack]"), "\(claim.output)")
                #expect(
                    claim.output.contains("already served on")
                        && claim.output.contains("by stack 'behindy-back' (dev), service 'api'"),
                    "\(claim.output)")
            }
            #expect(try await RealEngine.labelled(Self.claimant).containers.isEmpty)
            #expect(try await claims() == before)
            #expect(await Self.page(Self.host, "/api/", containing: "behindy-back").hasSuffix("behindy-back"))

            // Routes nginx refuses never replace the running ones: a route whose certificate file
            // the gateway does not have (a container started by hand, with Berth's labels).
            try await Self.refusedReloadKeepsTheRunningRoutes()

            // A routed container that stops: the reload goes through, its route answers 503,
            // and it is served again once it runs.
            let story = "behindy-story-dev-llm-1"
            _ = try await DockerEngine().output(["stop", story])
            try await GatewaySync(engine: DockerEngine()).sync(Self.gateway)
            let stopped = await LoopbackHTTP.poll(port: Self.gatewayPort, host: Self.host, path: "/llm/") {
                $0.status == 503
            }
            #expect(stopped?.status == 503, "\(String(describing: stopped))")
            _ = try await DockerEngine().output(["start", story])
            try await GatewaySync(engine: DockerEngine()).sync(Self.gateway)
            #expect(await Self.page(Self.host, "/llm/", containing: "behindy-story").hasSuffix("behindy-story"))

            // One app leaves: its route disappears from the gateway, the others keep working.
            let down = try await Self.deploy("behindy-story", ["down", "--env", "dev"])
            try #require(down.status == 0, "deploy down of behindy-story failed:\n\(down.output)")
            // `/llm/` now falls to the front's `/`, whose server has no such page.
            let llm = await LoopbackHTTP.poll(port: Self.gatewayPort, host: Self.host, path: "/llm/") {
                !$0.body.contains("behindy-story")
            }
            #expect(llm?.status == 404, "\(String(describing: llm))")
            #expect(await Self.page(Self.host, "/api/", containing: "behindy-back").hasSuffix("behindy-back"))
            #expect(await Self.page(Self.host, "/", containing: "behindy-front").hasSuffix("behindy-front"))
        } catch {
            failure = error
        }

        // Apps first, the shared infrastructure last, as an operator would.
        for package in Self.packages.reversed() {
            let down = try await Self.deploy(package, ["down", "--env", "dev", "--volumes", "--yes"])
            if down.status != 0 { Issue.record("deploy down of \(package) failed:\n\(down.output)") }
        }
        for stack in Self.packages {
            let left = try await RealEngine.labelled(stack)
            #expect(left.containers.isEmpty && left.networks.isEmpty && left.volumes.isEmpty, "\(stack) left \(left)")
        }
        if let failure { throw failure }
        try await Self.appDiagrams()
        try await Self.renderedFiles()
    }

    /// What each package's `render` writes is the file `Tests/Fixtures/rendered/<package>-<env>.yaml`
    /// that `RenderedExamplesTests` imports back (`BERTH_RECORD_GOLDEN=1` records them).
    static func renderedFiles() async throws {
        let golden = GoldenFile(
            sourceDirectory: PluginEndToEndTests.repository.appending(path: "Tests/Fixtures/rendered"),
            bundledDirectory: nil)
        for package in Self.packages + [Self.claimant] {
            let directory = examples.appendingPathComponent(package)
            let deploy = directory.appending(
                path: package == "behindy-ops" ? ".build/debug/DeployOps" : ".build/debug/Deploy")
            try #require(FileManager.default.isExecutableFile(atPath: deploy.path), "\(package)'s Deploy was not built")
            for environment in ["dev", "prod"] {
                let rendered = try await runProcess(
                    [deploy.path, "render", "--env", environment], in: directory, timeout: .seconds(60))
                try #require(rendered.status == 0, "\(package) render --env \(environment): \(rendered.output)")
                let text = try String(
                    contentsOf: directory.appending(path: ".berth/\(package)/\(environment)/compose.yaml"),
                    encoding: .utf8)
                switch try golden.check(text, named: "\(package)-\(environment).yaml") {
                case .matches: break
                case .recorded(let note): print(note)
                case .mismatch(let message): Issue.record(Comment(rawValue: message))
                }
            }
        }
    }

    /// The app packages' diagrams, each drawn by its own `Deploy diagram` (built by the deploys
    /// above), are the golden files `docs/diagrams/<package>-<environment>.mmd` and `.dot`
    /// (`BERTH_RECORD_GOLDEN=1` records them), and `dot -Tsvg` draws the DOT ones.
    static func appDiagrams() async throws {
        let diagrams = DiagramGoldens(
            directory: PluginEndToEndTests.repository.appending(path: "docs/diagrams"), suite: "BerthDeployTests")
        let scratch = try TemporaryDirectory("berth-app-diagrams")
        defer { scratch.remove() }
        for package in Self.packages.dropFirst() + [Self.claimant] {
            let directory = examples.appendingPathComponent(package)
            let deploy = directory.appending(path: ".build/debug/Deploy")
            try #require(
                FileManager.default.isExecutableFile(atPath: deploy.path), "\(package)'s Deploy was not built")
            for environment in ["dev", "prod"] {
                for format in DiagramFormat.allCases {
                    let file = scratch.url.appending(path: "\(package)-\(environment).\(format.fileExtension)")
                    let drawn = try await runProcess(
                        [
                            deploy.path, "diagram", "--env", environment, "--format", format.rawValue, "--output",
                            file.path,
                        ], in: directory, timeout: .seconds(60))
                    try #require(drawn.status == 0, "\(package) diagram --env \(environment): \(drawn.output)")
                    let text = try String(contentsOf: file, encoding: .utf8)
                    switch try diagrams.golden.check(text, named: file.lastPathComponent) {
                    case .matches: break
                    case .recorded(let note): print(note)
                    case .mismatch(let message): Issue.record(Comment(rawValue: message))
                    }
                    if format == .dot {
                        try diagrams.graphviz.requireAvailable()
                        let svg = try await Referee.graphvizSVG(text)
                        #expect(svg.status == 0 && svg.stderr.isEmpty, "\(file.lastPathComponent): \(svg.stderr)")
                    }
                }
            }
        }
    }
}
