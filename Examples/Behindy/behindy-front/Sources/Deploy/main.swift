import BehindyOps
import Berth

// behindy-front: the Next.js user interface, at `/` of Behindy's host.
let front = Deployment(environments: BehindyOps.environments) { environment in
    Stack("behindy-front") {
        BehindyOps.gateway
        Service("front", image: BehindyOps.image("ghcr.io/behindy3359/behindy-front:1.0.0", in: environment))
            .command(
                environment.isProduction
                    ? ["node", "server.js"] : BehindyOps.standInServer(port: 3000, text: "behindy-front")
            )
            .environment("NEXT_PUBLIC_API_URL", "https://\(BehindyOps.host(environment))/api")
            .networks(BehindyOps.network.name)
            .expose(3000)
            .healthCheck(BehindyOps.httpCheck(port: 3000))
            // Next.js hot reload and live updates use WebSockets.
            .route(
                BehindyOps.host(environment), port: 3000, tls: BehindyOps.tls(environment),
                middlewares: BehindyOps.edgeMiddlewares(environment) + [.websockets],
                health: UpstreamHealth(maxFails: 3, failTimeout: .seconds(10))
            )
            .resources(Resources(cpuLimit: 0.5, memoryLimit: "256m"))
    }
}

await front.main()
