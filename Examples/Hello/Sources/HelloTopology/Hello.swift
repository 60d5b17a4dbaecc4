import Berth

/// The Hello stack: a web service published on loopback and a worker that waits for it.
///
/// `web` serves a page from a config on port 8080, published on 127.0.0.1 only. `worker` starts
/// once `web` is healthy, reads a generated token from `/run/secrets/worker_token`, keeps its
/// state in the `data` volume and talks to `web` over the internal `backend` network, which has
/// no route out of the host.
public let hello = Deployment(environments: [.dev, .prod]) { environment in
    Stack("hello") {
        Network("frontend")
        Network("backend", internal: true)
        Volume("data")
        Secret.generated("worker_token")
        Config("index", .content("Hello from Berth (\(environment.name))\n"))
        web(environment)
        worker
    }
}

func web(_ environment: Environment) -> Service {
    Service("web", image: "berth-test/busybox:1")
        .command(["httpd", "-f", "-v", "-p", "8080", "-h", "/www"])
        .config("index", at: "/www/index.html")
        .environment("GREETING", environment.isProduction ? "welcome" : "hello")
        .publish(8080, on: environment.isProduction ? 28080 : 18080)
        .networks("frontend", "backend")
        .healthCheck(.http(port: 8080, path: "/index.html", interval: .seconds(2)))
        .resources(Resources(cpuLimit: 0.5, memoryLimit: "64m"))
}

let worker = Service("worker", image: "berth-test/busybox:1")
    .command([
        "sh", "-c",
        "while true; do wget -q -O /data/last.html http://web:8080/index.html && touch /data/ok; sleep 5; done",
    ])
    .networks("backend")
    .volume("data", at: "/data")
    .secret("worker_token", pathVariable: "WORKER_TOKEN_FILE")
    .dependsOn("web", condition: .healthy)
    .healthCheck(HealthCheck(.shell("test -s \"$WORKER_TOKEN_FILE\" && test -f /data/ok"), interval: .seconds(2)))
    .resources(Resources(cpuLimit: 0.25, memoryLimit: "32m"))
