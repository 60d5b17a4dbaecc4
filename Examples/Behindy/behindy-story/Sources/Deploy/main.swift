import BehindyOps
import Berth

// behindy-story: the FastAPI story generator, at `/llm` of Behindy's host. It sees paths without
// the prefix (`/llm/stories` arrives as `/stories`).
let story = Deployment(environments: BehindyOps.environments) { environment in
    Stack("behindy-story") {
        BehindyOps.gateway
        Service("llm", image: BehindyOps.image("ghcr.io/behindy3359/behindy-story:1.0.0", in: environment))
            .command(
                environment.isProduction
                    ? ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]
                    : BehindyOps.standInServer(port: 8000, text: "behindy-story")
            )
            .environment("REDIS_URL", BehindyOps.redis.url(scheme: "redis", path: "/1"))
            .networks(BehindyOps.network.name)
            .expose(8000)
            .healthCheck(BehindyOps.httpCheck(port: 8000))
            // Story generation streams for a while; the limit keeps one client from hogging it.
            .route(
                BehindyOps.host(environment), path: "/llm", port: 8000, tls: BehindyOps.tls(environment),
                middlewares: BehindyOps.edgeMiddlewares(environment) + [
                    .stripPrefix, .rateLimit(.perMinute(30, burst: 10)),
                ]
            )
            .resources(Resources(cpuLimit: 1, memoryLimit: "1g"))
    }
}

await story.main()
