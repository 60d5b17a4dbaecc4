import BerthCore
import BerthGateway
import Foundation
import Testing

@testable import BerthDeploy

/// An nginx gateway and an app, each its own Swarm stack on the single-node Swarm the test
/// script starts: the gateway reaches the app by its Swarm service name on the shared overlay
/// network, and follows the app's `up` and `down`.
@Suite(
    "End to end: an nginx gateway on Swarm",
    .serialized,
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine in Swarm mode (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(8)))
struct SwarmGatewayEndToEndTests {
    static let port = 18099
    static let host = "swarm-app.localhost"

    @Test("the gateway serves the app's route by its service name, and forgets it after the app's down")
    func gatewayOnSwarm() async throws {
        try RealEngine.require()
        let tmp = try TemporaryDirectory("berth-swarm-gateway")
        defer { tmp.remove() }
        let owner = RealEngine.uniqueName("edge")
        let app = RealEngine.uniqueName("site")
        let network = SharedNetwork("edge", engineName: "\(owner)_edge", owner: owner)
        let gateway = Gateway.nginx(service: "nginx", network: network)
        let environment = SwarmEndToEndTests.swarmDev
        let nginx = NginxGateway(gateway)
        let ownerStack = Stack(owner) {
            gateway
            nginx.stackPart(image: "berth-test/nginx:1", httpPort: Self.port, publishMode: .host)
        }
        .endpointModes(.dnsrr)
        let appStack = Stack(app) {
            gateway
            Service("web", image: "berth-test/busybox:1")
                .command([
                    "sh", "-c", "mkdir -p /www && echo 'swarm app' > /www/index.html && exec httpd -f -p 8080 -h /www",
                ])
                .networks("edge")
                .expose(8080)
                .endpointMode(.dnsrr)
                .healthCheck(.http(port: 8080, path: "/index.html", interval: .seconds(1), timeout: .seconds(10)))
                .route(Self.host, port: 8080)
        }
        let ownerDeployer = SwarmEndToEndTests.deployer(root: tmp.url.appending(path: "edge"), label: owner)
        let appDeployer = SwarmEndToEndTests.deployer(root: tmp.url.appending(path: "site"), label: app)
        let sync = GatewaySync(engine: DockerEngine(), console: ownerDeployer.console)

        try await SwarmEndToEndTests.withStack(owner, ownerDeployer) {
            try await ownerDeployer.up(ownerDeployer.prepare(ownerStack, for: environment), timeout: .seconds(120))
            try await sync.sync(gateway)
            #expect(LoopbackHTTP.get(port: Self.port, host: "localhost", path: "/healthz")?.status == 200)

            try await SwarmEndToEndTests.withStack(app, appDeployer) {
                try await appDeployer.up(appDeployer.prepare(appStack, for: environment), timeout: .seconds(120))
                try await sync.sync(gateway)
                let live = try await DockerEngine().liveRoutes(servedOn: network.engineName)
                #expect(live.first { $0.stack == app }?.servers == ["\(app)-dev_web"])
                // A new Swarm task is reachable through its service's address only once the
                // engine's load balancer has it, which takes longer on a busy machine.
                let page = await LoopbackHTTP.poll(port: Self.port, host: Self.host, path: "/", attempts: 60) {
                    $0.status == 200
                }
                #expect(page?.body.contains("swarm app") == true, "\(String(describing: page))")
            }
            // The app is gone: its route leaves the gateway with the next sync.
            try await sync.sync(gateway)
            let after = await LoopbackHTTP.poll(port: Self.port, host: Self.host, path: "/") { $0.status == 404 }
            #expect(after?.status == 404, "\(String(describing: after))")
        }
    }
}

extension Stack {
    /// Every service with the same endpoint mode: this kernel has no IPVS for Swarm's VIPs.
    fileprivate func endpointModes(_ mode: DeployPolicy.EndpointMode) -> Stack {
        var stack = self
        stack.services = stack.services.map { $0.endpointMode(mode) }
        return stack
    }
}
