import BerthCore
import BerthGateway
import Foundation
import Synchronization
import Testing

@testable import BerthDeploy

/// An nginx gateway whose process dies while Berth hands it routes, as a crash or an OOM kill
/// would: its restart policy brings it back, and the sync must neither fail the deploy as if
/// nginx had refused the routes nor leave the restarted gateway serving stale ones.
@Suite(
    "End to end: a gateway that crashes during a route sync",
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(6)))
struct GatewayCrashEndToEndTests {
    static let port = 18455

    @Test(
        "6 syncs with nginx's PID 1 stopped at a random moment: every sync succeeds, and the gateway serves the routes after each"
    )
    func crashDuringSync() async throws {
        try RealEngine.require()
        let engine = DockerEngine()
        let tmp = try TemporaryDirectory("berth-gateway-crash")
        defer { tmp.remove() }
        let fixture = FixtureDeploy(
            directory: tmp.url, stack: RealEngine.uniqueName("gwcrash"), port: Self.port,
            settings: ["FIXTURE_ONLY": "gateway,web"])
        let gateway = Gateway.nginx(
            service: "gateway",
            network: SharedNetwork("edge", engineName: "\(fixture.stack)_edge", owner: fixture.stack))
        let retries = Mutex(0)
        let sync = GatewaySync(
            engine: engine,
            console: Console(isTerminal: false) { _, text in
                if text.contains("stopped during the reload") { retries.withLock { $0 += 1 } }
            })
        var failure: (any Error)?
        do {
            let up = try await fixture.run(["up"], version: "1")
            try #require(up.status == 0, "\(up.output)")
            let rounds = 6
            var synced = 0
            for round in 1...rounds {
                let container = try #require(try await sync.gatewayContainers(gateway).first, "round \(round)")
                let web = try #require(try await RealEngine.containerIDs(engine, stack: fixture.stack)["web"]?.first)
                // Taking a container out forces a reload (staging, writing, activation): the
                // window the stop lands in. The next round puts it back.
                let excluded: Set<String> = round.isMultiple(of: 2) ? [] : [web]
                async let crash: Void = {
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 0...400)))
                    _ = try? await engine.run(["exec", container, "sh", "-c", "kill -TERM 1"])
                }()
                do {
                    try await sync.sync(gateway, excluding: excluded)
                    synced += 1
                } catch {
                    Issue.record("round \(round): the sync failed: \(error)")
                }
                await crash
                // Back and serving: a sync once it runs again leaves the final routes in place.
                // (Docker doubles its restart delay each time, up to a few seconds here.)
                let clock = ContinuousClock()
                let started = clock.now
                while try await sync.gatewayContainers(gateway).isEmpty && clock.now - started < .seconds(60) {
                    try await Task.sleep(for: .milliseconds(200))
                }
                try await sync.sync(gateway)
                let page = await LoopbackHTTP.poll(
                    port: Self.port, host: fixture.webHost, path: "/index.html", attempts: 60
                ) { $0.status == 200 }
                #expect(
                    page?.body.trimmingCharacters(in: .whitespacesAndNewlines) == "1",
                    "round \(round): \(String(describing: page))")
            }
            #expect(synced == rounds)
            print(
                "gateway crash: \(rounds) syncs, \(synced) succeeded, \(retries.withLock { $0 }) started over after the gateway stopped"
            )
        } catch {
            failure = error
        }
        await fixture.tearDown()
        if let failure { throw failure }
    }
}
