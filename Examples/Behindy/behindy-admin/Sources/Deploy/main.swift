import BehindyOps
import Berth

// behindy-admin: an operations console that claims `/api` of Behindy's host, which behindy-back
// already serves. Berth refuses to deploy it, naming behindy-back, before anything changes; the
// end-to-end tests deploy it to show exactly that.
let admin = Deployment(environments: BehindyOps.environments) { environment in
    Stack("behindy-admin") {
        BehindyOps.gateway
        Service("console", image: BehindyOps.image("ghcr.io/behindy3359/behindy-admin:0.1.0", in: environment))
            .command(BehindyOps.standInServer(port: 8080, text: "behindy-admin"))
            .networks(BehindyOps.network.name)
            .expose(8080)
            .healthCheck(BehindyOps.httpCheck(port: 8080))
            .route(
                BehindyOps.host(environment), path: "/api/", port: 8080, tls: BehindyOps.tls(environment),
                middlewares: BehindyOps.edgeMiddlewares(environment))
    }
}

await admin.main()
