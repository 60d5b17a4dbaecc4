import BehindyOps
import Berth

// behindy-back: the Spring Boot API, at `/api` of Behindy's host and on its own `api.` host.
let back = Deployment(environments: BehindyOps.environments) { environment in
    let host = BehindyOps.host(environment)
    return Stack("behindy-back") {
        BehindyOps.gateway
        if environment.isProduction {
            // The password behindy-ops generated, exported by the operator from its secrets.
            Secret("db_password", .environment("BEHINDY_DB_PASSWORD"))
        }
        api(environment, host: host)
    }
}

func api(_ environment: Environment, host: String) -> Service {
    var api = Service("api", image: BehindyOps.image("ghcr.io/behindy3359/behindy-back:1.0.0", in: environment))
        .environment("SPRING_DATASOURCE_URL", BehindyOps.postgres.url(scheme: "jdbc:postgresql", path: "/behindy"))
        .environment("SPRING_DATA_REDIS_HOST", BehindyOps.redis.host)
        .environment("SPRING_DATA_REDIS_PORT", "\(BehindyOps.redis.port)")
        .networks(BehindyOps.network.name)
        .expose(8080)
        .healthCheck(BehindyOps.httpCheck(port: 8080, path: "/api/"))
        .route(
            host, path: "/api", port: 8080, tls: BehindyOps.tls(environment),
            middlewares: BehindyOps.edgeMiddlewares(environment) + [
                .rateLimit(.perSecond(20, burst: 40)), .maxBodySize(10 << 20),
            ],
            health: UpstreamHealth(maxFails: 3, failTimeout: .seconds(10))
        )
        // The API's own host, served without TLS: its certificate covers Behindy's host only.
        .route("api.\(host)", port: 8080, middlewares: [.securityHeaders(.strict)])
        .resources(Resources(cpuLimit: 1, memoryLimit: "768m"))
    if environment.isProduction {
        api = api.secret("db_password", pathVariable: "SPRING_DATASOURCE_PASSWORD_FILE")
    } else {
        api = api.command(BehindyOps.standInServer(port: 8080, text: "behindy-back", paths: ["/api"]))
    }
    return api
}

await back.main()
